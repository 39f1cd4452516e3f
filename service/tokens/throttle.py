"""Password guessing, slowed down: failed sign-ins, and wrong `currentPassword`s of a password change.

A sign-in's guess counts against two records, keyed with a secret so that the table names no one:

- its *own*, the email from one client address: the first `sign_in_free_failures` cost nothing;
  after that each attempt must come 1 s, 2 s, 4 s… after the one before; the
  `sign_in_lockout_failures`-th locks this address out of the email for `sign_in_lockout`. So an
  attacker's failures lock out the attacker's address, and the owner still signs in from their own;
- the email's *ceiling*, from anywhere: `sign_in_email_lockout_failures` failures lock the email,
  so that guessing from many addresses stays bounded too; but not for an address that signed in
  to this email within `sign_in_trust` (the owner's usual ones), which only its own record limits.

Both are kept whether or not an account has the email, so the answers tell nothing about which
emails exist. A password change's guess of `currentPassword` counts against the token's own record
alone: one stolen token can neither guess for long nor lock the owner out of changing the password
with another.

A guess is counted before its password is checked, atomically, so guesses sent in parallel count
as strictly as guesses sent one after another. A success then clears its own record (a sign-in's
becomes trusted) and takes its guess back from the ceiling. What a lockout's end or a quiet
`sign_in_lockout` leaves is forgotten, but for trust.
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
from service.kit.metrics import REFUSALS
from service.kit.ratelimits import TooManyRequests, address_key
from service.kit.shared_secrets import shared_secret
from service.settings import Settings
from service.tables import PasswordFailure

THROTTLED = "Too many failed sign-ins for this email; try again after Retry-After seconds."
THROTTLED_CHANGE = "Too many wrong passwords from this token; try again after Retry-After seconds."


@dataclass(frozen=True, slots=True)
class Guess:
    own: str  # the guesser's record: an email from an address, or a token
    ceiling: str | None  # the email's, from anywhere (sign-ins only)
    refusal: str


async def _key(database: Database, text: str) -> str:
    secret = await shared_secret(database, "sign-in")
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


async def sign_in(database: Database, email: str, request: Request, realm: str = "") -> Guess:
    """A sign-in's guess; `realm` keeps another door's records apart (the back office's operators)."""
    folded = email.casefold()
    address = address_key(request.client.host if request.client else "")
    own = await _key(database, f"{realm}sign-in\0{folded}\0{address}")
    return Guess(own, await _key(database, f"{realm}email\0{folded}"), THROTTLED)


async def password_change(database: Database, token_id: int) -> Guess:
    return Guess(await _key(database, f"token\0{token_id}"), None, THROTTLED_CHANGE)


async def attempt(database: Database, guess: Guess, settings: Settings, now: float | None = None) -> None:
    """Counts the guess, as failed until `succeeded` says otherwise; 429 when it may not be made
    now, and then nothing is counted. In a transaction of its own: the request's may roll back."""
    now = time.time() if now is None else now
    own = (settings.sign_in_free_failures, settings.sign_in_lockout_failures)
    async with database.short_write() as session:
        wait, trusted = await _count(session, guess.own, own, settings, now)
        if guess.ceiling is not None:
            ceiling = settings.sign_in_email_lockout_failures
            ceiling_wait, _ = await _count(session, guess.ceiling, (ceiling, ceiling), settings, now)
            wait = wait if trusted else max(wait, ceiling_wait)
        if wait > 0:
            REFUSALS.labels("password").inc()
            raise TooManyRequests(guess.refusal, wait)  # rolls back what was counted


async def _count(
    session: AsyncSession, key: str, policy: tuple[int, int], settings: Settings, now: float
) -> tuple[float, bool]:
    """Counts one failure for `key` when it may guess now; returns 0 then, else the seconds until it
    may, and whether the key is trusted. `policy`: the free failures, and the one that locks out."""
    free, lockout_at = policy
    lockout = settings.sign_in_lockout.total_seconds()
    while True:  # compare-and-set: another guess may count first
        row = await session.get(PasswordFailure, key, populate_existing=True)
        if row is None:
            first = upsert(session, PasswordFailure, key=key, failures=1, last_failed_at=now)
            inserted = await session.execute(first.on_conflict_do_nothing(index_elements=[PasswordFailure.key]))
            if cast(CursorResult[Any], inserted).rowcount:
                return 0.0, False
            continue
        trusted = row.trusted_until is not None and row.trusted_until > now
        failures, locked_until = row.failures, row.locked_until
        if _stale(row, lockout, now):
            failures, locked_until = 0, None
        allowed_at = _allowed_at(failures, row.last_failed_at, locked_until, free)
        if allowed_at > now:
            return allowed_at - now, trusted
        failures += 1
        changed = await session.execute(
            update(PasswordFailure)
            .where(PasswordFailure.key == key, PasswordFailure.failures == row.failures)
            .where(PasswordFailure.last_failed_at == row.last_failed_at)
            .values(
                failures=failures,
                last_failed_at=now,
                locked_until=now + lockout if failures >= lockout_at else None,
            )
        )
        if cast(CursorResult[Any], changed).rowcount:
            return 0.0, trusted


async def succeeded(session: AsyncSession, guess: Guess, settings: Settings, now: float | None = None) -> None:
    """The guess was right: its own record is cleared (a sign-in's address is trusted from now on),
    and the guess is no failure of the email's ceiling, nor the lockout it may have brought on."""
    now = time.time() if now is None else now
    if guess.ceiling is None:
        await session.execute(delete(PasswordFailure).where(PasswordFailure.key == guess.own))
        return
    trust_until = now + settings.sign_in_trust.total_seconds()
    trusted: dict[str, object] = {
        "failures": 0,
        "last_failed_at": now,
        "locked_until": None,
        "trusted_until": trust_until,
    }
    statement = upsert(session, PasswordFailure, key=guess.own, **trusted)
    await session.execute(statement.on_conflict_do_update(index_elements=[PasswordFailure.key], set_=trusted))
    ceiling = settings.sign_in_email_lockout_failures
    unlocked = case((PasswordFailure.failures - 1 < ceiling, None), else_=PasswordFailure.locked_until)
    await session.execute(
        update(PasswordFailure)
        .where(PasswordFailure.key == guess.ceiling, PasswordFailure.failures > 0)
        .values(failures=PasswordFailure.failures - 1, locked_until=unlocked)
    )


def expired(settings: Settings, now: float | None = None) -> Delete:
    """The records that no longer slow anyone down nor trust anyone, for the periodic clean-up."""
    now = time.time() if now is None else now
    lockout = settings.sign_in_lockout.total_seconds()
    return delete(PasswordFailure).where(
        PasswordFailure.last_failed_at < now - lockout,
        or_(PasswordFailure.locked_until.is_(None), PasswordFailure.locked_until <= now),
        or_(PasswordFailure.trusted_until.is_(None), PasswordFailure.trusted_until <= now),
    )


def _stale(row: PasswordFailure, lockout: float, now: float) -> bool:
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.last_failed_at < now - lockout


def _allowed_at(failures: int, last: float, locked_until: float | None, free: int) -> float:
    if locked_until is not None:
        return locked_until
    if failures < free:
        return 0.0
    # 1 s, 2 s, 4 s… (bounded: the lockout comes first with any sane settings)
    extra = min(failures - free, 20)
    return last + (1 << extra)
