"""The example web app (examples/web): type-checked and built as a frontend team builds it (Vite), then
used in a headless Chromium against a live server while another client changes the same board."""

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.browser import ARTIFACTS, chromium, static_pages
from tests.conftest import UNLIMITED
from tests.live import LiveServer
from tests.sdk.node import ROOT, run

APP = ROOT / "examples" / "web"
PASSWORD = "correct horse battery"
# The browser's part is the same on either database (once), and a browser takes the machine (serial).
pytestmark = [pytest.mark.once, pytest.mark.serial]


@pytest.fixture(scope="module")
def app(built: None) -> Path:
    run("npm", "run", "--silent", "build", cwd=APP)  # type-checked strictly first (tsc), then bundled
    return APP / "dist"


def test_a_person_signs_in_pages_adds_edits_and_deletes_while_the_board_changes_live(
    app: Path, database_url: str, tmp_path: Path
) -> None:
    with static_pages(app) as frontend, LiveServer(database_url, {**UNLIMITED, "CORS_ORIGINS": frontend.url}) as api:
        email = "ada@example.com"
        assert httpx.post(f"{api.url}/v1/users", json={"email": email, "password": PASSWORD, "displayName": "Ada"})
        token = httpx.post(f"{api.url}/v1/tokens", json={"email": email, "password": PASSWORD}).json()["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        project = httpx.post(f"{api.url}/v1/projects", json={"name": "Launch"}, headers=headers).json()
        tasks = f"{api.url}/v1/projects/{project['id']}/tasks"
        for n in range(1, 26):
            assert httpx.post(tasks, json={"title": f"Task {n}"}, headers=headers).status_code == 201
        ARTIFACTS.mkdir(exist_ok=True)
        command = [
            *("node", Path(__file__).with_name("walk_example.mjs"), chromium(), f"{frontend.url}/?api={api.url}"),
            *(api.url, tmp_path / "profile", email, PASSWORD, token, str(project["id"]), ARTIFACTS),
        ]
        walked = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=180)
        assert walked.returncode == 0, walked.stderr[-4000:]
        seen = json.loads(walked.stdout)
        final = httpx.get(tasks, params={"limit": 100}, headers=headers).json()["items"]
    assert seen["errors"] == [] and seen["failedRequests"] == []
    assert seen["wrongPassword"] == "The email and password do not match an account."
    assert (seen["firstPage"], seen["allPages"], seen["moreOffered"]) == (10, 25, 0)
    # Refused by the generated validator in the page, with no request; then by the service, in the
    # app's words for the field error's code.
    assert (seen["emptyTitle"], seen["postsForEmptyTitle"]) == ("Must not be empty.", 0)
    assert seen["notAMember"] == "Not a member of this project."
    assert seen["added"] and seen["liveTitle"] and seen["deleted"]
    assert seen["conflict"] == "Someone changed this task meanwhile: this is it now. Edit it again."
    assert seen["conflictTitle"] == "Task 2"  # the edit was not written over the other change
    assert seen["finalRows"] == 25
    assert [task["title"] for task in final[:2]] == ["Changed elsewhere", "Task 2"]
    assert final[1]["status"] == "done" and len(final) == 25
    for shot in ("example-board.png", "example-field-errors.png", "example-conflict.png"):
        assert (ARTIFACTS / shot).stat().st_size > 10_000
