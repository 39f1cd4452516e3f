"""What a script using the Python SDK survives without code of its own: a burst of 429s, a restart
of the service, a slow answer; and what it must not do: repeat a create that carries no key."""

import asyncio
import threading
import time

import httpx
import pytest
from taskboard_client import AuthenticatedClient, Client
from taskboard_client.api.projects import create_project
from taskboard_client.api.tokens import create_token
from taskboard_client.api.users import create_user, get_current_user
from taskboard_client.models import Problem, Project, ProjectCreate, Token, TokenCreate, User, UserCreate
from taskboard_client.retries import new_idempotency_key

from tests.conftest import UNLIMITED
from tests.live import LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once

PASSWORD = "correct horse battery"


def signed_in(url: str, email: str) -> str:
    with Client(base_url=url) as public:
        assert isinstance(
            create_user.sync(client=public, body=UserCreate(email=email, password=PASSWORD, display_name="R")), User
        )
        token = create_token.sync(client=public, body=TokenCreate(email=email, password=PASSWORD))
    assert isinstance(token, Token)
    return token.access_token


def test_a_burst_of_429s_is_waited_out_for_what_may_be_repeated(database_url: str) -> None:
    # Three requests a second per user: ten in a row meet 429s with Retry-After.
    limited = {**UNLIMITED, "RATE_LIMIT_PER_USER": "3", "RATE_LIMIT_PERIOD": "PT1S"}
    with LiveServer(database_url, limited) as server:
        token = signed_in(server.url, "burst@example.com")
        with AuthenticatedClient(base_url=server.url, token=token) as client:
            answers = [get_current_user.sync_detailed(client=client) for _ in range(10)]
            assert [answer.status_code for answer in answers] == [200] * 10

            # A create without an Idempotency-Key is never repeated: its 429 comes back as it is.
            refused = [create_project.sync_detailed(client=client, body=ProjectCreate(name="Once")) for _ in range(5)]
            assert 429 in [answer.status_code for answer in refused]
            # With one, it is waited out like a read, and made once.
            key = new_idempotency_key()
            keyed = [
                create_project.sync_detailed(client=client, body=ProjectCreate(name="Keyed"), idempotency_key=key)
                for _ in range(5)
            ]
            assert [answer.status_code for answer in keyed] == [201] * 5
            assert len({answer.parsed.id for answer in keyed if isinstance(answer.parsed, Project)}) == 1

        # Retries off: the 429 is the caller's.
        with AuthenticatedClient(base_url=server.url, token=token, max_retries=0) as impatient:
            answers = [get_current_user.sync_detailed(client=impatient) for _ in range(10)]
            refusal = next(answer for answer in answers if answer.status_code == 429)
            assert isinstance(refusal.parsed, Problem) and refusal.headers["retry-after"].isdigit()


def test_a_restart_of_the_service_is_waited_out(database_url: str) -> None:
    with LiveServer(database_url, UNLIMITED) as server:
        token = signed_in(server.url, "restart@example.com")
        with AuthenticatedClient(base_url=server.url, token=token, max_retries=6) as client:
            assert get_current_user.sync_detailed(client=client).status_code == 200
            server.stop()
            again = threading.Timer(0.5, server.start)  # back on the same port while the call waits
            again.start()
            try:
                started = time.monotonic()
                answer = get_current_user.sync_detailed(client=client)
            finally:
                again.join()
            assert answer.status_code == 200 and time.monotonic() - started > 0.5

            async def async_call() -> int:
                async with AuthenticatedClient(base_url=server.url, token=token, max_retries=6) as async_client:
                    server.stop()
                    again = threading.Timer(0.5, server.start)
                    again.start()
                    try:
                        return (await get_current_user.asyncio_detailed(client=async_client)).status_code
                    finally:
                        await asyncio.to_thread(again.join)

            assert asyncio.run(async_call()) == 200

        # Without retries the lost service is the caller's error at once.
        server.stop()
        with AuthenticatedClient(base_url=server.url, token=token, max_retries=0) as impatient:
            with pytest.raises(httpx.ConnectError):
                get_current_user.sync_detailed(client=impatient)


def test_a_call_waits_30_seconds_by_default_and_as_long_as_told(live_server: LiveServer) -> None:
    token = signed_in(live_server.url, "slow@example.com")
    client = AuthenticatedClient(base_url=live_server.url, token=token)
    assert client.get_httpx_client().timeout == httpx.Timeout(30.0)
    with Client(base_url=live_server.url) as public:
        assert public.get_httpx_client().timeout == httpx.Timeout(30.0)
    # An answer that never ends (a project's event stream, read as a whole) is cut at the timeout.
    with AuthenticatedClient(base_url=live_server.url, token=token) as client:
        project = create_project.sync(client=client, body=ProjectCreate(name="Slow"))
        assert isinstance(project, Project)
        quick = client.with_timeout(httpx.Timeout(0.3))
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            quick.get_httpx_client().get(f"/v1/projects/{project.id}/events")
        assert 0.3 <= time.monotonic() - started < 10
        assert client.get_httpx_client().timeout == httpx.Timeout(30.0)  # the client it came from is untouched
