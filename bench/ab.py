"""`python -m bench.ab BASE` (`make bench-ab BASE=<git ref>`): what a change does to the request path,
as the server CPU time each request costs, this checkout against BASE.

Both builds serve one SQLite database, seeded once, side by side: each round measures every
operation on one build and at once on the other (which goes first alternates), so that the
machine's speed, which moves within minutes, weighs on both alike. The figure that decides is CPU
per request (the server's processes' user and system time over the requests they answered), which
depends far less on that speed than a rate does; the ratio per operation is the median of the
rounds', shown with its spread. BASE is checked out in a temporary worktree and runs on this checkout's virtualenv.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import load
from bench.load import JSON, TITLE, Load
from bench.seed import Seeded, seed_sqlite
from bench.servers import ROOT, Server, service


@dataclass(frozen=True, slots=True)
class Sample:
    cpu_ms: float  # server CPU per request
    rate: float
    errors: int


def operations(seeded: Seeded) -> dict[str, Load]:
    auth = {"Authorization": f"Bearer {seeded.token}"}
    small = seeded.small_project
    task = f"/v1/projects/{small}/tasks/{{id}}"
    return {
        "getTask": Load("GET", task, auth, ids=seeded.small),
        "listTasks": Load("GET", f"/v1/projects/{small}/tasks?status=todo&status=in_progress&limit=50", auth),
        "updateTask": Load("PATCH", task, auth | JSON | {"If-Match": "*"}, '{"title": "Renamed"}', seeded.small),
        "createTask": Load("POST", f"/v1/projects/{seeded.write_project}/tasks", auth | JSON, TITLE),
    }


@contextmanager
def worktree(ref: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="taskboard-base-") as scratch:
        path = Path(scratch) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(path), ref], cwd=ROOT, check=True)
        try:
            yield path
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=True)


def sample(server: Server, what: Load, seconds: int) -> Sample:
    load.run(server.url, what, 1)  # warm: its caches, the database's pages
    figures = load.run(server.url, what, seconds, cpu=server.cpu_seconds)
    return Sample(figures.cpu_ms or 0.0, figures.rate, figures.errors)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("base", help="the git ref to compare this checkout with (main, HEAD~3, a tag)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4, help="of load per operation and round")
    options = parser.parse_args()
    load.require_wrk()
    samples: dict[str, dict[str, list[Sample]]] = {"this": {}, "base": {}}
    with tempfile.TemporaryDirectory(prefix="taskboard-ab-") as scratch, worktree(options.base) as base:
        seeded = seed_sqlite(Path(scratch) / "ab.db", 1_000, 1_000)
        loads = operations(seeded)
        for round_ in range(options.rounds):
            with service(seeded, cwd=ROOT) as this, service(seeded, cwd=base) as other:
                order = [("this", this), ("base", other)]
                for name, what in loads.items():
                    for build, server in order if round_ % 2 == 0 else reversed(order):
                        samples[build].setdefault(name, []).append(sample(server, what, options.seconds))
            print(f"round {round_ + 1} of {options.rounds} done", file=sys.stderr, flush=True)
    print(table(options.base, samples))


def table(base: str, samples: dict[str, dict[str, list[Sample]]]) -> str:
    rounds = len(samples["this"]["getTask"])
    lines = [
        f"This checkout against {base}: server CPU per request (ms), median of {rounds} rounds",
        "",
        "| operation | this | base | this/base (spread) | req/s this | req/s base | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, ours in samples["this"].items():
        theirs = samples["base"][name]
        ratios = sorted(a.cpu_ms / b.cpu_ms for a, b in zip(ours, theirs, strict=True))
        this_cpu, base_cpu = (statistics.median(s.cpu_ms for s in side) for side in (ours, theirs))
        this_rate, base_rate = (statistics.median(s.rate for s in side) for side in (ours, theirs))
        errors = sum(s.errors for s in ours + theirs)
        lines.append(
            f"| {name} | {this_cpu:.3f} | {base_cpu:.3f} | {statistics.median(ratios):.2f} "
            f"({ratios[0]:.2f} to {ratios[-1]:.2f}) | {this_rate:,.0f} | {base_rate:,.0f} | {errors} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
