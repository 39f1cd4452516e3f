"""`python -m codegen.breaking [--base RELEASED.yaml] [CONTRACT.yaml]`, as `make breaking` and
`make lint` run it: one line per change, and exit status 1 when the contract breaks clients."""

import argparse
import sys
from pathlib import Path

from codegen import breaking


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What a change of the contract does to its clients.")
    parser.add_argument("--base", type=Path, help="the released contract (default: the last in contract/released/)")
    parser.add_argument("contract", type=Path, nargs="?", default=breaking.ROOT / "openapi.yaml")
    args = parser.parse_args(argv)
    base = args.base or breaking.last_released()
    old, new = breaking.load(base), breaking.load(args.contract)
    name, since = (
        f"{args.contract.name} {new['info']['version']}",
        f"the released {old['info']['version']} ({base.name})",
    )
    try:
        changes = breaking.compare(old, new)
        broken = breaking.breaks(old, new, changes)
    except breaking.Unreadable as unreadable:
        print(f"{args.contract.name} cannot be compared with {since}: {unreadable}")
        return 2
    for line in breaking.report(changes):
        print(line)
    if broken:
        print(f"{name} breaks clients of {since}: undo the errors above, or raise info.version's major version")
        return 1
    if any(change.rule.level == "error" for change in changes):
        print(f"{name} is a new major version: clients of {since} need changes")
    else:
        print(f"{name} keeps clients of {since} working")
    return 0


if __name__ == "__main__":
    sys.exit(main())
