"""Tokens verified lately need no database; revoked ones stop at once in their process."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from service.app import create_app
from service.settings import Settings
from tests.factories import another_token, assert_problem, client_for, sign_up


@contextmanager
def token_lookups(app: FastAPI) -> Iterator[list[str]]:
    """The statements that read access tokens while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM access_token" in statement:
            seen.append(statement)

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_token_verified_lately_is_not_looked_up_again(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client)
    with token_lookups(app) as lookups:
        answers = [await client.get("/v1/users/me", headers=ada.headers) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert len(lookups) == 1


async def test_signing_out_stops_a_verified_token_at_once(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    assert (await client.get("/v1/users/me", headers=ada.headers)).status_code == 200
    assert (await client.delete("/v1/tokens/current", headers=ada.headers)).status_code == 204
    assert_problem(await client.get("/v1/users/me", headers=ada.headers), 401)


async def test_a_password_change_stops_the_other_verified_tokens_at_once(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    laptop = await another_token(client, ada)
    assert (await client.get("/v1/users/me", headers=laptop.headers)).status_code == 200
    body = {"currentPassword": ada.password, "password": "a new passphrase 1"}
    assert (await client.patch("/v1/users/me", json=body, headers=ada.headers)).status_code == 200
    assert_problem(await client.get("/v1/users/me", headers=laptop.headers), 401)
    assert (await client.get("/v1/users/me", headers=ada.headers)).status_code == 200


async def test_a_verified_token_is_not_kept_past_its_expiry(settings: Settings) -> None:
    brief = settings.model_copy(update={"token_ttl": timedelta(seconds=1), "token_cache_seconds": 60})
    async with client_for(brief) as client:
        ada = await sign_up(client)
        assert (await client.get("/v1/users/me", headers=ada.headers)).status_code == 200
        await asyncio.sleep(1.1)
        assert_problem(await client.get("/v1/users/me", headers=ada.headers), 401)


async def test_no_cache_asks_the_database_every_time(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"token_cache_seconds": 0}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            ada = await sign_up(client)
            with token_lookups(app) as lookups:
                for _ in range(3):
                    assert (await client.get("/v1/users/me", headers=ada.headers)).status_code == 200
    assert len(lookups) == 3
