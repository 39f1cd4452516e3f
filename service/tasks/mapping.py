"""The API's task, from a row of the task table."""

from collections.abc import Sequence
from typing import Any

from generated import models


def task_model(task: Sequence[Any]) -> models.Task:
    """The API's task, from a row of the task table's columns in their order (TASK.columns)."""
    id_, project_id, title, description, status, assignee_id, due_date, version, created_at, updated_at = task
    return models.Task(
        id=id_,
        project_id=project_id,
        title=title,
        description=description,
        status=status,
        assignee_id=assignee_id,
        due_date=due_date,
        version=version,
        created_at=created_at,
        updated_at=updated_at,
    )
