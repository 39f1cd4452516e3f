"""Request heads are bounded in time and size by the server itself, over real sockets."""

import json
import socket
import time
from collections.abc import Iterator

import pytest

from tests.conftest import UNLIMITED
from tests.database import ScratchDatabases
from tests.live import LiveServer

HEAD_SECONDS = 0.5
# uvloop's timers count whole milliseconds from the time its loop last read the clock: one may
# fire up to a millisecond before its time.
TIMER_GRAIN = 0.002
# Half-second deadlines: alone, not beside other tests that take the cores. And once: what is
# tested here happens before any database is asked.
pytestmark = [pytest.mark.serial, pytest.mark.sqlite]


@pytest.fixture(scope="module")
def server(databases: ScratchDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the module: each test opens connections of its own."""
    directory = tmp_path_factory.mktemp("http")
    env = {
        **UNLIMITED,
        "REQUEST_HEAD_TIMEOUT_SECONDS": str(HEAD_SECONDS),
        "MAX_REQUEST_HEAD_BYTES": "4096",
        "EXPORT_DIR": str(directory / "exports"),
    }
    url = databases.new(directory)
    with LiveServer(url, env) as server:
        yield server
    databases.drop(url)


def connect(server: LiveServer) -> socket.socket:
    """A connection on which a server that never answers fails the test (socket.timeout), not hangs it."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=15)
    return connection


def read_all(connection: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def receive(connection: socket.socket) -> bytes:
    chunk = connection.recv(65536)
    assert chunk, "the server closed the connection"
    return chunk


class Answers:
    """Whole answers with a Content-Length, one after another, on a connection that stays open: what
    arrives of the next with one (a loaded server may write two at once) is kept for it."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.received = b""

    def next(self) -> bytes:
        while b"\r\n\r\n" not in self.received:
            self.received += receive(self.connection)
        head, _, rest = self.received.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        while len(rest) < length:
            rest += receive(self.connection)
        self.received = rest[length:]
        return head + b"\r\n\r\n" + rest[:length]


def problem(answer: bytes, status: int) -> dict[str, object]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert headers["content-type"] == "application/problem+json" and headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff"
    document: dict[str, object] = json.loads(body)
    assert document["status"] == status
    return document


def test_a_head_larger_than_the_limit_is_431(server: LiveServer) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(100):
                connection.sendall(b"X-Padding: " + b"a" * 1000 + b"\r\n")
        except OSError:
            pass  # closed while we were still sending: the answer was already written
        document = problem(read_all(connection), 431)
    assert document["detail"] == "The request line and header fields are larger than 4096 bytes."


def test_a_head_larger_than_the_limit_is_431_when_it_arrives_in_one_piece(server: LiveServer) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 8000 + b"\r\n\r\n")
        document = problem(read_all(connection), 431)
    assert document["detail"] == "The request line and header fields are larger than 4096 bytes."


def test_a_field_larger_than_the_limit_is_431_when_it_straddles_two_pieces(server: LiveServer) -> None:
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 3000)
        time.sleep(0.2)  # the rest in a chunk of its own, smaller than the limit
        connection.sendall(b"a" * 3000 + b"\r\n\r\n")
        document = problem(read_all(connection), 431)
    assert document["detail"] == "The request line and header fields are larger than 4096 bytes."


def test_a_head_that_arrives_too_slowly_is_408(server: LiveServer) -> None:
    started = time.monotonic()  # the server's clock starts when the connection opens
    with connect(server) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\n")
        time.sleep(0.2)
        connection.sendall(b"Host: x\r\n")  # still not whole
        document = problem(read_all(connection), 408)
        took = time.monotonic() - started
    assert took >= HEAD_SECONDS - TIMER_GRAIN
    assert document["detail"] == "The request line and header fields did not arrive within 0.5 seconds."


def test_a_connection_that_sends_nothing_is_closed(server: LiveServer) -> None:
    started = time.monotonic()
    with connect(server) as connection:
        assert read_all(connection) == b""
    assert time.monotonic() - started >= HEAD_SECONDS - TIMER_GRAIN


def test_kept_alive_connections_and_slow_bodies_are_left_alone(server: LiveServer) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with connect(server) as connection:
        answers = Answers(connection)
        for _ in range(3):
            connection.sendall(request)
            assert answers.next().startswith(b"HTTP/1.1 200 ")
            time.sleep(HEAD_SECONDS * 2)  # idle between requests: uvicorn's keep-alive (5 s) decides
    # Pieces of a head are fine while the whole arrives in time.
    with connect(server) as connection:
        for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            connection.sendall(piece)
            time.sleep(HEAD_SECONDS / 4)
        assert Answers(connection).next().startswith(b"HTTP/1.1 200 ")
    # Once the head is whole, the request may take longer (its body has a time limit of its own).
    body = json.dumps({"email": "slow@example.com", "password": "correct horse battery", "displayName": "S"})
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for half in (body[:10], body[10:]):
            time.sleep(HEAD_SECONDS * 1.5)
            connection.sendall(half.encode())
        assert Answers(connection).next().startswith(b"HTTP/1.1 201 ")


def test_what_is_not_http_gets_a_400_problem(server: LiveServer) -> None:
    with connect(server) as connection:
        connection.sendall(b"\x16\x03\x01 not HTTP at all\r\n\r\n")
        document = problem(read_all(connection), 400)
    assert document["detail"] == "The request is not valid HTTP/1.1."


def test_a_pipelined_request_after_a_large_body_is_no_large_head(server: LiveServer) -> None:
    body = json.dumps({"email": "big@example.com", "password": "x" * 60_000, "displayName": "B"}).encode()
    with connect(server) as connection:
        connection.sendall(
            b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
            + b"GET /healthz HTTP/1.1\r\n"
        )
        time.sleep(0.2)  # the next head is not whole in the chunk that ends the body
        connection.sendall(b"Host: x\r\n\r\n")
        answers = Answers(connection)
        first, second = answers.next(), answers.next()
    assert first.startswith(b"HTTP/1.1 422 ")  # the password is too long for the contract
    assert second.startswith(b"HTTP/1.1 200 ")
