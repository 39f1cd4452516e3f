import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Column, MetaData, String, Table, text
from sqlalchemy.ext.asyncio import create_async_engine

from service.kit.columns import Id, UtcDateTime, one_of
from service.migrations import check
from service.tables import Base
from tests.database import ScratchDatabases, migrate


# Alembic cannot compare expression indexes; the test below checks those by name.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_exactly_the_tables_the_code_declares(databases: ScratchDatabases, tmp_path: Path) -> None:
    url = databases.new(tmp_path, migrated=False)
    migrate(url)

    async def compare() -> list[object]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            diff: list[object] = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        await engine.dispose()
        return diff

    diff = asyncio.run(compare())
    databases.drop(url)
    assert diff == []


async def test_migrations_build_the_expression_indexes(database_url: str) -> None:
    declared = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expression, Column) for expression in index.expressions)
    }
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        catalog = {
            "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
            "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
        }[connection.dialect.name]
        built = set((await connection.execute(text(catalog))).scalars())
    await engine.dispose()
    assert declared == {"task_project_id_due_last_asc_idx", "task_project_id_due_last_desc_idx"}
    assert declared <= built


def test_0006_cleans_stored_descriptions_and_drops_csv_exports_made_before_it(
    databases: ScratchDatabases, tmp_path: Path
) -> None:
    url = databases.new(tmp_path, migrated=False)
    migrate(url, "0005")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    replay = '{"id":1,"name":"P","description":"x\\u0007y"}'  # JSON escapes the character

    async def store() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO user_account (id, email, email_key, display_name, password_hash, created_at, "
                    "updated_at) VALUES (1, 'a@example.com', 'a@example.com', 'A', 'h', :now, :now)"
                ),
                {"now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO project (id, name, description, owner_id, version, created_at, updated_at) "
                    "VALUES (1, 'P', :description, 1, 1, :now, :now)"
                ),
                {"description": "x\x07y\u202e", "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO task (id, project_id, title, description, status, version, created_at, updated_at) "
                    "VALUES (1, 1, 'T', :description, 'todo', 1, :now, :now), (2, 1, 'T', 'fine\n\tok', 'todo', 1, "
                    ":now, :now)"
                ),
                {"description": "a\x1bb", "now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO export (project_id, format, status, created_at) "
                    "VALUES (1, 'csv', 'succeeded', :now), (1, 'ndjson', 'succeeded', :now)"
                ),
                {"now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO idempotency_record (user_id, key, fingerprint, response_body, created_at, expires_at) "
                    "VALUES (1, 'k', 'f', :body, :now, :now)"
                ),
                {"body": replay, "now": now},
            )
        await engine.dispose()

    async def read() -> list[object]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            found = [
                *(await connection.execute(text("SELECT description FROM task ORDER BY id"))).scalars(),
                await connection.scalar(text("SELECT description FROM project")),
                await connection.scalar(text("SELECT response_body FROM idempotency_record")),
                [*(await connection.execute(text("SELECT version FROM task ORDER BY id"))).scalars()],
                [*(await connection.execute(text("SELECT format FROM export"))).scalars()],
            ]
        await engine.dispose()
        return found

    asyncio.run(store())
    migrate(url)
    found = asyncio.run(read())
    databases.drop(url)
    assert found[:3] == ["a\ufffdb", "fine\n\tok", "x\ufffdy\ufffd"]
    assert json.loads(str(found[3]))["description"] == "x\ufffdy"
    assert found[4:] == [[2, 1], ["ndjson"]]  # a new ETag where the description changed


def test_0011_unassigns_tasks_left_with_a_non_member_before_its_key(
    databases: ScratchDatabases, tmp_path: Path
) -> None:
    url = databases.new(tmp_path, migrated=False)
    migrate(url, "0010")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    users = "INSERT INTO user_account (id, email, email_key, display_name, password_hash, created_at, updated_at) "

    async def store() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            for user_id in (1, 2, 3):
                values = f"VALUES ({user_id}, 'u{user_id}@example.com', 'u{user_id}@example.com', 'U', 'h', :now, :now)"
                await connection.execute(text(users + values), {"now": now})
            await connection.execute(
                text(
                    "INSERT INTO project (id, name, owner_id, version, created_at, updated_at) "
                    "VALUES (1, 'P', 1, 1, :now, :now)"
                ),
                {"now": now},
            )
            await connection.execute(
                text(
                    "INSERT INTO membership (project_id, user_id, role, added_at) "
                    "VALUES (1, 1, 'owner', :now), (1, 2, 'member', :now)"
                ),
                {"now": now},
            )
            # Task 1's assignee is a member; task 2's left the project (the race this key ends).
            await connection.execute(
                text(
                    "INSERT INTO task (id, project_id, title, status, assignee_id, version, created_at, updated_at) "
                    "VALUES (1, 1, 'T', 'todo', 2, 1, :now, :now), (2, 1, 'T', 'todo', 3, 1, :now, :now)"
                ),
                {"now": now},
            )
        await engine.dispose()

    async def read() -> list[tuple[object, ...]]:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, assignee_id, version FROM task ORDER BY id"))).all()
        await engine.dispose()
        return [tuple(row) for row in rows]

    asyncio.run(store())
    migrate(url)
    found = asyncio.run(read())
    databases.drop(url)
    assert found == [(1, 2, 1), (2, None, 2)]


