"""A request that holds a pooled connection never waits for another one from the same pool."""

import asyncio
from pathlib import Path

import httpx

from tests.live import LiveServer
from tests.reliability.cluster import signed_in


async def test_reads_at_once_do_not_drain_a_small_pool(database_url: str, tmp_path: Path) -> None:
    # A read holds its connection from authentication to its answer, and meanwhile waits for its
    # rate limit's write, and the first list of a process for the cursor key: were those taken from
    # the same pool, two reads at once would wait on each other for good.
    pool = {"DATABASE_POOL_SIZE": "2", "DATABASE_MAX_OVERFLOW": "0", "DATABASE_POOL_TIMEOUT_SECONDS": "3"}
    with LiveServer(database_url, {"RATE_LIMIT_PER_USER": "10000", **pool}) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            auth = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "P"}, headers=auth)).json()["id"]
            lists = [http.get(f"/v1/projects/{project}/tasks", headers=auth) for _ in range(12)]
            answers = await asyncio.gather(*lists)
    assert [answer.status_code for answer in answers] == [200] * 12
