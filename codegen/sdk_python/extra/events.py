"""Typed live events of a project (`streamProjectEvents`) and of the caller's invitations
(`streamInvitations`), which the generated client cannot stream.

Shipped with the SDK by `make generate`, from `codegen/sdk_python/extra/`; not generated, not to be edited here.

    async with AuthenticatedClient(base_url=..., token=...) as client:
        async for event in astream_project_events(client, project_id, last_event_id=saved_id):
            saved_id = event.id  # reconnect with it to miss nothing
            if isinstance(event.data, Task): ...

A stream ends when the server ends it (at the latest after an hour, or when the project or the
caller's membership goes); reconnect with the last `event.id`. It also ends when its token stops
working (expired, revoked, or revoked by a password change): reconnecting then raises
`problems.Unauthorized`; a project that is gone or not the caller's raises `problems.NotFound`.
A `reset` event means the events missed since `last_event_id` are no longer kept: refetch, then
go on. `stream_invitations` (and `astream_invitations`) follow the caller's invitations the same
way: `invitation.created` when an owner invites them, `invitation.updated` when one is revoked
or answered.
"""

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .client import AuthenticatedClient
from .models import DeletedResource, Invitation, Member, Project, Refetch, RemovedMember, Task
from .problems import refusal

EventData = Task | DeletedResource | Member | RemovedMember | Invitation | Project | Refetch

DATA: dict[str, type[EventData]] = {
    "task.created": Task,
    "task.updated": Task,
    "task.deleted": DeletedResource,
    "member.added": Member,
    "member.removed": RemovedMember,
    "invitation.created": Invitation,
    "invitation.updated": Invitation,
    "project.updated": Project,
    "project.deleted": DeletedResource,
    "reset": Refetch,
}


@dataclass(frozen=True)
class ProjectStreamEvent:
    """An event of a project's stream, or of the caller's invitations' (those are their projects' too)."""

    id: str
    event: str
    data: EventData


def stream_project_events(
    client: AuthenticatedClient, project_id: int, *, last_event_id: str | None = None
) -> Iterator[ProjectStreamEvent]:
    return _follow(client, f"/v1/projects/{project_id}/events", last_event_id)


async def astream_project_events(
    client: AuthenticatedClient, project_id: int, *, last_event_id: str | None = None
) -> AsyncIterator[ProjectStreamEvent]:
    async for event in _afollow(client, f"/v1/projects/{project_id}/events", last_event_id):
        yield event


def stream_invitations(
    client: AuthenticatedClient, *, last_event_id: str | None = None
) -> Iterator[ProjectStreamEvent]:
    return _follow(client, "/v1/invitations/events", last_event_id)


async def astream_invitations(
    client: AuthenticatedClient, *, last_event_id: str | None = None
) -> AsyncIterator[ProjectStreamEvent]:
    async for event in _afollow(client, "/v1/invitations/events", last_event_id):
        yield event


def _follow(client: AuthenticatedClient, url: str, last_event_id: str | None) -> Iterator[ProjectStreamEvent]:
    with client.get_httpx_client().stream(**_request(url, last_event_id)) as response:
        if response.status_code != 200:
            response.read()
            raise refusal(response)
        fields: dict[str, list[str]] = {}
        for line in response.iter_lines():
            if (event := _feed(fields, line)) is not None:
                yield event


async def _afollow(
    client: AuthenticatedClient, url: str, last_event_id: str | None
) -> AsyncIterator[ProjectStreamEvent]:
    async with client.get_async_httpx_client().stream(**_request(url, last_event_id)) as response:
        if response.status_code != 200:
            await response.aread()
            raise refusal(response)
        fields: dict[str, list[str]] = {}
        async for line in response.aiter_lines():
            if (event := _feed(fields, line)) is not None:
                yield event


def _request(url: str, last_event_id: str | None) -> dict[str, Any]:
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    # No read timeout: a quiet stream only sends a heartbeat now and then.
    timeout = httpx.Timeout(10.0, read=None)
    return {"method": "GET", "url": url, "headers": headers, "timeout": timeout}


def _feed(fields: dict[str, list[str]], line: str) -> ProjectStreamEvent | None:
    """Adds one line of the stream; returns the event a blank line completes."""
    if line == "":
        event = _complete(fields)
        fields.clear()
        return event
    if line.startswith(":"):  # a comment: the heartbeat
        return None
    name, _, value = line.partition(":")
    fields.setdefault(name, []).append(value.removeprefix(" "))
    return None


def _complete(fields: dict[str, list[str]]) -> ProjectStreamEvent | None:
    name = (fields.get("event") or ["message"])[-1]
    if "data" not in fields or name not in DATA:
        return None
    data = DATA[name].from_dict(json.loads("\n".join(fields["data"])))
    return ProjectStreamEvent(id=(fields.get("id") or [""])[-1], event=name, data=data)
