"""Test databases: a migrated template, copied for each test."""

import shutil
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrate(url: str) -> None:
    config = Config(ROOT / "alembic.ini")
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def copy_database(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    return target
