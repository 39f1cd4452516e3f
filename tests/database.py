"""Test databases: one migrated template per run, and a fresh copy of it for each test.

The suite runs on SQLite by default. With TEST_DATABASE_URL=postgresql+asyncpg://… it runs on that
server instead: the URL names a database used only to create and drop this run's own databases
(`taskboard_test_<run>_…`), which are all dropped when the run ends; no other data is touched.
"""

import asyncio
import itertools
import os
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def alembic_config(url: str, more_versions: Path | None = None) -> Config:
    """Alembic's configuration for the database at `url`, with the revisions of `more_versions` too
    (a next release's, written by a test)."""
    config = Config(ROOT / "alembic.ini")
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    if more_versions is not None:
        versions = ROOT / "service" / "migrations" / "versions"
        config.set_main_option("version_locations", os.pathsep.join(map(str, (versions, more_versions))))
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def execute(url: str, statement: str) -> None:
    """One statement on the database at `url` (an admin's: CREATE, ALTER, DROP), on a connection of its own."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class ScratchDatabases(Protocol):
    kind: str

    def new(self, directory: Path, *, migrated: bool = True) -> str:
        """A new database of this run's own, and its URL."""
        ...

    def drop(self, url: str) -> None: ...

    def close(self) -> None: ...


class SQLiteDatabases:
    kind = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        migrate(sqlite_url(self.template))

    def new(self, directory: Path, *, migrated: bool = True) -> str:
        path = directory / "taskboard.db"
        if migrated:
            shutil.copyfile(self.template, path)
        return sqlite_url(path)

    def drop(self, url: str) -> None:
        pass  # the test's own temporary folder goes with it

    def close(self) -> None:
        pass


class PostgresDatabases:
    kind = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.prefix = f"taskboard_test_{os.getpid()}_{secrets.token_hex(3)}"
        self.names = itertools.count()
        self.created: list[str] = []
        self.template = self._create(f"{self.prefix}_template")
        migrate(self.url(self.template))

    def url(self, name: str) -> str:
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def new(self, directory: Path, *, migrated: bool = True) -> str:
        name = f"{self.prefix}_{next(self.names)}"
        return self.url(self._create(name, template=self.template if migrated else None))

    def drop(self, url: str) -> None:
        name = make_url(url).database
        assert name is not None and name.startswith(self.prefix), name
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def close(self) -> None:
        for name in reversed(self.created):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def _create(self, name: str, template: str | None = None) -> str:
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)
        return name

    def _admin(self, statement: str) -> None:
        # In a thread of its own: fixtures of async tests run while the test's event loop does.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, execute(self.admin.render_as_string(hide_password=False), statement)).result()


def asyncpg_dsn(url: str) -> str:
    """asyncpg's own form of a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_reachable(admin_url: str) -> str | None:
    """Why the server at `admin_url` cannot be used, or None when it can."""

    async def ping() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(admin_url), timeout=3)
        await connection.close()

    try:
        asyncio.run(ping())
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    return None


if __name__ == "__main__":
    # `python -m tests.database URL`: exits 0 when the PostgreSQL server answers, else says why.
    import sys

    reason = postgres_reachable(sys.argv[1])
    if reason:
        print(reason)
    sys.exit(1 if reason else 0)
