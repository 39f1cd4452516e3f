import asyncio
import base64
from typing import Any

import httpx

from tests.factories import SignedIn, add_member, assert_problem, create_project, create_task, sign_up


async def all_pages(client: httpx.AsyncClient, who: SignedIn, url: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(url, params=query, headers=who.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return items


async def board(client: httpx.AsyncClient) -> tuple[SignedIn, SignedIn, str, list[dict[str, Any]]]:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    await add_member(client, ada, project["id"], bob)
    specs = [
        {"dueDate": "2026-05-01", "status": "todo"},
        {"status": "done"},
        {"dueDate": "2026-03-01", "status": "in_progress", "assigneeId": bob.user["id"]},
        {"dueDate": "2026-05-01", "status": "done", "assigneeId": bob.user["id"]},
        {"status": "todo", "assigneeId": bob.user["id"]},
        {"dueDate": "2026-01-15", "status": "todo"},
    ]
    tasks = [await create_task(client, ada, project["id"], title=f"T{i}", **spec) for i, spec in enumerate(specs)]
    return ada, bob, f"/v1/projects/{project['id']}/tasks", tasks


def ids(tasks: list[dict[str, Any]]) -> list[int]:
    return [t["id"] for t in tasks]


async def test_sorts_and_due_dates_last_both_ways(client: httpx.AsyncClient) -> None:
    ada, _, url, t = await board(client)
    assert ids(await all_pages(client, ada, url, limit=2)) == ids(t)
    assert ids(await all_pages(client, ada, url, limit=2, sort="-createdAt")) == ids(t)[::-1]
    by_due = [t[5], t[2], t[0], t[3], t[1], t[4]]  # ties by id; no due date last
    assert ids(await all_pages(client, ada, url, limit=2, sort="dueDate")) == ids(by_due)
    by_due_desc = [t[3], t[0], t[2], t[5], t[4], t[1]]
    assert ids(await all_pages(client, ada, url, limit=4, sort="-dueDate")) == ids(by_due_desc)


async def test_filters(client: httpx.AsyncClient) -> None:
    ada, bob, url, t = await board(client)
    done_or_todo = await all_pages(client, ada, url, limit=1, status=["done", "todo"])
    assert ids(done_or_todo) == ids([t[0], t[1], t[3], t[4], t[5]])
    assert ids(await all_pages(client, ada, url, assigneeId=bob.user["id"])) == ids([t[2], t[3], t[4]])
    assert ids(await all_pages(client, ada, url, dueBefore="2026-05-01", sort="dueDate")) == ids([t[5], t[2]])
    combined = await all_pages(client, ada, url, status="done", assigneeId=bob.user["id"], sort="-dueDate")
    assert ids(combined) == ids([t[3]])


async def test_first_page_shape_and_default_limit(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    for i in range(21):
        await create_task(client, ada, project["id"], title=f"T{i}")
    page = (await client.get(f"/v1/projects/{project['id']}/tasks", headers=ada.headers)).json()
    assert len(page["items"]) == 20 and isinstance(page["nextCursor"], str)
    rest = (
        await client.get(
            f"/v1/projects/{project['id']}/tasks", params={"cursor": page["nextCursor"]}, headers=ada.headers
        )
    ).json()
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None


async def test_limit_bounds(client: httpx.AsyncClient) -> None:
    ada, _, url, _ = await board(client)
    for limit, bound in ((0, {"minimum": 1}), (101, {"maximum": 100}), (-1, {"minimum": 1})):
        problem = assert_problem(await client.get(url, params={"limit": limit}, headers=ada.headers), 422)
        [error] = problem["errors"]
        assert error == {"in": "query", "pointer": "/limit", "code": next(iter(bound)), "params": bound} | {
            "detail": error["detail"]
        }
    assert len((await client.get(url, params={"limit": 100}, headers=ada.headers)).json()["items"]) == 6


async def test_tampered_and_foreign_cursors_are_400(client: httpx.AsyncClient) -> None:
    ada, _, url, _ = await board(client)
    cursor = (await client.get(url, params={"limit": 2}, headers=ada.headers)).json()["nextCursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-2] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    for params in (
        {"cursor": tampered},
        {"cursor": "AAAA"},
        {"cursor": cursor, "sort": "dueDate"},
        {"cursor": cursor, "status": "done"},
    ):
        problem = assert_problem(await client.get(url, params=params, headers=ada.headers), 400)
        assert "cursor" in problem["detail"]
    other = await create_project(client, ada)
    assert_problem(
        await client.get(f"/v1/projects/{other['id']}/tasks", params={"cursor": cursor}, headers=ada.headers), 400
    )
    assert_problem(await client.get(url, params={"cursor": "not base64!"}, headers=ada.headers), 422)


async def test_paging_while_others_insert_and_delete(client: httpx.AsyncClient) -> None:
    """No item twice, and none skipped that existed throughout."""
    ada = await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/tasks"
    stable = [await create_task(client, ada, project["id"], title=f"S{i}") for i in range(30)]
    doomed = [await create_task(client, ada, project["id"], title=f"D{i}") for i in range(10)]

    async def churn() -> None:
        for i, task in enumerate(doomed):
            await create_task(client, ada, project["id"], title=f"N{i}")
            await client.delete(f"{url}/{task['id']}", headers=ada.headers)

    for sort in ("createdAt", "-createdAt"):
        pages, _ = await asyncio.gather(all_pages(client, ada, url, limit=3, sort=sort), churn())
        seen = ids(pages)
        assert len(seen) == len(set(seen))
        assert set(ids(stable)) <= set(seen)
        doomed = [await create_task(client, ada, project["id"], title=f"D{i}") for i in range(10)]


async def test_due_before_takes_only_a_full_date(client: httpx.AsyncClient) -> None:
    ada, _, url, _ = await board(client)
    for raw in ("0", "20260101", "2026-01-01T00:00:00", "2026-13-01"):
        problem = assert_problem(await client.get(url, params={"dueBefore": raw}, headers=ada.headers), 422)
        assert problem["errors"][0]["pointer"] == "/dueBefore"
