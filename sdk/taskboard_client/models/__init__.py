"""Contains all the data models used in inputs/outputs"""

from .field_error import FieldError
from .field_error_in import FieldErrorIn
from .health import Health
from .health_status import HealthStatus
from .list_tasks_sort import ListTasksSort
from .member import Member
from .member_page import MemberPage
from .member_role import MemberRole
from .problem import Problem
from .project import Project
from .project_create import ProjectCreate
from .project_page import ProjectPage
from .project_update import ProjectUpdate
from .task import Task
from .task_create import TaskCreate
from .task_page import TaskPage
from .task_status import TaskStatus
from .task_update import TaskUpdate
from .token import Token
from .token_create import TokenCreate
from .token_token_type import TokenTokenType
from .user import User
from .user_create import UserCreate
from .user_profile import UserProfile
from .user_profile_page import UserProfilePage
from .user_update import UserUpdate
from .validation_problem import ValidationProblem

__all__ = (
    "FieldError",
    "FieldErrorIn",
    "Health",
    "HealthStatus",
    "ListTasksSort",
    "Member",
    "MemberPage",
    "MemberRole",
    "Problem",
    "Project",
    "ProjectCreate",
    "ProjectPage",
    "ProjectUpdate",
    "Task",
    "TaskCreate",
    "TaskPage",
    "TaskStatus",
    "TaskUpdate",
    "Token",
    "TokenCreate",
    "TokenTokenType",
    "User",
    "UserCreate",
    "UserProfile",
    "UserProfilePage",
    "UserUpdate",
    "ValidationProblem",
)