class _Wider(StrEnum):
    """TaskStatus with a value added in the contract and no migration yet."""

    todo = "todo"
    in_progress = "in_progress"
    done = "done"
    waiting_for_review = "waiting_for_review"


@pytest.mark.once
def test_lint_names_an_enum_value_the_database_would_refuse(tmp_path: Path) -> None:
    assert check.differences(tmp_path / "head.db") == []
    built = check.build(tmp_path / "again.db")["task"]
    wider = Table("task", MetaData(), Column("status", String(16)), one_of("status", _Wider))
    assert check.checks(wider, built) == [
        "table task: the migrations do not constrain it to"
        " CHECK (status IN ('todo', 'in_progress', 'done', 'waiting_for_review'))",
        "table task: column status is 16 wide, its values up to 18",
    ]


def test_lint_names_a_migration_that_does_not_say_whether_it_expands(tmp_path: Path) -> None:
    config = check.config(tmp_path / "head.db")
    versions = check.ROOT / "service" / "migrations" / "versions"
    config.set_main_option("version_locations", os.pathsep.join(map(str, (versions, tmp_path))))
    head = ScriptDirectory.from_config(check.config(tmp_path / "x.db")).get_current_head()
    assert head is not None
    step = f'revision = "{int(head) + 1:04d}"\ndown_revision = "{head}"\n'
    (tmp_path / "next.py").write_text(step + "def upgrade():\n    pass\n")
    assert check.undeclared(config) == [
        f"revision {int(head) + 1:04d}: say whether it expands (`expands: bool = True` or False)"
    ]
    (tmp_path / "next.py").write_text(step + "expands = True\n")
    assert check.undeclared(config) == []


@pytest.mark.once
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_an_autogenerated_migration_imports_the_types_it_uses(tmp_path: Path) -> None:
    database = tmp_path / "head.db"
    check.build(database)
    config = check.config(database)
    versions = check.ROOT / "service" / "migrations" / "versions"
    config.set_main_option("version_locations", os.pathsep.join(map(str, (versions, tmp_path))))
    added = Table("drill_note", Base.metadata, Column("id", Id, primary_key=True), Column("at", UtcDateTime))
    try:
        script = command.revision(config, "drill", autogenerate=True, version_path=str(tmp_path))
    finally:
        Base.metadata.remove(added)
    assert isinstance(script, Script)
    written = Path(script.path).read_text()
    assert "from service.kit.columns import UtcDateTime" in written and "UtcDateTime()" in written
    undefined = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F821", script.path],
        capture_output=True,
        text=True,
    )
    assert undefined.returncode == 0, undefined.stdout


def test_0015_purges_the_events_logged_without_versions_and_moves_the_horizon_past_them(
    databases: ScratchDatabases, tmp_path: Path
) -> None:
    url = databases.new(tmp_path, migrated=False)
    migrate(url, "0014")
    insert = "INSERT INTO project_event (project_id, event, data, created_at) VALUES (1, 'task.created', '{}', :now)"

    async def run(statements: list[str]) -> list[tuple[object, ...]]:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement), {"now": datetime(2026, 1, 1, tzinfo=UTC)})
            rows = [*(await connection.execute(text("SELECT purged_through FROM event_horizon"))).all()]
            rows += (await connection.execute(text("SELECT max(id), count(*) FROM project_event"))).all()
        await engine.dispose()
        return [tuple(row) for row in rows]

    assert asyncio.run(run([insert, insert, insert])) == [(0,), (3, 3)]
    migrate(url)
    # Gone, and the horizon past them: a client that saw event 1 or 2 is sent a reset. The next
    # event's id goes on from the log's (it is never one a client saw).
    assert asyncio.run(run([])) == [(3,), (None, 0)]
    assert asyncio.run(run([insert])) == [(3,), (4, 1)]
    databases.drop(url)
