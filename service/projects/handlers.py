from pydantic import MISSING

from generated import models
from generated.api.projects import (
    CreateProjectResult,
    GetProjectResult,
    ProjectsApi,
    UpdateProjectResult,
)
from generated.runtime import Replayed
from service.exports import retention
from service.kit.columns import utcnow
from service.kit.database import after_commit
from service.kit.etags import check_if_match, etag
from service.kit.events import log as events
from service.kit.handlers import Handlers
from service.kit.idempotency import IdempotentRequest, create_once, replaying
from service.kit.pagination import Pager, by_id
from service.projects import queries as projects
from service.projects.mapping import project_model
from service.tables import Membership, Project


class ProjectsHandlers(Handlers, ProjectsApi):
    async def list_projects(self, *, limit: int = 20, cursor: str | None = None) -> models.ProjectPage:
        pager = Pager(await self.cursors(), "projects", [Project.id])
        query = projects.of_member(self.caller.user_id)
        rows, next_cursor = pager.page(
            (await self.session.scalars(pager.query(query, cursor, limit))).all(), limit, by_id
        )
        return models.ProjectPage(items=[project_model(p) for p in rows], next_cursor=next_cursor)

    async def create_project(
        self, *, body: models.ProjectCreate, idempotency_key: str | None = None
    ) -> CreateProjectResult | Replayed:
        return await create_once(
            self.session,
            IdempotentRequest.of(self.caller.user_id, idempotency_key, "createProject", body),
            self.settings.idempotency_ttl,
            create=lambda: self._create(body),
            replay=replaying(self.session, Project),
        )

    async def _create(self, body: models.ProjectCreate) -> CreateProjectResult:
        now = utcnow()
        description = None if body.description is MISSING else body.description
        project = Project(
            name=body.name, description=description, owner_id=self.caller.user_id, created_at=now, updated_at=now
        )
        self.session.add(project)
        await self.session.flush()
        self.session.add(Membership(project_id=project.id, user_id=self.caller.user_id, role="owner", added_at=now))
        await self.session.flush()
        return CreateProjectResult(
            body=project_model(project), location=f"/v1/projects/{project.id}", etag=etag(project.version)
        )

    async def get_project(self, *, project_id: int) -> GetProjectResult:
        project, _ = await projects.visible(self.session, project_id, self.caller.user_id)
        return GetProjectResult(body=project_model(project), etag=etag(project.version))

    async def update_project(
        self, *, project_id: int, body: models.ProjectUpdate, if_match: str
    ) -> UpdateProjectResult:
        project = await projects.owned(self.session, project_id, self.caller.user_id)
        check_if_match(if_match, project.version)
        if body.name is not MISSING:
            project.name = body.name
        if body.description is not MISSING:
            project.description = body.description
        project.updated_at = utcnow()
        await self.session.flush()
        updated = project_model(project)
        await events.record(self.session, project_id, "project.updated", updated)
        return UpdateProjectResult(body=updated, etag=etag(project.version))

    async def delete_project(self, *, project_id: int) -> None:
        await projects.owned(self.session, project_id, self.caller.user_id)
        files = await retention.of_project(self.session, self.settings.export_dir, project_id)
        # Memberships, tasks and exports go with it (ON DELETE CASCADE); export files once it has.
        await self.session.execute(projects.delete_one(project_id))
        await events.record(self.session, project_id, "project.deleted", models.DeletedResource(id=project_id))
        after_commit(self.session, lambda _: retention.remove_soon(files))
