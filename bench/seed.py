"""A fresh, migrated SQLite database, seeded in bulk with the rows the measurements read."""

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, insert

from service.kit.secrets import new_token, token_digest
from service.tables import AccessToken, Membership, Project, Task, User

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("todo", "in_progress", "done")
CHUNK = 50_000


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


def seed(path: Path, small: int, large: int) -> Seeded:
    """Migrates a new database at `path` with Alembic, then inserts in bulk."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    url = f"sqlite+aiosqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, env=env, check=True)
    engine = create_engine(f"sqlite:///{path}")
    token = new_token()
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            {
                "id": 1,
                "email": "bench@example.com",
                "email_key": "bench@example.com",
                "display_name": "Bench",
                "password_hash": PasswordHasher().hash("bench-password"),
                "created_at": now,
                "updated_at": now,
            },
        )
        connection.execute(
            insert(AccessToken),
            {"token_hash": token_digest(token), "user_id": 1, "created_at": now, "expires_at": now + timedelta(days=1)},
        )
        for project_id in (1, 2, 3):
            connection.execute(
                insert(Project),
                {"id": project_id, "name": f"Bench {project_id}", "owner_id": 1, "created_at": now, "updated_at": now},
            )
            connection.execute(
                insert(Membership), {"project_id": project_id, "user_id": 1, "role": "owner", "added_at": now}
            )
    _tasks(engine, project_id=1, count=small, now=now)
    _tasks(engine, project_id=2, count=large, now=now)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return Seeded(url, token, small_project=1, large_project=2, write_project=3, small=small, large=large)


def _tasks(engine: Engine, project_id: int, count: int, now: datetime) -> None:
    """`count` tasks with a mix of statuses, assignees and due dates (a fifth without one)."""
    first_due = date(2026, 1, 1)
    for start in range(0, count, CHUNK):
        rows = [
            {
                "project_id": project_id,
                "title": f"Task {n}",
                "description": None,
                "status": STATUSES[n % 3],
                "assignee_id": 1 if n % 2 else None,
                "due_date": None if n % 5 == 0 else first_due + timedelta(days=n % 730),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, min(count, start + CHUNK))
        ]
        with engine.begin() as connection:
            connection.execute(insert(Task), rows)
