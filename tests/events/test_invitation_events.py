import json

from tests.events.conftest import Events, Served
from tests.factories import assert_problem, create_project, create_task, sign_up
from tests.invitations.test_endpoints import invite


async def test_members_see_invitations_live(served: Served) -> None:
    client = served.client
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    async with client.stream("GET", f"/v1/projects/{project['id']}/events", headers=ada.headers) as stream:
        invitation = (await invite(client, ada, project["id"], bob)).json()
        member = (await client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers)).json()
        created, updated, added = await Events(stream).take(3)
    assert (created["event"], json.loads(created["data"])) == ("invitation.created", invitation)
    assert updated["event"] == "invitation.updated"
    assert json.loads(updated["data"]) | {"answeredAt": None} == invitation | {"status": "accepted"}
    assert (added["event"], json.loads(added["data"])) == ("member.added", member)


async def test_an_invitee_hears_of_their_invitations_from_every_project_and_nothing_else(served: Served) -> None:
    client = served.client
    ada, cy, bob = await sign_up(client), await sign_up(client), await sign_up(client)
    board, other = await create_project(client, ada), await create_project(client, cy)
    url = "/v1/invitations/events"
    async with client.stream("GET", url, headers=bob.headers) as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        first = (await invite(client, ada, board["id"], bob)).json()
        await create_task(client, ada, board["id"])  # the project's, not bob's
        second = (await invite(client, cy, other["id"], bob)).json()
        revoked = await client.delete(f"/v1/projects/{board['id']}/invitations/{first['id']}", headers=ada.headers)
        assert revoked.status_code == 204
        live = await Events(stream).take(3)
    assert [(e["event"], json.loads(e["data"])["id"]) for e in live] == [
        ("invitation.created", first["id"]),
        ("invitation.created", second["id"]),
        ("invitation.updated", first["id"]),
    ]
    assert json.loads(live[2]["data"])["status"] == "revoked"
    ids = [int(e["id"]) for e in live]
    assert ids == sorted(ids)
    # Resumed after the first: the rest, and only bob's.
    async with client.stream("GET", url, headers={**bob.headers, "Last-Event-ID": live[0]["id"]}) as resumed:
        assert await Events(resumed).take(2) == live[1:]
    # Cy's own feed holds none of it; nobody else's opens without a token, nor with a ticket.
    async with client.stream("GET", url, headers={**cy.headers, "Last-Event-ID": "0"}) as nothing:
        answered = await invite(client, ada, board["id"], cy)
        [mine] = await Events(nothing).take(1)
    assert (mine["event"], json.loads(mine["data"])) == ("invitation.created", answered.json())
    assert_problem(await client.get(url), 401)
    assert_problem(await client.get(url, params={"ticket": "tbs_x"}, headers=bob.headers), 400)
