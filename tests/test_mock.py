"""`make mock`: the contract's examples served by Stoplight Prism, as a frontend team develops against them."""

from typing import Any

import httpx
import pytest
import yaml

from bench.servers import Server
from tests.live import ROOT

# Nothing here is the database's: once.
pytestmark = pytest.mark.sqlite

CONTRACT: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
SCHEMAS = CONTRACT["components"]["schemas"]
BEARER = {"Authorization": "Bearer tb_anything"}


@pytest.fixture(scope="module")
def mock() -> Any:
    assert (ROOT / "node_modules" / ".bin" / "prism").exists(), "the Node tools are not installed: `make node_modules`"
    with Server(["make", "-s", "mock", "MOCK_PORT={port}"], ready_path="/healthz") as server:
        yield server


def test_an_operation_answers_its_example_with_its_headers(mock: Server) -> None:
    answer = httpx.get(f"{mock.url}/v1/projects/7", headers=BEARER)
    assert answer.status_code == 200
    assert answer.json() == SCHEMAS["Project"]["examples"][0]
    assert answer.headers["etag"].startswith('"')
    assert answer.headers["x-content-type-options"] == "nosniff"
    tasks = httpx.get(f"{mock.url}/v1/projects/7/tasks", headers=BEARER)
    assert tasks.status_code == 200
    assert tasks.json() == {"items": SCHEMAS["Task"]["examples"], "nextCursor": None}


def test_requests_are_checked_against_the_contract(mock: Server) -> None:
    unauthenticated = httpx.get(f"{mock.url}/v1/projects/7")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert unauthenticated.json()["status"] == 401
    invalid = httpx.post(f"{mock.url}/v1/projects/7/tasks", json={"title": ""}, headers=BEARER)
    assert invalid.status_code == 422
    assert invalid.json()["status"] == 422 and invalid.json()["errors"]
    without_precondition = httpx.patch(f"{mock.url}/v1/projects/7/tasks/3", json={"title": "x"}, headers=BEARER)
    assert without_precondition.status_code in (422, 428)  # Prism refuses a missing required header with 422


def test_a_documented_error_is_served_on_request(mock: Server) -> None:
    missing = httpx.get(f"{mock.url}/v1/projects/7", headers={**BEARER, "Prefer": "code=404"})
    assert missing.status_code == 404
    assert missing.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No project with id 7.",
    }
