"""The database goes away under a running service: requests get 503 with Retry-After quickly,
not hangs or 500s, and the service recovers by itself when the database is back."""

import asyncio
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url

from tests.conftest import POSTGRES_URL, UNLIMITED
from tests.database import execute, migrate
from tests.events.conftest import Events
from tests.factories import assert_problem
from tests.live import LiveServer
from tests.reliability import own_postgres
from tests.reliability.cluster import signed_in

# Seconds within which a request must be answered while the database is away: a request that
# hangs on it times out (httpx.ReadTimeout), however loaded the machine is.
ANSWERED_WITHIN = 15


async def assert_unavailable(response: httpx.Response) -> None:
    problem = assert_problem(response, 503)
    assert int(response.headers["retry-after"]) >= 1
    assert "retry" in problem["detail"].lower()


async def until_ok(http: httpx.AsyncClient, method: str, url: str, seconds: float = 20, **kwargs: object) -> float:
    """Retries until a 2xx; returns how long that took."""
    started = time.monotonic()
    while True:
        response = await http.request(method, url, **kwargs)  # type: ignore[arg-type]
        if response.is_success:
            return time.monotonic() - started
        assert response.status_code == 503, response.text
        assert time.monotonic() - started < seconds, f"still {response.status_code} after {seconds} s"
        await asyncio.sleep(0.2)


@pytest.mark.postgresql
async def test_postgresql_stops_and_comes_back(tmp_path: Path) -> None:
    if reason := own_postgres.available():
        pytest.fail(f"the database-loss test needs a PostgreSQL server of its own: {reason}")
    with own_postgres.own_postgres() as database:
        await asyncio.to_thread(migrate, database.url)
        env = {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports"), "DATABASE_CONNECT_TIMEOUT_SECONDS": "2"}
        with LiveServer(database.url, env) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                headers = await signed_in(http)
                project = (await http.post("/v1/projects", json={"name": "B"}, headers=headers)).json()
                tasks = f"/v1/projects/{project['id']}/tasks"
                async with http.stream("GET", f"/v1/projects/{project['id']}/events", headers=headers) as stream:
                    await asyncio.to_thread(database.stop)
                    # The relay lost its connection: the stream ends, and its client resumes later.
                    async with asyncio.timeout(15):
                        await Events(stream).rest()

                for method, url, body in [
                    ("GET", "/v1/users/me", None),
                    ("POST", tasks, {"title": "t"}),
                    ("GET", tasks, None),
                ]:
                    response = await http.request(method, url, json=body, headers=headers, timeout=ANSWERED_WITHIN)
                    await assert_unavailable(response)
                not_ready = await http.get("/readyz")
                assert_problem(not_ready, 503)
                assert not_ready.headers["retry-after"] == "5"
                assert (await http.get("/healthz")).status_code == 200

                await asyncio.to_thread(database.start)
                await until_ok(http, "GET", "/readyz")
                await until_ok(http, "GET", "/v1/users/me", headers=headers)
                # New streams are refused (503) until the relay listens again, so none misses an event.
                async with asyncio.timeout(20):
                    while True:
                        async with http.stream(
                            "GET", f"/v1/projects/{project['id']}/events", headers=headers
                        ) as stream:
                            if stream.status_code == 503:
                                await asyncio.sleep(0.2)
                                continue
                            assert stream.status_code == 200
                            created = await http.post(tasks, json={"title": "after"}, headers=headers)
                            [event] = await Events(stream).take(1, seconds=10)
                            break
                assert created.status_code == 201
                assert event["event"] == "task.created"


async def as_admin(statement: str) -> None:
    assert POSTGRES_URL is not None, "marked postgresql: run on PostgreSQL only"
    await execute(POSTGRES_URL, statement)


def outage_lines(log: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert not [line for line in lines if line["level"] == "ERROR"], "a refusal was logged as an error"
    return [line for line in lines if line["message"].startswith("the database is unavailable")]


@pytest.mark.postgresql
async def test_a_database_that_accepts_no_connections_is_503_and_one_log_line(
    database_url: str, tmp_path: Path
) -> None:
    """55000 "not currently accepting connections", and 57P01 for the pool's connections cut meanwhile."""
    name = make_url(database_url).database
    log = tmp_path / "service.log"
    with LiveServer(database_url, {**UNLIMITED, "LOG_FORMAT": "json"}, log=log) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = await signed_in(http)
            await as_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            await as_admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            try:
                for _ in range(20):
                    response = await http.get("/v1/users/me", headers=headers, timeout=ANSWERED_WITHIN)
                    await assert_unavailable(response)
                await assert_unavailable(await http.post("/v1/projects", json={"name": "x"}, headers=headers))
            finally:
                await as_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            await until_ok(http, "GET", "/v1/users/me", headers=headers)
    [line] = outage_lines(log)
    assert line["level"] == "WARNING"
    assert "not currently accepting connections" in line["message"] or "57P01" in line["message"], line


@pytest.mark.postgresql
async def test_too_many_connections_is_503_and_one_log_line(database_url: str, tmp_path: Path) -> None:
    """53300: the service's role may open no more connections."""
    role = f"limited_{os.getpid()}"
    await as_admin(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        limited = make_url(database_url).set(username=role).render_as_string(hide_password=False)
        log = tmp_path / "service.log"
        with LiveServer(limited, {**UNLIMITED, "LOG_FORMAT": "json"}, log=log) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                for _ in range(20):
                    await assert_unavailable(
                        await http.post("/v1/tokens", json={"email": "a@example.com", "password": "p"})
                    )
                assert_problem(await http.get("/readyz"), 503)
        [line] = outage_lines(log)
        assert "53300 too many connections" in line["message"], line
    finally:
        await as_admin(f'DROP ROLE "{role}"')


@pytest.mark.sqlite
async def test_sqlite_locked_for_too_long_then_free(db_path: Path, tmp_path: Path) -> None:
    """SQLite's way of being away: another process holds the write lock (a backup, a migration)."""
    env = {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports"), "SQLITE_BUSY_TIMEOUT_MS": "300"}
    with LiveServer(f"sqlite+aiosqlite:///{db_path}", env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "B"}, headers=headers)).json()
            tasks = f"/v1/projects/{project['id']}/tasks"
            holder = sqlite3.connect(db_path, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")
                refused = await http.post(tasks, json={"title": "t"}, headers=headers, timeout=ANSWERED_WITHIN)
                await assert_unavailable(refused)
                # Reads write nothing (rate limits are counted in memory): they go on meanwhile.
                assert (await http.get(tasks, headers=headers)).status_code == 200
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            assert (await http.post(tasks, json={"title": "after"}, headers=headers)).status_code == 201
