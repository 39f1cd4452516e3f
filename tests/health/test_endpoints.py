from pathlib import Path

import httpx
from fastapi import FastAPI

from service.app import create_app
from service.kit.database import Database
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
