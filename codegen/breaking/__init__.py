"""The breaking-change gate: what a change of the contract does to the clients already using it.

Compares openapi.yaml with the last released contract (contract/released/<version>.yaml, the
highest version there) and names each change by a rule of rules.py: an `error` breaks a client
built on the released contract (its SDK, its types, its requests), a `warning` may break one that
assumed too much, an `info` is survived (and goes into the changelog). The contract fails the gate
on any error unless `info.version` raises the major version. The rules follow oasdiff's (its ERR
and WARN levels) for what this contract uses; each is tested on a pair of tiny contracts.
"""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from codegen.breaking.compare import Compare
from codegen.breaking.rules import LEVELS, RULES, Change, Rule
from codegen.breaking.schemas import Unreadable

__all__ = ["RELEASED", "RULES", "Change", "Rule", "Unreadable", "breaks", "compare", "last_released", "load", "report"]

ROOT = Path(__file__).resolve().parents[2]
RELEASED = ROOT / "contract" / "released"


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return Compare(old, new).run()


def version(text: str) -> tuple[int, int, int]:
    """A contract's version (`info.version`, or a released contract's file name) to compare."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(text)):
        raise Unreadable(f"info.version {text!r} is not a version such as 1.2.0")
    major, minor, patch = (int(part) for part in str(text).split("."))
    return major, minor, patch


def major(text: str) -> int:
    return version(text)[0]


def breaks(old: dict[str, Any], new: dict[str, Any], changes: list[Change]) -> bool:
    """Whether the errors among `changes` stop the contract: unless its major version was raised."""
    raised = major(new["info"]["version"]) > major(old["info"]["version"])
    return not raised and any(change.rule.level == "error" for change in changes)


def grouped(changes: list[Change]) -> Iterator[tuple[Change, list[str]]]:
    """Each change once, errors first, with the operations it is found in: a change to a shared
    schema is found in every operation using it."""
    groups: dict[tuple[str, ...], tuple[Change, list[str]]] = {}
    for change in changes:
        key = (change.rule_id, change.place, change.detail) if change.place else (str(change), change.detail)
        operations = groups.setdefault(key, (change, []))[1]
        if change.operation not in operations:
            operations.append(change.operation)
    for level in LEVELS:
        yield from (group for group in groups.values() if group[0].rule.level == level)


def describe(change: Change, operations: list[str], limit: int | None = 3) -> str:
    """One line for a change found in `operations`, naming at most `limit` of them."""
    if not change.place:
        return f"[{change.rule_id}] {change.operation}{' ' + change.where if change.where else ''}: {change.says}"
    named = operations if limit is None else operations[:limit]
    more = f" and {len(operations) - len(named)} more" if len(named) < len(operations) else ""
    return f"[{change.rule_id}] {change.place}: {change.says}, in {', '.join(named)}{more}"


def report(changes: list[Change]) -> Iterator[str]:
    for change, operations in grouped(changes):
        yield f"{change.rule.level} {describe(change, operations)}"


def last_released(folder: Path = RELEASED) -> Path:
    """The released contract of the highest version."""
    return max(folder.glob("*.yaml"), key=lambda path: version(path.stem))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded
