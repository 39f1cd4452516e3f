"""`make run` and `make admin` serve as the README says: the service's bounds on request heads, and
forwarded headers believed from no proxy unless FORWARDED_ALLOW_IPS names it."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from bench.servers import ROOT, Server, free_port
from tests.live import CHEAP_PASSWORDS

# What the Makefile passes to uvicorn is the same on either database: once.
pytestmark = pytest.mark.once


@pytest.mark.parametrize(("trusted", "statuses"), [("", [401, 401, 401, 429]), ("127.0.0.1", [401] * 4)])
def test_make_run_believes_forwarded_addresses_from_forwarded_allow_ips_only(
    database_url: str, trusted: str, statuses: list[int]
) -> None:
    # Three public requests a minute per address; each claims to come from another one.
    env = {"DATABASE_URL": database_url, "RATE_LIMIT_PER_ADDRESS": "3", "DRAIN_SECONDS": "0", **CHEAP_PASSWORDS}
    if trusted:
        env["FORWARDED_ALLOW_IPS"] = trusted
    with Server(["make", "-s", "run", "PORT={port}"], ready_path="/healthz", env=env, logs_to_file=True) as api:
        answers = [
            httpx.post(
                f"{api.url}/v1/tokens",
                json={"email": "nobody@example.com", "password": "not a password"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            for n in range(4)
        ]
    assert [answer.status_code for answer in answers] == statuses


def test_make_admin_bounds_request_heads_and_bodies(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "DRAIN_SECONDS": "0", **CHEAP_PASSWORDS}
    admin = ["make", "-s", "admin", "ADMIN_PORT={port}"]
    with Server(admin, ready_path="/healthz", env=env, logs_to_file=True) as office:
        huge = httpx.get(f"{office.url}/login", headers={"X-Padding": "x" * 100_000})
        assert huge.status_code == 431
        assert huge.headers["content-type"] == "application/problem+json"
        large = httpx.post(f"{office.url}/login", data={"email": "x" * 1_000_000}, headers={"Origin": office.url})
        assert large.status_code == 413


def test_make_run_writes_one_json_stream_that_the_runbooks_jq_reads(database_url: str, tmp_path: Path) -> None:
    """Every line that `make run` writes (the schema's check, uvicorn's supervisor and workers, the
    service) is a JSON object, so that docs/operations.md's `jq` reads the whole log."""
    log = tmp_path / "service.log"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_FORMAT": "json", "DRAIN_SECONDS": "0", **CHEAP_PASSWORDS}
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "-s", "run", f"PORT={port}", "WORKERS=2"],
            env=env,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
        answer = httpx.get(f"http://127.0.0.1:{port}/v1/users/me", headers={"X-Request-ID": "runbook-0001"})
        assert answer.status_code == 401
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert [line for line in lines if not line.startswith("{")] == []
    assert {json.loads(line)["logger"] for line in lines} >= {"uvicorn.error", "taskboard.access"}
    # The runbook's first step, as docs/operations.md writes it.
    runbook = (ROOT / "docs" / "operations.md").read_text()
    assert "`jq 'select(.requestId == \"3f0c…\")' service.log`" in runbook
    found = subprocess.run(
        ["jq", "-c", 'select(.requestId == "runbook-0001")', str(log)], capture_output=True, text=True, check=True
    )
    [line] = [json.loads(line) for line in found.stdout.splitlines()]
    assert (line["logger"], line["message"], line["status"]) == ("taskboard.access", "GET /v1/users/me 401", 401)
