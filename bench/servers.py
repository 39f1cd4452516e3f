"""Processes the bench starts and stops: uvicorn serving an app, and the static responder."""

import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from service.kit.protocol import UVICORN_HTTP

if TYPE_CHECKING:
    from bench.seed import Seeded

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# As in production (and `make run`): uvloop, httptools, no access log.
PRODUCTION = ("--loop", "uvloop", "--no-access-log", "--log-level", "warning")


# Ports for servers: below the kernel's ephemeral range, which the outgoing side of every client
# connection takes its port from, so that none can take a port between its choice and a server's
# bind; each pytest-xdist worker (gw0, gw1, ...) draws from a slice of its own, so that no two
# choose the same one either.
_EPHEMERAL_LOW = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
_SLICE = 500
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_first = _EPHEMERAL_LOW - _SLICE * (_WORKER + 1)
# Started at a place of the process's own: two test runs at once seldom try the same port.
_ports = itertools.cycle(_first + (os.getpid() + n) % _SLICE for n in range(_SLICE))


def free_port() -> int:
    """A port of 127.0.0.1 that nothing is bound to now, nor will be but for the server it is for."""
    for _ in range(_SLICE):
        port = next(_ports)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or left in TIME_WAIT by a server that stopped
            return port
    raise RuntimeError(f"no free port below {_EPHEMERAL_LOW} for this process")


class Server:
    """A process serving on a free port of 127.0.0.1, ready once `ready_path` answers 200."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        ready_path: str = "/",
        ready_headers: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        logs_to_file: bool = False,
        cwd: Path = ROOT,
    ) -> None:
        """`cwd`: the checkout whose code serves (another build's, for an A/B run)."""
        self.port = free_port()
        # The service logs a line per request: to a file, as in production, not to the terminal.
        self.logs_to_file = logs_to_file
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [part.replace("{port}", str(self.port)) for part in command]
        self.ready = urllib.request.Request(self.url + ready_path, headers=dict(ready_headers or {}))
        self.env = {**os.environ, **(env or {})}
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @classmethod
    def uvicorn(
        cls, app: str, *, workers: int = 1, factory: bool = False, http: str = "httptools", **options: object
    ) -> "Server":
        command = [sys.executable, "-m", "uvicorn", app, "--port", "{port}", "--workers", str(workers), *PRODUCTION]
        command += ["--http", http]
        return cls([*command, *(["--factory"] if factory else [])], **options)  # type: ignore[arg-type]

    def __enter__(self) -> "Server":
        started = time.perf_counter()
        output = tempfile.TemporaryFile() if self.logs_to_file else None
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, start_new_session=True, stdout=output, stderr=output
        )
        if output is not None:
            output.close()  # the server has its own descriptor
        deadline = started + 30
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.command} exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.ready, timeout=1) as response:
                    if response.status == 200:
                        self.startup_seconds = time.perf_counter() - started
                        return self
            except (OSError, http.client.HTTPException):  # refused, reset, or not answered within 1 s
                time.sleep(0.01)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{self.command} did not answer within 30 s")

    def cpu_seconds(self) -> float:
        """The user and system CPU time that the server's processes (its session: uvicorn's supervisor
        and workers) have spent so far."""
        assert self.process is not None
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # a process that ended meanwhile
                continue
            if int(fields[3]) == self.process.pid:  # its session id (field 6 of proc(5))
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / CLOCK_TICKS

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def service(seeded: "Seeded", workers: int = 1, env: dict[str, str] | None = None, cwd: Path = ROOT) -> Server:
    """Taskboard as in production on `seeded`'s database, with rate limits counted but never reached."""
    env = {
        "DATABASE_URL": seeded.url,
        "WEB_CONCURRENCY": str(workers),
        # Counted on every request as always, but never refusing the load.
        "RATE_LIMIT_PER_USER": "1000000000",
        "RATE_LIMIT_PER_ADDRESS": "1000000000",
        # The streams of the "streams open" figures are one user's, on one token.
        "STREAM_LIMIT_PER_USER": "1000000000",
        "STREAM_LIMIT_PER_TOKEN": "1000000000",
        # Stopped at once: no load balancer to drain from.
        "DRAIN_SECONDS": "0",
        **(env or {}),
    }
    ready = f"/v1/projects/{seeded.small_project}/tasks/1"
    headers = {"Authorization": f"Bearer {seeded.token}"}
    return Server.uvicorn(
        "service.app:create_app",
        factory=True,
        workers=workers,
        # httptools, with the service's bounds on request heads.
        http=UVICORN_HTTP,
        env=env,
        ready_path=ready,
        ready_headers=headers,
        logs_to_file=True,
        cwd=cwd,
    )
