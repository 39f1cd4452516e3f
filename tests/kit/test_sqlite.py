"""The SQLite connection: one hand-off to its thread per statement, with the driver's answers intact."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from service.kit import sqlite
from service.kit.database import Database
from service.settings import Settings
from service.tables import RateLimit

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
            await session.scalar(select(RateLimit.tat).where(RateLimit.key == "none"))
            assert hand_offs == ["_statement", "_statement"]  # BEGIN IMMEDIATE, then the SELECT
    finally:
        await database.dispose()


async def test_rows_counts_ids_and_errors_come_back_as_the_driver_gives_them(settings: Settings) -> None:
    database = Database(settings)
    try:
        async with database.engine.begin() as connection:
            many = await connection.execute(insert(RateLimit), [{"key": f"k{n}", "tat": float(n)} for n in range(3)])
            assert many.rowcount == 3
            one = await connection.execute(insert(RateLimit).values(key="x", tat=1.5))
            assert one.rowcount == 1 and one.lastrowid == 4
            returned = await connection.execute(insert(RateLimit).values(key="y", tat=2.5).returning(RateLimit.tat))
            assert returned.scalar_one() == 2.5
            rows = (await connection.execute(select(RateLimit.key).order_by(RateLimit.key))).scalars().all()
            assert rows == ["k0", "k1", "k2", "x", "y"]
        with pytest.raises(IntegrityError):
            async with database.writer() as session, session.begin():
                await session.execute(insert(RateLimit).values(key="x", tat=0.0))
        async with database.reader() as session:
            assert await session.scalar(select(RateLimit.tat).where(RateLimit.key == "x")) == 1.5
    finally:
        await database.dispose()
