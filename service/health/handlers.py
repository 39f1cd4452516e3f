import asyncio

from sqlalchemy import text

from generated import models
from generated.api.health import HealthApi
from service.kit.database import AppDatabase
from service.kit.problems import ServiceUnavailable
from service.settings import AppSettings


class HealthHandlers(HealthApi):
    # No session: the probes must answer even when the pool is exhausted or the database is gone.
    def __init__(self, database: AppDatabase, settings: AppSettings) -> None:
        self.database = database
        self.timeout = settings.readiness_timeout_seconds

    async def get_health(self) -> models.Health:
        return models.Health(status=models.Status.ok)

    async def get_readiness(self) -> models.Health:
        try:
            async with asyncio.timeout(self.timeout), self.database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            raise ServiceUnavailable("The database does not answer.") from error
        return models.Health(status=models.Status.ok)
