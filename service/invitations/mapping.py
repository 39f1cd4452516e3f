"""The API's invitation, from the ORM's and its project's name."""

from generated import models
from service.tables import Invitation


def invitation_model(invitation: Invitation, project_name: str) -> models.Invitation:
    return models.Invitation(
        id=invitation.id,
        project_id=invitation.project_id,
        project_name=project_name,
        user_id=invitation.user_id,
        invited_by=invitation.invited_by,
        status=models.InvitationStatus(invitation.status),
        created_at=invitation.created_at,
        answered_at=invitation.answered_at,
    )
