import hashlib
import secrets

from sqlalchemy import select

from service.kit.database import Database, upsert
from service.tables import SharedSecret

TOKEN_PREFIX = "tb_"


def new_token() -> str:
    """An opaque access token: 256 random bits, with a prefix that secret scanners can spot."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Every shared secret: read (or made) at start-up, so that no request needs a second connection
# for one while it holds its own, a deadlock when the pool runs dry.
SHARED_SECRETS = ("cursors", "sign-in")


async def shared_secret(database: Database, name: str) -> str:
    """A random secret that every process using this database shares: made by the first to ask."""
    if name not in database.secrets:
        async with database.short_write() as db:
            statement = upsert(db, SharedSecret, name=name, value=secrets.token_urlsafe(32))
            await db.execute(statement.on_conflict_do_nothing(index_elements=[SharedSecret.name]))
            database.secrets[name] = await db.scalar(select(SharedSecret.value).where(SharedSecret.name == name)) or ""
    return database.secrets[name]
