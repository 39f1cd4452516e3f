"""`python -m service.migrations.check` (`make lint`): the database the migrations build is the one
service/tables.py declares, whose enums are the contract's; and each migration says whether it
expands or contracts the schema (service/migrations/README.md).

Builds a scratch SQLite database with every migration, then compares it with the tables: what
Alembic's autogenerate would write (tables, columns, types, indexes), every CHECK constraint (which
autogenerate does not compare; `one_of` derives the contract's enums into them) and the width of
every column holding an enum's values. Each difference is named; the fix is a migration.
"""

import re
import sqlite3
import sys
import tempfile
import warnings
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, String, Table, create_engine

from service.tables import Base

ROOT = Path(__file__).resolve().parents[2]
ENUM_CHECK = re.compile(r"(\w+) IN \((.*)\)")


def config(database: Path) -> Config:
    """Alembic's configuration for the SQLite database at `database`."""
    config = Config(ROOT / "alembic.ini")
    config.attributes["database_url"] = f"sqlite+aiosqlite:///{database}"
    config.attributes["configure_logger"] = False
    return config


def build(database: Path) -> dict[str, str]:
    """Migrates `database` to the head: its tables' CREATE statements by name, on one line each."""
    command.upgrade(config(database), "head")
    with sqlite3.connect(database) as db:
        tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        return {name: " ".join(sql.split()) for name, sql in tables}


def differences(database: Path) -> list[str]:
    built = build(database)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection, warnings.catch_warnings():
        # SQLite's expression indexes cannot be reflected; tests/test_migrations.py checks them by name.
        warnings.filterwarnings("ignore", ".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = [f"autogenerate would write: {diff}" for diff in compare_metadata(context, Base.metadata)]
    engine.dispose()
    for table in Base.metadata.sorted_tables:
        found += checks(table, built.get(table.name, ""))
    return found


def checks(table: Table, built: str) -> list[str]:
    """What the CHECK constraints of `table` say and its CREATE statement `built` does not."""
    found = []
    for constraint in table.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        text = " ".join(str(constraint.sqltext).split())
        if f"CHECK ({text})" not in built:
            found.append(f"table {table.name}: the migrations do not constrain it to CHECK ({text})")
        if (enum := ENUM_CHECK.fullmatch(text)) and isinstance(column := table.c[enum[1]].type, String):
            widest = max(len(value.strip("' ")) for value in enum[2].split(","))
            if column.length is not None and column.length < widest:
                found.append(f"table {table.name}: column {enum[1]} is {column.length} wide, its values up to {widest}")
    return found


# The revisions from which each says whether it expands (those before were written before the rule).
DECLARED_FROM = "0016"


def undeclared(config: Config) -> list[str]:
    """The revisions numbered out of order (readiness compares their numbers), and those that do not
    say whether they expand."""
    found = []
    for script in ScriptDirectory.from_config(config).walk_revisions():
        if not re.fullmatch(r"\d{4}", script.revision):
            found.append(f"revision {script.revision}: revisions are numbered with four digits (--rev-id 0017)")
        elif script.revision >= DECLARED_FROM and not isinstance(getattr(script.module, "expands", None), bool):
            found.append(f"revision {script.revision}: say whether it expands (`expands: bool = True` or False)")
    return found


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        found = undeclared(config(Path(scratch) / "check.db")) + differences(Path(scratch) / "check.db")
    for difference in found:
        print(difference, file=sys.stderr)
    if found:
        print(
            "the migrations break a rule above (service/migrations/README.md), or build another database than"
            " service/tables.py declares (write a migration)",
            file=sys.stderr,
        )
        return 1
    print("the migrations build the database that service/tables.py declares")
    return 0


if __name__ == "__main__":
    sys.exit(main())
