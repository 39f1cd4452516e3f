import json

from tests.events.conftest import Events, Served
from tests.factories import create_project, sign_up
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
