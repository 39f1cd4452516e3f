"""Processes that share nothing but the database behave as one service."""

import asyncio
import itertools
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.events.conftest import Events
from tests.factories import assert_problem, new_user
from tests.live import LiveServer
from tests.reliability.cluster import cluster, signed_in


async def test_a_session_works_whichever_process_answers(database_url: str, tmp_path: Path) -> None:
    with cluster(database_url, 3, tmp_path) as (a, b, c):
        async with httpx.AsyncClient(timeout=10) as http:
            headers = await signed_in(http, a.url, b.url)
            assert (await http.get(f"{c.url}/v1/users/me", headers=headers)).status_code == 200

            project = (await http.post(f"{a.url}/v1/projects", json={"name": "B"}, headers=headers)).json()
            tasks = f"/v1/projects/{project['id']}/tasks"
            keyed = {**headers, "Idempotency-Key": "one-task"}
            first = await http.post(f"{a.url}{tasks}", json={"title": "t0"}, headers=keyed)
            again = await http.post(f"{b.url}{tasks}", json={"title": "t0"}, headers=keyed)
            assert (first.status_code, again.status_code) == (201, 201)
            assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
            for n in range(1, 5):
                assert (await http.post(f"{c.url}{tasks}", json={"title": f"t{n}"}, headers=headers)).status_code == 201

            # A cursor signed by one process is honoured by another.
            page = (await http.get(f"{a.url}{tasks}", params={"limit": 2}, headers=headers)).json()
            rest = await http.get(
                f"{b.url}{tasks}", params={"limit": 10, "cursor": page["nextCursor"]}, headers=headers
            )
            assert rest.status_code == 200
            seen = [t["title"] for t in page["items"] + rest.json()["items"]]
            assert sorted(seen) == [f"t{n}" for n in range(5)]

            # An ETag from one process is a precondition on another.
            task_url = f"{tasks}/{first.json()['id']}"
            etag = (await http.get(f"{b.url}{task_url}", headers=headers)).headers["etag"]
            updated = await http.patch(
                f"{c.url}{task_url}", json={"status": "done"}, headers={**headers, "If-Match": etag}
            )
            stale = await http.patch(f"{a.url}{task_url}", json={"title": "x"}, headers={**headers, "If-Match": etag})
            assert updated.status_code == 200
            assert_problem(stale, 412)

            # Signing out on one process signs out there at once, and everywhere within
            # TOKEN_CACHE_SECONDS (2 s), however recently another process verified the token.
            assert (await http.get(f"{b.url}/v1/users/me", headers=headers)).status_code == 200
            signed_out = time.monotonic()
            assert (await http.delete(f"{a.url}/v1/tokens/current", headers=headers)).status_code == 204
            assert_problem(await http.get(f"{a.url}/v1/users/me", headers=headers), 401)
            # A request sent once that time has passed is checked after it too, however loaded the machine.
            for server in (b, c):
                while True:
                    sent = time.monotonic()
                    answer = await http.get(f"{server.url}/v1/users/me", headers=headers)
                    if answer.status_code != 200:
                        break
                    assert sent - signed_out < 2, "a revoked token still works elsewhere"
                    await asyncio.sleep(0.05)
                assert_problem(answer, 401)


async def test_events_reach_streams_on_every_process(database_url: str, tmp_path: Path) -> None:
    with cluster(database_url, 3, tmp_path, STREAM_HEARTBEAT_SECONDS="0.5") as servers:
        async with httpx.AsyncClient(timeout=10) as http:
            headers = await signed_in(http, servers[0].url)
            project = (await http.post(f"{servers[0].url}/v1/projects", json={"name": "B"}, headers=headers)).json()
            url = f"/v1/projects/{project['id']}/events"
            async with (
                http.stream("GET", f"{servers[0].url}{url}", headers=headers) as one,
                http.stream("GET", f"{servers[1].url}{url}", headers=headers) as two,
                http.stream("GET", f"{servers[2].url}{url}", headers=headers) as three,
            ):
                streams = [Events(one), Events(two), Events(three)]
                tasks = f"/v1/projects/{project['id']}/tasks"
                created = (await http.post(f"{servers[1].url}{tasks}", json={"title": "x"}, headers=headers)).json()
                task_url = f"{servers[2].url}{tasks}/{created['id']}"
                etag = (await http.get(task_url, headers=headers)).headers["etag"]
                await http.patch(task_url, json={"status": "done"}, headers={**headers, "If-Match": etag})
                received = await asyncio.gather(*(s.take(2) for s in streams))
    for events in received:
        assert [e["event"] for e in events] == ["task.created", "task.updated"]
        assert int(events[0]["id"]) < int(events[1]["id"])


