"""Prometheus metrics on METRICS_PORT, scraped from a real server after real requests: each counter
moves by exactly what was sent, with one worker process and with two."""

import os
import re
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import free_port
from service.kit.metrics import SCRAPE_SECONDS
from tests.conftest import UNLIMITED
from tests.factories import PASSWORD, new_user
from tests.live import ROOT, LiveServer

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(port: int) -> Samples:
    answer = httpx.get(f"http://127.0.0.1:{port}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def requests(samples: Samples, operation: str, status: str) -> float:
    return value(samples, "taskboard_http_requests_total", operation=operation, status=status)


def eventually(port: int, check: Callable[[Samples], bool]) -> Samples:
    deadline = time.monotonic() + 10
    while not check(samples := scrape(port)):
        assert time.monotonic() < deadline, "the metrics did not come to what was expected within 10 s"
        time.sleep(0.05)
    return samples


def test_every_metric_moves_by_what_was_done(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**UNLIMITED, "METRICS_PORT": str(port), "EXPORT_DIR": str(tmp_path / "exports")}
    env |= {"RATE_LIMIT_PER_USER": "4", "RATE_LIMIT_PERIOD": "PT1H"}
    with LiveServer(database_url, env) as live, httpx.Client(base_url=live.url) as client:
        account = {"email": "metered@example.com", "password": "correct horse battery"}
        assert client.post("/v1/users", json={**account, "displayName": "Metered"}).status_code == 201
        token = client.post("/v1/tokens", json=account).json()["accessToken"]
        auth = {"Authorization": f"Bearer {token}"}
        before = scrape(port)

        for _ in range(3):
            assert client.get("/healthz").status_code == 200
        for _ in range(2):
            assert client.get("/v1/users/me").status_code == 401
        assert client.get("/v1/nowhere").status_code == 404
        assert client.get("/metrics").status_code == 404  # not on the API's port
        project = client.post("/v1/projects", json={"name": "Metered"}, headers=auth).json()
        assert (
            client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=auth).status_code
            == 202
        )
        with client.stream("GET", f"/v1/projects/{project['id']}/events", headers=auth) as stream:
            assert stream.status_code == 200
            # Open, and holding no connection (background work, an export's or a token check's, may
            # hold one for a moment: waited out).
            during = eventually(
                port,
                lambda s: (
                    value(s, "taskboard_event_streams_open") == 1 and value(s, "taskboard_db_connections_in_use") == 0
                ),
            )
        # The user's fifth and sixth requests are over the limit of four.
        assert [client.get("/v1/users/me", headers=auth).status_code for _ in range(3)] == [200, 429, 429]
        # Background work may hold a connection for a moment here too: waited out, as above.
        after = eventually(
            port,
            lambda s: (
                value(s, "taskboard_export_jobs_total", status="succeeded") == 1
                and value(s, "taskboard_event_streams_open") == 0
                and value(s, "taskboard_db_connections_in_use") == 0
            ),
        )

    def moved(operation: str, status: str) -> float:
        return requests(after, operation, status) - requests(before, operation, status)

    assert moved("getHealth", "2xx") == 3
    assert moved("getCurrentUser", "4xx") == 4  # two without a token, two refused
    assert moved("none", "4xx") == 2  # /v1/nowhere and /metrics
    assert moved("createProject", "2xx") == moved("createExport", "2xx") == moved("streamProjectEvents", "2xx") == 1
    histogram = "taskboard_http_request_duration_seconds_count"
    assert (
        value(after, histogram, operation="getHealth", status="2xx")
        - value(before, histogram, operation="getHealth", status="2xx")
        == 3
    )
    assert (
        value(after, "taskboard_http_request_duration_seconds_bucket", operation="getHealth", status="2xx", le="+Inf")
        >= 3
    )
    assert [
        value(after, "taskboard_export_jobs_total", status=s) for s in ("queued", "running", "succeeded", "failed")
    ] == [1, 1, 1, 0]
    assert value(after, "taskboard_rate_limit_refusals_total", limit="user") == 2
    assert value(during, "taskboard_http_requests_in_flight") == 1  # the open stream
    assert value(after, "taskboard_http_requests_in_flight") == 0
    assert value(during, "taskboard_db_connections_in_use") == 0  # a stream holds none
    assert value(after, "taskboard_db_connections_in_use") == value(after, "taskboard_db_connections_waiting") == 0


