import re
from pathlib import Path

import pytest

from tests.live import ROOT, LiveServer


def test_the_readme_sdk_example_works_as_written(live_server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text()
    [example] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "taskboard_client" in block]
    assert 'BASE_URL = "http://127.0.0.1:8000"' in example
    code = example.replace('BASE_URL = "http://127.0.0.1:8000"', f'BASE_URL = "{live_server.url}"')
    exec(compile(code, str(Path("README.md")), "exec"), {})
    assert capsys.readouterr().out == "Draft copy in_progress\n"
