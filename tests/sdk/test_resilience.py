"""What a script using the Python SDK survives without code of its own: a burst of 429s, a restart
of the service, a slow answer or one that stalls midway; and what it must not do: repeat a create
that carries no key."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

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
        with (
            AuthenticatedClient(base_url=server.url, token=token, max_retries=0) as impatient,
            pytest.raises(httpx.ConnectError),
        ):
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


class StallingServer:
    """A real HTTP server, scripted: its first answer stops midway through the JSON body and never
    ends; every later one is whole. Counts the requests it reads."""

    USER = (
        b'{"id": 7, "email": "s@example.com", "displayName": "S",'
        b' "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}'
    )

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.requests.append(connection.recv(65536).split(b"\r\n", 1)[0])
            threading.Thread(target=self._answer, args=(connection, len(self.requests) == 1), daemon=True).start()

    def _answer(self, connection: socket.socket, stall: bool) -> None:
        with connection:
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(self.USER)}\r\n"
            connection.sendall(head.encode() + b"Connection: close\r\n\r\n")
            if stall:
                connection.sendall(self.USER[:20])
                self._stop.wait(30)  # until the test ends
            else:
                connection.sendall(self.USER)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture
def stalling() -> Iterator[StallingServer]:
    server = StallingServer()
    yield server
    server.close()


def test_an_answer_that_stalls_midway_is_tried_again(stalling: StallingServer) -> None:
    with AuthenticatedClient(base_url=stalling.url, token="t", timeout=httpx.Timeout(0.5)) as client:
        started = time.monotonic()
        answer = get_current_user.sync_detailed(client=client)
    assert answer.status_code == 200 and isinstance(answer.parsed, User) and answer.parsed.id == 7
    assert stalling.requests == [b"GET /v1/users/me HTTP/1.1"] * 2
    assert 0.5 <= time.monotonic() - started < 10
    assert answer.headers["content-length"] == str(len(StallingServer.USER))


def test_an_async_answer_that_stalls_midway_is_tried_again(stalling: StallingServer) -> None:
    async def call() -> User | None:
        async with AuthenticatedClient(base_url=stalling.url, token="t", timeout=httpx.Timeout(0.5)) as client:
            answer = await get_current_user.asyncio_detailed(client=client)
            return answer.parsed if isinstance(answer.parsed, User) else None

    user = asyncio.run(call())
    assert user is not None and user.email == "s@example.com"
    assert len(stalling.requests) == 2


def test_a_create_without_a_key_that_stalls_midway_is_not_repeated(stalling: StallingServer) -> None:
    with (
        AuthenticatedClient(base_url=stalling.url, token="t", timeout=httpx.Timeout(0.5)) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        create_project.sync_detailed(client=client, body=ProjectCreate(name="Once"))
    assert stalling.requests == [b"POST /v1/projects HTTP/1.1"]
