import asyncio
from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

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
                try:
                    version = (await connection.execute(queries.SCHEMA_VERSION)).scalar()
                except SQLAlchemyError:
                    version = None
        except (OSError, TimeoutError, SQLAlchemyError) as error:
            raise ServiceUnavailable("The database does not answer.") from error
        if version != schema_head():
            raise ServiceUnavailable("The database schema is not migrated to this version (run the migrations).")
        return models.Health(status=models.HealthStatus.OK)
