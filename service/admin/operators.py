"""Operators: their accounts, what an admin does to them (each in one transaction with its audit
entry), and `python -m service.admin.operators EMAIL [--role admin|support]` (`make operator
EMAIL=…`), which makes one with a password read from OPERATOR_PASSWORD or asked.

An admin may do anything here to another operator but disable, remove or re-role themselves:
another admin does that, so that one enabled admin always remains."""

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any

from sqlalchemy import Update, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from service.admin.audit import audit
from service.kit.columns import utcnow
from service.kit.database import Database
from service.kit.passwords import password_work
from service.settings import Settings
from service.tables import Operator

ROLES = ("support", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_EMAIL = 254


class Refused(ValueError):
    """What was asked cannot be done as asked (a taken email, a short password): said in words."""


async def find(session: AsyncSession, email: str) -> Operator | None:
    if "\x00" in email:
        return None
    return (await session.execute(select(Operator).where(Operator.email == email.strip().lower()))).scalar_one_or_none()


def ending_sessions(operator_id: int) -> Update:
    """Moves the operator's session generation on: every session made before stops working."""
    next_generation = Operator.session_generation + 1
    return update(Operator).where(Operator.id == operator_id).values(session_generation=next_generation)


def _email(email: str) -> str:
    email = email.strip().lower()
    name, at, domain = email.partition("@")
    if not (name and at and domain) or len(email) > MAX_EMAIL or not email.isprintable() or " " in email:
        raise Refused("that is not an email address")
    return email


def _role(role: str) -> str:
    if role not in ROLES:
        raise Refused(f"the role is one of {', '.join(ROLES)}")
    return role


async def _password_hash(settings: Settings, password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Refused(f"the password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return await password_work(settings).hash(password)


def _state(operator: Operator) -> dict[str, Any]:
    return {"email": operator.email, "role": operator.role, "disabledAt": operator.disabled_at}


async def create(
    database: Database, settings: Settings, by: Operator | None, email: str, password: str, role: str
) -> Operator:
    """A new operator, made by an admin (or, `by` None, the command line); Refused when the email is
    taken or the password too short."""
    operator = Operator(email=_email(email), role=_role(role), password_hash=await _password_hash(settings, password))
    try:
        async with database.short_write() as session:
            session.add(operator)
            await session.flush()
            audit(session, by, "create", ("operator", operator.id), None, _state(operator))
    except IntegrityError:
        raise Refused(f"an operator with the email {operator.email} exists") from None
    return operator


async def _other(session: AsyncSession, by: Operator, operator_id: int, themselves: str | None = None) -> Operator:
    """The operator acted on, locked for the transaction; `themselves` says why an admin may not act
    on themselves (409)."""
    if themselves and operator_id == by.id:
        raise HTTPException(409, f"An admin cannot {themselves} themselves: another admin does it.")
    target = await session.get(Operator, operator_id, with_for_update=True)
    if target is None:
        raise HTTPException(404, f"No operator {operator_id}.")
    return target


async def end_sessions(database: Database, by: Operator, operator_id: int) -> None:
    """Signs an operator out of the back office everywhere: a copied cookie of theirs too."""
    async with database.short_write() as session:
        target = await _other(session, by, operator_id)
        generation = target.session_generation
        await session.execute(ending_sessions(operator_id))
        before, after = {"sessionGeneration": generation}, {"sessionGeneration": generation + 1}
        audit(session, by, "end-sessions", ("operator", operator_id), before, after)


async def sign_out(database: Database, operator_id: int) -> None:
    """The operator's own sign-out, which ends their every session (not audited: no one else acted)."""
    async with database.short_write() as session:
        await session.execute(ending_sessions(operator_id))


async def disable(database: Database, by: Operator, operator_id: int) -> None:
    """The operator cannot sign in, and is signed out everywhere."""
    async with database.short_write() as session:
        target = await _other(session, by, operator_id, "disable")
        before = _state(target)
        target.disabled_at = target.disabled_at or utcnow()
        await session.execute(ending_sessions(operator_id))
        audit(session, by, "disable", ("operator", operator_id), before, _state(target))


async def enable(database: Database, by: Operator, operator_id: int) -> None:
    """The operator may sign in again (no session from before the disabling works again)."""
    async with database.short_write() as session:
        target = await _other(session, by, operator_id)
        before = _state(target)
        target.disabled_at = None
        audit(session, by, "enable", ("operator", operator_id), before, _state(target))


async def change_role(database: Database, by: Operator, operator_id: int, role: str) -> None:
    """Counts from the operator's next request: each reads the operator again."""
    async with database.short_write() as session:
        target = await _other(session, by, operator_id, "change the role of")
        before = _state(target)
        target.role = _role(role)
        audit(session, by, "change-role", ("operator", operator_id), before, _state(target))


async def reset_password(database: Database, settings: Settings, by: Operator, operator_id: int, password: str) -> None:
    """A password the admin hands over, and every session of the operator ended. The entry says that
    it changed, never what it is."""
    password_hash = await _password_hash(settings, password)
    async with database.short_write() as session:
        target = await _other(session, by, operator_id)
        target.password_hash = password_hash
        await session.execute(ending_sessions(operator_id))
        audit(session, by, "reset-password", ("operator", operator_id), None, {"passwordChanged": True})


async def remove(database: Database, by: Operator, operator_id: int) -> None:
    """The operator is gone; the audit log keeps what they did, by email."""
    async with database.short_write() as session:
        target = await _other(session, by, operator_id, "remove")
        before = _state(target)
        await session.execute(delete(Operator).where(Operator.id == operator_id))
        audit(session, by, "remove", ("operator", operator_id), before, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Makes an operator of the back office.")
    parser.add_argument("email")
    parser.add_argument("--role", choices=ROLES, default="admin", help="admin acts; support only reads (admin)")
    args = parser.parse_args(argv)
    password = os.environ.get("OPERATOR_PASSWORD") or getpass.getpass(f"Password for {args.email}: ")
    if "OPERATOR_PASSWORD" not in os.environ and getpass.getpass("Again: ") != password:
        print("The passwords differ; nothing was made.", file=sys.stderr)
        return 1
    settings = Settings()

    async def made() -> Operator:
        database = Database(settings)
        try:
            return await create(database, settings, None, args.email, password, args.role)
        finally:
            await database.dispose()

    try:
        operator = asyncio.run(made())
    except Refused as refused:
        print(f"No operator made: {refused}.", file=sys.stderr)
        return 1
    print(f"Operator {operator.email} ({operator.role}) made: sign in to the back office (`make admin`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
