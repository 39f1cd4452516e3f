"""Committed events fanned out to the open streams of this process."""

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from service.kit.events.log import Event, Feed


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
        self.subscriptions: dict[Feed, set[Subscription]] = defaultdict(set)
        # Set by the relay while it is sure to hear of every commit: a stream opened otherwise
        # could miss events without anyone knowing.
        self.fed = False
        self.closing = False  # the server is shutting down

    @contextmanager
    def subscribe(self, feed: Feed) -> Iterator[Subscription]:
        subscription = Subscription(self.size)
        if self.closing:
            subscription.close()
        self.subscriptions[feed].add(subscription)
        try:
            yield subscription
        finally:
            self.subscriptions[feed].discard(subscription)
            if not self.subscriptions[feed]:
                del self.subscriptions[feed]

    def publish(self, events: list[Event]) -> None:
        for event in events:
            for feed in event.feeds:
                for subscription in list(self.subscriptions.get(feed, ())):
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
