"""Password guessing, slowed down: failed sign-ins, and wrong `currentPassword`s of a password change.

Each guess counts against two records, keyed with a secret so that the table names no one:

- the email *from one client address* (or, for a password change, the signed-in user): the first
  `sign_in_free_failures` cost nothing; after that each attempt must come 1 s, 2 s, 4 s… after the
  one before; the `sign_in_lockout_failures`-th locks this key out for `sign_in_lockout`. So an
  attacker's failures lock out the attacker's address, and the owner still signs in from their own;
- the email from anywhere: a looser ceiling, `sign_in_email_lockout_failures` failures, that locks
  the email for everyone, so that guessing from many addresses stays bounded too.

Both are kept whether or not an account has the email, so the answers tell nothing about which
emails exist. A guess is counted before its password is checked, atomically, so guesses sent in
parallel count as strictly as guesses sent one after another; a success then forgets the first
record and takes its guess back from the second. What a lockout's end or a quiet
`sign_in_lockout` leaves is forgotten.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Request
from sqlalchemy import CursorResult, Delete, case, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import Database, upsert
from service.kit.ratelimits import TooManyRequests, address_key
from service.kit.secrets import shared_secret
from service.settings import Settings
from service.tables import PasswordFailure

THROTTLED = "Too many failed sign-ins for this email; try again after Retry-After seconds."
THROTTLED_CHANGE = "Too many wrong passwords for this account; try again after Retry-After seconds."


@dataclass(frozen=True, slots=True)
class Policy:
    free: int  # failures that cost nothing
    lockout_at: int  # the failure that locks the key out


@dataclass(frozen=True, slots=True)
class Guess:
    """The records one guess counts against: (key, policy) for each."""

    records: tuple[tuple[str, Policy], ...]
    refusal: str

    @property
    def own(self) -> str:
        """The record a success forgets: the guesser's own (an address's, a user's)."""
        return self.records[0][0]


async def _key(database: Database, text: str) -> str:
    secret = await shared_secret(database, "sign-in")
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def _policies(settings: Settings) -> tuple[Policy, Policy]:
    own = Policy(settings.sign_in_free_failures, settings.sign_in_lockout_failures)
    ceiling = settings.sign_in_email_lockout_failures
    return own, Policy(ceiling, ceiling)


async def sign_in(database: Database, settings: Settings, email: str, request: Request) -> Guess:
    """A sign-in's guess: the email from the request's client address, and the email from anywhere."""
    folded = email.casefold()
    address = address_key(request.client.host if request.client else "")
    own, ceiling = _policies(settings)
    by_address = await _key(database, f"sign-in\0{folded}\0{address}")
    return Guess(((by_address, own), (await _key(database, f"email\0{folded}"), ceiling)), THROTTLED)


async def password_change(database: Database, settings: Settings, user_id: int, email: str) -> Guess:
    """A password change's guess of `currentPassword`: the user's, and the email's from anywhere."""
    own, ceiling = _policies(settings)
    by_user = await _key(database, f"user\0{user_id}")
    return Guess(((by_user, own), (await _key(database, f"email\0{email.casefold()}"), ceiling)), THROTTLED_CHANGE)


async def attempt(database: Database, guess: Guess, settings: Settings, now: float | None = None) -> None:
    """Counts the guess, as failed until `succeeded` says otherwise; 429 when any of its records
    may not guess now, and then nothing is counted. In a transaction of its own: the request's
    may roll back."""
    now = time.time() if now is None else now
    async with database.short_write() as session:
        wait = max([await _count(session, key, policy, settings, now) for key, policy in guess.records])
        if wait > 0:
            raise TooManyRequests(guess.refusal, wait)  # rolls back what was counted


async def _count(session: AsyncSession, key: str, policy: Policy, settings: Settings, now: float) -> float:
    """Counts one failure for `key`; 0 when it may guess now, else the seconds until it may."""
    lockout = settings.sign_in_lockout.total_seconds()
    while True:  # compare-and-set: another guess may count first
        row = await session.get(PasswordFailure, key, populate_existing=True)
        if row is None:
            first = upsert(session, PasswordFailure, key=key, failures=1, last_failed_at=now)
            inserted = await session.execute(first.on_conflict_do_nothing(index_elements=[PasswordFailure.key]))
            if cast(CursorResult[Any], inserted).rowcount:
                return 0.0
            continue
        failures, locked_until = row.failures, row.locked_until
        if _stale(row, lockout, now):
            failures, locked_until = 0, None
        allowed_at = _allowed_at(failures, row.last_failed_at, locked_until, policy)
        if allowed_at > now:
            return allowed_at - now
        failures += 1
        changed = await session.execute(
            update(PasswordFailure)
            .where(PasswordFailure.key == key, PasswordFailure.failures == row.failures)
            .where(PasswordFailure.last_failed_at == row.last_failed_at)
            .values(
                failures=failures,
                last_failed_at=now,
                locked_until=now + lockout if failures >= policy.lockout_at else None,
            )
        )
        if cast(CursorResult[Any], changed).rowcount:
            return 0.0


async def succeeded(session: AsyncSession, guess: Guess) -> None:
    """The guess was right: the guesser's own record is forgotten, and the guess is no failure of
    the others (nor the lockout it may have brought on)."""
    await session.execute(delete(PasswordFailure).where(PasswordFailure.key == guess.own))
    for key, policy in guess.records[1:]:
        unlocked = case((PasswordFailure.failures - 1 < policy.lockout_at, None), else_=PasswordFailure.locked_until)
        await session.execute(
            update(PasswordFailure)
            .where(PasswordFailure.key == key, PasswordFailure.failures > 0)
            .values(failures=PasswordFailure.failures - 1, locked_until=unlocked)
        )


def expired(settings: Settings, now: float | None = None) -> Delete:
    """The records that no longer slow anyone down, for the periodic clean-up."""
    now = time.time() if now is None else now
    lockout = settings.sign_in_lockout.total_seconds()
    return delete(PasswordFailure).where(
        PasswordFailure.last_failed_at < now - lockout,
        or_(PasswordFailure.locked_until.is_(None), PasswordFailure.locked_until <= now),
    )


def _stale(row: PasswordFailure, lockout: float, now: float) -> bool:
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.last_failed_at < now - lockout


def _allowed_at(failures: int, last: float, locked_until: float | None, policy: Policy) -> float:
    if locked_until is not None:
        return locked_until
    if failures < policy.free:
        return 0.0
    # 1 s, 2 s, 4 s… (bounded: the lockout comes first with any sane settings)
    extra = min(failures - policy.free, 20)
    return last + (1 << extra)
