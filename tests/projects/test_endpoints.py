import asyncio

import httpx

from tests.factories import add_member, assert_if_match_required, assert_problem, create_project, create_task, sign_up


async def test_create_project(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    response = await client.post("/v1/projects", json={"name": "Launch", "description": "Q3"}, headers=ada.headers)
    assert response.status_code == 201
    project = response.json()
    assert set(project) == {"id", "name", "description", "ownerId", "version", "createdAt", "updatedAt"}
    assert (project["name"], project["description"], project["ownerId"]) == ("Launch", "Q3", ada.user["id"])
    assert response.headers["location"] == f"/v1/projects/{project['id']}"
    assert response.headers["etag"] == '"1"' and project["version"] == 1
    members = (await client.get(f"/v1/projects/{project['id']}/members", headers=ada.headers)).json()
    assert [(m["userId"], m["role"]) for m in members["items"]] == [(ada.user["id"], "owner")]


async def test_description_is_optional_and_nullable(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    assert (await create_project(client, ada))["description"] is None
    assert (await create_project(client, ada, description=None))["description"] is None


async def test_project_fields_are_validated(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    bad = {"name": "", "description": "d" * 2001, "ownerId": 5}
    problem = assert_problem(await client.post("/v1/projects", json=bad, headers=ada.headers), 422)
    assert {e["pointer"] for e in problem["errors"]} == {"/name", "/description", "/ownerId"}


async def test_get_project_with_etag_and_not_modified(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    response = await client.get(f"/v1/projects/{project['id']}", headers=ada.headers)
    assert response.status_code == 200 and response.json() == project
    etag = response.headers["etag"]
    for if_none_match in (etag, f"W/{etag}", f'"x", {etag}', "*"):
        cached = await client.get(
            f"/v1/projects/{project['id']}", headers={**ada.headers, "If-None-Match": if_none_match}
        )
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["etag"] == etag
    stale = await client.get(f"/v1/projects/{project['id']}", headers={**ada.headers, "If-None-Match": '"0"'})
    assert stale.status_code == 200 and stale.json() == project


async def test_update_project_requires_a_current_if_match(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada, description="old")
    url = f"/v1/projects/{project['id']}"

    await assert_if_match_required(client, url, {"name": "New"}, ada)
    stale = await client.patch(url, json={"name": "New"}, headers={**ada.headers, "If-Match": '"7"'})
    assert_problem(stale, 412)
    assert (await client.get(url, headers=ada.headers)).json() == project

    updated = await client.patch(url, json={"description": None}, headers={**ada.headers, "If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.headers["etag"] == '"2"'
    body = updated.json()
    assert body["description"] is None and body["name"] == "Board" and body["updatedAt"] > project["updatedAt"]
    again = await client.patch(url, json={"name": "Again"}, headers={**ada.headers, "If-Match": '"1"'})
    assert_problem(again, 412)


async def test_concurrent_updates_with_one_etag_let_exactly_one_through(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}"
    responses = await asyncio.gather(
        *(client.patch(url, json={"name": f"Name {i}"}, headers={**ada.headers, "If-Match": '"1"'}) for i in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 7
    winner = next(r for r in responses if r.status_code == 200)
    current = await client.get(url, headers=ada.headers)
    assert current.json()["name"] == winner.json()["name"]
    assert current.headers["etag"] == '"2"'


async def test_only_the_owner_updates_or_deletes(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    url = f"/v1/projects/{project['id']}"
    assert_problem(await client.patch(url, json={"name": "x"}, headers={**bob.headers, "If-Match": '"1"'}), 403)
    assert_problem(await client.delete(url, headers=bob.headers), 403)
    assert (await client.get(url, headers=bob.headers)).status_code == 200


async def test_delete_project_deletes_its_tasks_and_memberships(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    task = await create_task(client, bob, project["id"])
    response = await client.delete(f"/v1/projects/{project['id']}", headers=ada.headers)
    assert response.status_code == 204 and response.content == b""
    for who in (ada, bob):
        assert_problem(await client.get(f"/v1/projects/{project['id']}", headers=who.headers), 404)
        assert_problem(await client.get(f"/v1/projects/{project['id']}/tasks/{task['id']}", headers=who.headers), 404)
        assert (await client.get("/v1/projects", headers=who.headers)).json()["items"] == []
    # Ids are never reused, so a deleted project's URL stays gone.
    newer = await create_project(client, ada)
    assert newer["id"] > project["id"]


async def test_list_projects_shows_only_memberships(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    mine = [await create_project(client, ada, name=f"P{i}") for i in range(3)]
    theirs = await create_project(client, bob)
    await add_member(client, bob, theirs["id"], ada)
    response = await client.get("/v1/projects", headers=ada.headers)
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [p["id"] for p in mine] + [theirs["id"]]
    assert response.json()["nextCursor"] is None
    assert [p["id"] for p in (await client.get("/v1/projects", headers=bob.headers)).json()["items"]] == [theirs["id"]]
