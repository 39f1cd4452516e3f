"""Sign-in throttling: attempts for one email that fail slow its next ones down, then lock it out.

Kept per email whether or not an account has it, so the answers tell nothing about which emails
exist. An attempt is counted before its password is checked, atomically, so attempts sent in
parallel are counted as strictly as attempts sent one after another; a success then forgets them
all. The first `sign_in_free_failures` cost nothing; after that each attempt must come 1 s, 2 s,
4 s… after the one before; the `sign_in_lockout_failures`-th locks the email for `sign_in_lockout`.
What a lockout's end or a quiet `sign_in_lockout` leaves is forgotten.
"""

import hashlib
import hmac
import time
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import Database, upsert
from service.kit.ratelimits import TooManyRequests
from service.kit.secrets import shared_secret
from service.settings import Settings
from service.tables import SignInFailure

THROTTLED = "Too many failed sign-ins for this email; try again after Retry-After seconds."


async def email_digest(database: Database, email: str) -> str:
    """The email's key in the table: keyed with a secret, so the table names no one."""
    key = await shared_secret(database, "sign-in")
    return hmac.new(key.encode(), email.casefold().encode(), hashlib.sha256).hexdigest()


async def attempt(database: Database, digest: str, settings: Settings, now: float | None = None) -> None:
    """Counts a sign-in attempt for the email, as failed until `forget` says otherwise; 429 when
    the email may not try now. In a transaction of its own: the request's may roll back."""
    now = time.time() if now is None else now
    lockout = settings.sign_in_lockout.total_seconds()
    async with database.short_write() as db:
        while True:  # compare-and-set: another attempt may count first
            row = await db.get(SignInFailure, digest, populate_existing=True)
            if row is None:
                first = upsert(db, SignInFailure, email_digest=digest, failures=1, last_failed_at=now)
                inserted = await db.execute(first.on_conflict_do_nothing(index_elements=[SignInFailure.email_digest]))
                if cast(CursorResult[Any], inserted).rowcount:
                    return
                continue
            failures, locked_until = row.failures, row.locked_until
            if _stale(row, lockout, now):
                failures, locked_until = 0, None
            allowed_at = _allowed_at(failures, row.last_failed_at, locked_until, settings)
            if allowed_at > now:
                raise TooManyRequests(THROTTLED, allowed_at - now)
            failures += 1
            counted = await db.execute(
                update(SignInFailure)
                .where(SignInFailure.email_digest == digest, SignInFailure.failures == row.failures)
                .where(SignInFailure.last_failed_at == row.last_failed_at)
                .values(
                    failures=failures,
                    last_failed_at=now,
                    locked_until=now + lockout if failures >= settings.sign_in_lockout_failures else None,
                )
            )
            if cast(CursorResult[Any], counted).rowcount:
                return


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


def _stale(row: SignInFailure, lockout: float, now: float) -> bool:
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.last_failed_at < now - lockout


def _allowed_at(failures: int, last: float, locked_until: float | None, settings: Settings) -> float:
    if locked_until is not None:
        return locked_until
    if failures < settings.sign_in_free_failures:
        return 0.0
    # 1 s, 2 s, 4 s… (bounded: the lockout comes first with any sane settings)
    extra = min(failures - settings.sign_in_free_failures, 20)
    return last + (1 << extra)
