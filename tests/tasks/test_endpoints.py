import asyncio

import httpx
import pytest

from tests.factories import add_member, assert_if_match_required, assert_problem, create_project, create_task, sign_up


async def test_create_task_with_defaults(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    response = await client.post(f"/v1/projects/{project['id']}/tasks", json={"title": "Write"}, headers=ada.headers)
    assert response.status_code == 201
    task = response.json()
    assert task["projectId"] == project["id"]
    assert (task["title"], task["description"], task["status"], task["assigneeId"], task["dueDate"]) == (
        "Write",
        None,
        "todo",
        None,
        None,
    )
    assert response.headers["location"] == f"/v1/projects/{project['id']}/tasks/{task['id']}"
    assert response.headers["etag"] == '"1"'
    got = await client.get(response.headers["location"], headers=ada.headers)
    assert got.json() == task and got.headers["etag"] == '"1"'


async def test_task_fields_are_validated(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    bad = {"title": "", "status": "doing", "dueDate": "2026-13-01", "assigneeId": "5", "description": "x" * 10001}
    problem = assert_problem(
        await client.post(f"/v1/projects/{project['id']}/tasks", json=bad, headers=ada.headers), 422
    )
    errors = {e.pop("pointer"): e for e in problem["errors"]}
    for error in errors.values():
        assert error.pop("in") == "body" and error.pop("detail")
    # Each names the keyword of the contract that it breaks, and that keyword's bound.
    assert errors == {
        "/title": {"code": "minLength", "params": {"minLength": 1}},
        "/status": {"code": "enum", "params": {"enum": ["todo", "in_progress", "done"]}},
        "/dueDate": {"code": "format"},
        "/assigneeId": {"code": "type"},
        "/description": {"code": "maxLength", "params": {"maxLength": 10000}},
    }


async def test_an_integral_float_is_an_integer(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"], assigneeId=float(ada.user["id"]))
    assert task["assigneeId"] == ada.user["id"]


async def test_the_assignee_must_be_a_member(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/tasks"
    problem = assert_problem(
        await client.post(url, json={"title": "t", "assigneeId": bob.user["id"]}, headers=ada.headers), 422
    )
    assert problem["errors"] == [
        {
            "in": "body",
            "pointer": "/assigneeId",
            "code": "notAMember",
            "detail": "The assignee must be a member of the project.",
        }
    ]
    await add_member(client, ada, project["id"], bob)
    assert (await create_task(client, ada, project["id"], assigneeId=bob.user["id"]))["assigneeId"] == bob.user["id"]


async def test_update_is_partial_and_null_clears(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(
        client, ada, project["id"], description="d", dueDate="2026-03-01", assigneeId=ada.user["id"]
    )
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    response = await client.patch(
        url, json={"status": "in_progress", "dueDate": None}, headers={**ada.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200 and response.headers["etag"] == '"2"'
    updated = response.json()
    assert updated["status"] == "in_progress" and updated["dueDate"] is None
    assert (updated["title"], updated["description"], updated["assigneeId"]) == ("A task", "d", ada.user["id"])
    problem = assert_problem(
        await client.patch(url, json={"title": None}, headers={**ada.headers, "If-Match": '"2"'}), 422
    )
    assert problem["errors"][0]["pointer"] == "/title"


async def test_update_task_preconditions(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    await assert_if_match_required(client, url, {"status": "done"}, ada)
    assert_problem(await client.patch(url, json={"status": "done"}, headers={**ada.headers, "If-Match": '"2"'}), 412)
    assert (await client.get(url, headers=ada.headers)).json() == task
    responses = await asyncio.gather(
        *(client.patch(url, json={"title": f"T{i}"}, headers={**ada.headers, "If-Match": '"1"'}) for i in range(6))
    )
    assert sorted(r.status_code for r in responses) == [200] + [412] * 5


async def test_if_match_takes_any_tag_of_a_list_over_any_number_of_lines(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    # Each matches the current ETag, "1", "2", … in turn: one of its tags is the current one.
    matching: list[list[tuple[str, str]]] = [
        [("If-Match", '"9", "1"')],
        [("If-Match", '"9"'), ("If-Match", '"2"')],
        [("If-Match", '"a,b"'), ("If-Match", '"7", "3"')],
        [("If-Match", "*")],
    ]
    for version, lines in enumerate(matching, start=1):
        updated = await client.patch(url, json={"title": f"v{version}"}, headers=[*ada.headers.items(), *lines])
        assert updated.status_code == 200, (lines, updated.text)
        assert updated.headers["etag"] == f'"{version + 1}"'
    stale = [("If-Match", '"1"'), ("If-Match", '"2", W/"5"')]  # a weak tag never matches If-Match
    assert_problem(await client.patch(url, json={"title": "x"}, headers=[*ada.headers.items(), *stale]), 412)
    assert_problem(await client.patch(url, json={"title": "x"}, headers={**ada.headers, "If-Match": "5"}), 400)
    current = [("If-None-Match", '"1"'), ("If-None-Match", 'W/"9", W/"5"')]
    cached = await client.get(url, headers=[*ada.headers.items(), *current])
    assert cached.status_code == 304 and cached.headers["etag"] == '"5"'
    assert (await client.get(url, headers=[*ada.headers.items(), ("If-None-Match", '"4"')])).status_code == 200
    too_long = [("If-Match", '"5"'), ("If-Match", '"' + "x" * 1100 + '"')]
    problem = assert_problem(await client.patch(url, json={}, headers=[*ada.headers.items(), *too_long]), 422)
    assert [(e["in"], e["pointer"]) for e in problem["errors"]] == [("header", "/If-Match")]


async def test_get_task_not_modified(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    cached = await client.get(url, headers={**ada.headers, "If-None-Match": '"1"'})
    assert cached.status_code == 304 and cached.headers["etag"] == '"1"'


async def test_delete_task(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    assert (await client.delete(url, headers=ada.headers)).status_code == 204
    assert_problem(await client.get(url, headers=ada.headers), 404)
    assert_problem(await client.delete(url, headers=ada.headers), 404)


async def test_a_task_is_found_only_under_its_own_project(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    one, two = await create_project(client, ada), await create_project(client, ada)
    task = await create_task(client, ada, one["id"])
    assert_problem(await client.get(f"/v1/projects/{two['id']}/tasks/{task['id']}", headers=ada.headers), 404)


REFUSED = ["\u0000", "a\u0007b", "\r\n", "\u001b[31m", "\u0085", "\u202e", "\u2028"]


@pytest.mark.parametrize("character", REFUSED)
async def test_descriptions_refuse_nul_and_control_characters(client: httpx.AsyncClient, character: str) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    text = f"before{character}after"
    attempts = [
        client.post("/v1/projects", json={"name": "P", "description": text}, headers=ada.headers),
        client.post(
            f"/v1/projects/{project['id']}/tasks", json={"title": "T", "description": text}, headers=ada.headers
        ),
        client.patch(
            f"/v1/projects/{project['id']}", json={"description": text}, headers={**ada.headers, "If-Match": "*"}
        ),
        client.patch(
            f"/v1/projects/{project['id']}/tasks/{task['id']}",
            json={"description": text},
            headers={**ada.headers, "If-Match": "*"},
        ),
    ]
    for attempt in attempts:
        problem = assert_problem(await attempt, 422)
        assert [e["pointer"] for e in problem["errors"]] == ["/description"]


async def test_descriptions_keep_line_feeds_and_tabs(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada, description="Goals:\n\t- ship")
    task = await create_task(client, ada, project["id"], description="Steps:\n\t1. write\n\t2. ship")
    assert project["description"] == "Goals:\n\t- ship"
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    assert (await client.get(url, headers=ada.headers)).json()["description"] == "Steps:\n\t1. write\n\t2. ship"


async def test_a_listed_task_carries_its_version_and_is_updated_with_it_unread(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/tasks"
    created = await client.post(url, json={"title": "Cached"}, headers=ada.headers)
    assert created.headers["etag"] == f'"{created.json()["version"]}"' == '"1"'
    [listed] = (await client.get(url, headers=ada.headers)).json()["items"]
    edit = {**ada.headers, "If-Match": f'"{listed["version"]}"'}
    updated = await client.patch(f"{url}/{listed['id']}", json={"status": "done"}, headers=edit)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    assert updated.headers["etag"] == '"2"'
    assert_problem(await client.patch(f"{url}/{listed['id']}", json={"status": "todo"}, headers=edit), 412)
