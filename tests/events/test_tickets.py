"""Stream tickets: how a browser's EventSource, which sends no Authorization header, opens a stream."""

import asyncio
import json
from datetime import datetime, timedelta

import httpx
from sqlalchemy import update

from service.kit.columns import utcnow
from service.kit.credentials import token_digest
from service.tables import StreamTicket
from tests.events.conftest import Events, Served
from tests.factories import SignedIn, add_member, assert_problem, create_project, create_task, sign_up


async def ticket_for(client: httpx.AsyncClient, who: SignedIn, project_id: int) -> str:
    response = await client.post(f"/v1/projects/{project_id}/events/tickets", headers=who.headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"ticket", "expiresAt"}
    left = datetime.fromisoformat(body["expiresAt"]) - utcnow()
    assert timedelta(seconds=25) < left <= timedelta(seconds=30)
    ticket: str = body["ticket"]
    assert ticket.startswith("tbs_") and len(ticket) == 47
    return ticket


def assert_refused(response: httpx.Response, detail: str) -> None:
    body = assert_problem(response, 401)
    assert body["detail"] == detail
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


UNUSABLE = "The stream ticket is unknown, expired, already used or revoked."


async def test_a_ticket_opens_one_stream_without_an_authorization_header(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    ticket = await ticket_for(client, ada, project["id"])
    async with client.stream("GET", url, params={"ticket": ticket}) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        task = await create_task(client, ada, project["id"], title="Seen through a ticket")
        [event] = await Events(stream).take(1)
    assert event["event"] == "task.created"
    assert json.loads(event["data"]) == task
    # Used: it opens nothing again, with or without Last-Event-ID.
    assert_refused(await client.get(url, params={"ticket": ticket}), UNUSABLE)
    assert_refused(await client.get(url, params={"ticket": ticket}, headers={"Last-Event-ID": event["id"]}), UNUSABLE)


async def test_a_new_ticket_resumes_after_the_last_event_received(served: Served) -> None:
    # What an EventSource does once its stream ends: a new one, with a new ticket and ?after=<id>.
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    async with client.stream("GET", url, params={"ticket": await ticket_for(client, ada, project["id"])}) as stream:
        first = await create_task(client, ada, project["id"], title="Seen")
        [seen] = await Events(stream).take(1)
    missed = [await create_task(client, ada, project["id"], title=f"Missed {n}") for n in range(2)]
    resumed = {"ticket": await ticket_for(client, ada, project["id"]), "after": seen["id"]}
    async with client.stream("GET", url, params=resumed) as stream:
        assert stream.status_code == 200
        events = await Events(stream).take(2)
    assert json.loads(seen["data"])["id"] == first["id"]
    assert [json.loads(e["data"]) for e in events] == missed
    assert [int(e["id"]) for e in events] == [int(seen["id"]) + 1, int(seen["id"]) + 2]
    # Last-Event-ID wins over ?after=: the header is the protocol's own.
    both = {"ticket": await ticket_for(client, ada, project["id"]), "after": seen["id"]}
    async with client.stream("GET", url, params=both, headers={"Last-Event-ID": events[0]["id"]}) as stream:
        [event] = await Events(stream).take(1)
    assert event["id"] == events[1]["id"]
    assert_problem(await client.get(url, params={"after": "x"}, headers=ada.headers), 422)


async def test_an_unknown_or_expired_ticket_is_refused(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    for unknown in ("", "tbs_" + "x" * 43, "not a ticket"):
        assert_refused(await client.get(url, params={"ticket": unknown}), UNUSABLE)
    ticket = await ticket_for(client, ada, project["id"])
    async with served.app.state.database.short_write() as session:
        await session.execute(
            update(StreamTicket)
            .where(StreamTicket.ticket_hash == token_digest(ticket))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert_refused(await client.get(url, params={"ticket": ticket}), UNUSABLE)


async def test_a_ticket_opens_only_the_stream_of_its_project_and_is_used_up_trying_another(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    mine, other = await create_project(client, ada), await create_project(client, ada)
    ticket = await ticket_for(client, ada, mine["id"])
    refused = await client.get(f"/v1/projects/{other['id']}/events", params={"ticket": ticket})
    assert_refused(refused, "The stream ticket was made for another project's stream.")
    assert_refused(await client.get(f"/v1/projects/{mine['id']}/events", params={"ticket": ticket}), UNUSABLE)


async def test_only_members_get_tickets_and_a_ticket_outlives_no_membership(served: Served) -> None:
    client = served.client
    ada, bob, eve = await sign_up(client), await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    tickets = f"/v1/projects/{project['id']}/events/tickets"
    assert_problem(await client.post(tickets, headers=eve.headers), 404)
    assert_problem(await client.post(tickets), 401)
    await add_member(client, ada, project["id"], bob)
    ticket = await ticket_for(client, bob, project["id"])
    removed = await client.delete(f"/v1/projects/{project['id']}/members/{bob.user['id']}", headers=ada.headers)
    assert removed.status_code == 204, removed.text
    assert_problem(await client.get(f"/v1/projects/{project['id']}/events", params={"ticket": ticket}), 404)


async def test_a_ticket_works_as_long_as_the_token_that_made_it(served: Served) -> None:
    client = served.client
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/events"
    unused, streaming = await ticket_for(client, ada, project["id"]), await ticket_for(client, ada, project["id"])
    async with client.stream("GET", url, params={"ticket": streaming}) as stream:
        assert stream.status_code == 200
        signed_out = await client.delete("/v1/tokens/current", headers=ada.headers)
        assert signed_out.status_code == 204
        async with asyncio.timeout(10):  # the stream ends with its token, having sent nothing more
            assert not [line for line in await Events(stream).rest() if not line.startswith(":") and line]
    assert_refused(await client.get(url, params={"ticket": unused}), UNUSABLE)


async def test_a_bearer_token_wins_over_a_ticket_and_no_other_operation_takes_one(served: Served) -> None:
    client = served.client
    ada, eve = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    ticket = await ticket_for(client, ada, project["id"])
    # Eve's token is who asks; Ada's ticket does not make her a member.
    assert_problem(
        await client.get(f"/v1/projects/{project['id']}/events", params={"ticket": ticket}, headers=eve.headers), 404
    )
    body = assert_problem(
        await client.get(f"/v1/projects/{project['id']}", params={"ticket": ticket}, headers=ada.headers), 400
    )
    assert body["detail"].startswith("The query parameters ticket are not defined for this operation")
