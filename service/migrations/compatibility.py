"""Which database schemas this code serves (service/migrations/README.md): its own revision's, and a
later one reached by expand steps only."""

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
VERSION = text("SELECT version_num FROM alembic_version")
# The oldest revision whose code serves the schema, written by every migration run (env.py).
OLDEST_CODE = text("SELECT oldest_code FROM schema_compatibility")


@cache
def schema_head() -> str | None:
    return ScriptDirectory.from_config(Config(ALEMBIC_INI)).get_current_head()


async def problem_with(connection: AsyncConnection) -> str | None:
    """Why this code cannot serve the database on `connection`; None when it can."""
    version, oldest = await _scalar(connection, VERSION), None
    if version is not None and version != schema_head():
        oldest = await _scalar(connection, OLDEST_CODE)
    return schema_problem(schema_head(), version, oldest)


async def _scalar(connection: AsyncConnection, statement: TextClause) -> str | None:
    """The statement's one value; None when its table is not there (a database not yet migrated so
    far). Each is the connection's last statement when it fails: none runs in an aborted transaction."""
    try:
        value = (await connection.execute(statement)).scalar()
        return None if value is None else str(value)
    except SQLAlchemyError:
        return None


def schema_problem(head: str | None, version: str | None, oldest: str | None) -> str | None:
    """Why code of revision `head` cannot serve a database at `version`, whose schema code from
    revision `oldest` on serves; None when it can. Revisions are numbered: their order is their
    number's (`make lint` holds them to four digits)."""
    if version == head:
        return None
    if version is None or head is None or version < head:
        return "The database schema is not migrated to this version (run the migrations)."
    if oldest is None or oldest > head:
        return "The database schema is migrated past what this version serves: deploy the newer version."
    return None
