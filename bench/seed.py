"""A fresh, migrated database (a SQLite file, or a PostgreSQL database of the bench's own), seeded in
bulk with the rows the measurements read."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from argon2 import PasswordHasher
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from service.kit.credentials import new_token, token_digest
from service.tables import AccessToken, Membership, Project, Task, User

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("todo", "in_progress", "done")
CHUNK = 50_000
TASK_COLUMNS = ("project_id", "title", "description", "status", "assignee_id", "due_date", "version")
# The bench's own PostgreSQL database, made afresh (and dropped) on the server that BENCH_POSTGRES_URL names.
POSTGRES_DATABASE = "taskboard_bench"


@dataclass(frozen=True, slots=True)
class Seeded:
    """What the load needs to know of the database: ids and the bearer token."""

    url: str
    token: str
    small_project: int  # holds `small` tasks, ids 1..small: reads, updates, the small list
    large_project: int  # holds `large` tasks: the large list
    write_project: int  # empty at first: creates, so that the others stay as seeded
    small: int
    large: int


def seed_sqlite(path: Path, small: int, large: int) -> Seeded:
    """Migrates a new database at `path`, then inserts in bulk."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    url = f"sqlite+aiosqlite:///{path}"
    _migrate(url)
    token, now = new_token(), datetime.now(UTC)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for table, row in _fixed_rows(token, now):
            connection.execute(insert(table), row)
    for project_id, count in ((1, small), (2, large)):
        for rows in _task_chunks(project_id, count, now):
            values = [dict(zip(TASK_COLUMNS, row, strict=True), created_at=now, updated_at=now) for row in rows]
            with engine.begin() as connection:
                connection.execute(insert(Task), values)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Seeded(url, token, small_project=1, large_project=2, write_project=3, small=small, large=large)


def seed_postgres(server_url: str, small: int, large: int) -> Seeded:
    """Makes POSTGRES_DATABASE anew on the server of `server_url`, migrates it, then copies in bulk."""
    url = make_url(server_url).set(database=POSTGRES_DATABASE).render_as_string(hide_password=False)
    asyncio.run(_recreate(server_url))
    _migrate(url)
    token, now = new_token(), datetime.now(UTC)
    asyncio.run(_fill_postgres(url, token, now, small, large))
    return Seeded(url, token, small_project=1, large_project=2, write_project=3, small=small, large=large)


def drop_postgres(server_url: str) -> None:
    asyncio.run(_recreate(server_url, create=False))


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)


async def _recreate(server_url: str, *, create: bool = True) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(server_url))
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        if create:
            await connection.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    finally:
        await connection.close()


async def _fill_postgres(url: str, token: str, now: datetime, small: int, large: int) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, row in _fixed_rows(token, now):
                await connection.execute(insert(table), row)
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            columns = (*TASK_COLUMNS, "created_at", "updated_at")
            for project_id, count in ((1, small), (2, large)):
                for rows in _task_chunks(project_id, count, now):
                    records = [(*row, now, now) for row in rows]
                    await driver.copy_records_to_table("task", records=records, columns=columns)
            await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _fixed_rows(token: str, now: datetime) -> Iterator[tuple[type, dict[str, Any]]]:
    """The bench's user (id 1), its token, and three projects it owns (ids 1, 2 and 3), in order."""
    yield (
        User,
        {
            "email": "bench@example.com",
            "email_key": "bench@example.com",
            "display_name": "Bench",
            "password_hash": PasswordHasher().hash("bench-password"),
            "created_at": now,
            "updated_at": now,
        },
    )
    expires_at = now + timedelta(days=1)
    yield AccessToken, {"token_hash": token_digest(token), "user_id": 1, "created_at": now, "expires_at": expires_at}
    for project_id in (1, 2, 3):
        yield Project, {"name": f"Bench {project_id}", "owner_id": 1, "created_at": now, "updated_at": now}
        yield Membership, {"project_id": project_id, "user_id": 1, "role": "owner", "added_at": now}


def _task_chunks(project_id: int, count: int, now: datetime) -> Iterator[list[tuple[Any, ...]]]:
    """`count` tasks (TASK_COLUMNS) with a mix of statuses, assignees and due dates (a fifth without one)."""
    first_due = date(2026, 1, 1)
    for start in range(0, count, CHUNK):
        yield [
            (
                project_id,
                f"Task {n}",
                None,
                STATUSES[n % 3],
                1 if n % 2 else None,
                None if n % 5 == 0 else first_due + timedelta(days=n % 730),
                1,
            )
            for n in range(start, min(count, start + CHUNK))
        ]
