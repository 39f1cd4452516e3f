from sqlalchemy import Select

from generated import models
from generated.api.invitations import CreateInvitationResult, InvitationsApi
from generated.runtime import EventStream
from service.events.streams import Streams
from service.invitations import queries as invitations
from service.invitations.inviting import invite, location
from service.invitations.mapping import invitation_model
from service.kit.columns import utcnow
from service.kit.events import log as events
from service.kit.pagination import Pager
from service.kit.problems import Conflict, NotFound
from service.members.mapping import member_model
from service.projects import queries as projects
from service.tables import Invitation, Membership
from service.users import queries as users


class InvitationsHandlers(Streams, InvitationsApi):
    async def list_project_invitations(
        self, *, project_id: int, limit: int = 20, cursor: str | None = None
    ) -> models.InvitationPage:
        await projects.visible(self.session, project_id, self.caller.user_id)
        return await self._page(f"invitations:{project_id}", invitations.pending_of_project(project_id), limit, cursor)

    async def create_invitation(self, *, project_id: int, body: models.InvitationCreate) -> CreateInvitationResult:
        project = await projects.owned(self.session, project_id, self.caller.user_id)
        invitation, created = await invite(self.session, project, body.user_id, self.caller.user_id)
        return CreateInvitationResult(
            status_code=201 if created else 200,
            body=invitation_model(invitation, project.name),
            location=location(invitation),
        )

    async def revoke_invitation(self, *, project_id: int, invitation_id: int) -> None:
        await projects.owned(self.session, project_id, self.caller.user_id)
        invitation, project_name = await self._locked(invitation_id, invitations.of_project(invitation_id, project_id))
        if invitation.status != "revoked":
            await self._answer(invitation, project_name, "revoked")

    async def list_invitations(self, *, limit: int = 20, cursor: str | None = None) -> models.InvitationPage:
        me = self.caller.user_id
        return await self._page(f"invitations:user:{me}", invitations.pending_of_user(me), limit, cursor)

    async def stream_invitations(self, *, last_event_id: str | None = None) -> EventStream:
        return await self.stream(events.invitations_feed(self.caller.user_id), last_event_id)

    async def get_invitation(self, *, invitation_id: int) -> models.Invitation:
        row = (await self.session.execute(invitations.of_invitee(invitation_id, self.caller.user_id))).one_or_none()
        if row is None:
            raise NotFound(f"No invitation with id {invitation_id}.")
        return invitation_model(*row)

    async def accept_invitation(self, *, invitation_id: int) -> models.Member:
        me = self.caller.user_id
        invitation, project_name = await self._locked(invitation_id, invitations.of_invitee(invitation_id, me))
        user = await users.get(self.session, me)
        assert user is not None  # the caller's own account, which their token keeps
        if invitation.status == "accepted":
            if (membership := await self.session.get(Membership, (invitation.project_id, me))) is None:
                raise Conflict(f"Invitation {invitation_id} was accepted, and you have left the project since.")
            return member_model(membership, user.display_name)
        await self._answer(invitation, project_name, "accepted")
        membership = Membership(project_id=invitation.project_id, user_id=me, role="member", added_at=utcnow())
        self.session.add(membership)
        await self.session.flush()
        member = member_model(membership, user.display_name)
        await events.record(self.session, invitation.project_id, "member.added", member)
        return member

    async def decline_invitation(self, *, invitation_id: int) -> None:
        me = self.caller.user_id
        invitation, project_name = await self._locked(invitation_id, invitations.of_invitee(invitation_id, me))
        if invitation.status != "declined":
            await self._answer(invitation, project_name, "declined")

    async def _page(
        self, scope: str, query: Select[Invitation, str], limit: int, cursor: str | None
    ) -> models.InvitationPage:
        pager = Pager(await self.cursors(), scope, [Invitation.id])
        found = (await self.session.execute(pager.query(query, cursor, limit))).all()
        rows, next_cursor = pager.page(found, limit, lambda row: [row[0].id])
        return models.InvitationPage(items=[invitation_model(*row) for row in rows], next_cursor=next_cursor)

    async def _locked(self, invitation_id: int, query: Select[Invitation, str]) -> tuple[Invitation, str]:
        """The invitation and its project's name, locked after its project (PostgreSQL), in the order
        that deleting the project takes them; 404 when there is none."""
        if (row := (await self.session.execute(query)).one_or_none()) is not None:
            await events.lock(self.session, row[0].project_id)
            query = query.with_for_update(of=Invitation)
            row = (await self.session.execute(query.execution_options(populate_existing=True))).one_or_none()
        if row is None:
            raise NotFound(f"No invitation with id {invitation_id}.")
        return row[0], row[1]

    async def _answer(self, invitation: Invitation, project_name: str, status: str) -> None:
        """Closes a pending invitation with `status`, telling the project's members."""
        if invitation.status != "pending":
            raise Conflict(f"Invitation {invitation.id} was {invitation.status}.")
        invitation.status, invitation.answered_at = status, utcnow()
        await self.session.flush()
        body = invitation_model(invitation, project_name)
        await events.record(self.session, invitation.project_id, "invitation.updated", body, invitee=invitation.user_id)
