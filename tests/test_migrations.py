import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, text
from sqlalchemy.ext.asyncio import create_async_engine

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
