"""The task table's statements: Core, built once, rows in the table's column order (TASK.columns)."""

import datetime
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Executable, Row, Select, Table, bindparam, delete, insert, select, update

from service.kit.database import on_loop
from service.kit.pagination import SortKey
from service.tables import DUE_LAST_ASC, DUE_LAST_DESC, Membership, Task

TASK = cast(Table, Task.__table__)
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
# A task, with its project's membership of the caller.
MEMBERS_TASK = on_loop(
    select(*TASK.columns)
    .join(Membership, (Membership.project_id == Task.project_id) & (Membership.user_id == bindparam("user_id")))
    .where(Task.id == bindparam("task_id"), Task.project_id == bindparam("project_id"))
)
# The columns come with the values of the call.
INSERT = on_loop(insert(TASK).values(version=1).returning(*TASK.columns))
# The version that the update read: another transaction's update in between makes it a 412.
UPDATE = on_loop(
    update(TASK)
    .where(TASK.c.id == bindparam("task_id"), TASK.c.version == bindparam("read_version"))
    .values(version=TASK.c.version + 1)
    .returning(*TASK.columns)
)
# The foreign key from a task's project and assignee to the membership (tables.py).
ASSIGNEE_IS_MEMBER = "task_project_id_assignee_id_fkey"
EDITABLE = ("title", "description", "status", "assignee_id", "due_date")
DELETE = delete(TASK).where(TASK.c.id == bindparam("task_id"))


def listed(
    project_id: int, statuses: Sequence[str], assignee_id: int | None, due_before: datetime.date | None
) -> Select[*tuple[Any, ...]]:
    """A project's tasks, filtered (unordered: the pager orders and bounds it)."""
    query = select(*TASK.columns).where(Task.project_id == project_id)
    if statuses:
        query = query.where(Task.status.in_(statuses))
    if assignee_id is not None:
        query = query.where(Task.assignee_id == assignee_id)
    if due_before is not None:
        query = query.where(Task.due_date < due_before)
    return query


def unassign(project_id: int, user_id: int, now: datetime.datetime) -> Executable:
    """Unassigns a member's tasks of a project, returning them."""
    return (
        update(TASK)
        .where(TASK.c.project_id == project_id, TASK.c.assignee_id == user_id)
        .values(assignee_id=None, updated_at=now, version=TASK.c.version + 1)
        .returning(*TASK.columns)
    )
