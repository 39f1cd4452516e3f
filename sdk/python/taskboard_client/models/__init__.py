"""Contains all the data models used in inputs/outputs"""

from .deleted_resource import DeletedResource
from .export import Export
from .export_create import ExportCreate
from .export_format import ExportFormat
from .export_page import ExportPage
from .export_status import ExportStatus
from .field_error import FieldError
from .field_error_code import FieldErrorCode
from .field_error_in import FieldErrorIn
from .field_error_params import FieldErrorParams
from .health import Health
from .health_status import HealthStatus
from .invitation import Invitation
from .invitation_changed_event import InvitationChangedEvent
from .invitation_changed_event_event import InvitationChangedEventEvent
from .invitation_create import InvitationCreate
from .invitation_page import InvitationPage
from .invitation_status import InvitationStatus
from .list_tasks_sort import ListTasksSort
from .member import Member
from .member_added_event import MemberAddedEvent
from .member_added_event_event import MemberAddedEventEvent
from .member_page import MemberPage
from .member_removed_event import MemberRemovedEvent
from .member_removed_event_event import MemberRemovedEventEvent
from .member_role import MemberRole
from .problem import Problem
from .project import Project
from .project_create import ProjectCreate
from .project_deleted_event import ProjectDeletedEvent
from .project_deleted_event_event import ProjectDeletedEventEvent
from .project_page import ProjectPage
from .project_update import ProjectUpdate
from .project_updated_event import ProjectUpdatedEvent
from .project_updated_event_event import ProjectUpdatedEventEvent
from .refetch import Refetch
from .removed_member import RemovedMember
from .reset_event import ResetEvent
from .reset_event_event import ResetEventEvent
from .stream_ticket import StreamTicket
from .task import Task
from .task_changed_event import TaskChangedEvent
from .task_changed_event_event import TaskChangedEventEvent
from .task_create import TaskCreate
from .task_deleted_event import TaskDeletedEvent
from .task_deleted_event_event import TaskDeletedEventEvent
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
    "DeletedResource",
    "Export",
    "ExportCreate",
    "ExportFormat",
    "ExportPage",
    "ExportStatus",
    "FieldError",
    "FieldErrorCode",
    "FieldErrorIn",
    "FieldErrorParams",
    "Health",
    "HealthStatus",
    "Invitation",
    "InvitationChangedEvent",
    "InvitationChangedEventEvent",
    "InvitationCreate",
    "InvitationPage",
    "InvitationStatus",
    "ListTasksSort",
    "Member",
    "MemberAddedEvent",
    "MemberAddedEventEvent",
    "MemberPage",
    "MemberRemovedEvent",
    "MemberRemovedEventEvent",
    "MemberRole",
    "Problem",
    "Project",
    "ProjectCreate",
    "ProjectDeletedEvent",
    "ProjectDeletedEventEvent",
    "ProjectPage",
    "ProjectUpdate",
    "ProjectUpdatedEvent",
    "ProjectUpdatedEventEvent",
    "Refetch",
    "RemovedMember",
    "ResetEvent",
    "ResetEventEvent",
    "StreamTicket",
    "Task",
    "TaskChangedEvent",
    "TaskChangedEventEvent",
    "TaskCreate",
    "TaskDeletedEvent",
    "TaskDeletedEventEvent",
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
