import asyncio

from sqlalchemy.exc import SQLAlchemyError

from generated import models
from generated.api.health import HealthApi
from service.health import queries
from service.kit.context import Context
from service.kit.problems import ServiceUnavailable
from service.migrations import compatibility


class HealthHandlers(HealthApi):
    # No session: the probes must answer even when the pool is exhausted or the database is gone.
    def __init__(self, context: Context) -> None:
        self.database = context.database
        self.timeout = context.settings.readiness_timeout_seconds
        self.drain = context.state.drain

    async def get_health(self) -> models.Health:
        return models.Health(status=models.HealthStatus.OK)

    async def get_readiness(self) -> models.Health:
        if self.drain.draining:
            raise ServiceUnavailable("This process is shutting down; it serves what it has begun.")
        try:
            async with asyncio.timeout(self.timeout), self.database.engine.connect() as connection:
                await connection.execute(queries.PING)
                problem = await compatibility.problem_with(connection)
        except (OSError, TimeoutError, SQLAlchemyError) as error:
            raise ServiceUnavailable("The database does not answer.") from error
        if problem:
            raise ServiceUnavailable(problem)
        return models.Health(status=models.HealthStatus.OK)
