from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import after_commit
from service.kit.secrets import new_token, token_digest
from service.kit.types import utcnow
from service.tables import AccessToken, User


@dataclass(frozen=True, slots=True)
class ActiveToken:
    token_id: int
    expires_at: datetime
    user: User


async def issue(db: AsyncSession, user_id: int, expires_at: datetime) -> str:
    """Stores a new token's digest and returns the token, which is never stored."""
    token = new_token()
    db.add(AccessToken(token_hash=token_digest(token), user_id=user_id, expires_at=expires_at))
    await db.flush()
    return token


# Built once, as every statement on the path of each request: building one costs more than running it.
ACTIVE = (
    select(AccessToken.id, AccessToken.expires_at, User)
    .join(User, User.id == AccessToken.user_id)
    .where(
        AccessToken.token_hash == bindparam("digest"),
        AccessToken.revoked_at.is_(None),
        AccessToken.expires_at > bindparam("now"),
    )
)


def still_active(token_ids: list[int]) -> Select[int]:
    """Which of these tokens still work: not revoked, not expired, not deleted."""
    return select(AccessToken.id).where(
        AccessToken.id.in_(token_ids), AccessToken.revoked_at.is_(None), AccessToken.expires_at > utcnow()
    )


async def find_active(db: AsyncSession, token: str) -> ActiveToken | None:
    row = (await db.execute(ACTIVE, {"digest": token_digest(token), "now": utcnow()})).one_or_none()
    return None if row is None else ActiveToken(token_id=row[0], expires_at=row[1], user=row[2])


async def revoke(db: AsyncSession, token_id: int) -> None:
    await db.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    after_commit(db, lambda state: state.revocations.wake())


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
    after_commit(db, lambda state: state.revocations.wake())
