import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from service.tables import IdempotencyRecord
from tests.factories import add_member, assert_problem, create_project, sign_up


async def test_a_retry_replays_the_first_response(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    headers = {**ada.headers, "Idempotency-Key": "create-launch-1"}
    first = await client.post("/v1/projects", json={"name": "Launch"}, headers=headers)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    again = await client.post("/v1/projects", json={"name": "Launch"}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await client.get("/v1/projects", headers=ada.headers)).json()["items"]
    assert [p["id"] for p in listed] == [first.json()["id"]]


async def test_a_replay_is_the_stored_answer_byte_for_byte_whatever_the_models_have_become(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada = await sign_up(client)
    project = await create_project(client, ada)
    headers = {**ada.headers, "Idempotency-Key": "before-the-deploy"}
    url = f"/v1/projects/{project['id']}/tasks"
    first = await client.post(url, json={"title": "Ship"}, headers=headers)
    assert first.status_code == 201
    # As a release before this one stored it: without a field that Task requires today, and with
    # one it no longer has.
    stored = {key: value for key, value in first.json().items() if key != "status"} | {"legacy": 1}
    old = json.dumps(stored, separators=(",", ":")).encode()
    async with app.state.database.writer() as session, session.begin():
        await session.execute(update(IdempotencyRecord).values(response_body=old.decode()))
    again = await client.post(url, json={"title": "Ship"}, headers=headers)
    assert again.status_code == 201 and again.content == old
    assert again.headers["content-type"] == "application/json"
    assert (again.headers["location"], again.headers["etag"]) == (first.headers["location"], first.headers["etag"])
    assert again.headers["idempotent-replayed"] == "true" and again.headers["x-request-id"]


async def test_the_same_key_with_another_body_is_422(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    headers = {**ada.headers, "Idempotency-Key": "k1"}
    assert (await client.post("/v1/projects", json={"name": "A"}, headers=headers)).status_code == 201
    problem = assert_problem(await client.post("/v1/projects", json={"name": "B"}, headers=headers), 422)
    assert (problem["errors"][0]["pointer"], problem["errors"][0]["code"]) == (
        "/Idempotency-Key",
        "idempotencyKeyReused",
    )
    project = (await client.get("/v1/projects", headers=ada.headers)).json()["items"][0]
    reused = await client.post(f"/v1/projects/{project['id']}/tasks", json={"name": "A"}, headers=headers)
    assert_problem(reused, 422)


async def test_keys_belong_to_their_caller(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    a = await client.post("/v1/projects", json={"name": "A"}, headers={**ada.headers, "Idempotency-Key": "same"})
    b = await client.post("/v1/projects", json={"name": "A"}, headers={**bob.headers, "Idempotency-Key": "same"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"] and "idempotent-replayed" not in b.headers


async def test_failed_requests_are_not_remembered(client: httpx.AsyncClient) -> None:
    ada, bob = await sign_up(client), await sign_up(client)
    project = await create_project(client, ada)
    url = f"/v1/projects/{project['id']}/tasks"
    headers = {**ada.headers, "Idempotency-Key": "task-1"}
    body = {"title": "t", "assigneeId": bob.user["id"]}
    assert_problem(await client.post(url, json=body, headers=headers), 422)  # bob is no member yet
    await add_member(client, ada, project["id"], bob)
    created = await client.post(url, json=body, headers=headers)
    assert created.status_code == 201 and "idempotent-replayed" not in created.headers
    assert_problem(await client.post(url, json={"title": ""}, headers={**ada.headers, "Idempotency-Key": "v"}), 422)
    assert (
        await client.post(url, json={"title": "ok"}, headers={**ada.headers, "Idempotency-Key": "v"})
    ).status_code == 201


async def test_concurrent_requests_with_one_key_create_one_resource(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    headers = {**ada.headers, "Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(client.post("/v1/projects", json={"name": "Burst"}, headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} <= {201, 409}
    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert len((await client.get("/v1/projects", headers=ada.headers)).json()["items"]) == 1


async def test_a_key_is_forgotten_when_it_expires_or_its_resource_is_deleted(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    ada = await sign_up(client)
    headers = {**ada.headers, "Idempotency-Key": "again"}
    first = (await client.post("/v1/projects", json={"name": "P"}, headers=headers)).json()
    assert (await client.delete(f"/v1/projects/{first['id']}", headers=ada.headers)).status_code == 204
    second = await client.post("/v1/projects", json={"name": "P"}, headers=headers)
    assert second.status_code == 201 and second.json()["id"] != first["id"]
    assert "idempotent-replayed" not in second.headers

    async with app.state.database.writer() as session, session.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(IdempotencyRecord).values(expires_at=past))
    third = await client.post("/v1/projects", json={"name": "Other"}, headers=headers)
    assert third.status_code == 201 and "idempotent-replayed" not in third.headers


async def test_key_bounds(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    for key in ("", "x" * 256, "has space"):
        response = await client.post(
            "/v1/projects", json={"name": "P"}, headers={**ada.headers, "Idempotency-Key": key}
        )
        assert_problem(response, 422)
