import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, create_engine

from service.tables import Base
from tests.database import migrate, sqlite_url


# Alembic cannot compare expression indexes; the test below checks those by name.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_exactly_the_tables_the_code_declares(tmp_path: Path) -> None:
    path = tmp_path / "migrated.db"
    migrate(sqlite_url(path))
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_migrations_build_the_expression_indexes(tmp_path: Path) -> None:
    path = tmp_path / "migrated.db"
    migrate(sqlite_url(path))
    declared = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expression, Column) for expression in index.expressions)
    }
    with sqlite3.connect(path) as connection:
        built = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert declared == {"task_project_id_due_last_asc_idx", "task_project_id_due_last_desc_idx"}
    assert declared <= built
