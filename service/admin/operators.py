"""Operators: their accounts, and `python -m service.admin.operators EMAIL [--role admin|support]`
(`make operator EMAIL=…`), which makes one with a password read from OPERATOR_PASSWORD or asked."""

import argparse
import asyncio
import getpass
import os
import sys

from sqlalchemy import Update, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.database import Database
from service.kit.passwords import password_work
from service.settings import Settings
from service.tables import Operator

ROLES = ("support", "admin")
MIN_PASSWORD = 12


async def find(session: AsyncSession, email: str) -> Operator | None:
    if "\x00" in email:
        return None
    return (await session.execute(select(Operator).where(Operator.email == email.strip().lower()))).scalar_one_or_none()


def ending_sessions(operator_id: int) -> Update:
    """Moves the operator's session generation on: every session made before stops working."""
    next_generation = Operator.session_generation + 1
    return update(Operator).where(Operator.id == operator_id).values(session_generation=next_generation)


async def end_sessions(database: Database, operator_id: int) -> None:
    async with database.short_write() as session:
        await session.execute(ending_sessions(operator_id))


async def create(database: Database, settings: Settings, email: str, password: str, role: str) -> Operator:
    """A new operator; ValueError when the email is taken or the password too short."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs {MIN_PASSWORD} characters at least")
    password_hash = await password_work(settings).hash(password)
    operator = Operator(email=email.strip().lower(), password_hash=password_hash, role=role)
    try:
        async with database.short_write() as session:
            session.add(operator)
    except IntegrityError:
        raise ValueError(f"an operator with the email {operator.email} exists") from None
    return operator


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
            return await create(database, settings, args.email, password, args.role)
        finally:
            await database.dispose()

    try:
        operator = asyncio.run(made())
    except ValueError as refused:
        print(f"No operator made: {refused}.", file=sys.stderr)
        return 1
    print(f"Operator {operator.email} ({operator.role}) made: sign in to the back office (`make admin`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
