"""The reference apps that every figure is a ratio to.

R1, `bare`: an ASGI app returning a fixed JSON body, the ceiling of the server itself.
R2, `plain`: FastAPI with the stdlib sqlite3 driver and no auth, doing the point read and the insert
that getTask and createTask do, on the same database file: the floor of framework plus database.
Its handlers are `async def` calling sqlite3 directly, the cheapest way FastAPI can run them (no
thread hand-off), so the bar is the highest such an app sets.
R2-PG, `plain_postgres`: the same with a pool of asyncpg connections, on the same PostgreSQL database.
"""

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

BODY = b'{"message":"hello"}'
COLUMNS = "id, project_id, title, description, status, assignee_id, due_date, version, created_at, updated_at"


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


class NewTask(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    status: str = "todo"


def plain() -> FastAPI:
    connection = sqlite3.connect(os.environ["BENCH_SQLITE_PATH"], isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.row_factory = sqlite3.Row
    app = FastAPI()

    @app.get("/tasks/{task_id}")
    async def read(task_id: int) -> dict[str, Any]:
        row = connection.execute(f"SELECT {COLUMNS} FROM task WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.post("/projects/{project_id}/tasks", status_code=201)
    async def insert(project_id: int, task: NewTask) -> dict[str, Any]:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
        row = connection.execute(
            "INSERT INTO task (project_id, title, status, version, created_at, updated_at)"
            f" VALUES (?, ?, ?, 1, ?, ?) RETURNING {COLUMNS}",
            (project_id, task.title, task.status, now, now),
        ).fetchone()
        return dict(row)

    return app


def plain_postgres() -> FastAPI:
    """R2-PG: R2's read and insert with a pool of asyncpg connections (`async def` handlers, no auth)."""
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(os.environ["BENCH_POSTGRES_DSN"], min_size=10, max_size=10)
        async with pool:
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/tasks/{task_id}")
    async def read(task_id: int) -> dict[str, Any]:
        assert pool is not None
        row = await pool.fetchrow(f"SELECT {COLUMNS} FROM task WHERE id = $1", task_id)
        if row is None:
            raise HTTPException(404)
        return dict(row)

    @app.post("/projects/{project_id}/tasks", status_code=201)
    async def insert(project_id: int, task: NewTask) -> dict[str, Any]:
        assert pool is not None
        now = datetime.now(UTC)
        row = await pool.fetchrow(
            "INSERT INTO task (project_id, title, status, version, created_at, updated_at)"
            f" VALUES ($1, $2, $3, 1, $4, $4) RETURNING {COLUMNS}",
            project_id,
            task.title,
            task.status,
            now,
        )
        return dict(row)

    return app
