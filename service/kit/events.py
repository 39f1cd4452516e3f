"""Project events: written to the log in the change's transaction, broadcast after it commits.

The broadcaster is fed by this process's relay (service/kit/relay.py), from whichever process
committed the events.
"""

import asyncio
import signal
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.kit.database import after_commit, on_loop
from service.kit.types import utcnow
from service.tables import EventHorizon, Project, ProjectEvent

PENDING = "taskboard.events_logged"
LOCKED = "taskboard.locked_projects"
BATCH = 500
# The PostgreSQL NOTIFY channel on which each logged event's id is announced when it commits.
CHANNEL = "taskboard_events"


# NO KEY UPDATE: it waits for other event writers, but not for the KEY SHARE lock that the task's
# foreign key takes on the project, which every writer may already hold (deadlock).
LOCK_PROJECT = on_loop(select(Project.id).where(Project.id == bindparam("project_id")).with_for_update(key_share=True))
LOG = on_loop(insert(cast(Table, ProjectEvent.__table__)).returning(ProjectEvent.id))


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    project_id: int
    event: str
    data: str  # JSON


async def record(db: AsyncSession, project_id: int, event: str, data: BaseModel) -> None:
    """Logs an event of the session's transaction; it is broadcast only once that commits.

    The project's row is locked first (PostgreSQL; SQLite's writers are serialised anyway), so
    that a project's events commit in the order of their ids: a stream skips any id below the
    last it sent, and a later id committing first would hide an earlier one for good.
    """
    locked: set[int] = db.info.setdefault(LOCKED, set())
    connection = await db.connection()  # Core statements: no ORM machinery around them
    if project_id not in locked:  # once per transaction: the lock lasts until it ends
        await connection.execute(LOCK_PROJECT, {"project_id": project_id})
        locked.add(project_id)
    data_json = data.model_dump_json(by_alias=True)
    values = {"project_id": project_id, "event": event, "data": data_json, "created_at": utcnow()}
    event_id = (await connection.execute(LOG, values)).scalar_one()
    if db.get_bind().dialect.name == "postgresql":
        # Delivered to every relay when (and only if) the transaction commits, in commit order.
        await db.execute(select(func.pg_notify(CHANNEL, str(event_id))))
    if PENDING not in db.info:
        db.info[PENDING] = True
        after_commit(db, lambda state: state.relay.wake())


class Subscription:
    def __init__(self, size: int) -> None:
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(size)
        self.closed = False

    async def next(self) -> Event | None:
        """The next event; None once the subscription is closed."""
        return await self.queue.get()

    def offer(self, event: Event) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        # Everything unread goes: a stream must not deliver events past a gap it skipped, or its
        # client's Last-Event-ID would pass over the gap. The client resumes from the log instead.
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class Broadcaster:
    """Fans committed events out to the open streams of this process; holds no database resource.

    A stream that falls `size` events behind is closed; its client reconnects with Last-Event-ID
    and catches up from the log.
    """

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self.subscriptions: dict[int, set[Subscription]] = defaultdict(set)
        # Set by the relay while it is sure to hear of every commit: a stream opened otherwise
        # could miss events without anyone knowing.
        self.fed = False
        self.closing = False  # the server is shutting down

    @contextmanager
    def subscribe(self, project_id: int) -> Iterator[Subscription]:
        subscription = Subscription(self.size)
        if self.closing:
            subscription.close()
        self.subscriptions[project_id].add(subscription)
        try:
            yield subscription
        finally:
            self.subscriptions[project_id].discard(subscription)
            if not self.subscriptions[project_id]:
                del self.subscriptions[project_id]

    def publish(self, events: list[Event]) -> None:
        for event in events:
            for subscription in list(self.subscriptions.get(event.project_id, ())):
                subscription.offer(event)

    def shut_down(self) -> None:
        """Closes every stream for good: one that starts later ends at once, as if just closed."""
        self.closing = True
        self.close_all()

    def close_all(self) -> None:
        for subscriptions in list(self.subscriptions.values()):
            for subscription in list(subscriptions):
                subscription.close()

    @property
    def open_streams(self) -> int:
        return sum(len(s) for s in self.subscriptions.values())


async def backlog(sessions: async_sessionmaker[AsyncSession], project_id: int, after: int) -> AsyncIterator[Event]:
    """The logged events after `after`, read in short transactions of `BATCH` events each.

    When events after `after` have been purged, or `after` names no event this server ever
    logged (a restored database, another deployment), yields one `reset` event instead, whose id
    is the project's latest: the client refetches, and resumes from there.
    """
    while True:
        async with sessions() as db, db.begin():
            rows = (
                await db.scalars(
                    select(ProjectEvent)
                    .where(ProjectEvent.project_id == project_id, ProjectEvent.id > after)
                    .order_by(ProjectEvent.id)
                    .limit(BATCH)
                )
            ).all()
            # Checked with every batch, and after reading it: the statements need not see one moment,
            # for a purge that passed this reader before the rows were read shows in the horizon now.
            horizon = await db.scalar(select(EventHorizon.purged_through)) or 0
            newest = max(horizon, await db.scalar(select(func.max(ProjectEvent.id))) or 0)
            if after < horizon or after > newest:
                latest = await db.scalar(select(func.max(ProjectEvent.id)).where(ProjectEvent.project_id == project_id))
                reset = Event(max(latest or 0, horizon), project_id, "reset", "{}")
            else:
                reset = None
        if reset is not None:
            yield reset
            return
        for row in rows:
            yield Event(row.id, row.project_id, row.event, row.data)
            after = row.id
        if len(rows) < BATCH:
            return


async def purge(sessions: async_sessionmaker[AsyncSession], retention: timedelta) -> int:
    """Deletes the events older than `retention`, moving the horizon past them. Returns how many."""
    async with sessions() as db, db.begin():
        newest_old: Any = await db.scalar(
            select(func.max(ProjectEvent.id)).where(ProjectEvent.created_at < utcnow() - retention)
        )
        if newest_old is None:
            return 0
        deleted = cast(CursorResult[Any], await db.execute(delete(ProjectEvent).where(ProjectEvent.id <= newest_old)))
        await db.execute(
            update(EventHorizon).where(EventHorizon.purged_through < newest_old).values(purged_through=newest_old)
        )
        return int(deleted.rowcount or 0)


def close_on_exit_signals(broadcaster: Broadcaster) -> Callable[[], None]:
    """Ends every open stream as soon as the server is told to stop; returns the undo.

    uvicorn waits for open responses before it runs the lifespan's shutdown, so a stream must
    end when the signal arrives, not when the lifespan ends. The server's own handler still runs.
    """
    loop = asyncio.get_running_loop()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers; a server there is not ours
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if not callable(handler):
            continue

        def close_then(received: int, frame: Any, handler: Callable[[int, Any], Any] = handler) -> None:
            loop.call_soon_threadsafe(broadcaster.shut_down)
            handler(received, frame)

        previous[signum] = handler
        signal.signal(signum, close_then)

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore
