import datetime
from collections.abc import Callable, Sequence
from typing import Any, Literal, cast

from pydantic import MISSING
from sqlalchemy import Row, Table, bindparam, delete, insert, select, update

from generated import models
from generated.api.tasks import CreateTaskResult, GetTaskResult, TasksApi, UpdateTaskResult
from service.kit import events
from service.kit.database import on_loop
from service.kit.etags import check_if_match, etag
from service.kit.handlers import Handlers
from service.kit.idempotency import IdempotentRequest, Stored, create_once
from service.kit.pagination import Pager, SortKey
from service.kit.problems import CHANGED_MEANWHILE, NotFound, PreconditionFailed, Unprocessable
from service.kit.types import utcnow
from service.projects import queries as projects
from service.tables import DUE_LAST_ASC, DUE_LAST_DESC, Membership, Task

Sort = Literal["createdAt", "-createdAt", "dueDate", "-dueDate"]
SORT_KEYS: dict[str, list[SortKey]] = {
    "createdAt": [Task.created_at, Task.id],
    "-createdAt": [Task.created_at, Task.id],
    "dueDate": [DUE_LAST_ASC, Task.id],
    "-dueDate": [DUE_LAST_DESC, Task.id],
}
# A task's values of its sort's keys, for the cursor: the sentinels stand in for a missing due date.
SORT_VALUES: dict[str, Callable[[Row[Any]], list[Any]]] = {
    "createdAt": lambda t: [t.created_at, t.id],
    "-createdAt": lambda t: [t.created_at, t.id],
    "dueDate": lambda t: [t.due_date or datetime.date(9999, 12, 31), t.id],
    "-dueDate": lambda t: [t.due_date or datetime.date(1, 1, 1), t.id],
}
NOT_A_MEMBER = "The assignee must be a member of the project."
TASK = cast(Table, Task.__table__)
# A task, with its project's membership of the caller.
MEMBERS_TASK = on_loop(
    select(*TASK.columns)
    .join(Membership, (Membership.project_id == Task.project_id) & (Membership.user_id == bindparam("user_id")))
    .where(Task.id == bindparam("task_id"), Task.project_id == bindparam("project_id"))
)
# Rows, not ORM objects: the columns come with the values of the call.
INSERT = on_loop(insert(TASK).values(version=1).returning(*TASK.columns))
# The version that the update read: another transaction's update in between makes it a 412.
UPDATE = on_loop(
    update(TASK)
    .where(TASK.c.id == bindparam("task_id"), TASK.c.version == bindparam("read_version"))
    .values(version=TASK.c.version + 1)
    .returning(*TASK.columns)
)
EDITABLE = ("title", "description", "status", "assignee_id", "due_date")


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
        await projects.visible(self.db, project_id, self.caller.user_id)
        statuses = sorted(set(status or []))
        scope = f"tasks:{project_id}:{','.join(statuses)}:{assignee_id}:{due_before}:{sort}"
        pager = Pager(await self.cursors(), scope, SORT_KEYS[sort], descending=sort.startswith("-"))
        query = select(*TASK.columns).where(Task.project_id == project_id)
        if statuses:
            query = query.where(Task.status.in_(statuses))
        if assignee_id is not None:
            query = query.where(Task.assignee_id == assignee_id)
        if due_before is not None:
            query = query.where(Task.due_date < due_before)
        found = (await self.core(pager.query(query, cursor, limit))).all()
        rows, next_cursor = pager.page(found, limit, SORT_VALUES[sort])
        return models.TaskPage(items=[task_model(t) for t in rows], next_cursor=next_cursor)

    async def create_task(
        self, *, project_id: int, body: models.TaskCreate, idempotency_key: str | None = None
    ) -> CreateTaskResult:
        await projects.visible(self.db, project_id, self.caller.user_id)
        return await create_once(
            self.db,
            IdempotentRequest.of(self.caller.user_id, idempotency_key, f"createTask:{project_id}", body),
            self.settings.idempotency_ttl,
            create=lambda: self._create(project_id, body),
            replay=self._replay,
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
        task = (await self.core(INSERT, values)).one()
        created = task_model(task)
        await events.record(self.db, project_id, "task.created", created)
        location = f"/v1/projects/{project_id}/tasks/{task.id}"
        return CreateTaskResult(body=created, location=location, etag=etag(task.version))

    async def _replay(self, stored: Stored) -> CreateTaskResult | None:
        if await self.db.get(Task, stored.body["id"]) is None:
            return None
        return CreateTaskResult(
            body=models.Task.model_validate(stored.body), idempotent_replayed="true", **stored.headers
        )

    async def get_task(self, *, project_id: int, task_id: int) -> GetTaskResult:
        task = await self._task(project_id, task_id)
        return GetTaskResult(body=task_model(task), etag=etag(task.version))

    async def update_task(
        self, *, project_id: int, task_id: int, body: models.TaskUpdate, if_match: str | None = None
    ) -> UpdateTaskResult:
        task = await self._task(project_id, task_id)
        check_if_match(if_match, task.version)
        values = {name: getattr(task, name) for name in EDITABLE}
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
        updated_row = (await self.core(UPDATE, where | values | {"updated_at": utcnow()})).one_or_none()
        if updated_row is None:
            raise PreconditionFailed(CHANGED_MEANWHILE)
        updated = task_model(updated_row)
        await events.record(self.db, project_id, "task.updated", updated)
        return UpdateTaskResult(body=updated, etag=etag(updated_row.version))

    async def delete_task(self, *, project_id: int, task_id: int) -> None:
        await self._task(project_id, task_id)
        await self.db.execute(delete(Task).where(Task.id == task_id))
        await events.record(self.db, project_id, "task.deleted", models.DeletedResource(id=task_id))

    async def _task(self, project_id: int, task_id: int) -> Row[Any]:
        """The task, when the caller is a member of its project: one query when it is there."""
        where = {"task_id": task_id, "project_id": project_id, "user_id": self.caller.user_id}
        task = (await self.core(MEMBERS_TASK, where)).one_or_none()
        if task is None:
            await projects.visible(self.db, project_id, self.caller.user_id)  # which of the two is missing
            raise NotFound(f"No task with id {task_id} in project {project_id}.")
        return task

    async def _check_assignee(self, project_id: int, assignee_id: int | None) -> None:
        if assignee_id is not None and not await projects.is_member(self.db, project_id, assignee_id):
            raise Unprocessable(NOT_A_MEMBER, where="body", pointer="/assigneeId")


def task_model(task: Sequence[Any]) -> models.Task:
    """The API's task, from a row of the task table's columns in their order (TASK.columns)."""
    id_, project_id, title, description, status, assignee_id, due_date, _, created_at, updated_at = task
    return models.Task(
        id=id_,
        project_id=project_id,
        title=title,
        description=description,
        status=status,
        assignee_id=assignee_id,
        due_date=due_date,
        created_at=created_at,
        updated_at=updated_at,
    )
