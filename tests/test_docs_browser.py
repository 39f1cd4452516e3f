"""/docs in a real headless Chromium that can reach the service and no other host."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from generated.api import OPERATIONS
from tests.live import LiveServer

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("chromium is required (REQUIRE_BROWSER) but not installed: apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium, or make browser): browser tests skipped")
    return found


def headless(url: str, profile: Path, *extra: str) -> str:
    """Chromium's DOM of `url` once its scripts have run, with every host name unresolvable."""
    command = [
        chromium(),
        *("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"),
        *("--disable-component-update", "--disable-sync", "--disable-quic", f"--user-data-dir={profile}"),
        # Only IP literals reach anything: a CDN's host name, say, resolves to nothing.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=15000",
        *extra,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# A browser takes the machine: alone. And once: nothing here is the database's.
@pytest.mark.serial
@pytest.mark.sqlite
def test_the_docs_render_every_operation_offline(live_server: LiveServer, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server.url}/docs"
    dom = headless(url, tmp_path / "profile", "--dump-dom")
    # Swagger UI rendered the contract: its title, and one block per operation.
    assert "Taskboard" in dom
    assert dom.count('class="opblock-summary-path"') == len(OPERATIONS)
    for path in ("/v1/projects/{projectId}/tasks/{taskId}", "/v1/tokens/current", "/readyz"):
        assert f'data-path="{path}"' in dom
    # Kept for a look (test-artifacts/, ignored by git).
    headless(url, tmp_path / "profile", f"--screenshot={ARTIFACTS}/docs.png", "--window-size=1280,2000")
    assert (ARTIFACTS / "docs.png").stat().st_size > 10_000
