"""Live events through the SDK's streaming module, against a real server."""

import asyncio

import httpx
import pytest
from taskboard_client import AuthenticatedClient
from taskboard_client.events import (
    ProjectStreamEvent,
    astream_invitations,
    astream_project_events,
    stream_project_events,
)
from taskboard_client.models import DeletedResource, Invitation, InvitationStatus, Problem, Task
from taskboard_client.problems import NotFound

from tests.factories import create_project, create_task, sign_up
from tests.live import LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once


async def test_watch_a_board_then_resume_after_a_disconnect(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        ada = await sign_up(http)
        project = await create_project(http, ada)
        async with AuthenticatedClient(base_url=live_server.url, token=ada.token) as client:
            received: list[ProjectStreamEvent] = []

            async def watch() -> None:
                async for event in astream_project_events(client, project["id"]):
                    received.append(event)
                    return

            watching = asyncio.create_task(watch())
            # Tasks are created until the stream, once subscribed, sees one: no guess at when that is.
            created: dict[int, str] = {}
            async with asyncio.timeout(10):
                while not watching.done():
                    task = await create_task(http, ada, project["id"], title=f"Seen live {len(created)}")
                    created[task["id"]] = task["title"]
                    await asyncio.wait({watching}, timeout=0.1)
            await watching
            [live] = received
            assert live.event == "task.created" and isinstance(live.data, Task)
            assert created.get(live.data.id) == live.data.title

            # Away: two changes happen. Back, with the last id seen: both arrive, typed.
            missed = await create_task(http, ada, project["id"], title="Missed")
            await http.delete(f"/v1/projects/{project['id']}/tasks/{missed['id']}", headers=ada.headers)
            caught_up = []
            async for event in astream_project_events(client, project["id"], last_event_id=live.id):
                if isinstance(event.data, Task) and event.data.title.startswith("Seen live"):
                    continue  # created while the first stream was seeing its one
                caught_up.append(event)
                if len(caught_up) == 2:
                    break
    assert [e.event for e in caught_up] == ["task.created", "task.deleted"]
    assert isinstance(caught_up[0].data, Task) and caught_up[0].data.title == "Missed"
    assert isinstance(caught_up[1].data, DeletedResource) and caught_up[1].data.id == missed["id"]
    assert int(caught_up[0].id) > int(live.id)


def test_the_sync_stream_and_its_errors(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        body = {"email": "sync@example.com", "password": "correct horse battery", "displayName": "Sync"}
        http.post("/v1/users", json=body).raise_for_status()
        token = http.post("/v1/tokens", json={"email": body["email"], "password": body["password"]}).json()
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        project = http.post("/v1/projects", json={"name": "P"}, headers=headers).json()
        task = http.post(f"/v1/projects/{project['id']}/tasks", json={"title": "T"}, headers=headers).json()
    with AuthenticatedClient(base_url=live_server.url, token=token["accessToken"]) as client:
        with pytest.raises(NotFound) as refused:
            next(stream_project_events(client, project["id"] + 1000))
        assert refused.value.status == 404 and isinstance(refused.value.problem, Problem)
        assert refused.value.problem.detail == f"No project with id {project['id'] + 1000}."
        # The live server ends streams after a second; what was logged since 0 comes first.
        events = list(stream_project_events(client, project["id"], last_event_id="0"))
    assert [(e.event, getattr(e.data, "id", None)) for e in events] == [("task.created", task["id"])]


async def test_an_invitee_follows_their_invitations(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        ada, bob = await sign_up(http), await sign_up(http)
        project = await create_project(http, ada, name="Invited")
        invited = await http.post(
            f"/v1/projects/{project['id']}/invitations", json={"userId": bob.user["id"]}, headers=ada.headers
        )
        assert invited.status_code == 201
        async with AuthenticatedClient(base_url=live_server.url, token=bob.token) as client:
            async for first in astream_invitations(client, last_event_id="0"):
                event = first
                break
    assert event.event == "invitation.created" and isinstance(event.data, Invitation)
    assert (event.data.id, event.data.project_name, event.data.status) == (
        invited.json()["id"],
        "Invited",
        InvitationStatus.PENDING,
    )
