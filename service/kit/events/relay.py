"""How committed events reach this process's broadcaster, from whichever process committed them.

Every process runs one relay, and only the relay publishes: so a stream sees a project's events
in the order they committed, whether they were written here, by another worker or by another
machine.

- SQLite serialises writers, so event ids commit in order: the relay reads the log past the last
  id it saw, when a commit here wakes it and every EVENT_POLL_SECONDS for other processes' commits.
- PostgreSQL assigns ids before commit, so a later id can commit first and reading "past the last
  id" could skip one. Each event write also sends NOTIFY with its id, which PostgreSQL delivers
  only on commit and in commit order; the relay LISTENs on a connection of its own and reads the
  notified events. When that connection is lost, events may have been missed: the relay closes
  every open stream (their clients resume from the log with Last-Event-ID) and reconnects; until
  it listens again, new streams are refused with 503.
"""

import asyncio
import contextlib
import logging
import time
from typing import Any, Protocol

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from service.kit.database import Database, create_engine
from service.kit.events.fanout import Broadcaster
from service.kit.events.log import BATCH, CHANNEL, Event
from service.kit.rounds import Rounds
from service.settings import Settings
from service.tables import ProjectEvent

logger = logging.getLogger("taskboard")


class Relay(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def wake(self) -> None:
        """Called after a commit here that logged events: look for them now."""


def create_relay(database: Database, broadcaster: Broadcaster, settings: Settings) -> Relay:
    if database.engine.dialect.name == "postgresql":
        return NotifyRelay(database, broadcaster, settings)
    return PollingRelay(database, broadcaster, settings.event_poll_seconds)


def _event(row: ProjectEvent) -> Event:
    return Event(row.id, row.project_id, row.event, row.data, row.invitee_id)


class PollingRelay(Rounds):
    def __init__(self, database: Database, broadcaster: Broadcaster, interval: float) -> None:
        super().__init__(interval)
        self.database = database
        self.broadcaster = broadcaster
        self.last: int | None = None  # known once the log could first be read

    async def start(self) -> None:
        with contextlib.suppress(SQLAlchemyError, OSError):  # else the first round tries again
            await self.round()
        await super().start()

    async def round(self) -> None:
        """Publishes what the log holds past `last`."""
        if self.last is None:
            async with self.database.reader() as session, session.begin():
                self.last = await session.scalar(select(func.max(ProjectEvent.id))) or 0
            self.broadcaster.fed = True  # from here on the log is read past `last`: nothing is missed
            return
        while True:
            async with self.database.reader() as session, session.begin():
                rows = (
                    await session.scalars(
                        select(ProjectEvent).where(ProjectEvent.id > self.last).order_by(ProjectEvent.id).limit(BATCH)
                    )
                ).all()
            if rows:
                self.broadcaster.publish([_event(row) for row in rows])
                self.last = rows[-1].id
            if len(rows) < BATCH:
                return


class NotifyRelay:
    def __init__(self, database: Database, broadcaster: Broadcaster, settings: Settings) -> None:
        self.database = database
        self.broadcaster = broadcaster
        # Connected as every other connection is (URL, SSL, timeouts), but outside the pool.
        self.engine = create_engine(settings, connections=0)
        self.connect_timeout = settings.database_connect_timeout_seconds
        self.ids: asyncio.Queue[int] = asyncio.Queue()
        self.lost = asyncio.Event()
        self.listening = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._publish())]
        # Up to the connect timeout: a service that starts while its database is away still starts.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.connect_timeout):
                await self.listening.wait()

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.engine.dispose()

    def wake(self) -> None:
        pass  # NOTIFY wakes every relay, this one included

    async def _listen(self) -> None:
        delay = 0.1
        away_since: float | None = None  # one line when PostgreSQL goes away, one when it is back
        while True:
            try:
                held = await self.engine.connect()
            except (OSError, SQLAlchemyError) as error:
                if away_since is None:
                    away_since = time.monotonic()
                    logger.warning("the event relay cannot reach PostgreSQL (%s); retrying until it can", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if away_since is not None:
                logger.warning("the event relay reaches PostgreSQL again, %.1f s later", time.monotonic() - away_since)
                away_since = None
            delay = 0.1
            self.lost.clear()
            try:
                # The driver's own connection: SQLAlchemy has no LISTEN of its own.
                connection: Any = (await held.get_raw_connection()).driver_connection
                connection.add_termination_listener(lambda _connection: self.lost.set())
                await connection.add_listener(CHANNEL, self._on_notify)
                self.listening.set()
                self.broadcaster.fed = True
                await self._hold(connection)
            except (OSError, SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                logger.warning("the event relay lost PostgreSQL (%s)", error)
            finally:
                self.broadcaster.fed = False
                self.listening.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(held.invalidate())
            # Notifications sent while nobody listened are gone: streams resume from the log.
            self.broadcaster.close_all()

    async def _hold(self, connection: Any) -> None:
        """Returns when the connection is lost: closed by the server, or no longer answering."""
        while not self.lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self.lost.wait()
            if not self.lost.is_set():
                # A quiet connection may be dead without a word (a network gone): ask it.
                await connection.fetchval("SELECT 1", timeout=self.connect_timeout)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.ids.put_nowait(int(payload))

    async def _publish(self) -> None:
        while True:
            ids = [await self.ids.get()]
            while not self.ids.empty() and len(ids) < BATCH:
                ids.append(self.ids.get_nowait())
            try:
                async with self.database.reader() as session, session.begin():
                    rows = (await session.scalars(select(ProjectEvent).where(ProjectEvent.id.in_(ids)))).all()
            except (SQLAlchemyError, OSError):
                logger.warning("the event relay cannot read notified events; closing streams", exc_info=True)
                self.broadcaster.close_all()
                continue
            # Notifications come in commit order; ids order events within a project the same way.
            self.broadcaster.publish(sorted((_event(row) for row in rows), key=lambda e: e.id))
