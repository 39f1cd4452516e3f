"""A real headless Chromium (Debian's), driven from its command line, that can reach 127.0.0.1 and no other host."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.servers import Server

# What browser tests leave for a look (screenshots); ignored by git.
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


def page_result(url: str, profile: Path) -> dict[str, object]:
    """What a test page at `url` shows in its `<pre id="out">` (JSON) once it has finished, waited for
    in real time (playwright-core driving the same Chromium), so that streams and timers run as they
    do for a user."""
    shown, _ = page_run(url, profile)
    assert isinstance(shown, dict)
    return shown


def page_run(url: str, profile: Path, seconds: float = 30) -> tuple[object, list[dict[str, str]]]:
    """What the page at `url` shows (as page_result), and the requests that failed as Chromium's network
    layer saw them: their method, URL and error (`net::ERR_ABORTED` for one cancelled)."""
    command = ["node", str(Path(__file__).with_name("browser.mjs")), chromium(), url, str(profile), str(seconds * 1000)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    assert done.returncode == 0, done.stderr[-4000:]
    found = json.loads(done.stdout)
    return found["out"], found["failedRequests"]


def static_pages(folder: Path) -> Server:
    """A frontend's origin: the files of `folder`, served on a port of their own."""
    return Server([sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", str(folder)])
