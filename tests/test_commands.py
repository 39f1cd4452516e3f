"""`make run` and `make admin` serve as the README says: the service's bounds on request heads, and
forwarded headers believed from no proxy unless FORWARDED_ALLOW_IPS names it."""

import httpx
import pytest

from bench.servers import Server
from tests.live import CHEAP_PASSWORDS

# What the Makefile passes to uvicorn is the same on either database: once.
pytestmark = pytest.mark.once


@pytest.mark.parametrize(("trusted", "statuses"), [("", [401, 401, 401, 429]), ("127.0.0.1", [401] * 4)])
def test_make_run_believes_forwarded_addresses_from_forwarded_allow_ips_only(
    database_url: str, trusted: str, statuses: list[int]
) -> None:
    # Three public requests a minute per address; each claims to come from another one.
    env = {"DATABASE_URL": database_url, "RATE_LIMIT_PER_ADDRESS": "3", **CHEAP_PASSWORDS}
    if trusted:
        env["FORWARDED_ALLOW_IPS"] = trusted
    with Server(["make", "-s", "run", "PORT={port}"], ready_path="/healthz", env=env, logs_to_file=True) as api:
        answers = [
            httpx.post(
                f"{api.url}/v1/tokens",
                json={"email": "nobody@example.com", "password": "not a password"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            for n in range(4)
        ]
    assert [answer.status_code for answer in answers] == statuses


def test_make_admin_bounds_request_heads_and_bodies(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, **CHEAP_PASSWORDS}
    admin = ["make", "-s", "admin", "ADMIN_PORT={port}"]
    with Server(admin, ready_path="/healthz", env=env, logs_to_file=True) as office:
        huge = httpx.get(f"{office.url}/login", headers={"X-Padding": "x" * 100_000})
        assert huge.status_code == 431
        assert huge.headers["content-type"] == "application/problem+json"
        large = httpx.post(f"{office.url}/login", data={"email": "x" * 1_000_000}, headers={"Origin": office.url})
        assert large.status_code == 413
