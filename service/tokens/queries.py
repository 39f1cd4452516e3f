from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.secrets import new_token, token_digest
from service.kit.types import utcnow
from service.tables import AccessToken, User


@dataclass(frozen=True, slots=True)
class ActiveToken:
    token_id: int
    user: User


async def issue(db: AsyncSession, user_id: int, expires_at: datetime) -> str:
    """Stores a new token's digest and returns the token, which is never stored."""
    token = new_token()
    db.add(AccessToken(token_hash=token_digest(token), user_id=user_id, expires_at=expires_at))
    await db.flush()
    return token


# Built once, as every statement on the path of each request: building one costs more than running it.
ACTIVE = (
    select(AccessToken.id, User)
    .join(User, User.id == AccessToken.user_id)
    .where(
        AccessToken.token_hash == bindparam("digest"),
        AccessToken.revoked_at.is_(None),
        AccessToken.expires_at > bindparam("now"),
    )
)


async def find_active(db: AsyncSession, token: str) -> ActiveToken | None:
    row = (await db.execute(ACTIVE, {"digest": token_digest(token), "now": utcnow()})).one_or_none()
    return None if row is None else ActiveToken(token_id=row[0], user=row[1])


async def revoke(db: AsyncSession, token_id: int) -> None:
    await db.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_all_but(db: AsyncSession, user_id: int, keep_token_id: int) -> None:
    await db.execute(
        update(AccessToken)
        .where(
            AccessToken.user_id == user_id,
            AccessToken.id != keep_token_id,
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
