"""`python -m service.migrations.ready`, before a process serves (`make run`, `admin`, `worker`…): the
database's schema is one this code serves. The embedded SQLite database of a local `make run` is
migrated on the spot; any other is only checked, for migrating it is a deploy's own step, run once
(`make migrate`): a back-office command run from a newer checkout must not upgrade production."""

import asyncio
import logging
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import make_url

from service.kit import logs
from service.kit.database import create_engine
from service.migrations.compatibility import ALEMBIC_INI, problem_with
from service.settings import Settings


async def problem(settings: Settings) -> str | None:
    engine = create_engine(settings, connections=0)
    try:
        async with engine.connect() as connection:
            return await problem_with(connection)
    finally:
        await engine.dispose()


def main() -> int:
    settings = Settings()
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        # Its lines in the stream that the service then writes, as the service writes them.
        logs.configure(settings.log_format, settings.log_level)
        logging.getLogger("alembic").setLevel(logging.INFO)
        config = Config(ALEMBIC_INI)
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        return 0
    if found := asyncio.run(problem(settings)):
        print(f"{found} Migrating is the deploy's own step: `make migrate`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
