import asyncio

import httpx

from tests.factories import add_member, assert_problem, create_project, create_task, sign_up


async def test_the_deprecated_add_member_invites_and_never_adds(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/members/{bob.user['id']}"
    invited = await client.put(url, headers=ada.headers)
    assert invited.status_code == 202
    invitation = invited.json()
    assert invited.headers["location"] == f"/v1/invitations/{invitation['id']}"
    assert (invitation["userId"], invitation["invitedBy"], invitation["status"]) == (
        bob.user["id"],
        ada.user["id"],
        "pending",
    )
    # Not a member until they accept: the project is hidden from them, and asking again finds the invitation.
    assert_problem(await client.get(f"/v1/projects/{project['id']}", headers=bob.headers), 404)
    again = await client.put(url, headers=ada.headers)
    assert again.status_code == 202 and again.json() == invitation

    accepted = await client.post(f"/v1/invitations/{invitation['id']}/accept", headers=bob.headers)
    assert accepted.status_code == 200
    member = accepted.json()
    assert (member["userId"], member["displayName"], member["role"]) == (
        bob.user["id"],
        bob.user["displayName"],
        "member",
    )
    already = await client.put(url, headers=ada.headers)
    assert already.status_code == 200 and already.json() == member and "location" not in already.headers
    owner_again = await client.put(f"/v1/projects/{project['id']}/members/{ada.user['id']}", headers=ada.headers)
    assert owner_again.status_code == 200 and owner_again.json()["role"] == "owner"


async def test_concurrent_adds_of_one_user_make_one_invitation(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/members/{bob.user['id']}"
    responses = await asyncio.gather(*(client.put(url, headers=ada.headers) for _ in range(6)))
    assert [r.status_code for r in responses] == [202] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    pending = (await client.get("/v1/invitations", headers=bob.headers)).json()["items"]
    assert [i["id"] for i in pending] == [responses[0].json()["id"]]


async def test_adding_an_unknown_user_is_404(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    assert_problem(await client.put(f"/v1/projects/{project['id']}/members/987654", headers=ada.headers), 404)


async def test_members_cannot_add_or_remove_others(client: httpx.AsyncClient) -> None:
    ada, bob, cy = await sign_up(client), await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    await add_member(client, ada, project["id"], cy)
    base = f"/v1/projects/{project['id']}/members"
    assert_problem(await client.put(f"{base}/{cy.user['id']}", headers=bob.headers), 403)
    assert_problem(await client.delete(f"{base}/{cy.user['id']}", headers=bob.headers), 403)
    assert_problem(await client.delete(f"{base}/{ada.user['id']}", headers=bob.headers), 403)


async def test_a_member_may_leave_and_the_owner_may_not(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    base = f"/v1/projects/{project['id']}/members"
    left = await client.delete(f"{base}/{bob.user['id']}", headers=bob.headers)
    assert left.status_code == 204
    assert_problem(await client.get(f"/v1/projects/{project['id']}", headers=bob.headers), 404)
    assert_problem(await client.delete(f"{base}/{ada.user['id']}", headers=ada.headers), 409)
    assert_problem(await client.delete(f"{base}/{bob.user['id']}", headers=ada.headers), 404)


async def test_removing_a_member_unassigns_their_tasks(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    task = await create_task(client, ada, project["id"], assigneeId=bob.user["id"])
    other = await create_task(client, ada, project["id"], assigneeId=ada.user["id"])
    removed = await client.delete(f"/v1/projects/{project['id']}/members/{bob.user['id']}", headers=ada.headers)
    assert removed.status_code == 204
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    after = await client.get(url, headers=ada.headers)
    assert after.json()["assigneeId"] is None
    assert after.headers["etag"] == '"2"'  # the representation changed, so the ETag did
    untouched = await client.get(f"/v1/projects/{project['id']}/tasks/{other['id']}", headers=ada.headers)
    assert untouched.json()["assigneeId"] == ada.user["id"] and untouched.headers["etag"] == '"1"'


async def test_list_members_pages_by_user_id(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    others = [await sign_up(client) for _ in range(4)]
    for user in others:
        await add_member(client, ada, project["id"], user)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"/v1/projects/{project['id']}/members", params=params, headers=ada.headers)).json()
        seen += [m["userId"] for m in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == sorted([ada.user["id"]] + [u.user["id"] for u in others])
