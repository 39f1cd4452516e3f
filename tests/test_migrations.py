from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from service.tables import Base
from tests.database import migrate, sqlite_url


def test_migrations_build_exactly_the_tables_the_code_declares(tmp_path: Path) -> None:
    path = tmp_path / "migrated.db"
    migrate(sqlite_url(path))
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
