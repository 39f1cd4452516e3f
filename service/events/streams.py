"""Answering with an event stream: what streamProjectEvents and streamInvitations share."""

import asyncio
import functools
import json
import time
import weakref

from fastapi.sse import ServerSentEvent
from sqlalchemy.exc import SQLAlchemyError

from generated.runtime import EventStream
from service.events.revocations import Revocations
from service.events.slots import Slot, StreamSlots
from service.kit.columns import utcnow
from service.kit.events import log as events
from service.kit.events.fanout import Broadcaster
from service.kit.handlers import Handlers
from service.kit.metrics import STREAMS
from service.kit.problems import ServiceUnavailable


class Streams(Handlers):
    @property
    def broadcaster(self) -> Broadcaster:
        broadcaster: Broadcaster = self.state.broadcaster
        return broadcaster

    @property
    def revocations(self) -> Revocations:
        revocations: Revocations = self.state.revocations
        return revocations

    async def stream(self, feed: events.Feed, last_event_id: str | None) -> EventStream:
        """The feed's events after `last_event_id` (or from now), then live, for the caller."""
        if not self.broadcaster.fed:
            raise ServiceUnavailable("Live events are reconnecting to the database; retry shortly.", 1)
        # Without Last-Event-ID, what is logged now is read as the backlog's start: a change that
        # committed before, but is relayed after the stream subscribes, is not sent as if it were new.
        after = int(last_event_id) if last_event_id is not None else await events.latest(self.session, feed)
        slots: StreamSlots = self.state.stream_slots
        slot = slots.take(self.caller.user_id, self.caller.token_id)
        stream = self._stream(feed, after, slot)
        # A stream that never starts (its client gone first, a failed commit) runs no `with`.
        weakref.finalize(stream, slot.release)
        return stream

    async def _stream(self, feed: events.Feed, after: int, slot: Slot) -> EventStream:
        heartbeat = self.settings.stream_heartbeat_seconds
        token_left = (self.caller.token_expires_at - utcnow()).total_seconds()
        deadline = time.monotonic() + min(self.settings.stream_max_seconds, token_left)
        me = self.caller.user_id
        # Subscribed before the backlog is read, so that nothing falls between the two.
        with (
            slot,
            self.broadcaster.subscribe(feed) as subscription,
            self.revocations.watch(self.caller.token_id, subscription),
            STREAMS.track_inprogress(),
        ):
            last = after
            try:
                async for event in events.backlog(self.database.reader, feed, after):
                    if subscription.closed or time.monotonic() > deadline:  # revoked, expired, or behind
                        return
                    yield _frame(event)
                    last = event.id
                    if _ends_stream(event, me):
                        return
            except (SQLAlchemyError, OSError, TimeoutError):
                # The database went away under the answer already begun: the stream ends, as it does
                # when the relay loses it, and the client resumes with the last id it got.
                return
            while (left := deadline - time.monotonic()) > 0:
                try:
                    async with asyncio.timeout(min(heartbeat, left)):
                        live = await subscription.next()
                except TimeoutError:
                    yield ServerSentEvent(comment="heartbeat")
                    continue
                if live is None:  # closed: shutting down, or this stream fell too far behind
                    return
                if live.id <= last:
                    continue
                yield _frame(live)
                last = live.id
                if _ends_stream(live, me):
                    return


@functools.lru_cache(maxsize=256)  # one frame for every stream an event goes out on
def _frame(event: events.Event) -> ServerSentEvent:
    return ServerSentEvent(id=str(event.id), event=event.event, raw_data=event.data)


def _ends_stream(event: events.Event, me: int) -> bool:
    """The project is gone, or the caller left it (never an event of an invitations' feed)."""
    if event.event == "project.deleted":
        return True
    return event.event == "member.removed" and json.loads(event.data)["userId"] == me
