from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.settings import Settings
from tests.database import copy_database, migrate, sqlite_url
from tests.live import LiveServer


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "taskboard.db"
    migrate(sqlite_url(path))
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    return copy_database(template_db, tmp_path / "taskboard.db")


@pytest.fixture
def settings(db_path: Path, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url(db_path), export_dir=tmp_path / "exports")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
        yield client


@pytest.fixture
def live_server(db_path: Path) -> Iterator[LiveServer]:
    # Streams end after a second, so that the fuzzer's reads of an event stream end too.
    with LiveServer(sqlite_url(db_path), STREAM_MAX_SECONDS="1", EXPORT_DIR=str(db_path.parent / "exports")) as server:
        yield server
