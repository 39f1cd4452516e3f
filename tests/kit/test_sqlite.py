"""The SQLite connection: one hand-off to its thread per statement, none for one marked to run on the
loop, with the driver's answers intact, and one process's write transactions queued in order."""

import asyncio
import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SAWarning

from service.kit import sqlite
from service.kit.checkpoints import Checkpoints
from service.kit.database import Database, on_loop
from service.settings import Settings
from service.tables import SharedSecret

pytestmark = pytest.mark.sqlite


@pytest.fixture
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of each function sent to a connection's thread for a statement, a commit or a rollback."""
    sent: list[str] = []
    original = sqlite.Connection.on_thread

    def counted(self: sqlite.Connection, function: Any, *args: Any) -> Any:
        sent.append(function.__name__)
        return original(self, function, *args)

    monkeypatch.setattr(sqlite.Connection, "on_thread", counted)
    yield sent


NAMED = select(SharedSecret.value).where(SharedSecret.name == bindparam("name"))


async def test_a_statement_is_one_hand_off_and_a_rollback_of_nothing_is_none(
    database: Database, hand_offs: list[str]
) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # connects, configures, begins
        hand_offs.clear()
        assert (await connection.execute(text("SELECT 2"))).scalar_one() == 2
        assert hand_offs == ["_statement"]
        await connection.commit()
        hand_offs.clear()
        await connection.rollback()  # with no transaction open, as when the pool takes it back
    assert hand_offs == []


async def test_a_read_by_key_runs_on_the_loop_with_no_transaction_of_its_own(
    database: Database, hand_offs: list[str]
) -> None:
    async with database.writer() as session, session.begin():
        await session.execute(insert(SharedSecret).values(name="k", value="v"))
    async with database.reader() as session, session.begin():
        await session.scalar(NAMED, {"name": "warm"})  # the pool's connection is open
        hand_offs.clear()
        assert await session.scalar(on_loop(NAMED), {"name": "k"}) == "v"
        assert await session.scalar(NAMED, {"name": "k"}) == "v"  # unmarked: to the thread
    assert hand_offs == ["_statement"]  # no BEGIN, no COMMIT


async def test_a_write_of_marked_statements_never_crosses_to_the_thread(
    database: Database, hand_offs: list[str]
) -> None:
    async with database.writer() as session, session.begin():
        await session.scalar(on_loop(NAMED), {"name": "warm"})
    hand_offs.clear()
    async with database.writer() as session, session.begin():
        await session.execute(on_loop(insert(SharedSecret)), {"name": "k", "value": "v"})
        assert await session.scalar(on_loop(NAMED), {"name": "k"}) == "v"
        assert hand_offs == []  # BEGIN IMMEDIATE too
    assert hand_offs == []  # nor the COMMIT


async def test_a_marked_statement_that_meets_a_lock_waits_on_the_thread_not_the_loop(
    database: Database, db_path: Path, hand_offs: list[str]
) -> None:
    async with database.reader() as session, session.begin():
        await session.scalar(NAMED, {"name": "warm"})
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    loop = asyncio.get_running_loop()
    loop.call_later(1.0, other.execute, "COMMIT")
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(loop.time())
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(tick())
    hand_offs.clear()
    started = loop.time()
    # A write with no transaction of ours around it: it needs the lock that `other` holds.
    async with database.reader() as session, session.begin():
        await session.execute(on_loop(insert(SharedSecret)), {"name": "k", "value": "v"})
    waited = loop.time() - started
    ticking.cancel()
    other.close()
    assert hand_offs == ["_statement"]  # tried on the loop, refused at once, run on the thread
    assert waited >= 1.0  # for the other writer
    # The loop went on meanwhile: it ticked in the middle of the wait (never, had the wait blocked it).
    assert any(started + 0.25 < tick < started + 0.75 for tick in ticks)


async def test_rows_counts_ids_and_errors_come_back_as_the_driver_gives_them(database: Database) -> None:
    async with database.engine.begin() as connection:
        many = await connection.execute(insert(SharedSecret), [{"name": f"k{n}", "value": str(n)} for n in range(3)])
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
    assert waited >= 0.3


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


async def test_a_write_with_a_statement_on_the_thread_commits_there(database: Database, hand_offs: list[str]) -> None:
    async with database.writer() as session, session.begin():
        await session.scalar(on_loop(NAMED), {"name": "warm"})
    hand_offs.clear()
    async with database.writer() as session, session.begin():
        await session.execute(on_loop(insert(SharedSecret)), {"name": "k", "value": "v"})
        await session.execute(delete(SharedSecret))  # unbounded: so may its commit be
    assert hand_offs == ["_statement", "_commit"]


async def test_the_log_is_copied_back_apart_from_the_commits(
    settings: Settings, db_path: Path, hand_offs: list[str]
) -> None:
    database = Database(settings)
    checkpoints = Checkpoints(database, interval=60)
    try:
        async with database.writer() as session, session.begin():
            await session.scalar(on_loop(NAMED), {"name": "warm"})
        hand_offs.clear()
        for n in range(200):
            async with database.writer() as session, session.begin():
                await session.execute(on_loop(insert(SharedSecret)), {"name": f"k{n}", "value": "v" * 1000})
        async with database.reader() as session:
            assert await session.scalar(text("PRAGMA wal_autocheckpoint")) == 0
        wal = db_path.with_name(db_path.name + "-wal")
        hand_offs.clear()
        busy, logged, copied = await checkpoints.checkpoint()
        assert (busy, copied) == (0, logged) and logged > 50  # every frame of the log is in the file
        assert hand_offs == ["_statement"]  # on the thread
        size = wal.stat().st_size
        for n in range(200):  # the log starts over rather than growing
            async with database.writer() as session, session.begin():
                await session.execute(on_loop(insert(SharedSecret)), {"name": f"j{n}", "value": "v" * 1000})
        assert wal.stat().st_size < 1.5 * size  # not twice as large
    finally:
        await database.dispose()
