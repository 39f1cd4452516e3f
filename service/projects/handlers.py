from pydantic import MISSING
from sqlalchemy import delete, select

from generated import models
from generated.api.projects import (
    CreateProjectResult,
    GetProjectResult,
    ProjectsApi,
    UpdateProjectResult,
)
from service.kit.etags import check_if_match, etag
from service.kit.handlers import Handlers
from service.kit.idempotency import IdempotentRequest, Replay
from service.kit.pagination import after, ordered
from service.kit.types import utcnow
from service.projects import queries as projects
from service.tables import Membership, Project


class ProjectsHandlers(Handlers, ProjectsApi):
    async def list_projects(self, *, limit: int = 20, cursor: str | None = None) -> models.ProjectPage:
        keys = [Project.id]
        query = (
            select(Project)
            .join(Membership, Membership.project_id == Project.id)
            .where(Membership.user_id == self.caller.user.id)
        )
        if cursor is not None:
            query = after(query, keys, self.cursors.decode("projects", cursor), descending=False)
        rows = list((await self.db.scalars(ordered(query, keys, descending=False).limit(limit + 1))).all())
        next_cursor = self.cursors.encode("projects", [rows[limit - 1].id]) if len(rows) > limit else None
        return models.ProjectPage(items=[project_model(p) for p in rows[:limit]], next_cursor=next_cursor)

    async def create_project(
        self, *, body: models.ProjectCreate, idempotency_key: str | None = None
    ) -> CreateProjectResult:
        request = None
        if idempotency_key is not None:
            request = IdempotentRequest(self.db, self.caller.user.id, idempotency_key, "createProject", body)
            if replay := await request.start(self.settings.idempotency_ttl, self._still_there):
                return CreateProjectResult(
                    body=models.Project.model_validate(replay.body),
                    location=replay.headers["Location"],
                    etag=replay.headers["ETag"],
                    idempotent_replayed="true",
                )
        now = utcnow()
        description = None if body.description is MISSING else body.description
        project = Project(
            name=body.name, description=description, owner_id=self.caller.user.id, created_at=now, updated_at=now
        )
        self.db.add(project)
        await self.db.flush()
        self.db.add(Membership(project_id=project.id, user_id=self.caller.user.id, role="owner", added_at=now))
        await self.db.flush()
        result = CreateProjectResult(
            body=project_model(project), location=f"/v1/projects/{project.id}", etag=etag(project.version)
        )
        if request is not None:
            await request.finish(result.body, {"Location": result.location, "ETag": result.etag})
        return result

    async def _still_there(self, replay: Replay) -> bool:
        return await self.db.get(Project, replay.body["id"]) is not None

    async def get_project(self, *, project_id: int) -> GetProjectResult:
        project, _ = await projects.visible(self.db, project_id, self.caller.user.id)
        return GetProjectResult(body=project_model(project), etag=etag(project.version))

    async def update_project(
        self, *, project_id: int, body: models.ProjectUpdate, if_match: str | None = None
    ) -> UpdateProjectResult:
        project = await projects.owned(self.db, project_id, self.caller.user.id)
        check_if_match(if_match, project.version)
        if body.name is not MISSING:
            project.name = body.name
        if body.description is not MISSING:
            project.description = body.description
        project.updated_at = utcnow()
        await self.db.flush()
        return UpdateProjectResult(body=project_model(project), etag=etag(project.version))

    async def delete_project(self, *, project_id: int) -> None:
        await projects.owned(self.db, project_id, self.caller.user.id)
        # Memberships and tasks go with it (ON DELETE CASCADE).
        await self.db.execute(delete(Project).where(Project.id == project_id))


def project_model(project: Project) -> models.Project:
    return models.Project(
        id=project.id,
        name=project.name,
        description=project.description,
        owner_id=project.owner_id,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )
