"""aiosqlite with one thread hand-off per statement, where SQLAlchemy's adapter makes four.

aiosqlite runs each connection on a thread of its own, and every call crosses to it and back: a
queue put, a thread wake-up, the GIL, a wake-up of the event loop. SQLAlchemy's adapter makes four
such calls per statement (open a cursor, execute, fetch, close) and one more for a rollback when a
connection goes back to the pool, even with no transaction open. The profile of a getTask under load
showed those hand-offs, not the SQL, as the largest cost. This cursor does the four in one call, and
the connection skips the rollback of a transaction that is not there. Everything else, and every
statement's work on the database, is aiosqlite's and sqlite3's own.

Write transactions (BEGIN IMMEDIATE) also wait here rather than in SQLite's busy handler, which
sleeps in growing steps (up to 100 ms) while it waits: 32 writers at once made a convoy with a p99
over a second. Those of one process queue in order; another process's writer is waited for in
steps of about a millisecond, backing off only after 100 ms: with two workers, steps of up to 5 ms
from the start gave 1.3 times one worker's getTask rate, these 2.5 times.
"""

import asyncio
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
        if sql == "BEGIN IMMEDIATE":
            await self._connection.begin_writing()
            self._take((None, -1, None, []))
            return self
        self._take(await self._connection.call(_statement, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> "Cursor":
        self._take(await self._connection.call(_statements, sql, list(parameters)))
        return self

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []

    def _take(self, outcome: Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome


class Connection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], writes: "WriteQueue") -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._writes = writes
        self._writing = False

    def cursor(self) -> Cursor:  # type: ignore[override]
        return Cursor(self)

    def call(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """Runs `function(sqlite3_connection, *args)` on the connection's thread."""
        return self._execute(function, self._conn, *args)  # type: ignore[no-untyped-call]

    async def begin_writing(self) -> None:
        """BEGIN IMMEDIATE, after this process's other write transactions (waiting as long as for a
        pooled connection), then after other processes' (waiting as long as SQLite's busy timeout,
        but on the event loop: every millisecond or so at first, then backing off to 5 ms)."""
        if self._writing:
            raise sqlite3.OperationalError("cannot start a transaction within a transaction")
        await self._writes.acquire()
        self._writing = True
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            deadline = started + self._writes.busy_timeout
            pause = 0.0005
            while not await self.call(_begin_immediate, self._writes.busy_timeout):
                if loop.time() + pause > deadline:
                    raise sqlite3.OperationalError("database is locked")
                await asyncio.sleep(pause)
                if loop.time() - started > 0.1:  # a long writer: poll it less
                    pause = min(pause * 2, 0.005)
        except BaseException:
            self._done_writing()
            raise

    async def commit(self) -> None:
        try:
            await super().commit()
        finally:
            self._done_writing()

    async def rollback(self) -> None:
        try:
            # Reading the flag from the event loop is safe: sqlite3 here is threadsafe (serialized).
            if self._conn.in_transaction:
                await super().rollback()
        finally:
            self._done_writing()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self._done_writing()

    def stop(self) -> asyncio.Future[Any] | None:
        # How SQLAlchemy terminates a connection it gave up on, without close().
        self._done_writing()
        return super().stop()

    def _done_writing(self) -> None:
        if self._writing:
            self._writing = False
            self._writes.release()


class WriteQueue:
    """The write transactions of one process on one database file, one at a time, in order."""

    def __init__(self, wait_seconds: float, busy_timeout: float) -> None:
        self._lock = asyncio.Lock()
        self._wait = wait_seconds
        self.busy_timeout = busy_timeout
        self._loop: asyncio.AbstractEventLoop | None = None

    async def acquire(self) -> None:
        try:
            async with asyncio.timeout(self._wait):
                await self._lock.acquire()
            self._loop = asyncio.get_running_loop()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None  # what SQLite would say

    def release(self) -> None:
        # A connection dropped without being closed is stopped by the garbage collector, which may
        # run on another thread: the lock is the event loop's to release.
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop or self._loop is None:
            self._lock.release()
        else:
            self._loop.call_soon_threadsafe(self._lock.release)


def _statement(connection: sqlite3.Connection, sql: str, parameters: Any) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _begin_immediate(connection: sqlite3.Connection, busy_timeout: float) -> Any:
    """BEGIN IMMEDIATE if no other process is writing; False, at once, if one is."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # BUSY, or BUSY_RECOVERY and kin
            raise
        return False
    finally:
        connection.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    return True


def _statements(connection: sqlite3.Connection, sql: str, parameters: list[Any]) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


def connector(url: URL, writes: WriteQueue) -> Callable[[], Awaitable[Connection]]:
    """An `async_creator` for create_async_engine: the connection the URL names, as ours."""
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    # The flag that rollback() reads comes from the loop's thread, not the connection's own.
    options["check_same_thread"] = False

    def open_file() -> sqlite3.Connection:
        return sqlite3.connect(*args, **options)  # type: ignore[call-overload, no-any-return]

    async def connect() -> Connection:
        connection = Connection(open_file, writes)
        connection._thread.daemon = True  # as SQLAlchemy's own connect does: never holds up exit
        await connection
        return connection

    return connect
