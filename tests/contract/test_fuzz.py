"""schemathesis against a real uvicorn process, with openapi.yaml as the contract."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from codegen import contract, paging
from tests.conftest import BACKEND, UNLIMITED
from tests.live import ROOT, LiveServer

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Not in any example of the contract, so the fuzzer cannot change it (a new password needs this one).
PASSWORD = "fuzzing passphrase 7f3c"


def sign_up_peers(server: LiveServer, names: list[str], path: Path) -> Path:
    """Real users, and a Web Fuzzing Commons document telling schemathesis how they sign in."""
    auth = []
    for name in names:
        email = f"{name}@fuzz.example"
        body = {"email": email, "password": PASSWORD, "displayName": name.title()}
        httpx.post(f"{server.url}/v1/users", json=body, timeout=10).raise_for_status()
        auth.append(
            {
                "name": name,
                "loginEndpointAuth": {
                    "endpoint": "/v1/tokens",
                    "verb": "POST",
                    "contentType": "application/json",
                    "payloadUserPwd": {
                        "username": email,
                        "password": PASSWORD,
                        "usernameField": "email",
                        "passwordField": "password",
                    },
                    "token": {
                        "extractFrom": "body",
                        "extractSelector": "/accessToken",
                        "sendIn": "header",
                        "sendName": "Authorization",
                        "sendTemplate": "Bearer {token}",
                    },
                },
            }
        )
    path.write_text(yaml.safe_dump({"schemaVersion": "0.2.0", "auth": auth}))
    return path


@pytest.fixture
def fuzzed(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    # Streams end after a fifth of a second: the fuzzer reads each to its end, one operation at a time.
    env = {"STREAM_MAX_SECONDS": "0.2", "EXPORT_DIR": str(tmp_path / "exports"), **UNLIMITED}
    with LiveServer(database_url, env) as server:
        yield server


def test_the_running_service_keeps_the_contract(fuzzed: LiveServer, tmp_path: Path) -> None:
    wfc = sign_up_peers(fuzzed, ["ada", "bob"], tmp_path / "auth.yaml")
    # Half as many on PostgreSQL, where what differs is the database's own limits, which the coverage
    # phase's boundary values meet first. `make test` runs a few per operation, on every change;
    # `make fuzz` runs as many as it is told (200 by default), on both.
    examples = os.environ.get("FUZZ_EXAMPLES", "15" if BACKEND == "postgresql" else "30")
    seed = os.environ.get("FUZZ_SEED", "20261130")
    # The paged lists, as the contract has them (schemathesis reads no variable in a filter).
    operations = contract.operations(contract.load(ROOT / "openapi.yaml"))
    listed = "|".join(op.operation_id for op in paging.paged(operations))
    config = tmp_path / CONFIG.name
    config.write_text(CONFIG.read_text().replace("${TASKBOARD_PAGED}", f"^({listed})$"))
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", str(ROOT / "openapi.yaml")),
        *("--url", fuzzed.url, "--max-examples", examples, "--report", "junit", "--report-dir", str(tmp_path)),
        *(["--seed", seed] if seed != "random" else []),
    ]
    env = {**os.environ, "TASKBOARD_WFC": str(wfc)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    print(result.stdout[-20000:], result.stderr[-5000:])
    assert result.returncode == 0, "schemathesis found contract failures (see the output above)"
    every = len(operations)
    assert f"Selected: {every}/{every}" in result.stdout and f"Tested: {every}" in result.stdout
