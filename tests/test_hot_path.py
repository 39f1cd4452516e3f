"""What keeps the request path short: measured by `make bench`, held here by its mechanisms."""

import asyncio
import gc

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import event

from generated.api import OPERATIONS
from service.kit.database import Database
from service.settings import Settings
from tests.reliability.cluster import signed_in


def test_every_operation_has_one_dependency_its_context(app: FastAPI) -> None:
    # Each dependency costs every request its solving; the context does what the route needs.
    routes = [route for route in iter_route_contexts(app.routes) if getattr(route, "operation_id", None)]
    assert len(routes) == len(OPERATIONS)
    for route in routes:
        calls = [d.call.__name__ for d in route.dependant.dependencies if d.call]
        assert calls == ["context"], route.operation_id


async def test_a_read_uses_one_pooled_connection_and_one_transaction(app: FastAPI, client: httpx.AsyncClient) -> None:
    auth = await signed_in(client)
    project = (await client.post("/v1/projects", json={"name": "P"}, headers=auth)).json()["id"]
    task = (await client.post(f"/v1/projects/{project}/tasks", json={"title": "T"}, headers=auth)).json()["id"]
    # The request runs in this task (httpx's ASGI transport); the relay's polls, in its own.
    checkouts: list[object] = []
    pool = app.state.database.engine.sync_engine.pool
    event.listen(pool, "checkout", lambda *_: checkouts.append(asyncio.current_task()))
    answer = await client.get(f"/v1/projects/{project}/tasks/{task}", headers=auth)
    assert answer.status_code == 200
    # The token, the membership and the task in the request's own.
    assert checkouts.count(asyncio.current_task()) == 1


def test_pools_keep_sqlite_connections_open_and_short_writes_apart(settings: Settings) -> None:
    database = Database(settings)
    pool, short = database.engine.sync_engine.pool, database.short_engine.sync_engine.pool
    if database.engine.dialect.name == "sqlite":
        assert pool.size() == settings.database_pool_size + settings.database_max_overflow  # type: ignore[attr-defined]
        assert short.size() == 1  # type: ignore[attr-defined]
    else:
        assert pool.size() == settings.database_pool_size  # type: ignore[attr-defined]
        assert short.size() == 3  # type: ignore[attr-defined]


async def test_the_collector_leaves_start_up_alone_and_young_objects_longer(app: FastAPI) -> None:
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (50_000, 10, 10)