@pytest.mark.once  # the metrics' files, whatever the database
def test_two_workers_report_every_request_whichever_served_it(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {
        **UNLIMITED,
        "METRICS_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "EXPORT_DIR": str(tmp_path / "exports"),
    }
    with LiveServer(database_url, env, workers=2) as live:
        before = scrape(port)
        for _ in range(40):  # a new connection each time: the kernel spreads them over the workers
            answer = httpx.get(f"{live.url}/v1/users/me")
            assert answer.status_code == 401
        after = scrape(port)
        again = scrape(port)
    assert requests(after, "getCurrentUser", "4xx") - requests(before, "getCurrentUser", "4xx") == 40
    assert requests(again, "getCurrentUser", "4xx") == requests(after, "getCurrentUser", "4xx")
    assert len({path.name.rsplit("_", 1)[-1] for path in shared.glob("counter_*.db")}) == 2, "both workers counted"


@pytest.mark.once  # the metrics port, whatever the database
def test_idle_connections_to_the_metrics_port_hold_no_thread_and_are_closed(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**UNLIMITED, "METRICS_PORT": str(port), "EXPORT_DIR": str(tmp_path / "exports")}
    with LiveServer(database_url, env) as live:
        assert live.process is not None
        threads = _threads(live.process.pid)
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(100)]
        try:
            opened = time.monotonic()
            assert value(scrape(port), "taskboard_http_requests_in_flight") == 0  # answered meanwhile
            assert _threads(live.process.pid) <= threads + 1  # where each connection took a thread
            for connection in idle:
                connection.recv(1)  # nothing comes; the server closes it after SCRAPE_SECONDS
            assert time.monotonic() - opened < SCRAPE_SECONDS + 3
        finally:
            for connection in idle:
                connection.close()


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


@pytest.mark.once  # the supervisor's, whatever the database
def test_a_killed_workers_requests_and_streams_leave_the_gauges(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**UNLIMITED, "METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    with LiveServer(database_url, env, workers=2) as live:
        assert live.process is not None
        with httpx.Client(base_url=live.url, timeout=10) as http:
            user = new_user()
            assert http.post("/v1/users", json=user).status_code == 201
            token = http.post("/v1/tokens", json={"email": user["email"], "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {token['accessToken']}"}
            project = http.post("/v1/projects", json={"name": "Kill"}, headers=headers).json()
            with http.stream("GET", f"/v1/projects/{project['id']}/events", headers=headers):
                eventually(port, lambda s: value(s, "taskboard_event_streams_open") == 1)
                workers = {int(path.stem.rsplit("_", 1)[1]) for path in shared.glob("gauge_livesum_*.db")}
                assert len(workers) == 2
                for pid in workers:
                    os.kill(pid, signal.SIGKILL)
        # The supervisor starts two new workers (one takes the metrics port again); the dead ones'
        # live gauges are gone from the sums.
        deadline = time.monotonic() + 20
        while True:
            try:
                samples = scrape(port)
                # Up, and past its start-up's statements (a worker starting holds a connection a moment).
                if (
                    value(samples, "taskboard_db_connections_capacity")
                    > 0
                    == value(samples, "taskboard_db_connections_in_use")
                ):
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "no worker serves the metrics again within 20 s"
            time.sleep(0.1)
        assert value(samples, "taskboard_event_streams_open") == 0
        assert value(samples, "taskboard_http_requests_in_flight") == 0


@pytest.mark.once  # the service's metrics, whatever the database
def test_the_shipped_alert_rules_name_only_metrics_that_a_scrape_has(database_url: str, tmp_path: Path) -> None:
    rules = yaml.safe_load((ROOT / "docs" / "alerts.yml").read_text())
    [group] = rules["groups"]
    alerts = group["rules"]
    assert {"TaskboardErrorRatio", "TaskboardSlowOperation", "TaskboardDatabasePoolSaturated"} <= {
        rule["alert"] for rule in alerts
    }
    for rule in alerts:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"} and rule["annotations"]["summary"]
    port = free_port()
    env = {**UNLIMITED, "METRICS_PORT": str(port), "RATE_LIMIT_STORAGE": "async+redis://127.0.0.1:6379/0"}
    with LiveServer(database_url, env) as live:
        for operation in ("/v1/users/me", "/healthz"):
            httpx.get(f"{live.url}{operation}")
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    exposed = {family.name for family in text_string_to_metric_families(scraped)}
    exposed |= {sample.name for family in text_string_to_metric_families(scraped) for sample in family.samples}
    named = {name for rule in alerts for name in re.findall(r"\btaskboard_\w+", rule["expr"])}
    assert named - exposed == set(), "rules name metrics that no scrape has"
