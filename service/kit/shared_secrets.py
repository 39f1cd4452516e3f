"""Random keys that every process using one database shares (the cursors' signatures, the sign-in
throttle's address keys), made by the first process to ask."""

import secrets

from sqlalchemy import select

from service.kit.database import Database, upsert
from service.tables import SharedSecret

# Every shared secret: read (or made) at start-up, so that no request needs a second connection
# for one while it holds its own, a deadlock when the pool runs dry.
SHARED_SECRETS = ("cursors", "sign-in")


async def shared_secret(database: Database, name: str) -> str:
    """A random secret that every process using this database shares: made by the first to ask."""
    if name not in database.secrets:
        async with database.short_write() as session:
            statement = upsert(session, SharedSecret, name=name, value=secrets.token_urlsafe(32))
            await session.execute(statement.on_conflict_do_nothing(index_elements=[SharedSecret.name]))
            database.secrets[name] = (
                await session.scalar(select(SharedSecret.value).where(SharedSecret.name == name)) or ""
            )
    return database.secrets[name]
