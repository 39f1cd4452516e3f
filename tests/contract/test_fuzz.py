"""schemathesis against a real uvicorn process, with openapi.yaml as the contract."""

import os
import subprocess
import sys
from pathlib import Path

from tests.live import ROOT, LiveServer

CONFIG = Path(__file__).with_name("schemathesis.toml")


def test_the_running_service_keeps_the_contract(live_server: LiveServer, tmp_path: Path) -> None:
    examples = os.environ.get("FUZZ_EXAMPLES", "50")
    seed = os.environ.get("FUZZ_SEED", "20261130")
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", str(ROOT / "openapi.yaml")),
        *("--url", live_server.url, "--max-examples", examples, "--report", "junit", "--report-dir", str(tmp_path)),
        *(["--seed", seed] if seed != "random" else []),
    ]
    env = {**os.environ, "TASKBOARD_URL": live_server.url, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    print(result.stdout[-20000:], result.stderr[-5000:])
    assert result.returncode == 0, "schemathesis found contract failures (see the output above)"
