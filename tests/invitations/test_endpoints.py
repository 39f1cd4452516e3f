import asyncio

import httpx

from tests.factories import SignedIn, add_member, assert_problem, create_project, sign_up


async def invite(client: httpx.AsyncClient, owner: SignedIn, project_id: int, user: SignedIn) -> httpx.Response:
    return await client.post(
        f"/v1/projects/{project_id}/invitations", json={"userId": user.user["id"]}, headers=owner.headers
    )


async def test_an_invitee_joins_only_by_accepting(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada, name="Relaunch")
    invited = await invite(client, ada, project["id"], bob)
    assert invited.status_code == 201
    invitation = invited.json()
    assert invited.headers["location"] == f"/v1/invitations/{invitation['id']}"
    assert invitation == {
        "id": invitation["id"],
        "projectId": project["id"],
        "projectName": "Relaunch",
        "userId": bob.user["id"],
        "invitedBy": ada.user["id"],
        "status": "pending",
        "createdAt": invitation["createdAt"],
        "answeredAt": None,
    }
    # Invited, not a member: the name of the project is all bob sees of it.
    assert_problem(await client.get(f"/v1/projects/{project['id']}", headers=bob.headers), 404)
    assert_problem(await client.get(f"/v1/projects/{project['id']}/invitations", headers=bob.headers), 404)
    assert (await client.get("/v1/invitations", headers=bob.headers)).json() == {
        "items": [invitation],
        "nextCursor": None,
    }
    assert (await client.get(invited.headers["location"], headers=bob.headers)).json() == invitation
    # Inviting again finds the pending invitation.
    again = await invite(client, ada, project["id"], bob)
    assert (
        again.status_code == 200
        and again.json() == invitation
        and again.headers["location"] == invited.headers["location"]
    )
    pending = await client.get(f"/v1/projects/{project['id']}/invitations", headers=ada.headers)
    assert pending.json() == {"items": [invitation], "nextCursor": None}

    accepted = await client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers)
    assert accepted.status_code == 200
    member = accepted.json()
    assert (member["userId"], member["displayName"], member["role"]) == (
        bob.user["id"],
        bob.user["displayName"],
        "member",
    )
    assert (await client.get(f"/v1/projects/{project['id']}", headers=bob.headers)).status_code == 200
    members = (await client.get(f"/v1/projects/{project['id']}/members", headers=ada.headers)).json()["items"]
    assert [m["userId"] for m in members] == [ada.user["id"], bob.user["id"]]
    answered = (await client.get(invited.headers["location"], headers=bob.headers)).json()
    assert answered["status"] == "accepted" and answered["answeredAt"] is not None
    assert (await client.get("/v1/invitations", headers=bob.headers)).json()["items"] == []
    assert (await client.get(f"/v1/projects/{project['id']}/invitations", headers=ada.headers)).json()["items"] == []
    # Accepting again (a retry) answers the same; a member cannot be invited, nor decline now.
    retried = await client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers)
    assert retried.status_code == 200 and retried.json() == member
    assert "is a member" in assert_problem(await invite(client, ada, project["id"], bob), 409)["detail"]
    declined = assert_problem(
        await client.post(f"/v1/invitations/{invitation['id']}/decline", headers=bob.headers), 409
    )
    assert declined["detail"] == f"Invitation {invitation['id']} was accepted."


