"""Inviting a user to a project: what createInvitation does, and addMember for a non-member."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.invitations import queries as invitations
from service.invitations.mapping import invitation_model
from service.kit.columns import utcnow
from service.kit.events import log as events
from service.kit.problems import Conflict, NotFound
from service.projects import queries as projects
from service.tables import Invitation, Project
from service.users import queries as users


async def invite(session: AsyncSession, project: Project, user_id: int, by: int) -> tuple[Invitation, bool]:
    """The user's pending invitation to the project, and whether it is new."""
    # The project's lock first: a deletion racing this either went before (404) or waits for it.
    if not await events.lock(session, project.id):
        raise NotFound(f"No project with id {project.id}.")
    if await users.get(session, user_id) is None:
        raise NotFound(f"No user with id {user_id}.")
    if await projects.is_member(session, project.id, user_id):
        raise Conflict(f"User {user_id} is a member of project {project.id} already.")
    if (existing := await session.scalar(invitations.pending(project.id, user_id))) is not None:
        return existing, False
    invitation = Invitation(
        project_id=project.id, user_id=user_id, invited_by=by, status="pending", created_at=utcnow()
    )
    try:
        async with session.begin_nested():
            session.add(invitation)
    except IntegrityError:
        # A concurrent request invited them first (the unique index of pending invitations).
        if (existing := await session.scalar(invitations.pending(project.id, user_id))) is None:
            raise
        return existing, False
    body = invitation_model(invitation, project.name)
    await events.record(session, project.id, "invitation.created", body, invitee=user_id)
    return invitation, True


def location(invitation: Invitation) -> str:
    return f"/v1/invitations/{invitation.id}"
