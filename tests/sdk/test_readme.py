import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from taskboard_client import AuthenticatedClient

from tests.live import ROOT, LiveServer

# The SDK's work is the same on either database: once.
pytestmark = pytest.mark.once


def readme_examples() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "taskboard_client" in block]


def test_the_readme_sdk_examples_work_as_written(live_server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    board, events = readme_examples()
    assert 'BASE_URL = "http://127.0.0.1:8000"' in board
    scope: dict[str, Any] = {}
    exec(compile(board.replace("http://127.0.0.1:8000", live_server.url), "README.md", "exec"), scope)
    assert capsys.readouterr().out == "Draft copy in_progress (3 to do)\n"

    exec(compile(events, "README.md", "exec"), scope)

    # The live server ends streams after a second, so watching from the start returns.
    async def watch_from_the_start() -> None:
        async with AuthenticatedClient(base_url=live_server.url, token=scope["token"].access_token) as client:
            await scope["watch"](client, scope["project"].id, "0")

    asyncio.run(watch_from_the_start())
    assert capsys.readouterr().out.splitlines() == [
        "task.created Draft copy",
        "task.created Design hero",
        "task.created Ship it",
        "task.updated Draft copy",
    ]


def test_the_readme_sdk_examples_type_check_under_strict_mypy(tmp_path: Path) -> None:
    examples = readme_examples()
    for number, example in enumerate(examples):
        (tmp_path / f"example_{number}.py").write_text(example)
    # Out of the project's folder, so that its mypy settings do not apply: a team's strictest.
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"no issues found in {len(examples)} source files" in checked.stdout
