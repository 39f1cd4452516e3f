import asyncio
from datetime import timedelta

import pytest

from service.kit.database import Database
from service.kit.ratelimits import Rate, address_key, hit
from service.settings import Settings
from tests.factories import PASSWORD, assert_problem, client_for, new_user, sign_up


async def test_a_key_may_spend_its_allowance_at_once_then_one_per_interval(settings: Settings) -> None:
    database = Database(settings)
    rate = Rate(count=3, period_seconds=60)  # one every 20 s
    try:
        at = 1_000_000.0
        assert [await hit(database, "k", rate, now=at) for _ in range(3)] == [0, 0, 0]
        assert await hit(database, "k", rate, now=at) == pytest.approx(20)
        assert await hit(database, "k", rate, now=at + 5) == pytest.approx(15)
        assert await hit(database, "k", rate, now=at + 20) == 0
        assert await hit(database, "k", rate, now=at + 20) == pytest.approx(20)
        assert await hit(database, "other", rate, now=at) == 0  # keys are apart
        assert await hit(database, "k", rate, now=at + 200) == 0  # a quiet key starts afresh
    finally:
        await database.dispose()


async def test_concurrent_hits_never_overspend(settings: Settings) -> None:
    database = Database(settings)
    try:
        waits = await asyncio.gather(*(hit(database, "burst", Rate(5, 60), now=1_000.0) for _ in range(20)))
    finally:
        await database.dispose()
    assert sum(wait == 0 for wait in waits) == 5


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
    # One request every 20 minutes once the allowance is spent.
    assert 1190 <= int(refused.headers["retry-after"]) <= 1200
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
    assert 1790 <= int(third.headers["retry-after"]) <= 1800


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
