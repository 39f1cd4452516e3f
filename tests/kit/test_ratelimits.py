import asyncio
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from redis.asyncio import Redis

from bench.servers import free_port
from service.exports.redis_queue import redis_queue
from service.kit import ratelimits
from service.kit.ratelimits import Limiter, TooManyRequests, address_key
from service.settings import Settings
from tests.factories import PASSWORD, assert_problem, client_for, new_user, sign_up

REDIS = "async+redis://127.0.0.1:6379/0"


def limits(settings: Settings, **overrides: object) -> Settings:
    return settings.model_copy(update={"rate_limit_period": timedelta(hours=1), **overrides})


async def test_a_key_may_spend_its_allowance_at_once_then_waits_for_the_oldest_to_leave(
    settings: Settings,
) -> None:
    limiter = Limiter(limits(settings, rate_limit_per_user=3))
    for _ in range(3):
        await limiter.hit(limiter.per_user, "k")
    with pytest.raises(TooManyRequests) as refused:
        await limiter.hit(limiter.per_user, "k")
    assert 3590 <= int(refused.value.headers["Retry-After"]) <= 3600
    await limiter.hit(limiter.per_user, "other")  # keys are apart


async def test_concurrent_hits_never_overspend(settings: Settings) -> None:
    limiter = Limiter(limits(settings, rate_limit_per_user=5))
    outcomes = await asyncio.gather(
        *(limiter.hit(limiter.per_user, "burst") for _ in range(20)), return_exceptions=True
    )
    assert sum(outcome is None for outcome in outcomes) == 5
    assert all(isinstance(outcome, TooManyRequests) for outcome in outcomes if outcome is not None)


async def test_processes_share_their_counts_through_redis(settings: Settings) -> None:
    shared = limits(
        settings,
        rate_limit_per_user=4,
        rate_limit_storage=REDIS,
        redis_namespace=f"taskboard-test-{uuid.uuid4().hex}",
    )
    one, two = Limiter(shared), Limiter(shared)
    try:
        for limiter in (one, two, one, two):
            await limiter.hit(limiter.per_user, "user:1")
        for limiter in (one, two):
            with pytest.raises(TooManyRequests):
                await limiter.hit(limiter.per_user, "user:1")
    finally:
        await one.close()
        await two.close()


async def test_a_redis_that_does_not_answer_is_503_with_retry_after_when_told_to_refuse(settings: Settings) -> None:
    refusing = limits(settings, rate_limit_storage="async+redis://127.0.0.1:1", rate_limit_fallback="refuse")
    async with client_for(refusing) as client:
        answer = await client.post("/v1/users", json=new_user())
    problem = assert_problem(answer, 503)
    assert problem["detail"].startswith("The store of rate limits is unavailable")
    assert answer.headers["retry-after"] == "5"


async def test_a_redis_that_does_not_answer_costs_no_request_by_default(settings: Settings) -> None:
    async with client_for(limits(settings, rate_limit_storage="async+redis://127.0.0.1:1")) as client:
        assert (await client.post("/v1/users", json=new_user())).status_code == 201


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Callable[[bool], None]]:
    """A Redis of this test's own on a free port: `up(False)` stops it, `up(True)` starts it again."""
    port = free_port()
    server: list[subprocess.Popen[bytes]] = []

    def up(running: bool) -> None:
        if running:
            command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
            server.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
            for _ in range(100):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return
                time.sleep(0.05)
            raise RuntimeError("redis-server did not start")
        server[-1].terminate()
        server[-1].wait()

    up(True)
    up.url = f"async+redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    yield up
    if server[-1].poll() is None:
        up(False)


