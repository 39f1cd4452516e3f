import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text

from service.kit.database import Database
from service.kit.shared_secrets import shared_secret
from service.settings import Settings
from service.tables import SharedSecret


@pytest.mark.sqlite
async def test_sqlite_connections_are_configured_for_a_server(database: Database) -> None:
    async with database.reader() as session:
        pragmas = {
            name: (await session.execute(text(f"PRAGMA {name}"))).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}


@pytest.mark.sqlite
async def test_write_sessions_take_the_write_lock_up_front(settings: Settings, db_path: Path) -> None:
    database = Database(settings)
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        async with database.writer() as session, session.begin():
            await session.execute(text("SELECT 1"))  # a read, yet the lock is already taken
            try:
                other.execute("BEGIN IMMEDIATE")
                locked = False
                other.execute("ROLLBACK")
            except sqlite3.OperationalError as error:
                locked = "locked" in str(error)
        async with database.reader() as session, session.begin():
            await session.execute(text("SELECT 1"))
            other.execute("BEGIN IMMEDIATE")  # a reader leaves writers free
            other.execute("ROLLBACK")
    finally:
        other.close()
        await database.dispose()
    assert locked


async def test_processes_share_one_secret_through_the_database(settings: Settings) -> None:
    one, two = Database(settings), Database(settings)
    try:
        first = await asyncio.gather(*(shared_secret(one, "cursors") for _ in range(3)), shared_secret(two, "cursors"))
        other = await shared_secret(two, "another")
    finally:
        await one.dispose()
        await two.dispose()
    assert len(set(first)) == 1 and len(first[0]) >= 43
    assert other != first[0]


@pytest.mark.sqlite
async def test_short_writes_queue_in_the_process_not_in_sqlites_busy_handler(settings: Settings) -> None:
    # With no busy timeout at all, concurrent writers would fail at once ("database is locked").
    database = Database(settings.model_copy(update={"sqlite_busy_timeout_ms": 0}))

    async def write(n: int) -> None:
        async with database.short_write() as session:
            await session.execute(insert(SharedSecret).values(name=f"key{n}", value="x"))

    try:
        await asyncio.gather(*(write(n) for n in range(30)))
        async with database.reader() as session:
            assert len((await session.scalars(select(SharedSecret.name))).all()) == 30
    finally:
        await database.dispose()
