import datetime
from typing import Any, Literal

from pydantic import MISSING
from sqlalchemy import Executable, Result, Row
from sqlalchemy.exc import IntegrityError

from generated import models
from generated.api.tasks import CreateTaskResult, GetTaskResult, TasksApi, UpdateTaskResult
from generated.runtime import Replayed
from service.kit.columns import utcnow
from service.kit.database import broken_constraint
from service.kit.etags import check_if_match, etag
from service.kit.events import log as events
from service.kit.handlers import Handlers
from service.kit.idempotency import IdempotentRequest, create_once, replaying
from service.kit.pagination import Pager
from service.kit.problems import CHANGED_MEANWHILE, NotFound, PreconditionFailed, Unprocessable
from service.projects import queries as projects
from service.tables import Task
from service.tasks import queries as tasks
from service.tasks.mapping import task_model

Sort = Literal["createdAt", "-createdAt", "dueDate", "-dueDate"]
NOT_A_MEMBER = "The assignee must be a member of the project."


class TasksHandlers(Handlers, TasksApi):
    async def list_tasks(
        self,
        *,
        project_id: int,
        status: list[Literal["todo", "in_progress", "done"]] | None = None,
        assignee_id: int | None = None,
        due_before: datetime.date | None = None,
        sort: Sort = "createdAt",
        limit: int = 20,
        cursor: str | None = None,
    ) -> models.TaskPage:
        await projects.visible(self.session, project_id, self.caller.user_id)
        statuses = sorted(set(status or []))
        scope = f"tasks:{project_id}:{','.join(statuses)}:{assignee_id}:{due_before}:{sort}"
        pager = Pager(await self.cursors(), scope, tasks.SORT_KEYS[sort], descending=sort.startswith("-"))
        query = tasks.listed(project_id, statuses, assignee_id, due_before)
        found = (await self.core(pager.query(query, cursor, limit))).all()
        rows, next_cursor = pager.page(found, limit, tasks.SORT_VALUES[sort])
        return models.TaskPage(items=[task_model(t) for t in rows], next_cursor=next_cursor)

    async def create_task(
        self, *, project_id: int, body: models.TaskCreate, idempotency_key: str | None = None
    ) -> CreateTaskResult | Replayed:
        await projects.visible(self.session, project_id, self.caller.user_id)
        return await create_once(
            self.session,
            IdempotentRequest.of(self.caller.user_id, idempotency_key, f"createTask:{project_id}", body),
            self.settings.idempotency_ttl,
            create=lambda: self._create(project_id, body),
            replay=replaying(self.session, Task),
        )

    async def _create(self, project_id: int, body: models.TaskCreate) -> CreateTaskResult:
        assignee = None if body.assignee_id is MISSING else body.assignee_id
        await self._check_assignee(project_id, assignee)
        now = utcnow()
        values = {
            "project_id": project_id,
            "title": body.title,
            "description": None if body.description is MISSING else body.description,
            "status": body.status.value,
            "assignee_id": assignee,
            "due_date": None if body.due_date is MISSING else body.due_date,
            "created_at": now,
            "updated_at": now,
        }
        task = (await self._write(tasks.INSERT, values)).one()
        created = task_model(task)
        await events.record(self.session, project_id, "task.created", created)
        location = f"/v1/projects/{project_id}/tasks/{task.id}"
        return CreateTaskResult(body=created, location=location, etag=etag(task.version))

    async def get_task(self, *, project_id: int, task_id: int) -> GetTaskResult:
        task = await self._task(project_id, task_id)
        return GetTaskResult(body=task_model(task), etag=etag(task.version))

    async def update_task(
        self, *, project_id: int, task_id: int, body: models.TaskUpdate, if_match: str
    ) -> UpdateTaskResult:
        task = await self._task(project_id, task_id)
        check_if_match(if_match, task.version)
        values = {name: getattr(task, name) for name in tasks.EDITABLE}
        if body.assignee_id is not MISSING:
            await self._check_assignee(project_id, body.assignee_id)
            values["assignee_id"] = body.assignee_id
        if body.title is not MISSING:
            values["title"] = body.title
        if body.description is not MISSING:
            values["description"] = body.description
        if body.status is not MISSING:
            values["status"] = body.status.value
        if body.due_date is not MISSING:
            values["due_date"] = body.due_date
        where = {"task_id": task_id, "read_version": task.version}
        updated_row = (await self._write(tasks.UPDATE, where | values | {"updated_at": utcnow()})).one_or_none()
        if updated_row is None:
            raise PreconditionFailed(CHANGED_MEANWHILE)
        updated = task_model(updated_row)
        await events.record(self.session, project_id, "task.updated", updated)
        return UpdateTaskResult(body=updated, etag=etag(updated_row.version))

    async def delete_task(self, *, project_id: int, task_id: int) -> None:
        await self._task(project_id, task_id)
        await self.core(tasks.DELETE, {"task_id": task_id})
        await events.record(self.session, project_id, "task.deleted", models.DeletedResource(id=task_id))

    async def _task(self, project_id: int, task_id: int) -> Row[Any]:
        """The task, when the caller is a member of its project: one query when it is there."""
        where = {"task_id": task_id, "project_id": project_id, "user_id": self.caller.user_id}
        task = (await self.core(tasks.MEMBERS_TASK, where)).one_or_none()
        if task is None:
            await projects.visible(self.session, project_id, self.caller.user_id)  # which of the two is missing
            raise NotFound(f"No task with id {task_id} in project {project_id}.")
        return task

    async def _write(self, statement: Executable, values: dict[str, Any]) -> Result[Any]:
        """A task's insert or update: an assignee who left the project after the check (the foreign
        key to the membership holds it, tables.py) is refused as one who never joined."""
        try:
            return await self.core(statement, values)
        except IntegrityError as error:
            if broken_constraint(error) == tasks.ASSIGNEE_IS_MEMBER:
                raise Unprocessable(
                    NOT_A_MEMBER, where="body", pointer="/assigneeId", code=models.FieldErrorCode.NOT_A_MEMBER
                ) from None
            raise

    async def _check_assignee(self, project_id: int, assignee_id: int | None) -> None:
        if assignee_id is not None and not await projects.is_member(self.session, project_id, assignee_id):
            raise Unprocessable(
                NOT_A_MEMBER, where="body", pointer="/assigneeId", code=models.FieldErrorCode.NOT_A_MEMBER
            )
