from generated import models
from generated.api.members import AddMemberResult, MembersApi
from service.invitations.inviting import invite, location
from service.invitations.mapping import invitation_model
from service.kit.columns import utcnow
from service.kit.events import log as events
from service.kit.handlers import Handlers
from service.kit.pagination import Pager
from service.kit.problems import Conflict, Forbidden, NotFound
from service.members import queries as members
from service.members.mapping import member_model
from service.projects import queries as projects
from service.tables import Membership
from service.tasks import queries as tasks
from service.tasks.mapping import task_model
from service.users import queries as users


class MembersHandlers(Handlers, MembersApi):
    async def list_members(self, *, project_id: int, limit: int = 20, cursor: str | None = None) -> models.MemberPage:
        await projects.visible(self.session, project_id, self.caller.user_id)
        pager = Pager(await self.cursors(), f"members:{project_id}", [Membership.user_id])
        query = members.of_project(project_id)
        found = (await self.session.execute(pager.query(query, cursor, limit))).all()
        rows, next_cursor = pager.page(found, limit, lambda row: [row[0].user_id])
        return models.MemberPage(items=[member_model(m, name) for m, name in rows], next_cursor=next_cursor)

    async def add_member(self, *, project_id: int, user_id: int) -> AddMemberResult:
        project = await projects.owned(self.session, project_id, self.caller.user_id)
        user = await users.get(self.session, user_id)
        if user is None:
            raise NotFound(f"No user with id {user_id}.")
        if (existing := await self.session.get(Membership, (project_id, user_id))) is not None:
            return AddMemberResult(status_code=200, body=member_model(existing, user.display_name))
        # Deprecated: nobody is made a member without their consent, so this invites them.
        invitation, _ = await invite(self.session, project, user_id, self.caller.user_id)
        body = invitation_model(invitation, project.name)
        return AddMemberResult(status_code=202, body=body, location=location(invitation))

    async def remove_member(self, *, project_id: int, user_id: int) -> None:
        caller = self.caller.user_id
        _, mine = await projects.visible(self.session, project_id, caller)
        if user_id != caller and mine.role != "owner":
            raise Forbidden(projects.OWNER_ONLY)
        # Locked first (PostgreSQL): an assignment to this member that has begun ends before, and is
        # undone below; one that begins after finds no membership (its foreign key), and is a 422.
        target = await self.session.get(Membership, (project_id, user_id), with_for_update=True)
        if target is None:
            raise NotFound(f"User {user_id} is not a member of project {project_id}.")
        if target.role == "owner":
            raise Conflict("The project's owner cannot leave or be removed.")
        unassigned = (await self.core(tasks.unassign(project_id, user_id, utcnow()))).all()
        unassigned = sorted(unassigned, key=lambda task: task.id)
        await self.session.delete(target)
        await self.session.flush()
        for task in unassigned:
            await events.record(self.session, project_id, "task.updated", task_model(task))
        await events.record(self.session, project_id, "member.removed", models.RemovedMember(user_id=user_id))
