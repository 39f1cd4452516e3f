"""SIGTERM while requests are in flight and streams are open: the requests finish, the streams
end, and the process is gone within 10 s."""

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import UNLIMITED
from tests.events.conftest import Events
from tests.factories import new_user
from tests.live import LiveServer
from tests.reliability.cluster import signed_in

IN_FLIGHT = 24


async def test_sigterm_finishes_requests_ends_streams_and_exits(database_url: str, tmp_path: Path) -> None:
    with LiveServer(database_url, {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports")}) as server:
        assert server.process is not None
        limits = httpx.Limits(max_connections=IN_FLIGHT + 4)
        async with httpx.AsyncClient(base_url=server.url, timeout=20, limits=limits) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "B"}, headers=headers)).json()
            url = f"/v1/projects/{project['id']}/events"
            async with http.stream("GET", url, headers=headers) as one, http.stream("GET", url, headers=headers) as two:
                # Sign-ups hash a password each (tens of milliseconds), tasks write: together a backlog.
                requests = [
                    asyncio.create_task(
                        http.post("/v1/users", json=new_user())
                        if n % 2
                        else http.post(f"/v1/projects/{project['id']}/tasks", json={"title": f"t{n}"}, headers=headers)
                    )
                    for n in range(IN_FLIGHT)
                ]
                done, _ = await asyncio.wait(requests, return_when=asyncio.FIRST_COMPLETED)
                server.process.send_signal(signal.SIGTERM)
                signalled = time.monotonic()
                answers = await asyncio.gather(*requests)
                ended = await asyncio.gather(Events(one).rest(), Events(two).rest())
                streams_ended = time.monotonic() - signalled
            exited = await asyncio.to_thread(server.process.wait, 10)
            gone = time.monotonic() - signalled
    assert len(done) < IN_FLIGHT, "every request finished before the signal: nothing was in flight"
    assert [a.status_code for a in answers] == [201] * IN_FLIGHT
    assert all(isinstance(lines, list) for lines in ended)
    # Ended by the service at the signal, not cut by the graceful shutdown's timeout (8 s, SERVE_OPTIONS);
    # the figure also holds the in-flight requests' time, which a busy machine stretches.
    assert streams_ended < 8, f"the streams ended {streams_ended:.1f} s after SIGTERM"
    assert exited == -signal.SIGTERM
    assert gone < 10, f"the process took {gone:.1f} s to exit"


@pytest.mark.once  # the same on either database
async def test_sigterm_turns_readiness_off_first_and_serves_out_the_drain(database_url: str, tmp_path: Path) -> None:
    """What a load balancer needs to take a process out before it closes: `/readyz` 503 at once,
    requests (new connections too) served for DRAIN_SECONDS, then the streams end and it exits."""
    env = {**UNLIMITED, "EXPORT_DIR": str(tmp_path / "exports"), "DRAIN_SECONDS": "2"}
    with LiveServer(database_url, env) as server:
        assert server.process is not None
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            headers = await signed_in(http)
            project = (await http.post("/v1/projects", json={"name": "Drain"}, headers=headers)).json()
            async with http.stream("GET", f"/v1/projects/{project['id']}/events", headers=headers) as stream:
                assert (await http.get("/readyz")).status_code == 200
                server.process.send_signal(signal.SIGTERM)
                signalled = time.monotonic()
                await asyncio.sleep(0.2)
                not_ready = await http.get("/readyz")
                served = []
                while time.monotonic() - signalled < 1.5:  # within the drain: a fresh connection each
                    async with httpx.AsyncClient(base_url=server.url, timeout=5) as fresh:
                        served.append((await fresh.get("/v1/users/me", headers=headers)).status_code)
                    await asyncio.sleep(0.1)
                await Events(stream).rest()
                stream_ended = time.monotonic() - signalled
            exited = await asyncio.to_thread(server.process.wait, 15)
    problem = not_ready.json()
    assert not_ready.status_code == 503 and problem["detail"].startswith("This process is shutting down")
    assert not_ready.headers["retry-after"] == "5"
    assert len(served) >= 5 and set(served) == {200}, served
    assert 2 <= stream_ended < 8, f"the stream ended {stream_ended:.1f} s after SIGTERM, not after the drain"
    assert exited == -signal.SIGTERM
