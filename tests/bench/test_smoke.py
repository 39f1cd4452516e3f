"""`make bench` in a few seconds: every measurement still runs, and nothing fails on the way."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import POSTGRES_URL, unreachable

ROOT = Path(__file__).resolve().parents[2]
MEASURED = {
    "R1 bare ASGI",
    "R2 FastAPI+sqlite3 read",
    "R2 FastAPI+sqlite3 insert",
    "getTask",
    "listTasks, 1,000 tasks",
    "listTasks, 10,000 tasks",
    "updateTask",
    "createTask",
    "getTask, 50 streams open",
    "getTask, 2 workers",
    "getTask, tracing off",
    "getTask, tracing on",
}
ON_POSTGRES = {
    "R2-PG FastAPI+asyncpg read",
    "R2-PG FastAPI+asyncpg insert",
    "PG getTask",
    "PG listTasks, 1,000 tasks",
    "PG listTasks, 10,000 tasks",
    "PG updateTask",
    "PG createTask",
    "PG getTask, 2 workers",
}


# The bench makes its own SQLite database and its own PostgreSQL one: once per `make test` is enough.
@pytest.mark.sqlite
@pytest.mark.serial  # wrk takes both cores
def test_the_smoke_run_measures_everything_without_an_error(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    # The servers' own output goes to stderr too: not one traceback from any of them.
    assert "Traceback" not in run.stderr and "ERROR" not in run.stderr, run.stderr[-4000:]

    (as_json,) = tmp_path.glob("bench-*-smoke.json")
    report = json.loads(as_json.read_text())
    assert report["smoke"] is True
    postgres = unreachable(os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)) is None
    assert set(report["figures"]) == MEASURED | (ON_POSTGRES if postgres else set())
    if postgres:
        assert report["figures"]["PG getTask"]["vs_R2"] > 0
        assert report["pg_startup_seconds"] > 0
    else:
        assert any(note.startswith("NOT MEASURED on PostgreSQL") for note in report["notes"])
    for name, row in report["figures"].items():
        assert row["requests"] > 0, name
        assert row["errors"] == 0, name
        assert row["p50_ms"] > 0 and row["p99_ms"] >= row["p50_ms"], name
        assert row["vs_R1"] > 0, name
        if "tracing" not in name:  # the tracing pairs compare rates of their own
            assert row["cpu_ms"] > 0, name
    assert report["figures"]["getTask"]["vs_R2"] > 0 and report["figures"]["getTask"]["cpu_vs_R2"] > 0
    assert report["fanout"]["streams"] == 50
    assert report["fanout"]["events"] == 5
    assert report["fanout"]["missing_deliveries"] == 0
    assert report["fanout"]["p99_ms"] > 0
    # Every traced request's span and its statement's reached the collector stand-in.
    assert report["tracing"]["spans_received"] >= 2 * report["tracing"]["traced_requests_measured"] > 0
    assert report["load_generator_rate"] > 0
    assert report["startup_seconds"] > 0
    assert {"python", "wrk", "fastapi", "SQLAlchemy", "aiosqlite", "asyncpg", "limits"} <= set(report["versions"])
    assert report["machine"]["cores"] >= 1
    targets = {target["target"] for target in report["targets"]}
    assert "getTask vs R2 FastAPI+sqlite3 read" in targets and "createTask p99 ms" in targets
    assert "getTask tracing on / off (median of 1 alternating pairs)" in targets

    markdown = as_json.with_suffix(".md").read_text()
    assert "| getTask |" in markdown and "| target | bar | measured | met |" in markdown
    assert "| getTask |" in run.stdout
