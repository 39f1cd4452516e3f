"""What the service deletes on a schedule: old events and exports, and records that no longer mean anything."""

import asyncio
import logging

from sqlalchemy import Delete, delete, or_
from sqlalchemy.exc import SQLAlchemyError

from service.events import queries as stream_tickets
from service.exports import retention
from service.kit.columns import utcnow
from service.kit.database import Database
from service.kit.events.log import purge
from service.settings import Settings
from service.tables import AccessToken, IdempotencyRecord
from service.tokens import throttle

logger = logging.getLogger("taskboard")


def _stale_records(settings: Settings) -> list[Delete]:
    now = utcnow()
    return [
        throttle.expired(settings),
        delete(AccessToken).where(or_(AccessToken.expires_at < now, AccessToken.revoked_at.is_not(None))),
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now),
        stream_tickets.expired(),
    ]


async def clean(database: Database, settings: Settings) -> None:
    """One round: each deletion in a short transaction of its own."""
    await purge(database.writer, settings.event_retention)
    for statement in _stale_records(settings):
        async with database.short_write() as session:
            await session.execute(statement)
    await retention.expire(database, settings.export_dir, settings.export_retention)
    await retention.sweep(database, settings.export_dir)


async def keep_clean(database: Database, settings: Settings) -> None:
    """Runs `clean` every EVENT_PURGE_INTERVAL for as long as the app runs."""
    while True:
        # Sleep first: a shutdown then cancels a sleep, not a query in a driver thread.
        await asyncio.sleep(settings.event_purge_interval.total_seconds())
        try:
            await clean(database, settings)
        except (SQLAlchemyError, OSError):
            logger.exception("the periodic clean-up failed; trying again later")
