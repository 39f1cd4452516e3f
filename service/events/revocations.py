"""Streams end when their token stops working: revoked, expired, or deleted with its user.

A stream's own deadline ends it at its token's expiry. Revocation is checked for all of a
process's open streams at once, in one query: at once after a revocation commits in this process,
and every STREAM_TOKEN_CHECK_SECONDS for those committed by other processes.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterator

from service.kit.database import Database
from service.kit.events.fanout import Subscription
from service.kit.rounds import Rounds
from service.tokens import queries as tokens

CHUNK = 500  # token ids per query


class Revocations(Rounds):
    def __init__(self, database: Database, interval: float) -> None:
        super().__init__(interval)
        self.database = database
        self.watched: dict[int, set[Subscription]] = defaultdict(set)

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

    async def round(self) -> None:
        """Closes the streams of every watched token that no longer works. Woken after a commit here
        that revoked tokens."""
        ids = sorted(self.watched)
        working: set[int] = set()
        for at in range(0, len(ids), CHUNK):
            async with self.database.reader() as session, session.begin():
                working.update((await session.scalars(tokens.still_active(ids[at : at + CHUNK]))).all())
        for token_id in set(ids) - working:
            for subscription in list(self.watched.get(token_id, ())):
                subscription.close()