async def test_while_redis_is_away_each_process_counts_in_memory_and_goes_back_to_it(
    settings: Settings, own_redis: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(ratelimits, "RETRY_SECONDS", 0.2)
    limiter = Limiter(limits(settings, rate_limit_per_user=3, rate_limit_storage=own_redis.url))
    try:
        await limiter.hit(limiter.per_user, "user:1")
        assert gauge("taskboard_rate_limit_storage_up") == 1
        own_redis(False)
        for _ in range(3):  # a fresh count, in memory: no request refused for Redis's sake
            await limiter.hit(limiter.per_user, "user:2")
        with pytest.raises(TooManyRequests):  # and the limit still holds
            await limiter.hit(limiter.per_user, "user:2")
        assert gauge("taskboard_rate_limit_storage_up") == 0
        own_redis(True)
        await asyncio.sleep(0.3)
        await limiter.hit(limiter.per_user, "user:3")  # tried again: Redis counts once more
        assert limiter.away_since is None and gauge("taskboard_rate_limit_storage_up") == 1
    finally:
        await limiter.close()
    said = [r.getMessage() for r in caplog.records if "rate limits' storage" in r.getMessage()]
    assert len(said) == 2, said  # one line when it went, one when it came back
    assert said[0].endswith("counting in this process's memory until it does")
    assert said[1].startswith("the rate limits' storage answers again")


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


def test_several_workers_counting_in_memory_say_so_at_start_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    Limiter(settings)
    [warning] = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "4 worker processes count rate limits each in its own memory" in warning.getMessage()
    caplog.clear()
    Limiter(settings.model_copy(update={"rate_limit_storage": REDIS}))
    assert not [r for r in caplog.records if r.levelname == "WARNING"]


async def test_a_user_over_the_limit_gets_429_with_retry_after_whatever_token(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_user": 3, "rate_limit_period": timedelta(hours=1)})
    async with client_for(limited) as client:
        ada, bob = await sign_up(client), await sign_up(client)
        statuses = [(await client.get("/v1/users/me", headers=ada.headers)).status_code for _ in range(2)]
        another = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": PASSWORD})
        second_token = {"Authorization": f"Bearer {another.json()['accessToken']}"}
        statuses.append((await client.get("/v1/users/me", headers=second_token)).status_code)
        refused = await client.get("/v1/users/me", headers=second_token)
        other = await client.get("/v1/users/me", headers=bob.headers)
    assert statuses == [200, 200, 200]
    problem = assert_problem(refused, 429)
    assert "slow down" in problem["detail"]
    # The allowance comes back as its oldest requests leave the window, an hour after them.
    assert 3590 <= int(refused.headers["retry-after"]) <= 3600
    assert other.status_code == 200  # per user, not per server


async def test_public_operations_are_limited_per_client_address(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_address": 2, "rate_limit_period": timedelta(hours=1)})
    async with client_for(limited) as client:
        first = await client.post("/v1/users", json=new_user())
        second = await client.post("/v1/tokens", json={"email": "x@example.com", "password": "whatever it is"})
        third = await client.post("/v1/users", json=new_user())
    assert first.status_code == 201
    assert second.status_code == 401
    assert_problem(third, 429)
    assert 3590 <= int(third.headers["retry-after"]) <= 3600


async def test_unknown_tokens_count_against_the_address(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_address": 2, "rate_limit_period": timedelta(hours=1)})
    async with client_for(limited) as client:
        ada = await sign_up(client)  # spends both: sign-up and sign-in
        without = [(await client.get("/v1/users/me")).status_code for _ in range(3)]
        unknown = await client.get("/v1/users/me", headers={"Authorization": "Bearer tb_not-a-token"})
        mine = await client.get("/v1/users/me", headers=ada.headers)
    # No credentials cost no lookup and are not counted; a token looked up in vain is.
    assert without == [401, 401, 401]
    assert_problem(unknown, 429)
    assert mine.status_code == 200


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "address:203.0.113.7"),
        ("::ffff:203.0.113.7", "address:203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "address:2001:db8:1:2::/64"),
        ("x" * 300, "address:unknown"),
        ("", "address:unknown"),
    ],
)
def test_addresses_are_keyed_by_what_one_client_controls(host: str, key: str) -> None:
    assert address_key(host) == key


@pytest.mark.parametrize("wrong", ["", "Bearer tb_not-a-token"])
async def test_bad_tokens_do_not_spend_anyones_allowance(settings: Settings, wrong: str) -> None:
    limited = settings.model_copy(update={"rate_limit_per_user": 2})
    async with client_for(limited) as client:
        ada = await sign_up(client)
        for _ in range(3):
            assert (await client.get("/v1/users/me", headers={"Authorization": wrong})).status_code == 401
        responses = [await client.get("/v1/users/me", headers=ada.headers) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]


async def test_health_probes_are_not_limited(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_address": 1})
    async with client_for(limited) as client:
        statuses = {(await client.get(path)).status_code for path in ["/healthz", "/readyz"] * 3}
    assert statuses == {200}


def test_rate_limit_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_USER", "5")
    monkeypatch.setenv("RATE_LIMIT_PERIOD", "PT10S")
    settings = Settings()
    assert (settings.rate_limit_per_user, settings.rate_limit_period) == (5, timedelta(seconds=10))


async def test_deployments_on_two_databases_keep_apart_in_one_redis(
    settings: Settings, own_redis: Any, tmp_path: Path
) -> None:
    """Nothing set but their databases: each counts on its own, and writes only under its namespace."""
    one, two = (
        limits(
            settings,
            database_url=f"sqlite+aiosqlite:///{tmp_path / name}.db",
            rate_limit_per_user=2,
            rate_limit_storage=own_redis.url,
        )
        for name in ("one", "two")
    )
    assert one.namespace != two.namespace
    assert one.namespace == limits(one, database_url=f"sqlite+aiosqlite:///{tmp_path}/./one.db").namespace
    limiters = Limiter(one), Limiter(two)
    try:
        for limiter in limiters:
            for _ in range(2):
                await limiter.hit(limiter.per_user, "user:1")
        for limiter in limiters:
            with pytest.raises(TooManyRequests):
                await limiter.hit(limiter.per_user, "user:1")
        redis = Redis.from_url(own_redis.url.removeprefix("async+"))
        keys = {key.decode() async for key in redis.scan_iter()}
        await redis.aclose()
    finally:
        for limiter in limiters:
            await limiter.close()
    assert len(keys) == 2
    assert {key.split(":")[0] for key in keys} == {one.namespace, two.namespace}


def test_a_deployments_namespace_outlives_a_password_rotation_and_names_its_export_queue() -> None:
    before = Settings(database_url="postgresql+asyncpg://taskboard:old@db.internal:5432/board")
    after = Settings(database_url="postgresql+asyncpg://taskboard:new@db.internal:5432/board")
    elsewhere = Settings(database_url="postgresql+asyncpg://taskboard:old@db.internal:5432/staging")
    assert before.namespace == after.namespace != elsewhere.namespace
    assert redis_queue(before).name == f"{before.namespace}-exports"
    assert Settings(redis_namespace="blue").namespace == "blue"


def test_a_retired_setting_in_the_environment_is_refused_with_what_replaced_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_KEY_PREFIX", "blue")
    with pytest.raises(ValidationError, match="RATE_LIMIT_KEY_PREFIX is no longer read: REDIS_NAMESPACE names"):
        Settings()
