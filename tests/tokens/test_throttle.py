"""Failed sign-ins for one email slow down, then lock out, saying nothing about the email."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from service.settings import Settings
from tests.factories import assert_problem, client_for, sign_up

WRONG = "not the password"


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/tokens", json={"email": email, "password": password})


@pytest.fixture
def strict(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"sign_in_free_failures": 2, "sign_in_lockout_failures": 4, "sign_in_lockout": timedelta(minutes=15)}
    )


@pytest.mark.parametrize("exists", [True, False])
async def test_failures_slow_down_then_lock_out_alike_for_any_email(strict: Settings, exists: bool) -> None:
    async with client_for(strict) as client:
        email = (await sign_up(client)).user["email"] if exists else "nobody@example.com"
        free = [(await sign_in(client, email, WRONG)).status_code for _ in range(2)]
        slowed = await sign_in(client, email, WRONG)
        problem = assert_problem(slowed, 429)
    assert free == [401, 401]
    assert problem["detail"] == "Too many failed sign-ins for this email; try again after Retry-After seconds."
    assert slowed.headers["retry-after"] == "1"


async def test_a_lockout_refuses_even_the_right_password_until_it_ends(
    strict: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr("service.tokens.throttle.time.time", lambda: clock[0])
    async with client_for(strict) as client:
        ada = await sign_up(client)
        email = ada.user["email"]
        answers = []
        for _ in range(4):
            answers.append((await sign_in(client, email, WRONG)).status_code)
            clock[0] += 10  # longer than any slow-down before the lockout
        locked = await sign_in(client, email, ada.password)
        assert answers == [401, 401, 401, 401]
        assert_problem(locked, 429)
        assert int(locked.headers["retry-after"]) == 15 * 60 - 10
        clock[0] += 15 * 60
        assert (await sign_in(client, email, ada.password)).status_code == 201


async def test_a_success_forgets_the_failures(strict: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr("service.tokens.throttle.time.time", lambda: clock[0])
    async with client_for(strict) as client:
        ada = await sign_up(client)
        email = ada.user["email"]
        for _ in range(2):
            assert (await sign_in(client, email, WRONG)).status_code == 401
        clock[0] += 1
        assert (await sign_in(client, email, ada.password)).status_code == 201
        # Two free failures again, not a slow-down.
        assert [(await sign_in(client, email, WRONG)).status_code for _ in range(2)] == [401, 401]


async def test_the_email_is_throttled_in_any_letter_case(strict: Settings) -> None:
    async with client_for(strict) as client:
        for email in ("Someone@Example.com", "someone@example.com"):
            assert (await sign_in(client, email, WRONG)).status_code == 401
        assert_problem(await sign_in(client, "SOMEONE@EXAMPLE.COM", WRONG), 429)


async def test_parallel_attempts_are_counted_as_strictly_as_serial_ones(strict: Settings) -> None:
    async with client_for(strict) as client:
        email = (await sign_up(client)).user["email"]
        answers = await asyncio.gather(*(sign_in(client, email, WRONG) for _ in range(12)))
    statuses = sorted(a.status_code for a in answers)
    # Two free attempts; every other one came too soon after them.
    assert statuses == [401] * 2 + [429] * 10


def test_the_lockout_must_come_after_the_free_failures() -> None:
    with pytest.raises(ValidationError, match="SIGN_IN_LOCKOUT_FAILURES must be more"):
        Settings(sign_in_free_failures=5, sign_in_lockout_failures=5)
