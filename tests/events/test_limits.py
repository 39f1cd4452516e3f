"""What one user's streams may hold: a few slots each, and little memory and no connection for long
once their client stops reading."""

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

from service.events.slots import StreamSlots
from service.kit.database import Database
from service.settings import Settings
from service.tables import ProjectEvent
from tests.conftest import UNLIMITED
from tests.events.conftest import serve, until
from tests.factories import SignedIn, another_token, assert_problem, create_project, sign_up
from tests.live import LiveServer

# The caps, the protocol and the bounded batches are the process's, whatever the database: once.
pytestmark = pytest.mark.once

STALLED = 100
# The backlog each stalled stream replays: far more than the kernel's buffers take.
EVENTS, EVENT_BYTES = 600, 10_000
# What one more stalled stream may cost its server's memory: a batch of the backlog (32 Ki characters)
# and one write, beside its request's own objects (about 75 KiB in this stack). Measured: 105-125 KiB.
PER_STREAM_BYTES = 160 * 1024


async def test_streams_are_capped_per_token_and_per_user(settings: Settings) -> None:
    async with serve(settings.model_copy(update={"stream_limit_per_token": 2, "stream_limit_per_user": 3})) as served:
        client = served.client
        ada = await sign_up(client)
        second = await another_token(client, ada)
        project = await create_project(client, ada)
        url = f"/v1/projects/{project['id']}/events"
        async with contextlib.AsyncExitStack() as streams:
            for _ in range(2):
                opened = await streams.enter_async_context(client.stream("GET", url, headers=ada.headers))
                assert opened.status_code == 200
            refused = await client.get(url, headers=ada.headers)
            body = assert_problem(refused, 429)
            assert body["detail"] == "This token has 2 event streams open; close one."
            assert refused.headers["retry-after"] == "10"
            # The user's third stream, with another token; then the user's cap.
            opened = await streams.enter_async_context(client.stream("GET", url, headers=second.headers))
            assert opened.status_code == 200
            refused = await client.get(url, headers=second.headers)
            assert assert_problem(refused, 429)["detail"] == "This user has 3 event streams open; close one."
            # Another user is not held back by Ada's streams.
            bob = await sign_up(client)
            theirs = await create_project(client, bob)
            url_of_theirs = f"/v1/projects/{theirs['id']}/events"
            opened = await streams.enter_async_context(client.stream("GET", url_of_theirs, headers=bob.headers))
            assert opened.status_code == 200
        # Closed streams give their slots back.
        slots: StreamSlots = served.app.state.stream_slots
        await until(lambda: not slots.users and not slots.tokens)
        async with client.stream("GET", url, headers=ada.headers) as again:
            assert again.status_code == 200


# Not serial: what it measures is its own server's memory, which other tests' work does not move.
def test_stalled_streams_hold_little_memory_and_others_are_answered(database_url: str, tmp_path: Path) -> None:
    env = {**UNLIMITED, "STREAM_LIMIT_PER_USER": str(STALLED + 20), "STREAM_LIMIT_PER_TOKEN": str(STALLED + 20)}
    with LiveServer(database_url, {**env, "SEND_TIMEOUT_SECONDS": "120"}) as server:
        ada, project_id = asyncio.run(_long_log(server, database_url))
        stream = _stream_request(project_id, ada.token)
        _read_whole_backlog(server, stream)  # warm: the code paths, the caches
        # Measured from 20 stalled streams on, which fill the database's pool: what each connection
        # of it keeps (a page cache) is bounded by the pool, not by the streams.
        with _stalled(server, stream, 20):
            _until_steady(server)
            before = _rss(server)
            with _stalled(server, stream, STALLED):
                _until_steady(server)
                during = _rss(server)
                asyncio.run(_others_answered(server, ada))
        grown = during - before
    assert grown <= STALLED * PER_STREAM_BYTES, f"{STALLED} stalled streams took {grown / 2**20:.1f} MiB"


def test_a_stalled_stream_is_cut_after_the_send_timeout(database_url: str) -> None:
    with LiveServer(database_url, {**UNLIMITED, "SEND_TIMEOUT_SECONDS": "1"}) as server:
        ada, project_id = asyncio.run(_long_log(server, database_url))
        with _stalled(server, _stream_request(project_id, ada.token), 3) as sockets:
            assert _held(server, sockets) == 3
            # The kernel's buffers fill first (a few MiB on loopback), then a second goes by.
            deadline = time.monotonic() + 20
            while _held(server, sockets) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _held(server, sockets) == 0, "the stalled connections are still open"
            for sock in sockets:  # cut short, not ended: no last chunk, and the client resumes
                assert not _rest(sock).endswith(b"\r\n0\r\n\r\n")
        # Their slots went with them: the token's cap (6) of streams opens again.
        with _stalled(server, _stream_request(project_id, ada.token), 6):
            pass


def _rest(sock: socket.socket) -> bytes:
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(1 << 20):
            received = received[-16:] + chunk
    return received


async def _long_log(server: LiveServer, database_url: str) -> tuple[SignedIn, int]:
    """A user and a project with a long event log, written while the server is stopped (so that its
    relay does not announce these old events to the streams as new)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        ada = await sign_up(client)
        project = await create_project(client, ada)
    server.stop()
    database = Database(Settings(database_url=database_url))
    try:
        now = datetime.now(UTC)
        data = json.dumps({"id": 1, "description": "x" * EVENT_BYTES})
        rows = [{"project_id": project["id"], "event": "task.updated", "data": data, "created_at": now}] * EVENTS
        async with database.writer() as session, session.begin():
            await session.execute(insert(ProjectEvent), rows)
    finally:
        await database.dispose()
    server.start()
    return ada, project["id"]


def _stream_request(project_id: int, token: str) -> bytes:
    return (
        f"GET /v1/projects/{project_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nLast-Event-ID: 0\r\n\r\n"
    ).encode()


@contextlib.contextmanager
def _stalled(server: LiveServer, request: bytes, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that ask for the stream, take its first bytes, then read nothing more."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: stalls sooner
            sock.settimeout(10)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(request)
            assert sock.recv(15).startswith(b"HTTP/1.1 200")
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _read_whole_backlog(server: LiveServer, request: bytes) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        received = 0
        while received < EVENTS * EVENT_BYTES:
            chunk = sock.recv(1 << 20)
            assert chunk, "the stream ended before its backlog"
            received += len(chunk)


def _until_steady(server: LiveServer) -> None:
    """Until the server's memory stops growing: every stalled stream is waiting on its client."""
    last, steady = _rss(server), 0
    deadline = time.monotonic() + 30
    while steady < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
        now = _rss(server)
        steady = steady + 1 if abs(now - last) < 256 * 1024 else 0
        last = now


async def _others_answered(server: LiveServer, ada: SignedIn) -> None:
    # Answered at all, not fast: beside the other tests' servers on two cores, a sign-up's password
    # hashing alone has taken more than 5 s.
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        assert (await client.get("/healthz")).status_code == 200
        bob = await sign_up(client)  # sign-up and sign-in
        assert (await client.get("/v1/projects", headers=bob.headers)).status_code == 200


def _rss(server: LiveServer) -> int:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kib) * 1024


def _held(server: LiveServer, sockets: list[socket.socket]) -> int:
    """How many of these clients' connections the server still holds open (its ends in /proc/net/tcp
    that a file descriptor holds: a closed socket's unsent bytes go on without one)."""
    ours = {sock.getsockname()[1] for sock in sockets}
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server.port and int(remote.split(":")[1], 16) in ours and inode != "0":
            held += 1
    return held
