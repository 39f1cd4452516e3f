"""A real uvicorn process on a free port, for tests that go over HTTP."""

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

from bench.servers import free_port
from service.kit.protocol import UVICORN_HTTP

# Argon2id at its least cost: each test signs up and in several times, and the suite runs on two cores.
# The production cost is the default, checked in tests/kit/test_passwords.py, and the burst test keeps it.
CHEAP_PASSWORDS = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "64", "PASSWORD_HASH_PARALLELISM": "1"}
ROOT = Path(__file__).resolve().parent.parent
# As `make run` serves: with the service's bounds on request heads; requests still running 8 s into
# a graceful shutdown are cut off (streams end at the signal; this bounds a client that stops reading).
SERVE_OPTIONS = ("--http", UVICORN_HTTP, "--timeout-graceful-shutdown", "8")


class LiveServer:
    """`workers` > 1 serves with uvicorn's worker processes; `log` takes the server's output; `app` is
    the factory (the service's, or a test's that adds to it)."""

    def __init__(
        self,
        database_url: str,
        env: Mapping[str, str] | None = None,
        *,
        workers: int = 1,
        log: Path | None = None,
        app: str = "service.app:create_app",
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # As `make run`: forwarded headers believed from no proxy, unless the test names one.
        # Stopped at once: a test that drains says so (tests/reliability/test_shutdown.py).
        base = {"FORWARDED_ALLOW_IPS": "", "DATABASE_URL": database_url, "DRAIN_SECONDS": "0", **CHEAP_PASSWORDS}
        self.env = {**os.environ, **base, **(env or {})}
        self.workers = workers
        self.log = log
        self.app = app
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def start(self) -> "LiveServer":
        """Starts (or starts again, on the same port) and waits until it answers."""
        command = [
            *(sys.executable, "-m", "uvicorn", "--factory", self.app),
            *("--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)),
            *(("--no-access-log",) if self.log is None else ()),
            *SERVE_OPTIONS,
        ]
        output = None if self.log is None else self.log.open("ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=output, stderr=output)
        if output is not None:
            output.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("uvicorn did not answer /healthz within 20 s")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
