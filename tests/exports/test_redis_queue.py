"""The saq backend against the machine's real Redis: a service, a separate worker process, a crash."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import insert, update

from bench.servers import free_port
from service.tables import Export, Task
from tests.admin.office import ADMIN_APP, Operator, make_operator, run_sql
from tests.kit.test_metrics import eventually, value
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
        "REDIS_NAMESPACE": name,
        "EXPORT_DIR": str(tmp_path / "exports"),
    }
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)


def start_worker(env: dict[str, str], log: Path | None = None) -> subprocess.Popen[bytes]:
    """`log` takes what the worker writes, to standard output and error."""
    with nullcontext() if log is None else log.open("wb") as output:  # the worker keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "saq", "--quiet", "service.exports.redis_queue.worker_settings"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=output,
        )


def answering(port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/metrics").raise_for_status()
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"nothing answered on port {port} within 20 s"
            time.sleep(0.05)


def json_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def new_project(client: httpx.Client, email: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A new account's bearer header, and a project of theirs."""
    body = {"email": email, "password": "correct horse battery", "displayName": email[0].upper()}
    client.post("/v1/users", json=body).raise_for_status()
    token = client.post("/v1/tokens", json={"email": email, "password": body["password"]}).json()
    headers = {"Authorization": f"Bearer {token['accessToken']}"}
    return headers, client.post("/v1/projects", json={"name": "P"}, headers=headers).json()


def wait_for(client: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        export: dict[str, object] = client.get(url, headers=headers).json()
        if export["status"] in ("succeeded", "failed"):
            return export
        time.sleep(0.1)
    raise AssertionError(f"{url} did not finish: {export}")


def test_a_worker_process_runs_exports_and_takes_up_what_was_left(queue_env: dict[str, str], tmp_path: Path) -> None:
    with LiveServer(queue_env["DATABASE_URL"], queue_env) as server, httpx.Client(base_url=server.url) as client:
        headers, project = new_project(client, "q@example.com")
        for i in range(5):
            client.post(f"/v1/projects/{project['id']}/tasks", json={"title": f"T{i}"}, headers=headers)

        # No worker yet: the export waits, queued.
        early = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
        time.sleep(0.5)
        assert client.get(early.headers["location"], headers=headers).json()["status"] == "queued"

        # The worker serves its own metrics, on a port of its own.
        metrics_port = free_port()
        log = tmp_path / "worker.log"
        worker = start_worker({**queue_env, "METRICS_PORT": str(metrics_port), "LOG_FORMAT": "json"}, log)
        try:
            assert wait_for(client, early.headers["location"], headers)["status"] == "succeeded"
            later = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "ndjson"}, headers=headers)
            done = wait_for(client, later.headers["location"], headers)
            content = client.get(f"{later.headers['location']}/content", headers=headers)
            samples = eventually(
                metrics_port, lambda found: value(found, "taskboard_export_jobs_total", status="succeeded") == 2
            )
        finally:
            stop(worker)
    assert done["rowCount"] == 5
    assert len(content.text.splitlines()) == 5
    assert value(samples, "taskboard_export_jobs_total", status="running") == 2
    assert value(samples, "taskboard_export_jobs_total", status="failed") == 0
    # The worker logs as the service does: JSON, every line of its own.
    lines = json_lines(log)
    assert lines and all({"time", "level", "logger", "message"} <= line.keys() for line in lines)


@pytest.mark.once  # the trace's links, whatever the database
def test_an_export_in_a_worker_is_a_span_linked_to_the_request_that_queued_it(
    queue_env: dict[str, str], tmp_path: Path
) -> None:
    # Spans printed a line each; each process sends what it still holds when it stops.
    traced = {**queue_env, "OTEL_TRACES_EXPORTER": "console", "OTEL_TRACES_SAMPLER": "always_on", "LOG_FORMAT": "json"}
    service_log, worker_log = tmp_path / "service.log", tmp_path / "worker.log"
    metrics_port = free_port()
    # The worker first, ready once its metrics answer: a worker that starts finds queued exports and
    # queues them again, in jobs of its own that carry no trace.
    worker = start_worker({**traced, "METRICS_PORT": str(metrics_port)}, worker_log)
    try:
        answering(metrics_port)
        with (
            LiveServer(queue_env["DATABASE_URL"], traced, log=service_log) as server,
            httpx.Client(base_url=server.url) as client,
        ):
            headers, project = new_project(client, "t@example.com")
            queued = client.post(
                f"/v1/projects/{project['id']}/exports",
                json={"format": "csv"},
                headers={**headers, "X-Request-ID": "queued-through-redis"},
            )
            assert queued.status_code == 202
            assert wait_for(client, queued.headers["location"], headers)["status"] == "succeeded"
    finally:
        stop(worker)
    served = [line for line in json_lines(service_log) if "context" in line]
    ran = [line for line in json_lines(worker_log) if "context" in line]
    [request] = [s for s in served if s["attributes"].get("taskboard.request_id") == "queued-through-redis"]
    assert request["name"] == "createExport" and request["kind"] == "SpanKind.SERVER"
    [job] = [s for s in ran if s["name"] == "export"]
    assert [link["context"]["span_id"] for link in job["links"]] == [request["context"]["span_id"]]
    assert job["attributes"] == {"taskboard.export_id": queued.json()["id"], "taskboard.export_status": "succeeded"}
    assert [s for s in ran if s["parent_id"] == job["context"]["span_id"]], "the job's statements are its children"


