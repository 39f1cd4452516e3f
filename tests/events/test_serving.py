"""Streams against the limits of a real server: a small pool, and a shutdown."""

import asyncio
import signal
import time

import httpx

from service.settings import Settings
from tests.events.conftest import Events, serve
from tests.factories import create_project, create_task, sign_up
from tests.live import LiveServer

POOL = 2


async def test_open_streams_hold_no_database_connection(settings: Settings) -> None:
    small_pool = settings.model_copy(
        update={
            **{"database_pool_size": POOL, "database_max_overflow": 0, "database_pool_timeout_seconds": 2},
            **{"stream_limit_per_user": 10 * POOL, "stream_limit_per_token": 10 * POOL},
        }
    )
    async with serve(small_pool) as served:
        client = served.client
        ada = await sign_up(client)
        project = await create_project(client, ada)
        task = await create_task(client, ada, project["id"])
        url = f"/v1/projects/{project['id']}/events"
        limits = httpx.Limits(max_connections=20 * POOL + 10)
        async with httpx.AsyncClient(base_url=served.url, limits=limits, timeout=10) as streams:
            async with asyncio.TaskGroup() as group:
                opened = [group.create_task(_open(streams, url, ada.headers)) for _ in range(10 * POOL)]
            responses = [o.result() for o in opened]
            try:
                assert all(r.status_code == 200 for r in responses)
                assert served.app.state.broadcaster.open_streams == 10 * POOL
                reads = await asyncio.gather(
                    *(
                        client.get(f"/v1/projects/{project['id']}/tasks/{task['id']}", headers=ada.headers)
                        for _ in range(20)
                    )
                )
                # Were the pool held by the streams, these would wait out its timeout and be 503s.
                assert [r.status_code for r in reads] == [200] * 20
            finally:
                for response in responses:
                    await response.aclose()


async def _open(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    request = client.build_request("GET", url, headers=headers)
    return await client.send(request, stream=True)


def test_shutdown_ends_open_streams(database_url: str) -> None:
    with LiveServer(database_url) as server:
        asyncio.run(_hold_streams_through_sigterm(server))


async def _hold_streams_through_sigterm(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        ada = await sign_up(client)
        project = await create_project(client, ada)
        url = f"/v1/projects/{project['id']}/events"
        async with (
            client.stream("GET", url, headers=ada.headers) as one,
            client.stream("GET", url, headers=ada.headers),
        ):
            assert server.process is not None
            server.process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            rest = await Events(one).rest()
            ended = time.monotonic() - started
        exited = await asyncio.to_thread(server.process.wait, 10)
        gone = time.monotonic() - started
    # uvicorn shuts down gracefully, then re-raises the signal so that the exit status tells why.
    assert exited == -signal.SIGTERM
    # Ended by the service at the signal, not cut by the graceful shutdown's timeout (8 s, SERVE_OPTIONS).
    assert ended < 8, f"the stream ended {ended:.1f} s after SIGTERM"
    assert gone < 8, f"the server exited {gone:.1f} s after SIGTERM"
    assert all(line == "" or line.startswith(":") for line in rest)
