"""aiosqlite with one thread hand-off per statement, where SQLAlchemy's adapter makes four.

aiosqlite runs each connection on a thread of its own, and every call crosses to it and back: a
queue put, a thread wake-up, the GIL, a wake-up of the event loop. SQLAlchemy's adapter makes four
such calls per statement (open a cursor, execute, fetch, close) and one more for a rollback when a
connection goes back to the pool, even with no transaction open. The profile of a getTask under load
showed those hand-offs, not the SQL, as the largest cost. This cursor does the four in one call, and
the connection skips the rollback of a transaction that is not there. Everything else, and every
statement's work on the database, is aiosqlite's and sqlite3's own.
"""

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL

Row = tuple[Any, ...]
Outcome = tuple[Any, int, int | None, list[Row]]


class Cursor:
    """What SQLAlchemy's adapter uses of an aiosqlite cursor; the rows arrive with `execute`."""

    def __init__(self, connection: "Connection") -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: list[Row] = []

    async def __aenter__(self) -> "Cursor":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> "Cursor":
        self._take(await self._connection.call(_statement, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> "Cursor":
        self._take(await self._connection.call(_statements, sql, list(parameters)))
        return self

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []

    def _take(self, outcome: Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome


class Connection(aiosqlite.Connection):
    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    def call(self, function: Callable[..., Outcome], *args: Any) -> Awaitable[Outcome]:
        """Runs `function(sqlite3_connection, *args)` on the connection's thread."""
        return self._execute(function, self._conn, *args)  # type: ignore[no-untyped-call]

    async def rollback(self) -> None:
        # Reading the flag from the event loop is safe: sqlite3 here is threadsafe (serialized).
        if self._conn.in_transaction:
            await super().rollback()


def _statement(connection: sqlite3.Connection, sql: str, parameters: Any) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _statements(connection: sqlite3.Connection, sql: str, parameters: list[Any]) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


def connector(url: URL) -> Callable[[], Awaitable[Connection]]:
    """An `async_creator` for create_async_engine: the connection the URL names, as ours."""
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    # The flag that rollback() reads comes from the loop's thread, not the connection's own.
    options["check_same_thread"] = False

    def open_file() -> sqlite3.Connection:
        return sqlite3.connect(*args, **options)  # type: ignore[call-overload, no-any-return]

    async def connect() -> Connection:
        connection = Connection(open_file, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy's own connect does: never holds up exit
        await connection
        return connection

    return connect