async def test_a_declined_invitation_cannot_be_accepted(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    invitation = (await invite(client, ada, project["id"], bob)).json()
    url = f"/v1/invitations/{invitation['id']}"
    for _ in range(2):  # declining again is no error
        declined = await client.post(f"{url}/decline", headers=bob.headers)
        assert declined.status_code == 204 and declined.content == b""
    assert assert_problem(await client.post(f"{url}/accept", headers=bob.headers), 409)["detail"] == (
        f"Invitation {invitation['id']} was declined."
    )
    assert (await client.get(url, headers=bob.headers)).json()["status"] == "declined"
    assert_problem(await client.get(f"/v1/projects/{project['id']}", headers=bob.headers), 404)
    # The owner may ask again: a new invitation.
    anew = await invite(client, ada, project["id"], bob)
    assert anew.status_code == 201 and anew.json()["id"] != invitation["id"]


async def test_a_revoked_invitation_cannot_be_accepted(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    invitation = (await invite(client, ada, project["id"], bob)).json()
    revoke_url = f"/v1/projects/{project['id']}/invitations/{invitation['id']}"
    for _ in range(2):  # revoking again is no error
        assert (await client.delete(revoke_url, headers=ada.headers)).status_code == 204
    assert_problem(await client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers), 409)
    assert_problem(await client.post(f"/v1/invitations/{invitation['id']}/decline", headers=bob.headers), 409)
    assert (await client.get("/v1/invitations", headers=bob.headers)).json()["items"] == []
    # An answered invitation cannot be revoked; one of another project is not found there.
    other = await create_project(client, ada)
    accepted = (await invite(client, ada, other["id"], bob)).json()
    await client.post(f"/v1/invitations/{accepted['id']}/accept", headers=bob.headers)
    assert_problem(
        await client.delete(f"/v1/projects/{other['id']}/invitations/{accepted['id']}", headers=ada.headers), 409
    )
    assert_problem(
        await client.delete(f"/v1/projects/{project['id']}/invitations/{accepted['id']}", headers=ada.headers), 404
    )


async def test_only_the_owner_invites_and_only_the_invitee_answers(client: httpx.AsyncClient) -> None:
    ada, bob, cy, eve = [await sign_up(client) for _ in range(4)]
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    assert assert_problem(await invite(client, bob, project["id"], cy), 403)["detail"] == (
        "Only the project's owner may do this."
    )
    invitation = (await invite(client, ada, project["id"], cy)).json()
    # A member sees who is invited, but may not take it back.
    listed = (await client.get(f"/v1/projects/{project['id']}/invitations", headers=bob.headers)).json()
    assert [i["id"] for i in listed["items"]] == [invitation["id"]]
    revoke_url = f"/v1/projects/{project['id']}/invitations/{invitation['id']}"
    assert_problem(await client.delete(revoke_url, headers=bob.headers), 403)
    # Nobody but cy can see, accept or decline cy's invitation: as if there were none.
    for who in (ada, bob, eve):
        for method, path in (("GET", ""), ("POST", "/accept"), ("POST", "/decline")):
            seen = await client.request(method, f"/v1/invitations/{invitation['id']}{path}", headers=who.headers)
            unseen = await client.request(method, f"/v1/invitations/987654321{path}", headers=who.headers)
            assert assert_problem(seen, 404)["detail"] == f"No invitation with id {invitation['id']}."
            assert assert_problem(unseen, 404)["detail"] == "No invitation with id 987654321."
    assert (await client.get(f"/v1/invitations/{invitation['id']}", headers=cy.headers)).json()["status"] == "pending"
    # Nobody is invited who does not exist or is in already.
    unknown = await client.post(
        f"/v1/projects/{project['id']}/invitations", json={"userId": 987654}, headers=ada.headers
    )
    assert assert_problem(unknown, 404)["detail"] == "No user with id 987654."
    assert_problem(await invite(client, ada, project["id"], ada), 409)
    assert_problem(await invite(client, ada, project["id"], bob), 409)
    assert_problem(await client.post("/v1/invitations", headers=ada.headers), 405)


async def test_invitations_page_oldest_first(client: httpx.AsyncClient) -> None:
    bob = await sign_up(client)
    owners = [await sign_up(client) for _ in range(3)]
    made = []
    for owner in owners:
        project = await create_project(client, owner)
        made.append((await invite(client, owner, project["id"], bob)).json()["id"])
    first = (await client.get("/v1/invitations", params={"limit": 2}, headers=bob.headers)).json()
    rest = await client.get("/v1/invitations", params={"limit": 2, "cursor": first["nextCursor"]}, headers=bob.headers)
    assert [i["id"] for i in first["items"]] + [i["id"] for i in rest.json()["items"]] == made
    assert rest.json()["nextCursor"] is None


async def test_an_accept_racing_a_revoke_ends_one_way(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    for _ in range(10):
        bob = await sign_up(client)
        invitation = (await invite(client, ada, project["id"], bob)).json()
        accept, revoke = await asyncio.gather(
            client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers),
            client.delete(f"/v1/projects/{project['id']}/invitations/{invitation['id']}", headers=ada.headers),
        )
        member = (await client.get(f"/v1/projects/{project['id']}", headers=bob.headers)).status_code == 200
        status = (await client.get(f"/v1/invitations/{invitation['id']}", headers=bob.headers)).json()["status"]
        if member:
            assert (accept.status_code, revoke.status_code, status) == (200, 409, "accepted")
        else:
            assert (accept.status_code, revoke.status_code, status) == (409, 204, "revoked")


async def test_invitations_racing_the_projects_deletion_are_made_or_not_found(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    invitees = [await sign_up(client) for _ in range(5)]
    for _ in range(8):
        project = await create_project(client, ada)
        *invited, deleted = await asyncio.gather(
            *(invite(client, ada, project["id"], who) for who in invitees),
            client.delete(f"/v1/projects/{project['id']}", headers=ada.headers),
        )
        assert deleted.status_code == 204
        for answer in invited:
            if answer.status_code != 201:
                assert assert_problem(answer, 404)["detail"] == f"No project with id {project['id']}."
        # Whatever was made went with the project.
        for who in invitees:
            assert (await client.get("/v1/invitations", headers=who.headers)).json()["items"] == []
