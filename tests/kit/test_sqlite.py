"""The SQLite connection: one hand-off to its thread per statement, with the driver's answers intact,
and one process's write transactions queued in order."""

import asyncio
import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SAWarning

from service.kit import sqlite
from service.kit.database import Database
from service.settings import Settings
from service.tables import SharedSecret

pytestmark = pytest.mark.sqlite


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of each function sent to a connection's thread."""
    sent: list[str] = []
    original = sqlite.Connection._execute

    def counted(self: sqlite.Connection, function: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(function, "__name__", repr(function)))
        return original(self, function, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(sqlite.Connection, "_execute", counted)
    yield sent


async def test_a_statement_is_one_hand_off_and_a_rollback_of_nothing_is_none(
    settings: Settings, hand_offs: list[str]
) -> None:
    database = Database(settings)
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))  # connects, configures, begins
            hand_offs.clear()
            assert (await connection.execute(text("SELECT 2"))).scalar_one() == 2
            assert hand_offs == ["_statement"]
            await connection.commit()
            hand_offs.clear()
            await connection.rollback()  # with no transaction open, as when the pool takes it back
        assert hand_offs == []
        async with database.writer() as session, session.begin():
            hand_offs.clear()
            await session.scalar(select(SharedSecret.value).where(SharedSecret.name == "none"))
            assert hand_offs == ["_begin_immediate", "_statement"]
    finally:
        await database.dispose()


async def test_rows_counts_ids_and_errors_come_back_as_the_driver_gives_them(settings: Settings) -> None:
    database = Database(settings)
    try:
        async with database.engine.begin() as connection:
            many = await connection.execute(
                insert(SharedSecret), [{"name": f"k{n}", "value": str(n)} for n in range(3)]
            )
            assert many.rowcount == 3
            one = await connection.execute(insert(SharedSecret).values(name="x", value="1.5"))
            assert one.rowcount == 1 and one.lastrowid == 4
            returned = await connection.execute(
                insert(SharedSecret).values(name="y", value="2.5").returning(SharedSecret.value)
            )
            assert returned.scalar_one() == "2.5"
            rows = (await connection.execute(select(SharedSecret.name).order_by(SharedSecret.name))).scalars().all()
            assert rows == ["k0", "k1", "k2", "x", "y"]
        with pytest.raises(IntegrityError):
            async with database.writer() as session, session.begin():
                await session.execute(insert(SharedSecret).values(name="x", value="0.0"))
        async with database.reader() as session:
            assert await session.scalar(select(SharedSecret.value).where(SharedSecret.name == "x")) == "1.5"
    finally:
        await database.dispose()


async def test_write_transactions_of_a_process_queue_in_order_without_the_busy_handler(settings: Settings) -> None:
    database = Database(settings.model_copy(update={"sqlite_busy_timeout_ms": 0}))
    order: list[int] = []

    async def write(n: int) -> None:
        async with database.writer() as session, session.begin():
            await session.execute(insert(SharedSecret).values(name=f"k{n}", value=str(n)))
            order.append(n)
            await asyncio.sleep(0.001)  # others try to begin meanwhile

    try:
        await asyncio.gather(*(write(n) for n in range(20)))  # SQLite alone would say "locked"
    finally:
        await database.dispose()
    assert sorted(order) == list(range(20))


async def test_a_write_waits_its_turn_no_longer_than_the_pool_timeout_then_all_is_well(settings: Settings) -> None:
    database = Database(settings.model_copy(update={"database_pool_timeout_seconds": 0.1}))
    try:
        holding = asyncio.Event()

        async def hold() -> None:
            async with database.writer() as session, session.begin():
                await session.execute(insert(SharedSecret).values(name="held", value="1.0"))
                holding.set()
                await asyncio.sleep(0.5)

        holder = asyncio.create_task(hold())
        await holding.wait()
        with pytest.raises(OperationalError, match="database is locked"):
            async with database.writer() as session, session.begin():
                await session.execute(insert(SharedSecret).values(name="late", value="1.0"))
        await holder
        async with database.writer() as session, session.begin():
            await session.execute(insert(SharedSecret).values(name="after", value="1.0"))
        async with database.reader() as session:
            keys = (await session.scalars(select(SharedSecret.name).order_by(SharedSecret.name))).all()
        assert keys == ["after", "held"]
    finally:
        await database.dispose()


async def test_a_write_waits_for_another_process_writer(settings: Settings, db_path: Path) -> None:
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as another process would
    database = Database(settings)
    try:
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, other.execute, "COMMIT")
        started = loop.time()
        async with database.writer() as session, session.begin():
            await session.execute(insert(SharedSecret).values(name="after", value="1.0"))
        waited = loop.time() - started
    finally:
        await database.dispose()
        other.close()
    assert 0.3 <= waited < 2


async def test_a_connection_given_up_in_the_middle_of_a_write_gives_the_turn_back(settings: Settings) -> None:
    database = Database(settings.model_copy(update={"database_pool_timeout_seconds": 0.5}))
    try:
        async with database.writer() as session:
            await session.begin()
            await session.execute(insert(SharedSecret).values(name="lost", value="1.0"))
            await (await session.connection()).invalidate()  # as on an error SQLAlchemy gives up on
        async with database.writer() as session, session.begin():
            await session.execute(insert(SharedSecret).values(name="after", value="1.0"))
        async with database.reader() as session:
            keys = (await session.scalars(select(SharedSecret.name))).all()
        assert keys == ["after"]
    finally:
        await database.dispose()


async def test_a_write_connection_dropped_without_closing_gives_the_turn_back(settings: Settings) -> None:
    database = Database(settings.model_copy(update={"database_pool_timeout_seconds": 0.5}))
    try:

        async def abandon() -> None:
            session = database.writer()
            await session.begin()
            await session.execute(insert(SharedSecret).values(name="dropped", value="1.0"))
            # Neither committed, rolled back nor closed: the garbage collector finds the connection.

        await abandon()
        with pytest.warns(SAWarning, match="non-checked-in connection"):
            gc.collect()
        await asyncio.sleep(0.05)
        async with database.writer() as session, session.begin():
            await session.execute(insert(SharedSecret).values(name="after", value="1.0"))
    finally:
        await database.dispose()