def test_an_export_an_operator_queues_again_is_handed_to_the_workers(queue_env: dict[str, str], tmp_path: Path) -> None:
    database_url = queue_env["DATABASE_URL"]
    make_operator(database_url, "ops@example.com")
    with (
        LiveServer(database_url, queue_env) as api,
        LiveServer(database_url, queue_env, app=ADMIN_APP) as office,
        httpx.Client(base_url=api.url) as client,
    ):
        headers, project = new_project(client, "q@example.com")
        worker = start_worker(queue_env)
        try:
            export = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
            location = export.headers["location"]
            assert wait_for(client, location, headers)["status"] == "succeeded"
            run_sql(database_url, update(Export).values(status="failed", error="disk full"))
            assert client.get(location, headers=headers).json()["status"] == "failed"

            with Operator(office.url) as operator:
                operator.sign_in("ops@example.com")
                export_id = export.json()["id"]
                queued = operator.act(f"/export/requeue/{export_id}", f"/export/details/{export_id}")
                assert queued.status_code == 303
            # A running worker takes it up: no restart, no sweep.
            assert wait_for(client, location, headers)["status"] == "succeeded"
        finally:
            stop(worker)


@pytest.mark.once  # the queue's and the worker's part, whatever the database
def test_an_export_whose_hand_off_failed_is_run_by_a_running_workers_sweep(
    queue_env: dict[str, str], tmp_path: Path
) -> None:
    """Redis was away when the service handed the export over (202 all the same): the worker, running
    all along, finds it queued at its next sweep, without a restart."""
    metrics_port = free_port()
    worker = start_worker({**queue_env, "EXPORT_SWEEP_SECONDS": "0.5", "METRICS_PORT": str(metrics_port)})
    try:
        answering(metrics_port)
        alive = httpx.get(f"http://127.0.0.1:{metrics_port}/healthz")  # the worker's liveness probe
        assert (alive.status_code, alive.text) == (200, "ok\n")
        away = {**queue_env, "REDIS_URL": "redis://127.0.0.1:1/0"}
        with LiveServer(queue_env["DATABASE_URL"], away) as server, httpx.Client(base_url=server.url) as client:
            headers, project = new_project(client, "h@example.com")
            export = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
            assert export.status_code == 202
            assert wait_for(client, export.headers["location"], headers)["status"] == "succeeded"
        # The queue's gauges are as of the last sweep: the next one finds nothing left.
        samples = eventually(
            metrics_port,
            lambda s: (
                value(s, "taskboard_export_jobs_total", status="succeeded") == 1
                and value(s, "taskboard_export_queue_depth") == 0
            ),
        )
    finally:
        stop(worker)
    assert value(samples, "taskboard_export_oldest_queued_seconds") == 0


@pytest.mark.once  # the queue's and the worker's part, whatever the database
def test_a_worker_stopped_mid_export_gives_it_back_and_the_next_runs_it(queue_env: dict[str, str]) -> None:
    """SIGTERM: the running export is cancelled and queued again at once, not left running under a
    lease that another worker waits out."""
    database_url = queue_env["DATABASE_URL"]
    with LiveServer(database_url, queue_env) as server, httpx.Client(base_url=server.url) as client:
        headers, project = new_project(client, "s@example.com")
        now = datetime.now(UTC)
        many = [
            {"project_id": project["id"], "title": f"T{n}", "status": "todo", "created_at": now, "updated_at": now}
            for n in range(20_000)
        ]
        for start in range(0, len(many), 5_000):  # PostgreSQL takes at most 32767 parameters a statement
            run_sql(database_url, insert(Task).values(many[start : start + 5_000]))
        worker = start_worker(queue_env)
        try:
            export = client.post(f"/v1/projects/{project['id']}/exports", json={"format": "ndjson"}, headers=headers)
            location = export.headers["location"]
            deadline = time.monotonic() + 20
            while (status := client.get(location, headers=headers).json()["status"]) != "running":
                assert status == "queued" and time.monotonic() < deadline, f"the export is {status}, not running"
                time.sleep(0.02)
        finally:
            stop(worker)
        assert client.get(location, headers=headers).json()["status"] == "queued"
        again = start_worker(queue_env)
        try:
            done = wait_for(client, location, headers)
        finally:
            stop(again)
    assert done["status"] == "succeeded" and done["rowCount"] == 20_000
