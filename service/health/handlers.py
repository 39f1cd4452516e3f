import asyncio
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import TextClause
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from generated import models
from generated.api.health import HealthApi
from service.health import queries
from service.kit.context import Context
from service.kit.problems import ServiceUnavailable

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@cache
def schema_head() -> str | None:
    return ScriptDirectory.from_config(Config(ALEMBIC_INI)).get_current_head()


class HealthHandlers(HealthApi):
    # No session: the probes must answer even when the pool is exhausted or the database is gone.
    def __init__(self, context: Context) -> None:
        self.database = context.database
        self.timeout = context.settings.readiness_timeout_seconds

    async def get_health(self) -> models.Health:
        return models.Health(status=models.HealthStatus.OK)

    async def get_readiness(self) -> models.Health:
        try:
            async with asyncio.timeout(self.timeout), self.database.engine.connect() as connection:
                await connection.execute(queries.PING)
                version, oldest = await _scalar(connection, queries.SCHEMA_VERSION), None
                if version is not None and version != schema_head():
                    oldest = await _scalar(connection, queries.OLDEST_CODE)
        except (OSError, TimeoutError, SQLAlchemyError) as error:
            raise ServiceUnavailable("The database does not answer.") from error
        if problem := schema_problem(schema_head(), version, oldest):
            raise ServiceUnavailable(problem)
        return models.Health(status=models.HealthStatus.OK)


async def _scalar(connection: AsyncConnection, statement: TextClause) -> str | None:
    """The statement's one value; None when its table is not there (a database not yet migrated so
    far). Each is the connection's last statement when it fails: none runs in an aborted transaction."""
    try:
        return (await connection.execute(statement)).scalar()
    except SQLAlchemyError:
        return None


def schema_problem(head: str | None, version: str | None, oldest: str | None) -> str | None:
    """Why code of revision `head` cannot serve a database at `version`, whose schema code from
    revision `oldest` on serves; None when it can. Revisions are numbered: their order is their
    number's."""
    if version == head:
        return None
    if version is None or head is None or version < head:
        return "The database schema is not migrated to this version (run the migrations)."
    if oldest is None or oldest > head:
        return "The database schema is migrated past what this version serves: deploy the newer version."
    return None
