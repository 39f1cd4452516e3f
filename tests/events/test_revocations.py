"""A live stream ends when its token stops working: revoked here or elsewhere, or expired."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import pytest
from sqlalchemy import func, insert, select

from service.kit.events.relay import PollingRelay
from service.settings import Settings
from service.tables import ProjectEvent
from tests.events.conftest import Events, Served, serve, until
from tests.factories import SignedIn, another_token, create_project, create_task, sign_up


async def ends_after(
    watcher: httpx.AsyncClient, who: SignedIn, project_id: int, act: Callable[[], Awaitable[object]]
) -> float:
    """Seconds from `act` until the stream `who` watches ends; it delivers events until then."""
    async with watcher.stream("GET", f"/v1/projects/{project_id}/events", headers=who.headers) as stream:
        assert stream.status_code == 200
        events = Events(stream)
        await create_task(watcher, who, project_id)
        assert [e["event"] for e in await events.take(1)] == ["task.created"]
        started = time.monotonic()
        await act()
        async with asyncio.timeout(10):
            await events.rest()
        return time.monotonic() - started


@pytest.fixture
async def two_processes(settings: Settings) -> AsyncIterator[tuple[Served, Served]]:
    """Two apps on one database, as two worker processes; each checks its streams' tokens every 0.5 s."""
    quick = settings.model_copy(update={"stream_token_check_seconds": 0.5, "stream_heartbeat_seconds": 0.2})
    async with serve(quick) as first, serve(quick) as second:
        yield first, second


async def test_a_stream_ends_at_once_when_its_token_is_revoked_in_its_process(settings: Settings) -> None:
    slow_checks = settings.model_copy(update={"stream_token_check_seconds": 60})
    async with serve(slow_checks) as served:
        ada = await sign_up(served.client)
        project = await create_project(served.client, ada)
        revoke = partial(served.client.delete, "/v1/tokens/current", headers=ada.headers)
        took = await ends_after(served.client, ada, project["id"], revoke)
    assert took < 2  # where the next check would come after a minute


async def test_a_stream_ends_within_the_check_interval_when_another_process_revokes_its_token(
    two_processes: tuple[Served, Served],
) -> None:
    first, second = two_processes
    ada = await sign_up(first.client)
    project = await create_project(first.client, ada)
    revoke = partial(second.client.delete, "/v1/tokens/current", headers=ada.headers)
    took = await ends_after(first.client, ada, project["id"], revoke)
    assert took < 0.5 + 2.5


async def test_a_password_change_elsewhere_ends_the_streams_of_the_users_other_tokens(
    two_processes: tuple[Served, Served],
) -> None:
    first, second = two_processes
    ada = await sign_up(first.client)
    laptop = await another_token(first.client, ada)
    project = await create_project(first.client, ada)
    body = {"currentPassword": ada.password, "password": "a new passphrase 1"}
    change = partial(second.client.patch, "/v1/users/me", json=body, headers=ada.headers)
    took = await ends_after(first.client, laptop, project["id"], change)
    assert took < 0.5 + 2.5
    # The token that changed the password still streams.
    async with first.client.stream("GET", f"/v1/projects/{project['id']}/events", headers=ada.headers) as stream:
        assert stream.status_code == 200


async def test_a_stream_ends_when_its_token_expires(settings: Settings) -> None:
    short_lived = settings.model_copy(update={"token_ttl": timedelta(seconds=3), "stream_heartbeat_seconds": 0.2})
    async with serve(short_lived) as served:
        ada = await sign_up(served.client)
        project = await create_project(served.client, ada)
        token = (
            await served.client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
        ).json()
        expires_at = datetime.fromisoformat(token["expiresAt"])
        url = f"/v1/projects/{project['id']}/events"
        headers = {"Authorization": f"Bearer {token['accessToken']}"}
        async with served.client.stream("GET", url, headers=headers) as stream:
            assert stream.status_code == 200
            async with asyncio.timeout(10):
                lines = await Events(stream).rest()
        ended = datetime.now(UTC)
        assert lines and all(line.startswith(":") or line == "" for line in lines)  # heartbeats until then
        assert expires_at - timedelta(seconds=0.1) <= ended < expires_at + timedelta(seconds=2)
        assert (await served.client.get(url, headers=headers)).status_code == 401


async def test_a_stream_catching_up_on_a_long_backlog_ends_when_its_token_is_revoked(settings: Settings) -> None:
    async with serve(settings.model_copy(update={"stream_token_check_seconds": 60})) as served:
        ada = await sign_up(served.client)
        project = await create_project(served.client, ada)
        async with served.app.state.database.writer() as session, session.begin():
            now = datetime.now(UTC)
            rows = [
                {"project_id": project["id"], "event": "task.deleted", "data": f'{{"id":{n}}}', "created_at": now}
                for n in range(1, 20_001)
            ]
            await session.execute(insert(ProjectEvent), rows)
            newest = await session.scalar(select(func.max(ProjectEvent.id)))
        # Published before the stream subscribes (on SQLite the relay polls the log): published after,
        # these 20,000 would overflow the new stream's queue, which then ends at once (as designed).
        # Published by the relay's own rounds: a round called here could run beside one of them, and
        # both would publish.
        if isinstance(relay := served.app.state.relay, PollingRelay):
            relay.wake()
            await until(lambda: (relay.last or 0) >= newest)
        url = f"/v1/projects/{project['id']}/events"
        headers = {**ada.headers, "Last-Event-ID": "0"}
        async with served.client.stream("GET", url, headers=headers) as stream:
            events = Events(stream)
            await events.take(1)
            assert (await served.client.delete("/v1/tokens/current", headers=ada.headers)).status_code == 204
            async with asyncio.timeout(10):
                rest = await events.rest()
        delivered = 1 + sum(1 for line in rest if line.startswith("id: "))
        assert delivered < 20_000
