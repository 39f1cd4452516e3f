"""The API's user, from the ORM's."""

from generated import models
from service.tables import User


def user_model(user: User) -> models.User:
    return models.User(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )
