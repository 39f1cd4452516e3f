from sqlalchemy import Select, select

from service.tables import Invitation, Project


def _with_project_name() -> Select[Invitation, str]:
    return select(Invitation, Project.name).join(Project, Project.id == Invitation.project_id)


def pending_of_project(project_id: int) -> Select[Invitation, str]:
    """A project's pending invitations (unordered: the pager orders them)."""
    return _with_project_name().where(Invitation.project_id == project_id, Invitation.status == "pending")


def pending_of_user(user_id: int) -> Select[Invitation, str]:
    """The invitations a user has not answered (unordered: the pager orders them)."""
    return _with_project_name().where(Invitation.user_id == user_id, Invitation.status == "pending")


def pending(project_id: int, user_id: int) -> Select[Invitation]:
    return select(Invitation).where(
        Invitation.project_id == project_id, Invitation.user_id == user_id, Invitation.status == "pending"
    )


def of_invitee(invitation_id: int, user_id: int) -> Select[Invitation, str]:
    """The invitation, if it is the user's."""
    return _with_project_name().where(Invitation.id == invitation_id, Invitation.user_id == user_id)


def of_project(invitation_id: int, project_id: int) -> Select[Invitation, str]:
    """The invitation, if it is to the project."""
    return _with_project_name().where(Invitation.id == invitation_id, Invitation.project_id == project_id)