@pytest.mark.once  # counted in Redis, whatever the database
async def test_rate_limits_hold_across_processes(database_url: str, tmp_path: Path) -> None:
    # Per hour: the allowance does not refill while the test runs, however slow the machine.
    limits = {
        "RATE_LIMIT_PER_USER": "6",
        "RATE_LIMIT_PER_ADDRESS": "4",
        "RATE_LIMIT_PERIOD": "PT1H",
        # Shared by the processes as at scale; keys of this test's own in the machine's Redis.
        "RATE_LIMIT_STORAGE": "async+redis://127.0.0.1:6379/0",
        "REDIS_NAMESPACE": f"taskboard-test-{uuid.uuid4().hex}",
    }
    with cluster(database_url, 3, tmp_path, **limits) as servers:
        async with httpx.AsyncClient(timeout=10) as http:
            user = new_user()
            answers = [(await http.post(f"{servers[0].url}/v1/users", json=user)).status_code]
            token = await http.post(
                f"{servers[1].url}/v1/tokens", json={"email": user["email"], "password": user["password"]}
            )
            headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
            rotation = itertools.cycle(servers)
            by_token = [
                (await http.get(f"{next(rotation).url}/v1/users/me", headers=headers)).status_code for _ in range(9)
            ]
            by_address = [
                (await http.post(f"{next(rotation).url}/v1/users", json=new_user())).status_code for _ in range(4)
            ]
    assert by_token == [200] * 6 + [429] * 3
    # Sign-up and sign-in above spent two of this address's four.
    assert answers + by_address == [201, 201, 201, 429, 429]


async def test_four_uvicorn_workers_act_as_one(database_url: str, tmp_path: Path) -> None:
    env = {
        "RATE_LIMIT_PER_USER": "50",
        "RATE_LIMIT_PER_ADDRESS": "1000",
        "RATE_LIMIT_PERIOD": "PT1H",
        "RATE_LIMIT_STORAGE": "async+redis://127.0.0.1:6379/0",
        "REDIS_NAMESPACE": f"taskboard-test-{uuid.uuid4().hex}",
        # Eight streams of one token, however unevenly the kernel spreads them over the workers.
        "STREAM_LIMIT_PER_TOKEN": "8",
    }
    with LiveServer(database_url, {**env, "EXPORT_DIR": str(tmp_path / "exports")}, workers=4) as server:
        limits = httpx.Limits(max_connections=40, max_keepalive_connections=0)  # a new connection, any worker
        async with httpx.AsyncClient(base_url=server.url, timeout=10, limits=limits) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "B"}, headers=headers)).json()
            url = f"/v1/projects/{project['id']}/events"
            async with asyncio.timeout(20):
                responses = [
                    await http.send(http.build_request("GET", url, headers=headers), stream=True) for _ in range(8)
                ]
            try:
                created = await http.post(f"/v1/projects/{project['id']}/tasks", json={"title": "x"}, headers=headers)
                received = await asyncio.gather(*(Events(r).take(1) for r in responses))
            finally:
                for response in responses:
                    await response.aclose()
            # Pages whose cursors one worker signs and another reads (no SECRET_KEY is set).
            tasks = f"/v1/projects/{project['id']}/tasks"
            for n in range(5):
                await http.post(tasks, json={"title": f"t{n}"}, headers=headers)
            titles, params = [], {"limit": 2}
            for _ in range(3):
                page = await http.get(tasks, params=params, headers=headers)
                assert page.status_code == 200, page.text
                titles += [t["title"] for t in page.json()["items"]]
                params["cursor"] = page.json().get("nextCursor")
            statuses = await asyncio.gather(*(http.get("/v1/users/me", headers=headers) for _ in range(40)))
    assert created.status_code == 201
    assert all(events[0]["event"] == "task.created" for events in received)
    assert sorted(titles) == ["t0", "t1", "t2", "t3", "t4", "x"]
    # 50 an hour, whichever worker answers: the project, 8 streams, 6 tasks and 3 pages spent 18.
    codes = [r.status_code for r in statuses]
    assert (codes.count(200), codes.count(429)) == (32, 8)
