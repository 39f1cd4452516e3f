"""Request ids and the one log line of each request, read from a real server's own output."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import UNLIMITED
from tests.live import LiveServer

# Request ids and log lines are the same on either database: once.
pytestmark = pytest.mark.once

HEX_ID = 32


def json_lines(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Any:
    log = tmp_path / "server.log"
    env = {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports"), "LOG_FORMAT": "json"}
    with LiveServer(database_url, env, log=log, app="tests.failing_app:create_app") as live:
        yield live, log


def test_a_sane_request_id_is_kept_and_any_other_replaced_on_every_answer(server: Any) -> None:
    live, _ = server
    with httpx.Client(base_url=live.url) as client:
        kept = client.get("/healthz", headers={"X-Request-ID": "frontend-7:retry.2"})
        assert kept.headers["x-request-id"] == "frontend-7:retry.2"
        for insane in (b"x" * 129, b"has space", b'quote"d', "ünïcode".encode()):
            replaced = client.get("/healthz", headers={b"X-Request-ID": insane})
            assert (
                len(replaced.headers["x-request-id"]) == HEX_ID and replaced.headers["x-request-id"].encode() != insane
            )
        fresh = [client.get("/v1/users/me").headers["x-request-id"] for _ in range(2)]
        assert len(set(fresh)) == 2
        problem = client.get("/v1/users/me", headers={"X-Request-ID": "bug-42"})
        assert problem.status_code == 401
        assert problem.json()["requestId"] == problem.headers["x-request-id"] == "bug-42"
        nowhere = client.get("/v1/nowhere")
        assert nowhere.status_code == 404 and nowhere.json()["requestId"] == nowhere.headers["x-request-id"]


def test_each_request_has_one_json_line_with_its_operation_status_duration_and_ids(server: Any) -> None:
    live, log = server
    with httpx.Client(base_url=live.url) as client:
        account = {"email": "logged@example.com", "password": "correct horse battery"}
        user = client.post("/v1/users", json={**account, "displayName": "Logged"}).json()
        token = client.post("/v1/tokens", json=account).json()["accessToken"]
        me = client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "me-1"})
        assert me.status_code == 200
        client.get("/v1/nowhere", headers={"X-Request-ID": "lost-1"})
    live.stop()  # a request's line is written once its answer has gone out: every line written
    lines = [line for line in json_lines(log) if line["logger"] == "taskboard.access"]
    assert [line["requestId"] for line in lines if line["requestId"] in ("me-1", "lost-1")] == ["me-1", "lost-1"]
    [mine] = [line for line in lines if line["requestId"] == "me-1"]
    assert mine["level"] == "INFO" and mine["message"].startswith("GET /v1/users/me 200")
    assert (mine["method"], mine["route"], mine["operationId"], mine["status"]) == (
        "GET",
        "/v1/users/me",
        "getCurrentUser",
        200,
    )
    assert (mine["userId"], mine["client"]) == (user["id"], "127.0.0.1")
    assert isinstance(mine["durationMs"], float) and 0 < mine["durationMs"] < 10_000
    assert mine["time"].endswith("+00:00")
    [lost] = [line for line in lines if line["requestId"] == "lost-1"]
    assert (lost["route"], lost["operationId"], lost["status"], lost["userId"]) == (None, None, 404, None)
    # uvicorn's lines are JSON lines too.
    assert any(
        line["logger"] == "uvicorn.error" and "Application startup complete" in line["message"]
        for line in json_lines(log)
    )


def test_an_unexpected_error_is_one_log_line_with_its_stack_and_a_500_without_internals(server: Any) -> None:
    live, log = server
    answer = httpx.get(f"{live.url}/v1/failing", headers={"X-Request-ID": "bug-report-9"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"] == "bug-report-9"
    assert answer.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred.",
        "requestId": "bug-report-9",
    }
    live.stop()  # every line written
    text = log.read_text()
    # One line: the traceback is inside it (uvicorn does not log the error again).
    assert sum("internal detail 7f3a" in line for line in text.splitlines()) == 1
    assert text.count("Traceback (most recent call last)") == 1
    [error] = [line for line in json_lines(log) if "internal detail 7f3a" in line.get("exc_info", "")]
    assert error["level"] == "ERROR" and error["requestId"] == "bug-report-9"
    assert "Bug: internal detail 7f3a" in error["exc_info"] and "tests/failing_app.py" in error["exc_info"]
    [access] = [
        line for line in json_lines(log) if line["logger"] == "taskboard.access" and line["requestId"] == "bug-report-9"
    ]
    assert access["status"] == 500
