from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from service.kit.columns import utcnow
from service.kit.credentials import new_token, token_digest
from service.kit.database import after_commit, on_loop
from service.tables import AccessToken, User


@dataclass(frozen=True, slots=True)
class ActiveToken:
    token_id: int
    user_id: int
    expires_at: datetime


async def issue(session: AsyncSession, user_id: int, expires_at: datetime) -> str:
    """Stores a new token's digest and returns the token, which is never stored."""
    token = new_token()
    session.add(AccessToken(token_hash=token_digest(token), user_id=user_id, expires_at=expires_at))
    await session.flush()
    return token


# Built once, as every statement on the path of each request: building one costs more than running it.
# A token works while it is neither revoked nor expired, and its account is not locked: locking
# revokes the tokens too, and this refuses those a sign-in racing the lock may have made.
ACTIVE = on_loop(
    select(AccessToken.id, AccessToken.user_id, AccessToken.expires_at)
    .join(User, User.id == AccessToken.user_id)
    .where(
        AccessToken.token_hash == bindparam("digest"),
        AccessToken.revoked_at.is_(None),
        AccessToken.expires_at > bindparam("now"),
        User.locked_at.is_(None),
    )
)


def still_active(token_ids: list[int]) -> Select[int]:
    """Which of these tokens still work: not revoked, not expired, not deleted, not locked."""
    return (
        select(AccessToken.id)
        .join(User, User.id == AccessToken.user_id)
        .where(
            AccessToken.id.in_(token_ids),
            AccessToken.revoked_at.is_(None),
            AccessToken.expires_at > utcnow(),
            User.locked_at.is_(None),
        )
    )


async def find_active(session: AsyncSession, digest: str) -> ActiveToken | None:
    """The token with this digest, when it still works."""
    row = (await session.execute(ACTIVE, {"digest": digest, "now": utcnow()})).one_or_none()
    return None if row is None else ActiveToken(token_id=row[0], user_id=row[1], expires_at=row[2])


async def revoke(session: AsyncSession, token_id: int) -> None:
    await session.execute(
        update(AccessToken)
        .where(AccessToken.id == token_id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )

    def revoked(state: State) -> None:
        state.verified_tokens.forget_token(token_id)
        state.revocations.wake()

    after_commit(session, revoked)


async def revoke_all(session: AsyncSession, user_id: int) -> int:
    """Revokes every token of the user; how many worked."""
    revoked = await session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None), AccessToken.expires_at > utcnow())
        .values(revoked_at=utcnow())
    )
    return revoked.rowcount  # type: ignore[attr-defined, no-any-return]


async def revoke_all_but(session: AsyncSession, user_id: int, keep_token_id: int) -> None:
    await session.execute(
        update(AccessToken)
        .where(
            AccessToken.user_id == user_id,
            AccessToken.id != keep_token_id,
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )

    def revoked(state: State) -> None:
        state.verified_tokens.forget_user(user_id, but=keep_token_id)
        state.revocations.wake()

    after_commit(session, revoked)
