"""The project event log: events written in the change's transaction, read back for streams that
catch up, purged after a while. A stream follows one feed of it: a project's events, or those of
one user's invitations (which are also their project's). Once committed they are broadcast (fanout.py) by this process's
relay (relay.py), from whichever process committed them.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, cast, get_args

from pydantic import BaseModel
from sqlalchemy import CursorResult, Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.kit.columns import utcnow
from service.kit.database import after_commit, on_loop
from service.tables import EventHorizon, Project, ProjectEvent, User

PENDING = "taskboard.events_logged"
LOCKED = "taskboard.locked_projects"
BATCH = 500
# A stream's backlog is read in batches of at most this many characters of data (or one event, when
# it alone is larger): what a stream holds while its client is slow to read. Each batch looks at no
# more than twice the events the last one took, up to BACKLOG_ROWS, so that large events are not
# read in vain.
BACKLOG_CHARACTERS = 32 * 1024
BACKLOG_ROWS = 256
# The PostgreSQL NOTIFY channel on which each logged event's id is announced when it commits.
CHANNEL = "taskboard_events"


# NO KEY UPDATE: it waits for other event writers, but not for the KEY SHARE lock that the task's
# foreign key takes on the project, which every writer may already hold (deadlock).
LOCK_PROJECT = on_loop(select(Project.id).where(Project.id == bindparam("project_id")).with_for_update(key_share=True))
# An invitee's events commit in the order of their ids too, whichever projects they come from.
LOCK_INVITEE = on_loop(select(User.id).where(User.id == bindparam("user_id")).with_for_update(key_share=True))
LOG = on_loop(insert(cast(Table, ProjectEvent.__table__)).returning(ProjectEvent.id))


Column = Literal["project_id", "invitee_id"]


@dataclass(frozen=True, slots=True)
class Feed:
    """The events one stream carries: those whose `column` (`project_id` or `invitee_id`) is `key`."""

    column: Column
    key: int


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    project_id: int
    event: str
    data: str  # JSON
    invitee_id: int | None = None  # the user whose invitation it is about

    @property
    def feeds(self) -> tuple[Feed, ...]:
        project = Feed("project_id", self.project_id)
        return (project,) if self.invitee_id is None else (project, Feed("invitee_id", self.invitee_id))


def project_feed(project_id: int) -> Feed:
    return Feed("project_id", project_id)


def invitations_feed(user_id: int) -> Feed:
    return Feed("invitee_id", user_id)


async def record(
    session: AsyncSession, project_id: int, event: str, data: BaseModel, *, invitee: int | None = None
) -> None:
    """Logs an event of the session's transaction; it is broadcast only once that commits.

    The project's row is locked first (PostgreSQL; SQLite's writers are serialised anyway), so
    that a project's events commit in the order of their ids: a stream skips any id below the
    last it sent, and a later id committing first would hide an earlier one for good. An event
    about a user's invitation (`invitee`) also goes to that user's feed, and locks their row.
    """
    await lock(session, project_id)
    connection = await session.connection()  # Core statements: no ORM machinery around them
    if invitee is not None:
        await connection.execute(LOCK_INVITEE, {"user_id": invitee})
    data_json = data.model_dump_json(by_alias=True)
    values = {
        "project_id": project_id,
        "invitee_id": invitee,
        "event": event,
        "data": data_json,
        "created_at": utcnow(),
    }
    event_id = (await connection.execute(LOG, values)).scalar_one()
    if session.get_bind().dialect.name == "postgresql":
        # Delivered to every relay when (and only if) the transaction commits, in commit order.
        await session.execute(select(func.pg_notify(CHANNEL, str(event_id))))
    if PENDING not in session.info:
        session.info[PENDING] = True
        after_commit(session, lambda state: state.relay.wake())


async def lock(session: AsyncSession, project_id: int) -> bool:
    """Takes the lock that `record` takes, until the transaction ends: for a change that locks or
    adds rows of the project's before it logs, so that it takes its locks in the order deleting the
    project does (the project's row first). False when the project is gone (nothing is locked)."""
    locked: set[int] = session.info.setdefault(LOCKED, set())
    if project_id not in locked:
        connection = await session.connection()
        if (await connection.execute(LOCK_PROJECT, {"project_id": project_id})).first() is None:
            return False
        locked.add(project_id)
    return True


def _newest(feed: Feed) -> Select[Any]:
    return select(func.max(ProjectEvent.id)).where(getattr(ProjectEvent, feed.column) == feed.key)


async def latest(session: AsyncSession, feed: Feed) -> int:
    """The id that a stream opened now starts after: the feed's latest event, else the purge horizon."""
    newest = await session.scalar(_newest(feed))
    return newest or await session.scalar(select(EventHorizon.purged_through)) or 0


async def backlog(sessions: async_sessionmaker[AsyncSession], feed: Feed, after: int) -> AsyncIterator[Event]:
    """The logged events after `after`, read in short transactions of a bounded batch each.

    When events after `after` have been purged, or `after` names no event this server ever
    logged (a restored database, another deployment), yields one `reset` event instead, whose id
    is the feed's latest: the client refetches, and resumes from there.
    """
    looked_at = 16
    batch_after = _BATCH_AFTER[feed.column]
    while True:
        async with sessions() as session, session.begin():
            window = {"key": feed.key, "after": after, "rows": looked_at}
            rows = (await session.execute(batch_after, window)).all()
            # Checked with every batch, and after reading it: the statements need not see one moment,
            # for a purge that passed this reader before the rows were read shows in the horizon now.
            purged_through, logged = (await session.execute(_BOUNDS)).one()
            horizon = purged_through or 0
            newest = max(horizon, logged or 0)
            if after < horizon or after > newest:
                latest = await session.scalar(_newest(feed))
                reset = Event(max(latest or 0, horizon), 0, "reset", "{}")
            else:
                reset = None
        if reset is not None:
            yield reset
            return
        for row in rows:
            yield Event(row.id, row.project_id, row.event, row.data, row.invitee_id)
            after = row.id
        # The last batch: it took every event it looked at, and there were fewer than it could.
        if not rows or len(rows) == rows[0].looked_at < looked_at:
            return
        looked_at = min(BACKLOG_ROWS, 2 * len(rows))


def _batch_after(column: Column) -> Select[Any]:
    ahead = (
        select(ProjectEvent.id, ProjectEvent.project_id, ProjectEvent.invitee_id, ProjectEvent.event, ProjectEvent.data)
        .where(getattr(ProjectEvent, column) == bindparam("key"), ProjectEvent.id > bindparam("after"))
        .order_by(ProjectEvent.id)
        .limit(bindparam("rows"))
        .subquery()
    )
    size = func.length(ahead.c.data)
    # Over the events looked at only: a window over all those after `after` would read the whole log.
    sized = select(
        ahead,
        (func.sum(size).over(order_by=ahead.c.id) - size).label("before"),
        func.count().over().label("looked_at"),
    ).subquery()
    return (
        select(sized.c.id, sized.c.project_id, sized.c.invitee_id, sized.c.event, sized.c.data, sized.c.looked_at)
        .where(sized.c.before < BACKLOG_CHARACTERS)
        .order_by(sized.c.id)
    )


_BATCH_AFTER = {column: _batch_after(column) for column in get_args(Column)}
_BOUNDS = select(EventHorizon.purged_through, select(func.max(ProjectEvent.id)).scalar_subquery())


async def purge(sessions: async_sessionmaker[AsyncSession], retention: timedelta) -> int:
    """Deletes the events older than `retention`, moving the horizon past them. Returns how many."""
    async with sessions() as session, session.begin():
        newest_old: Any = await session.scalar(
            select(func.max(ProjectEvent.id)).where(ProjectEvent.created_at < utcnow() - retention)
        )
        if newest_old is None:
            return 0
        deleted = cast(
            CursorResult[Any], await session.execute(delete(ProjectEvent).where(ProjectEvent.id <= newest_old))
        )
        await session.execute(
            update(EventHorizon).where(EventHorizon.purged_through < newest_old).values(purged_through=newest_old)
        )
        return int(deleted.rowcount or 0)
