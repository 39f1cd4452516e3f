"""kill -9 in the middle of a write load: what was acknowledged survives, nothing half-written does."""

import asyncio
import itertools
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import UNLIMITED
from tests.live import LiveServer
from tests.reliability.cluster import signed_in

WRITERS = 8


# Acknowledged creates before the kill: enough to mean something, however slow the machine.
ENOUGH = 40


class Acknowledged(dict[int, str]):
    """The creates answered 201 so far, by id; `enough` is set once there are ENOUGH."""

    def __init__(self) -> None:
        super().__init__()
        self.enough = asyncio.Event()

    def __setitem__(self, task_id: int, title: str) -> None:
        super().__setitem__(task_id, title)
        if len(self) >= ENOUGH:
            self.enough.set()


async def write_until_it_dies(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], n: int, acknowledged: Acknowledged
) -> None:
    """Creates tasks until the server stops answering, noting in `acknowledged` those answered 201."""
    for i in itertools.count():
        title = f"writer-{n}-task-{i}"
        try:
            response = await http.post(path, json={"title": title}, headers={**headers, "Idempotency-Key": title})
        except httpx.TransportError:
            return
        assert response.status_code == 201, response.text
        acknowledged[response.json()["id"]] = title


async def test_acknowledged_writes_survive_a_kill(database_url: str, tmp_path: Path) -> None:
    env = {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports")}
    server = LiveServer(database_url, env).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "B"}, headers=headers)).json()
            path = f"/v1/projects/{project['id']}/tasks"
            acknowledged = Acknowledged()
            load = [
                asyncio.create_task(write_until_it_dies(http, path, headers, n, acknowledged)) for n in range(WRITERS)
            ]
            async with asyncio.timeout(30):
                await acknowledged.enough.wait()
            await asyncio.to_thread(server.kill)
            async with asyncio.timeout(30):  # every writer notices the kill
                await asyncio.gather(*load)
        assert len(acknowledged) >= ENOUGH

        server.start()
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            stored: dict[int, str] = {}
            params: dict[str, str | int] = {"limit": 100}
            while True:
                page = (await http.get(path, params=params, headers=headers)).json()
                stored.update({t["id"]: t["title"] for t in page["items"]})
                if not page.get("nextCursor"):
                    break
                params["cursor"] = page["nextCursor"]
            # Every acknowledged create is there, as it was acknowledged.
            assert {k: stored.get(k) for k in acknowledged} == acknowledged
            # A create cut off before its answer is there whole, or not at all; a retry finds it.
            for task_id, title in stored.items():
                retry = await http.post(path, json={"title": title}, headers={**headers, "Idempotency-Key": title})
                assert (retry.status_code, retry.json()["id"]) == (201, task_id)
            # And the restarted service takes new writes.
            assert (await http.post(path, json={"title": "after"}, headers=headers)).status_code == 201
    finally:
        server.stop()

    await assert_consistent(database_url, project["id"], len(stored) + 1)


async def assert_consistent(database_url: str, project_id: int, tasks: int) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as db:
            if engine.dialect.name == "sqlite":
                assert (await db.execute(text("PRAGMA integrity_check"))).scalar() == "ok"
                assert (await db.execute(text("PRAGMA foreign_key_check"))).all() == []
            counts = {
                "tasks": "SELECT count(*) FROM task WHERE project_id = :p",
                "created events": "SELECT count(*) FROM project_event WHERE project_id = :p AND event = 'task.created'",
            }
            found = {name: (await db.execute(text(sql), {"p": project_id})).scalar() for name, sql in counts.items()}
            unfinished = "SELECT count(*) FROM idempotency_record WHERE response_body IS NULL"
            assert found == {"tasks": tasks, "created events": tasks}
            assert (await db.execute(text(unfinished))).scalar() == 0
    finally:
        await engine.dispose()
