"""SQLite for the event loop: a connection of ours over the stdlib driver, with a thread of its own.

A statement that may wait or take long runs on the connection's thread, in one hand-off (execute,
fetch and close together; SQLAlchemy's aiosqlite adapter would make four). A statement marked
`on_loop` runs on the event loop's thread itself, with no hand-off at all: only statements bounded
in the rows they touch and that take no lock their transaction does not hold (a read by key, a row
written in a write transaction), and even those with SQLite's busy handler off, so that a lock held
elsewhere sends them to the thread rather than letting them wait on the loop. A write transaction's
COMMIT runs on the loop too when all its statements did: it holds the write lock, and appends a
bounded number of pages to the write-ahead log without copying it back into the database file
(service/kit/checkpoints.py does that); a transaction that ran any statement on the thread (a
purge, say) commits there.

Write transactions (BEGIN IMMEDIATE) wait here rather than in SQLite's busy handler, which sleeps
in growing steps while it waits, so that concurrent writers made a convoy (docs/performance.md).
Those of one process queue in order; another process's writer is waited for in steps of about a
millisecond, backing off only after 100 ms.

SQLAlchemy's aiosqlite dialect drives this connection through its adapter: what the adapter uses
of an aiosqlite connection and cursor is all there is here.
"""

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from functools import partial
from queue import SimpleQueue
from typing import Any

from sqlalchemy.engine import URL

Row = tuple[Any, ...]
Outcome = tuple[Any, int, int | None, list[Row]]
Job = tuple[asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]

# The execution option that marks a statement as fit to run on the loop (service/kit/database.on_loop),
# and the comment that carries the mark from SQLAlchemy's compiler to the cursor below.
ON_LOOP = "taskboard_on_loop"
MARK = "/* on loop */ "


