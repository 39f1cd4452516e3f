"""Every setting has its row in the README's settings table: an operator finds it without the code."""

import re
from pathlib import Path

from service.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_in_the_readmes_table() -> None:
    text = README.read_text()
    table = text[text.index("## Settings") : text.index("\n## ", text.index("## Settings") + 1)]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert [name.upper() for name in Settings.model_fields if name.upper() not in documented] == []
