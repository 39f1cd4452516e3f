"""Concurrent requests racing for one thing, against two real server processes: one wins, the
rest get the documented 4xx, and nothing answers 5xx."""

import asyncio
import itertools
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.factories import new_user
from tests.reliability.cluster import cluster, signed_in

RACERS = 32


async def test_concurrent_sign_ups_with_one_email(database_url: str, tmp_path: Path) -> None:
    with cluster(database_url, 2, tmp_path) as servers:
        rotation = itertools.cycle(servers)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=RACERS)) as http:
            body = new_user()
            answers = await asyncio.gather(
                *(http.post(f"{next(rotation).url}/v1/users", json=body) for _ in range(RACERS))
            )
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {201: 1, 409: RACERS - 1}, statuses
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers if r.status_code == 409)


async def test_concurrent_updates_with_one_etag(database_url: str, tmp_path: Path) -> None:
    with cluster(database_url, 2, tmp_path) as servers:
        rotation = itertools.cycle(servers)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=RACERS)) as http:
            headers = await signed_in(http, servers[0].url)
            project = (await http.post(f"{servers[0].url}/v1/projects", json={"name": "B"}, headers=headers)).json()
            task = await http.post(
                f"{servers[0].url}/v1/projects/{project['id']}/tasks", json={"title": "t"}, headers=headers
            )
            path = f"/v1/projects/{project['id']}/tasks/{task.json()['id']}"
            etag = task.headers["etag"]
            answers = await asyncio.gather(
                *(
                    http.patch(
                        f"{next(rotation).url}{path}", json={"title": f"by {n}"}, headers={**headers, "If-Match": etag}
                    )
                    for n in range(RACERS)
                )
            )
            final = (await http.get(f"{servers[1].url}{path}", headers=headers)).json()
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {200: 1, 412: RACERS - 1}, statuses
    [winner] = [r.json() for r in answers if r.status_code == 200]
    assert final == winner


async def test_concurrent_creates_with_one_idempotency_key(database_url: str, tmp_path: Path) -> None:
    with cluster(database_url, 2, tmp_path) as servers:
        rotation = itertools.cycle(servers)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=RACERS)) as http:
            headers = await signed_in(http, servers[0].url)
            project = (await http.post(f"{servers[0].url}/v1/projects", json={"name": "B"}, headers=headers)).json()
            path = f"/v1/projects/{project['id']}/tasks"
            keyed = {**headers, "Idempotency-Key": "the-one-task"}
            answers = await asyncio.gather(
                *(
                    http.post(f"{next(rotation).url}{path}", json={"title": "once"}, headers=keyed)
                    for _ in range(RACERS)
                )
            )
            listed = (await http.get(f"{servers[1].url}{path}", headers=headers)).json()["items"]
    statuses = Counter(r.status_code for r in answers)
    # A retry of a finished request replays it; one still in flight elsewhere is 409 (retry later).
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    created = {r.json()["id"] for r in answers if r.status_code == 201}
    assert len(listed) == 1 and created == {listed[0]["id"]}
    assert sum(r.headers.get("idempotent-replayed") != "true" for r in answers if r.status_code == 201) == 1


# PostgreSQL's race: SQLite's writers take turns (BEGIN IMMEDIATE), so there the two never overlap.
@pytest.mark.postgresql
async def test_an_assignment_racing_the_assignees_removal_never_leaves_a_non_member_assigned(
    database_url: str, tmp_path: Path
) -> None:
    with cluster(database_url, 2, tmp_path) as (first, second):
        async with httpx.AsyncClient(timeout=60) as http:
            owner = await signed_in(http, first.url)
            statuses: Counter[tuple[int, int]] = Counter()
            for _ in range(40):
                member = await signed_in(http, first.url)
                me = (await http.get(f"{first.url}/v1/users/me", headers=member)).json()
                project = (await http.post(f"{first.url}/v1/projects", json={"name": "R"}, headers=owner)).json()
                base = f"/v1/projects/{project['id']}"
                invited = await http.post(f"{first.url}{base}/invitations", json={"userId": me["id"]}, headers=owner)
                accept = f"{first.url}/v1/invitations/{invited.json()['id']}/accept"
                assert (await http.post(accept, headers=member)).status_code == 200
                task = (await http.post(f"{first.url}{base}/tasks", json={"title": "t"}, headers=owner)).json()
                assigned, removed = await asyncio.gather(
                    http.patch(
                        f"{first.url}{base}/tasks/{task['id']}",
                        json={"assigneeId": me["id"]},
                        headers={**owner, "If-Match": "*"},
                    ),
                    http.delete(f"{second.url}{base}/members/{me['id']}", headers=owner),
                )
                statuses[assigned.status_code, removed.status_code] += 1
                final = (await http.get(f"{second.url}{base}/tasks/{task['id']}", headers=owner)).json()
                assert final["assigneeId"] is None, (assigned.status_code, removed.status_code)
    # Either order, and no other answer: assigned then unassigned by the removal, or refused as a non-member's.
    assert set(statuses) <= {(200, 204), (422, 204)}, statuses


async def test_concurrent_exports_of_one_project_and_format_make_one(database_url: str, tmp_path: Path) -> None:
    # Handed to a queue that no worker reads: every export stays queued while the others race it.
    idle_queue = {"EXPORT_QUEUE": "saq", "REDIS_NAMESPACE": f"taskboard-test-{uuid.uuid4().hex}"}
    with cluster(database_url, 2, tmp_path, **idle_queue) as servers:
        rotation = itertools.cycle(servers)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=RACERS)) as http:
            headers = await signed_in(http, servers[0].url)
            project = (await http.post(f"{servers[0].url}/v1/projects", json={"name": "E"}, headers=headers)).json()
            url = f"/v1/projects/{project['id']}/exports"
            answers = await asyncio.gather(
                *(
                    http.post(f"{next(rotation).url}{url}", json={"format": "csv"}, headers=headers)
                    for _ in range(RACERS)
                )
            )
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {202: 1, 200: RACERS - 1}, statuses
    assert len({r.json()["id"] for r in answers}) == 1
