"""The generated SDK, installed from sdk/, driven against a real server as a frontend would."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from taskboard_client import AuthenticatedClient, Client
from taskboard_client.api.health import get_readiness
from taskboard_client.api.tokens import create_token, revoke_current_token
from taskboard_client.api.users import create_user, get_current_user, get_user, update_current_user
from taskboard_client.models import (
    Problem,
    Token,
    TokenCreate,
    User,
    UserCreate,
    UserProfile,
    UserUpdate,
    ValidationProblem,
)
from taskboard_client.types import Response

from tests.live import LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once


def test_sign_up_sign_in_update_and_sign_out(live_server: LiveServer) -> None:
    with Client(base_url=live_server.url) as public:
        assert get_readiness.sync(client=public) is not None

        created = create_user.sync_detailed(
            client=public,
            body=UserCreate(email="ada@example.com", password="correct horse battery", display_name="Ada"),
        )
        assert created.status_code == 201
        assert isinstance(created.parsed, User)
        assert created.headers["location"] == f"/v1/users/{created.parsed.id}"

        duplicate = create_user.sync(
            client=public,
            body=UserCreate(email="ADA@example.com", password="another password", display_name="Ada 2"),
        )
        assert isinstance(duplicate, Problem) and duplicate.status == 409

        invalid = create_user.sync(
            client=public, body=UserCreate(email="ada@example.com", password="short", display_name="")
        )
        assert isinstance(invalid, ValidationProblem)
        assert {e.pointer for e in invalid.errors} == {"/password", "/displayName"}

        token = create_token.sync(
            client=public, body=TokenCreate(email="ada@example.com", password="correct horse battery")
        )
        assert isinstance(token, Token)

    with AuthenticatedClient(base_url=live_server.url, token=token.access_token) as client:
        me = get_current_user.sync(client=client)
        assert isinstance(me, User)
        assert (me.id, me.email, me.display_name) == (created.parsed.id, "ada@example.com", "Ada")

        updated = update_current_user.sync(client=client, body=UserUpdate(display_name="Ada King"))
        assert isinstance(updated, User) and updated.display_name == "Ada King"
        assert updated.updated_at > me.updated_at

        profile = get_user.sync(client=client, user_id=me.id)
        assert isinstance(profile, UserProfile) and profile.display_name == "Ada King"
        missing = get_user.sync(client=client, user_id=me.id + 1000)
        assert isinstance(missing, Problem) and missing.status == 404

        assert revoke_current_token.sync_detailed(client=client).status_code == 204
        after = get_current_user.sync_detailed(client=client)
        assert after.status_code == 401 and isinstance(after.parsed, Problem)
        assert after.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_the_async_client(live_server: LiveServer) -> None:
    async with Client(base_url=live_server.url) as public:
        body = UserCreate(email="grace@example.com", password="correct horse battery", display_name="Grace")
        assert isinstance(await create_user.asyncio(client=public, body=body), User)
        token = await create_token.asyncio(client=public, body=TokenCreate(email=body.email, password=body.password))
    assert isinstance(token, Token)
    async with AuthenticatedClient(base_url=live_server.url, token=token.access_token) as client:
        me = await get_current_user.asyncio(client=client)
    assert isinstance(me, User) and me.display_name == "Grace"


def test_calls_in_an_active_span_join_the_callers_trace(database_url: str, tmp_path: Path) -> None:
    # The caller's tracing: a span of its own, exported nowhere; the service prints its spans.
    caller = TracerProvider().get_tracer("frontend")
    log = tmp_path / "service.log"
    traced = {"OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": "parentbased_always_on", "LOG_FORMAT": "json"}
    with LiveServer(database_url, traced, log=log) as server, Client(base_url=server.url) as client:
        with caller.start_as_current_span("load the board") as span:
            synchronous = get_readiness.sync_detailed(client=client, x_request_id="in-a-span")

            async def call() -> Response[Any]:
                async with Client(base_url=server.url) as async_client:
                    return await get_readiness.asyncio_detailed(client=async_client, x_request_id="async-in-a-span")

            asynchronous = asyncio.run(call())  # the span is current in the loop's context too
        alone = get_readiness.sync_detailed(client=client, x_request_id="outside")
    assert [synchronous.status_code, asynchronous.status_code, alone.status_code] == [200, 200, 200]
    spans = {
        line["attributes"]["taskboard.request_id"]: line
        for line in map(json.loads, log.read_text().splitlines())
        if "context" in line and "taskboard.request_id" in line["attributes"]
    }
    trace_id, span_id = (
        f"{n:#0{w}x}" for n, w in ((span.get_span_context().trace_id, 34), (span.get_span_context().span_id, 18))
    )
    for request_id in ("in-a-span", "async-in-a-span"):
        assert spans[request_id]["context"]["trace_id"] == trace_id
        assert spans[request_id]["parent_id"] == span_id
    assert spans["outside"]["context"]["trace_id"] != trace_id and spans["outside"]["parent_id"] is None
