"""wrk, driven by bench/load.lua, and what it measured."""

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

SCRIPT = Path(__file__).with_name("load.lua")
CONNECTIONS = 32
THREADS = 2
# The writes' headers and body.
JSON = {"Content-Type": "application/json"}
TITLE = '{"title": "Bench"}'


@dataclass(frozen=True, slots=True)
class Load:
    method: str
    path: str
    headers: Mapping[str, str]
    body: str = ""
    ids: int = 1  # "{id}" in `path` cycles through 1..ids


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int
    seconds: float
    errors: int  # connect, read, write and timeout errors, and answers that were not 2xx/3xx
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms: float | None = None  # the server's CPU time per request answered, where it was measured

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "rate": round(self.rate, 1)}


def wrk_version() -> str:
    """As `wrk -v` names it, without the copyright: "debian/4.1.0-3+b2", say."""
    found = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    first = (found.stdout or found.stderr or "unknown").splitlines()[0]
    return first.split(" [")[0].removeprefix("wrk ").strip()


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")


def run(
    url: str, load: Load, seconds: int, connections: int = CONNECTIONS, cpu: Callable[[], float] | None = None
) -> Figures:
    """`connections` connections over THREADS threads for `seconds`, after a warm-up of a fifth as long
    (none for a run of a few seconds). `cpu`: the server's CPU seconds so far, read around the run
    (not the warm-up) for its CPU time per request."""
    env = {
        **os.environ,
        "BENCH_METHOD": load.method,
        "BENCH_PATH": load.path,
        "BENCH_BODY": load.body,
        "BENCH_IDS": str(load.ids),
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in load.headers.items()),
    }
    if seconds >= 5:  # a smoke run's second of load shows only that the load runs
        _wrk(url, env, seconds // 5, connections)
    before = cpu() if cpu else 0.0
    figures = _wrk(url, env, seconds, connections)
    if cpu is None:
        return figures
    return replace(figures, cpu_ms=1000 * (cpu() - before) / max(1, figures.requests))


def _wrk(url: str, env: Mapping[str, str], seconds: int, connections: int) -> Figures:
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(SCRIPT), url]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    found = json.loads(line.removeprefix("BENCH "))
    errors = sum(found[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return Figures(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        errors=errors,
        p50_ms=found["p50_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        max_ms=found["max_us"] / 1000,
    )
