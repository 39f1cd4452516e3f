from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool
from starlette.datastructures import State

from service.kit import metrics
from service.kit.sqlite import MARK, ON_LOOP, WriteQueue
from service.kit.sqlite import connector as sqlite_connector
from service.settings import Settings

# Requests with these methods only read, so they need no write lock.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """The engine and the two session factories: one for reads, one for writes.

    On SQLite a write transaction starts with BEGIN IMMEDIATE, taking the write lock up front,
    so that concurrent writers queue (service/kit/sqlite.py) instead of failing when a deferred
    transaction tries to upgrade its lock.
    """

    def __init__(self, settings: Settings) -> None:
        sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
        writes = WriteQueue(settings.database_pool_timeout_seconds, settings.sqlite_busy_timeout_ms / 1000)
        self.engine = create_engine(settings, writes=writes)
        # A read's statements are each a transaction of their own: no BEGIN or COMMIT to wait for.
        autocommit = {"sqlite_begin": None} if sqlite else {"isolation_level": "AUTOCOMMIT"}
        self.reader = async_sessionmaker(self.engine.execution_options(**autocommit), expire_on_commit=False)
        self.writer = async_sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        # Short writes have connections of their own: a request may wait for one (a shared secret
        # read late) while it holds a pooled connection, and were the pool dry, that wait would
        # never end.
        self.short_engine = create_engine(settings, connections=1 if sqlite else 3, writes=writes)
        self._short_writer = async_sessionmaker(
            self.short_engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )
        # The shared secrets read so far (service/kit/shared_secrets.py): they never change.
        self.secrets: dict[str, str] = {}

    @asynccontextmanager
    async def short_write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction of its own, for a statement or two (a password guess's count, a shared
        secret, an export's claim or lease, a clean-up); request transactions are the request context's
        (service/kit/context.py).

        On SQLite these wait for the short-write connection, then, like every write, for the
        process's turn to write (service/kit/sqlite.py), not in SQLite's busy handler.
        """
        async with self._short_writer() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.short_engine.dispose()


def create_engine(
    settings: Settings, *, connections: int | None = None, writes: WriteQueue | None = None
) -> AsyncEngine:
    """The engine for DATABASE_URL: pooled as the settings say, or with `connections` kept open
    (0: unpooled, for a connection held for good, LISTEN). On SQLite, the engines of one process
    share `writes`, the queue of its write transactions."""
    url = make_url(settings.database_url)
    sqlite = url.get_backend_name() == "sqlite"
    options: dict[str, Any] = {}
    if sqlite:
        writes = writes or WriteQueue(settings.database_pool_timeout_seconds, settings.sqlite_busy_timeout_ms / 1000)
        options["async_creator"] = sqlite_connector(url, writes)
    else:
        timeout_ms = int(settings.database_statement_timeout_seconds * 1000)
        options["connect_args"] = {
            "timeout": settings.database_connect_timeout_seconds,
            "server_settings": {"statement_timeout": str(timeout_ms), "application_name": "taskboard"},
        }
    if connections != 0:
        size, overflow = settings.database_pool_size, settings.database_max_overflow
        if connections is not None:
            size, overflow = connections, 0
        elif sqlite:
            # A SQLite connection is a file and a thread, cheap to keep and dear to open (the thread):
            # all of them stay open, where an overflow one would be closed after every use.
            size, overflow = size + overflow, 0
        options |= {
            "pool_size": size,
            "max_overflow": overflow,
            "pool_timeout": settings.database_pool_timeout_seconds,
            "pool_recycle": settings.database_pool_recycle_seconds,
            # A server's connections can drop between two uses; a SQLite file's cannot.
            "pool_pre_ping": not sqlite,
        }
        if settings.metrics_port is not None:
            options["poolclass"] = metrics.CountedQueuePool
    else:
        options["poolclass"] = NullPool
    engine = create_async_engine(
        url,
        echo=settings.database_echo,
        **options,
        # Bound values are passwords' hashes and tokens' digests: they stay out of logs and errors.
        hide_parameters=True,
    )
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
    if settings.metrics_port is not None and connections != 0:  # pools only: not the relay's LISTEN
        metrics.count_connections(engine.sync_engine, options["pool_size"] + options["max_overflow"])
    return engine


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Commits only append to the log; service/kit/checkpoints.py copies it back into the file.
        cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode is not None:  # None: each statement commits on its own
            connection.exec_driver_sql(f"BEGIN {mode}")

    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _mark_on_loop(
        _connection: Connection, _cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        if context is not None and not executemany and context.execution_options.get(ON_LOOP):
            statement = MARK + statement
        return statement, parameters


Statement = TypeVar("Statement", bound=Executable)


def on_loop(statement: Statement) -> Statement:
    """Marks a statement that SQLite may run on the event loop's thread: one that touches a bounded
    number of rows (by key) and needs no lock its transaction does not hold (service/kit/sqlite.py).
    Elsewhere the mark changes nothing."""
    return statement.execution_options(**{ON_LOOP: True})


def upsert(session: AsyncSession, table: type, **values: object) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT, in the session's dialect."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values)


AFTER_COMMIT = "taskboard.after_commit"


def after_commit(session: AsyncSession, callback: Callable[[State], None]) -> None:
    """Runs `callback` with the app's state once the request's transaction has committed.

    For what must not happen for a change that rolls back: announcing it, or queueing work on it.
    """
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def broken_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint a statement broke, where the driver says (asyncpg does; SQLite
    names none)."""
    cause = error.orig.__cause__ if error.orig is not None else None
    name = getattr(error.orig, "constraint_name", None) or getattr(cause, "constraint_name", None)
    return name if isinstance(name, str) else None
