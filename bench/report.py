"""The bench's report: one JSON file for tools, one Markdown table for people."""

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.load import Figures, wrk_version

PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "SQLAlchemy",
    "aiosqlite",
    "asyncpg",
    "limits",
)


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    bar: str  # what the target asks, for people
    value: float
    met: bool


@dataclass
class Report:
    smoke: bool
    figures: dict[str, Figures] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ratio(self, name: str, reference: str) -> float:
        return self.figures[name].rate / self.figures[reference].rate if self.figures[reference].rate else 0.0

    def cpu_ratio(self, name: str, reference: str) -> float | None:
        """The server CPU a request of `name` costs, in requests of `reference`: the figure a machine's
        changing speed moves least."""
        ours, theirs = self.figures[name].cpu_ms, self.figures[reference].cpu_ms
        return ours / theirs if ours is not None and theirs else None

    def target(self, name: str, bar: str, value: float, met: bool) -> None:
        self.targets.append(Target(name, bar, round(value, 3), met))

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "smoke": self.smoke,
            "machine": machine(),
            "versions": {"python": platform.python_version(), "wrk": wrk_version()}
            | {name: version(name) for name in PACKAGES},
            "figures": {
                name: figures.as_dict()
                | {"vs_R1": round(self.ratio(name, "R1 bare ASGI"), 3)}
                | ({"vs_R2": round(self.ratio(name, reference), 3)} if (reference := _r2(name)) else {})
                | (
                    {"cpu_vs_R2": round(cpu, 3)}
                    if (reference := _r2(name)) and (cpu := self.cpu_ratio(name, reference)) is not None
                    else {}
                )
                for name, figures in self.figures.items()
            },
            **self.extra,
            "targets": [{"target": t.name, "bar": t.bar, "value": t.value, "met": t.met} for t in self.targets],
            "notes": self.notes,
        }

    def markdown(self) -> str:
        data = self.as_dict()
        lines = [
            f"# Taskboard bench{' (smoke run: figures are not meaningful)' if self.smoke else ''}",
            "",
            f"{data['date']} · {data['machine']['cores']} cores of {data['machine']['cpu']} · "
            + " · ".join(f"{name} {v}" for name, v in data["versions"].items()),
            "",
            "| measurement | CPU ms/req | CPU vs R2 (R2-PG) | req/s | p50 ms | p99 ms | errors | vs R1 "
            "| vs R2 (R2-PG) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in data["figures"].items():
            vs_r2 = f"{row['vs_R2']:.0%}" if "vs_R2" in row else ""
            cpu = f"{row['cpu_ms']:.3f}" if row.get("cpu_ms") is not None else ""
            cpu_vs_r2 = f"{row['cpu_vs_R2']:.2f}" if "cpu_vs_R2" in row else ""
            lines.append(
                f"| {name} | {cpu} | {cpu_vs_r2} | {row['rate']:,.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
                f"| {row['errors']} | {row['vs_R1']:.1%} | {vs_r2} |"
            )
        lines += ["", "| target | bar | measured | met |", "| --- | --- | ---: | :---: |"]
        lines += [f"| {t.name} | {t.bar} | {t.value:g} | {'yes' if t.met else '**no**'} |" for t in self.targets]
        if self.notes:
            lines += ["", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines) + "\n"

    def write(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + ("-smoke" if self.smoke else "")
        as_json, as_markdown = folder / f"bench-{stamp}.json", folder / f"bench-{stamp}.md"
        as_json.write_text(json.dumps(self.as_dict(), indent=2) + "\n")
        as_markdown.write_text(self.markdown())
        return as_json, as_markdown


def _r2(name: str) -> str | None:
    """The R2 figure a measurement is compared with (R2-PG's on PostgreSQL): the insert for writes, the
    read for the rest."""
    if name.startswith("R"):
        return None
    postgres = name.startswith("PG ")
    write = name.removeprefix("PG ").startswith(("createTask", "updateTask"))
    if postgres:
        return "R2-PG FastAPI+asyncpg insert" if write else "R2-PG FastAPI+asyncpg read"
    return "R2 FastAPI+sqlite3 insert" if write else "R2 FastAPI+sqlite3 read"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform()}
