from generated.api.events import EventsApi
from generated.models import StreamTicket
from generated.runtime import EventStream
from service.events import queries as tickets
from service.events.streams import Streams
from service.kit.events import log as events
from service.projects import queries as projects


class EventsHandlers(Streams, EventsApi):
    async def create_stream_ticket(self, *, project_id: int) -> StreamTicket:
        await projects.visible(self.session, project_id, self.caller.user_id)
        caller = self.caller
        ticket, expires_at = await tickets.issue(self.session, caller.token_id, caller.token_expires_at, project_id)
        return StreamTicket(ticket=ticket, expires_at=expires_at)

    async def stream_project_events(
        self, *, project_id: int, last_event_id: str | None = None, after: str | None = None
    ) -> EventStream:
        # Checked now, with the request's session, so that a non-member gets a 404 problem; the
        # stream itself runs after the request's session is closed, and holds none.
        await projects.visible(self.session, project_id, self.caller.user_id)
        return await self.stream(events.project_feed(project_id), last_event_id or after)
