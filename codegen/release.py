"""`python -m codegen.release`: a release of the contract and of the SDKs made from it.

The version is openapi.yaml's `info.version`, which `make generate` gives both SDKs. A version
above the last released one is a new release: the breaking-change gate must pass, its changes
become the CHANGELOG.md entry, and the contract is kept as contract/released/<version>.yaml (the
next gate's base). The last released version again only rebuilds its packages, and only from the
contract it was released with. Either way it builds, into dist/<version>/, the Python SDK's wheel
and sdist and the TypeScript SDK's npm tarball.
"""

import argparse
import datetime
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from codegen import breaking
from codegen.breaking import Change

ROOT = breaking.ROOT
HEADING = """# Changelog

Each release of the contract (`openapi.yaml`) and of the SDKs made from it, newest first. `make
release` writes each entry from what the breaking-change gate (`make breaking`) finds.
"""
SECTIONS = {
    "error": "Breaking: clients need changes",
    "warning": "May affect clients that assumed too much",
    "info": "Compatible",
}


class Refused(Exception):
    """Nothing is released; the message says why."""


def entry(version: str, since: str, changes: list[Change], day: datetime.date) -> str:
    lines = [f"## {version} ({day.isoformat()})", ""]
    if not changes:
        lines += [f"No change to operations, parameters or schemas since {since}.", ""]
    found = list(breaking.grouped(changes))
    for level, title in SECTIONS.items():
        listed = [
            breaking.describe(change, operations, None) for change, operations in found if change.rule.level == level
        ]
        if listed:
            lines += [f"{title}, since {since}:", "", *(f"- {line}" for line in listed), ""]
    return "\n".join(lines)


def add_entry(changelog: Path, text: str) -> None:
    """`text` as the newest entry of `changelog` (made when missing)."""
    current = changelog.read_text() if changelog.exists() else HEADING
    head, mark, rest = current.partition("\n## ")
    changelog.write_text(f"{head.rstrip()}\n\n{text}" + (f"\n## {rest}" if mark else ""))


def check(contract: Path, released: Path) -> tuple[str, list[Change] | None]:
    """The version to release and, when it is a new one, its changes since the last."""
    new = breaking.load(contract)
    version = new["info"]["version"]
    last = breaking.last_released(released)
    if breaking.version(version) < breaking.version(last.stem):
        raise Refused(f"info.version {version} is older than the released {last.stem}")
    if version == last.stem:
        if contract.read_text() != last.read_text():
            raise Refused(f"openapi.yaml differs from the released {version} ({last}): raise info.version first")
        return version, None
    old = breaking.load(last)
    changes = breaking.compare(old, new)
    if breaking.breaks(old, new, changes):
        errors = "\n".join(str(change) for change in changes if change.rule.level == "error")
        raise Refused(f"{errors}\n{version} breaks clients of {last.stem}: raise the major version")
    return version, changes


def build(version: str, dist: Path) -> list[Path]:
    """The SDKs' packages, as made by `make generate` from this contract, in `dist`."""
    generated = subprocess.run([sys.executable, "-m", "codegen", "--check"], cwd=ROOT, capture_output=True, text=True)
    if generated.returncode != 0:
        raise Refused(f"sdk/ is not what openapi.yaml generates: run `make generate`\n{generated.stdout}")
    dist.mkdir(parents=True, exist_ok=True)
    # Built from a copy, which the builders may litter; inside the project, where npm finds tsc.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".release-") as scratch:
        python, typescript = Path(scratch) / "python", Path(scratch) / "typescript"
        ignored = shutil.ignore_patterns("node_modules", "dist", "__pycache__")
        shutil.copytree(ROOT / "sdk" / "python", python, ignore=ignored)
        shutil.copytree(ROOT / "sdk" / "typescript", typescript, ignore=ignored)
        _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist.resolve(), python, cwd=ROOT)
        _run("npm", "pack", "--silent", "--pack-destination", dist.resolve(), cwd=typescript)
    built = sorted(dist.iterdir())
    for name in (f"taskboard_client-{version}.tar.gz", f"taskboard_client-{version}-py3-none-any.whl"):
        if dist / name not in built:
            raise Refused(f"the build made no {name}")
    if dist / f"taskboard-sdk-{version}.tgz" not in built:
        raise Refused(f"the build made no taskboard-sdk-{version}.tgz")
    return built


def _run(*command: str | Path, cwd: Path) -> None:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")


def release(contract: Path, released: Path, changelog: Path, dist: Path) -> list[Path]:
    version, changes = check(contract, released)
    built = build(version, dist / version)
    if changes is not None:
        since = breaking.last_released(released).stem
        add_entry(changelog, entry(version, since, changes, datetime.date.today()))
        shutil.copyfile(contract, released / f"{version}.yaml")
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A release of the contract and its SDKs.")
    parser.add_argument("--released", type=Path, default=breaking.RELEASED, help="the released contracts")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the packages go")
    args = parser.parse_args(argv)
    try:
        built = release(ROOT / "openapi.yaml", args.released, args.changelog, args.dist)
    except (Refused, breaking.Unreadable) as refused:
        print(f"nothing released: {refused}", file=sys.stderr)
        return 1
    for path in built:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
