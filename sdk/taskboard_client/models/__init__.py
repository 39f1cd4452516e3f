"""Contains all the data models used in inputs/outputs"""

from .field_error import FieldError
from .field_error_in import FieldErrorIn
from .health import Health
from .health_status import HealthStatus
from .problem import Problem
from .token import Token
from .token_create import TokenCreate
from .token_token_type import TokenTokenType
from .user import User
from .user_create import UserCreate
from .user_profile import UserProfile
from .user_update import UserUpdate
from .validation_problem import ValidationProblem

__all__ = (
    "FieldError",
    "FieldErrorIn",
    "Health",
    "HealthStatus",
    "Problem",
    "Token",
    "TokenCreate",
    "TokenTokenType",
    "User",
    "UserCreate",
    "UserProfile",
    "UserUpdate",
    "ValidationProblem",
)
