import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.exports.test_endpoints import finished
from tests.factories import assert_problem, create_project, create_task, sign_up

# The HTTP layer, the same whatever the database.
pytestmark = pytest.mark.once


def assert_kept_by_no_one(response: httpx.Response) -> None:
    assert response.headers.get_list("cache-control") == ["no-store"], response.headers
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_answers_to_a_signed_in_caller_are_stored_by_no_cache(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    url = f"/v1/projects/{project['id']}/tasks/{task['id']}"
    answers = [
        await client.get("/v1/users/me", headers=ada.headers),
        await client.get("/v1/projects", headers=ada.headers),
        await client.get(f"/v1/projects/{project['id']}/tasks", headers=ada.headers),
        await client.patch(url, json={"title": "x"}, headers={**ada.headers, "If-Match": "*"}),
        await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password}),
        await client.delete(url, headers=ada.headers),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 201, 204]
    for answer in answers:
        assert_kept_by_no_one(answer)


async def test_a_read_with_an_etag_may_be_kept_by_its_client_to_revalidate(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    for url in (f"/v1/projects/{project['id']}", f"/v1/projects/{project['id']}/tasks/{task['id']}"):
        read = await client.get(url, headers=ada.headers)
        cached = await client.get(url, headers={**ada.headers, "If-None-Match": read.headers["etag"]})
        assert (read.status_code, cached.status_code) == (200, 304)
        for answer in (read, cached):
            assert answer.headers.get_list("cache-control") == ["private, no-cache"]
            assert answer.headers.get_list("x-content-type-options") == ["nosniff"]


async def test_problems_and_the_frameworks_own_answers_carry_them_too(client: httpx.AsyncClient) -> None:
    answers = {
        401: await client.get("/v1/users/me"),
        404: await client.get("/v1/nowhere"),
        405: await client.put("/v1/tokens"),
        415: await client.post("/v1/users", content=b"{"),
    }
    for status, answer in answers.items():
        assert_problem(answer, status)
        assert_kept_by_no_one(answer)


async def test_downloads_and_streams_are_stored_by_no_cache(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    created = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=ada.headers)
    await finished(client, ada, created.headers["location"])
    download = await client.get(f"{created.headers['location']}/content", headers=ada.headers)
    assert download.status_code == 200
    assert_kept_by_no_one(download)
    app.state.settings.stream_max_seconds = 0.2
    async with asyncio.timeout(5):
        stream = await client.get(f"/v1/projects/{project['id']}/events", headers=ada.headers)
    assert stream.status_code == 200
    assert_kept_by_no_one(stream)


async def test_an_unexpected_error_is_a_500_problem_with_them(app: FastAPI) -> None:
    async def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/test-only/boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
        response = await client.get("/test-only/boom")
    problem = assert_problem(response, 500)
    assert problem["detail"] == "An unexpected error occurred." and "a bug" not in response.text
    assert_kept_by_no_one(response)