class Cursor:
    """What SQLAlchemy's adapter uses of a cursor; the rows arrive with `execute`."""

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
        elif sql.startswith(MARK) and (outcome := self._connection.on_loop(sql, parameters)) is not None:
            self._take(outcome)
        else:
            self._take(await self._connection.on_thread(_statement, sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> "Cursor":
        self._take(await self._connection.on_thread(_statements, sql, list(parameters)))
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


class Connection:
    """One sqlite3 connection and the thread that runs its calls, one at a time, in order."""

    def __init__(self, writes: "WriteQueue") -> None:
        self._writes = writes
        self._writing = False
        # Whether every statement of this write transaction ran on the loop: bounded, so is its commit.
        self._bounded = False
        self._loop = asyncio.get_running_loop()
        self._jobs: SimpleQueue[Job | None] = SimpleQueue()
        # Never holds up the process's exit, as SQLAlchemy's own aiosqlite connections do not.
        self._thread = threading.Thread(target=self._serve, name="sqlite", daemon=True)
        # The name SQLAlchemy's adapter reads to see whether the connection is still open.
        self._connection: sqlite3.Connection | None = None
        # Whether SQLite's busy handler is on (PRAGMA busy_timeout): off on the loop, on in the thread.
        self._patient = True

    @classmethod
    async def open(cls, open_file: Callable[[], sqlite3.Connection], writes: "WriteQueue") -> "Connection":
        connection = cls(writes)
        connection._thread.start()
        try:
            connection._connection = await connection.call(open_file)
        except BaseException:
            connection._jobs.put(None)
            raise
        return connection

    @property
    def driver(self) -> sqlite3.Connection:
        if self._connection is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self._connection

    def cursor(self) -> Cursor:
        return Cursor(self)

    def call(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """`function(*args)`, run on the connection's thread."""
        future = self._loop.create_future()
        self._jobs.put((future, function, args))
        return future

    def on_thread(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """`function(driver, *args)`, run on the connection's thread with SQLite's busy handler on."""
        restore = None if self._patient else int(self._writes.busy_timeout * 1000)
        self._patient = True
        self._bounded = False
        return self.call(_patiently, self.driver, restore, function, args)

    def on_loop(self, sql: str, parameters: Any) -> Outcome | None:
        """The statement run here, on the loop; None if a lock held elsewhere stopped it at once."""
        try:
            return _statement(self._impatient(), sql, parameters)
        except sqlite3.OperationalError as error:
            if _busy(error):
                return None  # it had no effect: it runs again on the thread, where it may wait
            raise

    def _impatient(self) -> sqlite3.Connection:
        """The driver with SQLite's busy handler off: a lock held elsewhere fails at once (BUSY).
        Set only when it was on, and left off, so that a run of statements on the loop pays once."""
        if self._patient:
            self.driver.execute("PRAGMA busy_timeout=0")
            self._patient = False
        return self.driver

    async def begin_writing(self) -> None:
        """BEGIN IMMEDIATE, after this process's other write transactions (waiting as long as for a
        pooled connection), then after other processes' (waiting as long as SQLite's busy timeout,
        but on the event loop: every millisecond or so at first, then backing off to 5 ms)."""
        if self._writing:
            raise sqlite3.OperationalError("cannot start a transaction within a transaction")
        await self._writes.acquire()
        self._writing = self._bounded = True
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            deadline = started + self._writes.busy_timeout
            pause = 0.0005
            while not _begin_immediate(self._impatient()):
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
            if self._bounded and self.driver.in_transaction:
                # The write lock is this transaction's, its statements touched a bounded number of
                # rows, and its connection never checkpoints (service/kit/checkpoints.py): the
                # commit appends a few pages to the log, here, and is done.
                self.driver.commit()
            elif self.driver.in_transaction:
                await self.on_thread(_commit)
        finally:
            self._done_writing()

    async def rollback(self) -> None:
        try:
            if self.driver.in_transaction:
                await self.on_thread(_rollback)
        finally:
            self._done_writing()

    async def close(self) -> None:
        try:
            if self._connection is not None:
                await self.call(self._connection.close)
                self._connection = None
        finally:
            self._jobs.put(None)
            self._done_writing()

    def stop(self) -> None:
        """Closes the connection without waiting: how SQLAlchemy ends one it gave up on."""
        self._done_writing()
        if self._connection is not None:
            self._jobs.put((self._loop.create_future(), self._connection.close, ()))
            self._connection = None
        self._jobs.put(None)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        await self.call(partial(self.driver.create_function, *args, **kwargs))

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, function, args = job
            try:
                result, error = function(*args), None
            except BaseException as raised:
                result, error = None, raised
            with suppress(RuntimeError):  # the loop is closed: nobody waits for the answer
                self._loop.call_soon_threadsafe(_settle, future, result, error)

    def _done_writing(self) -> None:
        self._bounded = False
        if self._writing:
            self._writing = False
            self._writes.release()


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled meanwhile
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


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


def _patiently(
    connection: sqlite3.Connection, busy_timeout_ms: int | None, function: Callable[..., Any], args: tuple[Any, ...]
) -> Any:
    if busy_timeout_ms is not None:
        connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    return function(connection, *args)


def _busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # BUSY, or BUSY_RECOVERY and kin


def _begin_immediate(impatient: sqlite3.Connection) -> bool:
    """BEGIN IMMEDIATE if no other process is writing; False, at once, if one is."""
    try:
        impatient.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
        return False
    return True


def _commit(connection: sqlite3.Connection) -> None:
    connection.commit()


def _rollback(connection: sqlite3.Connection) -> None:
    connection.rollback()


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
    # The loop's thread runs some statements itself (on_loop); the driver serialises all calls.
    options["check_same_thread"] = False
    # Transactions are SQLAlchemy's to begin (service/kit/database.py), never the driver's.
    options["isolation_level"] = None

    def open_file() -> sqlite3.Connection:
        return sqlite3.connect(*args, **options)  # type: ignore[call-overload, no-any-return]

    async def connect() -> Connection:
        return await Connection.open(open_file, writes)

    return connect
