"""The export writer at size: constant memory, a free event loop, and a file that appears whole."""

import asyncio
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from service.exports import files
from service.kit.database import Database
from service.settings import Settings
from service.tables import Project, Task, User

ROWS = 40_000


async def seed(database: Database) -> int:
    now = datetime.now(UTC)
    async with database.writer() as db, db.begin():
        user = User(
            email="big@example.com",
            email_key="big@example.com",
            display_name="Big",
            password_hash="x",
            created_at=now,
            updated_at=now,
        )
        db.add(user)
        await db.flush()
        project = Project(name="Big", owner_id=user.id, created_at=now, updated_at=now)
        db.add(project)
        await db.flush()
        rows = [
            {
                "project_id": project.id,
                "title": f"Task {i}",
                "status": "todo",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(ROWS)
        ]
        await db.execute(insert(Task), rows)
        return project.id


# It measures the event loop's stalls: alone, not beside other tests.
@pytest.mark.serial
async def test_a_40k_task_export_runs_in_constant_memory_off_the_loop(settings: Settings, tmp_path: Path) -> None:
    database = Database(settings)
    worst_lag: dict[str, float] = {}
    peaks: dict[str, int] = {}
    try:
        project_id = await seed(database)
        for format in ("csv", "ndjson"):
            target = tmp_path / f"out.{format}"
            worst_lag[format] = 0.0

            async def watch_the_loop(format: str = format) -> None:
                while True:
                    started = time.monotonic()
                    await asyncio.sleep(0.01)
                    worst_lag[format] = max(worst_lag[format], time.monotonic() - started - 0.01)

            watcher = asyncio.create_task(watch_the_loop())
            tracing = format == "csv"  # memory once: both formats go through the same batches
            if tracing:
                tracemalloc.start()
            try:
                count = await files.write(database, project_id, format, target)
                if tracing:
                    peaks[format] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
                watcher.cancel()
            assert count == ROWS
            lines = target.read_text().count("\n")
            assert lines == ROWS + (1 if format == "csv" else 0)
    finally:
        await database.dispose()

    assert not list(tmp_path.glob("*.part"))
    # Batches of 1,000: the peak does not grow with the project (40,000 rows are ~4 MB of text, and
    # many times that as rows in memory; the peak measured 1.9 MB at 40,000 and at 100,000 alike).
    assert max(peaks.values()) < 3 * 1024 * 1024, f"peaks {peaks}"
    # Rows are rendered off the loop, a batch at a time: the loop never waits for a whole export
    # (seconds at this size); a bound this loose holds on a loaded machine.
    assert max(worst_lag.values()) < 1, f"the event loop stalled: {worst_lag}"


async def test_a_failed_write_leaves_no_file(settings: Settings, tmp_path: Path) -> None:
    database = Database(settings)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    try:
        with pytest.raises(OSError):
            await files.write(database, 1, "csv", blocker / "out.csv")
    finally:
        await database.dispose()
    assert blocker.read_text() == ""


def test_cells_that_would_start_a_formula_get_a_quote_whatever_the_column() -> None:
    for text in ("\r=1", "\0=1", "\tx", " \n @x", "\uff0b1", "\u00a0=1", "\u3000+1", "\ufeff=1", "\u200b -1"):
        assert files.safe_cell(text) == "'" + text
    assert [files.safe_cell(v) for v in ("a-b", 7, None, "2026-01-01")] == ["a-b", 7, "", "2026-01-01"]
