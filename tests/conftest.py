import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.kit.database import Database
from service.settings import Settings
from tests.database import PostgresDatabases, ScratchDatabases, SQLiteDatabases
from tests.live import CHEAP_PASSWORDS, LiveServer

# Where set, the whole suite runs on this PostgreSQL server instead of SQLite (tests/database.py).
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKEND = "postgresql" if POSTGRES_URL else "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite: looks inside SQLite itself; runs only on the SQLite run")
    config.addinivalue_line("markers", "postgresql: a PostgreSQL behaviour; runs only on the PostgreSQL run")
    config.addinivalue_line(
        "markers", "once: the same whatever the database (an SDK, the HTTP layer); runs only on the SQLite run"
    )
    config.addinivalue_line("markers", "serial: measures time or takes the machine; `make test` runs it alone")


def pytest_report_header() -> str:
    return f"database: {BACKEND}"


# After pytest-randomly's shuffle: the longest test (a minute and more) starts first, so that the
# other workers take the rest meanwhile instead of waiting for it at the end.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    others = ("sqlite", "once") if BACKEND == "postgresql" else ("postgresql",)
    deselected = [item for item in items if any(item.get_closest_marker(other) for other in others)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
    items.sort(key=lambda item: not item.nodeid.startswith("tests/contract/test_fuzz.py"))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    databases: ScratchDatabases = (
        PostgresDatabases(POSTGRES_URL) if POSTGRES_URL else SQLiteDatabases(tmp_path_factory.mktemp("template"))
    )
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def database_url(databases: ScratchDatabases, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own."""
    url = databases.new(tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def db_path(database_url: str) -> Path:
    """The SQLite file, for tests marked `sqlite` that look inside it."""
    assert database_url.startswith("sqlite"), "only tests marked sqlite may ask for db_path"
    return Path(database_url.removeprefix("sqlite+aiosqlite:///"))


# Tests (and the fuzzer) make many requests from one address and token, and fail many sign-ins:
# limits that only the tests of the limits themselves reach.
UNLIMITED = {
    "RATE_LIMIT_PER_USER": "1000000",
    "RATE_LIMIT_PER_ADDRESS": "1000000",
    "SIGN_UP_PER_ADDRESS": "1000000",
    "EXPORTS_IN_FLIGHT_PER_USER": "1000000",
    "EXPORT_BYTES_PER_USER": "1000000000000",
    "SIGN_IN_FREE_FAILURES": "1000000",
    "SIGN_IN_LOCKOUT_FAILURES": "1000001",
    "SIGN_IN_EMAIL_LOCKOUT_FAILURES": "1000001",
    "PASSWORD_HASHING_BACKLOG": "1000",
    "PASSWORD_HASHING_WAIT_SECONDS": "60",
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    unlimited = {name.lower(): int(value) for name, value in {**UNLIMITED, **CHEAP_PASSWORDS}.items()}
    return Settings.model_validate({"database_url": database_url, "export_dir": tmp_path / "exports", **unlimited})


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The service's engines on the test's database, without an app around them."""
    database = Database(settings)
    yield database
    await database.dispose()


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
def live_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    # Streams end after a second, so that the fuzzer's reads of an event stream end too.
    with LiveServer(
        database_url, {"STREAM_MAX_SECONDS": "1", "EXPORT_DIR": str(tmp_path / "exports"), **UNLIMITED}
    ) as server:
        yield server
