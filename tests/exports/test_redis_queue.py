"""The saq backend against the machine's real Redis: a service, a separate worker process, a crash."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.live import ROOT, LiveServer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def queue_env(database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); .ci/run starts one")
    name = f"taskboard-test-{uuid.uuid4().hex}"
    yield {
        "DATABASE_URL": database_url,
        "EXPORT_QUEUE": "saq",
        "REDIS_URL": REDIS_URL,
        "EXPORT_QUEUE_NAME": name,
        "EXPORT_DIR": str(tmp_path / "exports"),
    }
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "saq", "service.exports.redis_queue.worker_settings"],
        cwd=ROOT,
        env={**os.environ, **env},
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(client: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        export: dict[str, object] = client.get(url, headers=headers).json()
        if export["status"] in ("succeeded", "failed"):
            return export
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish: {export}")


def test_a_worker_process_runs_exports_and_takes_up_what_was_left(queue_env: dict[str, str]) -> None:
    with LiveServer(queue_env["DATABASE_URL"], queue_env) as server, httpx.Client(base_url=server.url) as client:
        body = {"email": "q@example.com", "password": "correct horse battery", "displayName": "Q"}
        client.post("/v1/users", json=body).raise_for_status()
        token = client.post("/v1/tokens", json={"email": body["email"], "password": body["password"]}).json()
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        project = client.post("/v1/projects", json={"name": "P"}, headers=headers).json()
        for i in range(5):
            client.post(f"/v1/projects/{project['id']}/tasks", json={"title": f"T{i}"}, headers=headers)

        # No worker yet: the export waits, queued.
        early = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
        time.sleep(0.5)
        assert client.get(early.headers["location"], headers=headers).json()["status"] == "queued"

        worker = start_worker(queue_env)
        try:
            assert wait_for(client, early.headers["location"], headers)["status"] == "succeeded"
            later = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "ndjson"}, headers=headers)
            done = wait_for(client, later.headers["location"], headers)
            content = client.get(f"{later.headers['location']}/content", headers=headers)
        finally:
            stop(worker)
    assert done["rowCount"] == 5
    assert len(content.text.splitlines()) == 5
