"""Every supported list query is served by an index: seeks, and no sort of its own."""

import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import create_project, create_task, sign_up


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("createdAt", "task_project_id_created_at_idx"),
        ("-createdAt", "task_project_id_created_at_idx"),
        ("dueDate", "task_project_id_due_last_asc_idx"),
        ("-dueDate", "task_project_id_due_last_desc_idx"),
    ],
)
async def test_list_tasks_pages_through_an_index(
    client: httpx.AsyncClient, app: FastAPI, db_path: Path, sort: str, index: str
) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    for day in (3, 1, None, 2):
        await create_task(client, ada, project["id"], dueDate=f"2026-01-0{day}" if day else None)
    url = f"/v1/projects/{project['id']}/tasks"
    filters: dict[str, Any] = {"sort": sort, "limit": 2, "status": ["todo", "done"]}
    first = (await client.get(url, params=filters, headers=ada.headers)).json()

    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM task" in statement:
            statements.append((statement, parameters))

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        params = {**filters, "cursor": first["nextCursor"]}
        assert (await client.get(url, params=params, headers=ada.headers)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    [(statement, parameters)] = statements
    with sqlite3.connect(db_path) as connection:
        plan = " | ".join(row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters))
    assert f"USING INDEX {index} (project_id=? AND" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
