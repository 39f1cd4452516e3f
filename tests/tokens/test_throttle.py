"""Failed sign-ins for one email slow down, then lock out, saying nothing about the email; so do
wrong current passwords of a password change."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError

from service.app import create_app
from service.settings import Settings
from tests.factories import SignedIn, another_token, assert_problem, client_for, sign_up

WRONG = "not the password"


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/tokens", json={"email": email, "password": password})


@pytest.fixture
def strict(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "sign_in_free_failures": 2,
            "sign_in_lockout_failures": 4,
            "sign_in_email_lockout_failures": 6,
            "sign_in_lockout": timedelta(minutes=15),
        }
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1_000_000.0]
    monkeypatch.setattr("service.tokens.throttle.time.time", lambda: now[0])
    return now


@asynccontextmanager
async def clients_from(settings: Settings) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """One app, and a client of it from any address: `client("203.0.113.7")`."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        made: list[httpx.AsyncClient] = []

        def client(address: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            made.append(httpx.AsyncClient(transport=transport, base_url="http://taskboard.test"))
            return made[-1]

        try:
            yield client
        finally:
            for each in made:
                await each.aclose()


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


async def test_a_lockout_refuses_even_the_right_password_until_it_ends(strict: Settings, clock: list[float]) -> None:
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


async def test_a_success_forgets_the_failures(strict: Settings, clock: list[float]) -> None:
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
    with pytest.raises(ValidationError, match="SIGN_IN_EMAIL_LOCKOUT_FAILURES must be at least"):
        Settings(sign_in_lockout_failures=10, sign_in_email_lockout_failures=9)


async def test_an_attackers_failures_do_not_lock_the_owner_out_from_elsewhere(strict: Settings) -> None:
    async with clients_from(strict) as client:
        attacker, owner = client("203.0.113.7"), client("198.51.100.2")
        ada = await sign_up(owner)
        email = ada.user["email"]
        assert [(await sign_in(attacker, email, WRONG)).status_code for _ in range(2)] == [401, 401]
        assert_problem(await sign_in(attacker, email, ada.password), 429)  # the attacker's address waits
        assert (await sign_in(owner, email, ada.password)).status_code == 201


@pytest.mark.parametrize("exists", [True, False])
async def test_failures_from_many_addresses_lock_the_email_but_for_addresses_that_signed_in(
    strict: Settings, clock: list[float], exists: bool
) -> None:
    async with clients_from(strict) as client:
        usual, new = client("198.51.100.2"), client("192.0.2.9")
        ada = await sign_up(usual) if exists else None  # signs in from its usual address
        email = ada.user["email"] if ada else "nobody@example.com"
        password = ada.password if ada else WRONG
        # Three addresses, two free failures each: the email's sixth failure locks it.
        for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
            assert [(await sign_in(client(address), email, WRONG)).status_code for _ in range(2)] == [401, 401]
        locked = await sign_in(new, email, password)
        problem = assert_problem(locked, 429)
        assert problem["detail"] == "Too many failed sign-ins for this email; try again after Retry-After seconds."
        assert locked.headers["retry-after"] == str(15 * 60)
        if ada is not None:
            assert (await sign_in(usual, email, ada.password)).status_code == 201
        clock[0] += 15 * 60
        assert (await sign_in(new, email, password)).status_code == (201 if exists else 401)


async def test_a_trusted_address_is_still_limited_by_its_own_failures(strict: Settings, clock: list[float]) -> None:
    async with clients_from(strict) as client:
        usual = client("198.51.100.2")
        ada = await sign_up(usual)
        assert [(await sign_in(usual, ada.user["email"], WRONG)).status_code for _ in range(2)] == [401, 401]
        assert_problem(await sign_in(usual, ada.user["email"], WRONG), 429)


async def test_a_success_is_no_failure_of_the_email(strict: Settings, clock: list[float]) -> None:
    async with clients_from(strict) as client:
        owner = client("198.51.100.2")
        ada = await sign_up(owner)
        email = ada.user["email"]
        for address in ("203.0.113.1", "203.0.113.2"):
            assert [(await sign_in(client(address), email, WRONG)).status_code for _ in range(2)] == [401, 401]
        for _ in range(3):  # each counted before its password is checked, and taken back after
            assert (await sign_in(owner, email, ada.password)).status_code == 201
        assert (await sign_in(client("203.0.113.3"), email, WRONG)).status_code == 401  # the fifth failure
        assert (await sign_in(client("192.0.2.9"), email, ada.password)).status_code == 201  # a new address


async def change_password(client: httpx.AsyncClient, who: SignedIn, current: str) -> httpx.Response:
    body = {"currentPassword": current, "password": "a new passphrase 1"}
    return await client.patch("/v1/users/me", json=body, headers=who.headers)


async def test_wrong_current_passwords_are_throttled_like_failed_sign_ins(
    settings: Settings, clock: list[float]
) -> None:
    defaults = settings.model_copy(
        update={"sign_in_free_failures": 5, "sign_in_lockout_failures": 10, "sign_in_email_lockout_failures": 100}
    )
    async with client_for(defaults) as client:
        ada = await sign_up(client)
        answers = [await change_password(client, ada, f"guess {n}") for n in range(20)]
        right = await change_password(client, ada, ada.password)
    assert [a.status_code for a in answers] == [403] * 5 + [429] * 15
    for refused in [*answers[5:], right]:
        problem = assert_problem(refused, 429)
        assert problem["detail"] == "Too many wrong passwords from this token; try again after Retry-After seconds."
        assert refused.headers["retry-after"] == "1"


async def test_a_password_change_after_wrong_guesses_waits_then_succeeds(strict: Settings, clock: list[float]) -> None:
    async with client_for(strict) as client:
        ada = await sign_up(client)
        assert [(await change_password(client, ada, WRONG)).status_code for _ in range(2)] == [403, 403]
        assert_problem(await change_password(client, ada, ada.password), 429)
        clock[0] += 1
        changed = await change_password(client, ada, ada.password)
        assert changed.status_code == 200, changed.text
        # Forgotten: two free guesses again.
        ada.password = "a new passphrase 1"
        assert [(await change_password(client, ada, WRONG)).status_code for _ in range(2)] == [403, 403]


async def test_a_stolen_token_cannot_lock_the_owner_out_of_changing_the_password(
    strict: Settings, clock: list[float]
) -> None:
    async with client_for(strict) as client:
        ada = await sign_up(client)
        stolen = await another_token(client, ada)
        assert [(await change_password(client, stolen, WRONG)).status_code for _ in range(2)] == [403, 403]
        for _ in range(2):
            clock[0] += 60
            assert (await change_password(client, stolen, WRONG)).status_code == 403
        assert_problem(await change_password(client, stolen, ada.password), 429)  # locked out: 4 failures
        # The owner's own token changes the password, which revokes the stolen one.
        assert (await change_password(client, ada, ada.password)).status_code == 200
        assert_problem(await client.get("/v1/users/me", headers=stolen.headers), 401)
