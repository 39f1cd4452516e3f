"""Streams end when their token stops working: revoked, expired, or deleted with its user.

A stream's own deadline ends it at its token's expiry. Revocation is checked for all of a
process's open streams at once, in one query: at once after a revocation commits in this process,
and every STREAM_TOKEN_CHECK_SECONDS for those committed by other processes.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError

from service.kit.database import Database
from service.kit.events import Subscription
from service.tokens import queries as tokens

logger = logging.getLogger("taskboard")
CHUNK = 500  # token ids per query


class Revocations:
    def __init__(self, database: Database, interval: float) -> None:
        self.database = database
        self.interval = interval
        self.watched: dict[int, set[Subscription]] = defaultdict(set)
        self.woken = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watch(self, token_id: int, subscription: Subscription) -> Iterator[None]:
        """Closes `subscription` once its token no longer works."""
        self.watched[token_id].add(subscription)
        try:
            yield
        finally:
            self.watched[token_id].discard(subscription)
            if not self.watched[token_id]:
                del self.watched[token_id]

    def check_now(self) -> None:
        """Called after a commit here that revoked tokens."""
        self.woken.set()

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self.woken.wait()
            self.woken.clear()
            try:
                await self.check()
            except (SQLAlchemyError, OSError):
                # The streams go on meanwhile; the next round checks again.
                logger.warning("the tokens of open streams cannot be checked now; trying again later")

    async def check(self) -> None:
        """Closes the streams of every watched token that no longer works."""
        ids = sorted(self.watched)
        working: set[int] = set()
        for at in range(0, len(ids), CHUNK):
            async with self.database.reader() as session, session.begin():
                working.update((await session.scalars(tokens.still_active(ids[at : at + CHUNK]))).all())
        for token_id in set(ids) - working:
            for subscription in list(self.watched.get(token_id, ())):
                subscription.close()


async def _app_revocations(request: Request) -> Revocations:
    revocations: Revocations = request.app.state.revocations
    return revocations


AppRevocations = Annotated[Revocations, Depends(_app_revocations)]
