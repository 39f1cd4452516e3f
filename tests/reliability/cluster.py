"""Several real service processes sharing one database, as several workers or machines would."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.conftest import UNLIMITED
from tests.live import LiveServer


@contextmanager
def cluster(database_url: str, size: int, tmp_path: Path, **env: str) -> Iterator[list[LiveServer]]:
    """`size` processes on one database, sharing nothing else (not even a SECRET_KEY)."""
    shared = {
        "EXPORT_DIR": str(tmp_path / "exports"),
        **UNLIMITED,
        **env,
    }
    with ExitStack() as stack:
        yield [stack.enter_context(LiveServer(database_url, shared)) for _ in range(size)]
