from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.kit.database import Database
from service.migrations.compatibility import schema_problem
from service.settings import Settings
from tests.database import ScratchDatabases
from tests.factories import assert_problem


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_not_ready_when_the_database_does_not_answer(app: FastAPI, client: httpx.AsyncClient) -> None:
    # A PostgreSQL address where nothing listens: connecting fails at once.
    unreachable = Database(Settings(database_url="postgresql+asyncpg://taskboard@127.0.0.1:1/none"))
    healthy, app.state.database = app.state.database, unreachable
    try:
        response = await client.get("/readyz")
    finally:
        app.state.database = healthy
        await unreachable.dispose()
    problem = assert_problem(response, 503)
    assert problem["detail"] == "The database does not answer."
    assert response.headers["retry-after"] == "5"
    assert (await client.get("/healthz")).status_code == 200


async def test_not_ready_until_the_database_is_migrated(databases: ScratchDatabases, tmp_path: Path) -> None:
    url = databases.new(tmp_path, migrated=False)
    app = create_app(Settings(database_url=url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            problem = assert_problem(await client.get("/readyz"), 503)
    assert "not migrated" in problem["detail"]


@pytest.mark.parametrize(
    ("version", "oldest", "problem"),
    [
        ("0016", "0015", None),  # this code's own revision
        ("0018", "0015", None),  # ahead by expand steps that this code's revision still serves
        ("0018", "0016", None),
        ("0018", "0017", "past"),  # a contract step after this code's revision
        ("0018", None, "past"),  # ahead, and no word on what serves it
        ("0015", "0015", "not migrated"),  # behind
        (None, None, "not migrated"),
    ],
)
def test_ready_when_this_codes_revision_serves_the_database_schema(
    version: str | None, oldest: str | None, problem: str | None
) -> None:
    found = schema_problem("0016", version, oldest)
    assert found is None if problem is None else found is not None and problem in found
