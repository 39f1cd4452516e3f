"""Request limits: a slow body is cut off with 408."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest

from service.settings import Settings
from tests.factories import assert_problem, client_for, new_user

# The HTTP layer, the same whatever the database.
pytestmark = pytest.mark.once


async def trickle(body: bytes, pause: float) -> AsyncIterator[bytes]:
    for i in range(0, len(body), 8):
        yield body[i : i + 8]
        await asyncio.sleep(pause)


async def test_a_body_slower_than_the_timeout_gets_408(settings: Settings) -> None:
    impatient = settings.model_copy(update={"request_body_timeout_seconds": 0.3})
    body = json.dumps(new_user()).encode()
    async with client_for(impatient) as client:
        slow = await client.post("/v1/users", content=trickle(body, 0.05), headers={"Content-Type": "application/json"})
        fast = await client.post("/v1/users", content=body, headers={"Content-Type": "application/json"})
    problem = assert_problem(slow, 408)
    assert problem["detail"] == "The request body did not arrive within 0.3 seconds."
    assert fast.status_code == 201


async def test_the_body_timeout_does_not_cut_a_stream(settings: Settings) -> None:
    impatient = settings.model_copy(update={"request_body_timeout_seconds": 0.1, "stream_max_seconds": 0.5})
    async with client_for(impatient) as client:
        created = await client.post("/v1/users", json=new_user(email="s@example.com"))
        assert created.status_code == 201
        token = await client.post("/v1/tokens", json={"email": "s@example.com", "password": new_user()["password"]})
        headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
        project = await client.post("/v1/projects", json={"name": "B"}, headers=headers)
        started = time.monotonic()
        response = await client.get(f"/v1/projects/{project.json()['id']}/events", headers=headers)
        lasted = time.monotonic() - started
    # The stream ran to its STREAM_MAX_SECONDS end, well past the body timeout.
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert lasted >= 0.45
