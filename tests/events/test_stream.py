import asyncio
import json
from datetime import timedelta

from sqlalchemy import select

from generated import models
from service.kit.events import log as events
from service.tables import ProjectEvent
from tests.events.conftest import Events, Served, until
from tests.factories import add_member, assert_problem, create_project, create_task, sign_up


async def test_a_member_sees_another_members_changes_live(served: Served) -> None:
    client = served.client
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    url = f"/v1/projects/{project['id']}/events"
    async with client.stream("GET", url, headers=ada.headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        task = await create_task(client, bob, project["id"], title="Live")
        moved = await client.patch(
            f"/v1/projects/{project['id']}/tasks/{task['id']}",
            json={"status": "done"},
            headers={**bob.headers, "If-Match": '"1"'},
        )
        await client.delete(f"/v1/projects/{project['id']}/tasks/{task['id']}", headers=bob.headers)
        events = Events(stream)
        received = await events.take(3)
        if received[0]["event"] == "member.added":  # committed just before the stream opened
            received = [*received[1:], *await events.take(1)]
    assert [e["event"] for e in received] == ["task.created", "task.updated", "task.deleted"]
    assert json.loads(received[0]["data"]) == task
    assert json.loads(received[1]["data"]) == moved.json()
    assert json.loads(received[2]["data"]) == {"id": task["id"]}
    ids = [int(e["id"]) for e in received]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_heartbeats_when_nothing_happens(served: Served) -> None:
    ada = await sign_up(served.client)
    project = await create_project(served.client, ada)
    async with served.client.stream("GET", f"/v1/projects/{project['id']}/events", headers=ada.headers) as stream:
        lines = []
        async with asyncio.timeout(3):
            async for line in stream.aiter_lines():
                lines.append(line)
                if line.startswith(":"):
                    break
    assert lines[0] == ": heartbeat"


async def test_reconnecting_with_last_event_id_misses_nothing(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    async with client.stream("GET", url, headers=ada.headers) as stream:
        first = await create_task(client, ada, project["id"], title="Before")
        [seen] = await Events(stream).take(1)
    missed = [await create_task(client, ada, project["id"], title=f"While away {i}") for i in range(3)]
    async with client.stream("GET", url, headers={**ada.headers, "Last-Event-ID": seen["id"]}) as stream:
        after = await create_task(client, ada, project["id"], title="After")
        received = await Events(stream).take(4)
    assert json.loads(seen["data"])["id"] == first["id"]
    assert [json.loads(e["data"])["id"] for e in received] == [t["id"] for t in [*missed, after]]


async def test_a_client_too_far_behind_gets_one_reset(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    async with client.stream("GET", url, headers=ada.headers) as stream:
        await create_task(client, ada, project["id"])
        [old] = await Events(stream).take(1)
    await create_task(client, ada, project["id"])
    assert await events.purge(served.app.state.database.writer, timedelta(0)) == 2
    async with client.stream("GET", url, headers={**ada.headers, "Last-Event-ID": old["id"]}) as stream:
        reader = Events(stream)
        [reset] = await reader.take(1)
        newer = await create_task(client, ada, project["id"])
        [live] = await reader.take(1)
    assert reset["event"] == "reset" and json.loads(reset["data"]) == {}
    assert int(reset["id"]) > int(old["id"])
    assert json.loads(live["data"]) == newer


async def test_a_rolled_back_change_publishes_nothing(served: Served) -> None:
    client = served.client
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    database = served.app.state.database
    async with client.stream("GET", url, headers=ada.headers) as stream:
        # A change that is logged, then rolled back.
        async with database.writer() as session, session.begin():
            await events.record(session, project["id"], "task.deleted", models.DeletedResource(id=1))
            await session.rollback()
        await add_member(client, ada, project["id"], bob)
        sent = await Events(stream).take(3)
    joined = ["invitation.created", "invitation.updated", "member.added"]
    assert [event["event"] for event in sent] == joined
    async with database.reader() as session:
        logged = (
            await session.scalars(select(ProjectEvent.event).where(ProjectEvent.project_id == project["id"]))
        ).all()
    assert logged == joined


async def test_non_members_get_404_and_removal_ends_the_stream(served: Served) -> None:
    client = served.client
    ada, bob, eve = await sign_up(client), await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    url = f"/v1/projects/{project['id']}/events"
    assert_problem(await client.get(url, headers=eve.headers), 404)
    assert_problem(await client.get(url), 401)
    async with client.stream("GET", url, headers=bob.headers) as stream:
        reader = Events(stream)
        await client.delete(f"/v1/projects/{project['id']}/members/{bob.user['id']}", headers=ada.headers)
        [removed] = await reader.take(1)
        rest = await reader.rest()  # the server ends the stream
    assert removed["event"] == "member.removed" and json.loads(removed["data"]) == {"userId": bob.user["id"]}
    assert rest == []


async def test_a_disconnected_client_leaves_no_subscription(served: Served) -> None:
    ada = await sign_up(served.client)
    project = await create_project(served.client, ada)
    broadcaster = served.app.state.broadcaster
    url = f"/v1/projects/{project['id']}/events"
    async with served.client.stream("GET", url, headers=ada.headers):
        await until(lambda: broadcaster.open_streams == 1)
    await until(lambda: broadcaster.open_streams == 0)


async def test_a_last_event_id_from_elsewhere_gets_a_reset(served: Served) -> None:
    ada = await sign_up(served.client)
    project = await create_project(served.client, ada)
    url = f"/v1/projects/{project['id']}/events"
    async with served.client.stream("GET", url, headers={**ada.headers, "Last-Event-ID": "999999999"}) as stream:
        reader = Events(stream)
        [reset] = await reader.take(1)
        task = await create_task(served.client, ada, project["id"])
        [live] = await reader.take(1)
    assert reset["event"] == "reset"
    assert json.loads(live["data"]) == task
