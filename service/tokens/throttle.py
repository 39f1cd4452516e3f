"""Sign-in throttling: failed attempts for one email slow its next ones down, then lock it out.

Kept per email whether or not an account has it, and checked before the password is, so the
answers tell nothing about which emails exist. The first `sign_in_free_failures` failures cost
nothing; after that each attempt must wait 1 s, 2 s, 4 s… after the last failure; at
`sign_in_lockout_failures` the email is locked for `sign_in_lockout`. A success forgets it all,
and so does a lockout's end or a quiet `sign_in_lockout` without failures.
"""

import hashlib
import time

from sqlalchemy import Delete, case, delete, literal, or_
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import Database, upsert
from service.kit.ratelimits import TooManyRequests
from service.settings import Settings
from service.tables import SignInFailure


def email_digest(email: str) -> str:
    return hashlib.sha256(email.casefold().encode()).hexdigest()


async def check(session: AsyncSession, digest: str, settings: Settings, now: float | None = None) -> None:
    """Raises 429 when the email may not try again yet."""
    now = time.time() if now is None else now
    row = await session.get(SignInFailure, digest)
    if row is None or _stale(row, settings, now):
        return
    if row.locked_until is not None:
        allowed_at = row.locked_until
    elif row.failures >= settings.sign_in_free_failures:
        allowed_at = row.last_failed_at + 2 ** (row.failures - settings.sign_in_free_failures)
    else:
        return
    if allowed_at > now:
        raise TooManyRequests(
            "Too many failed sign-ins for this email; try again after Retry-After seconds.", allowed_at - now
        )


async def record_failure(database: Database, digest: str, settings: Settings, now: float | None = None) -> None:
    """Counts a failed attempt, in a transaction of its own (the request's rolls back)."""
    now = time.time() if now is None else now
    lockout = settings.sign_in_lockout.total_seconds()
    table = SignInFailure
    starts_over = or_(table.last_failed_at < now - lockout, table.locked_until <= now)
    failures = case((starts_over, literal(1)), else_=table.failures + 1)
    async with database.writer() as session, session.begin():
        statement = upsert(session, table, email_digest=digest, failures=1, last_failed_at=now, locked_until=None)
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.email_digest],
                set_={
                    "failures": failures,
                    "last_failed_at": now,
                    "locked_until": case(
                        (failures >= settings.sign_in_lockout_failures, literal(now + lockout)), else_=None
                    ),
                },
            )
        )


async def forget(session: AsyncSession, digest: str) -> None:
    await session.execute(delete(SignInFailure).where(SignInFailure.email_digest == digest))


def expired(settings: Settings, now: float | None = None) -> Delete:
    """The records that no longer slow anyone down, for the periodic clean-up."""
    now = time.time() if now is None else now
    lockout = settings.sign_in_lockout.total_seconds()
    return delete(SignInFailure).where(
        SignInFailure.last_failed_at < now - lockout,
        or_(SignInFailure.locked_until.is_(None), SignInFailure.locked_until <= now),
    )


def _stale(row: SignInFailure, settings: Settings, now: float) -> bool:
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.last_failed_at < now - settings.sign_in_lockout.total_seconds()
