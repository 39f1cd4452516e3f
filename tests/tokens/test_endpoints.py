from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text, update

from service.tables import AccessToken
from tests.factories import assert_problem, sign_up


async def test_create_token(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client, email="ada@example.com")
    before = datetime.now(UTC)
    response = await client.post("/v1/tokens", json={"email": "ADA@example.com", "password": ada.password})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"accessToken", "tokenType", "expiresAt"}
    assert body["tokenType"] == "Bearer"
    assert body["accessToken"].startswith("tb_") and len(body["accessToken"]) >= 3 + 43
    expires = datetime.fromisoformat(body["expiresAt"])
    assert timedelta(hours=23, minutes=59) < expires - before <= timedelta(hours=24, seconds=5)
    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200


async def test_tokens_are_stored_only_as_digests(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client)
    async with app.state.database.reader() as session:
        stored = (await session.execute(text("SELECT token_hash FROM access_token"))).all()
        hashes = (await session.execute(text("SELECT password_hash FROM user_account"))).all()
    assert stored and all(ada.token not in row[0] for row in stored)
    assert hashes[0][0].startswith("$argon2id$") and ada.password not in hashes[0][0]


@pytest.mark.parametrize(
    "credentials",
    [
        {"email": "ada@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": "correct horse battery"},
    ],
)
async def test_wrong_credentials_get_one_answer(client: httpx.AsyncClient, credentials: dict[str, str]) -> None:
    await sign_up(client, email="ada@example.com")
    response = await client.post("/v1/tokens", json=credentials)
    problem = assert_problem(response, 401)
    assert problem["detail"] == "The email and password do not match an account."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_revoke_current_token(client: httpx.AsyncClient) -> None:
    ada = await sign_up(client)
    second = await client.post("/v1/tokens", json={"email": ada.user["email"], "password": ada.password})
    second_headers = {"Authorization": f"Bearer {second.json()['accessToken']}"}

    response = await client.delete("/v1/tokens/current", headers=ada.headers)
    assert response.status_code == 204
    assert response.content == b""

    revoked = await client.get("/v1/users/me", headers=ada.headers)
    assert_problem(revoked, 401)
    assert revoked.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert_problem(await client.delete("/v1/tokens/current", headers=ada.headers), 401)
    assert (await client.get("/v1/users/me", headers=second_headers)).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer tb_unknown", "Bearer not-a-token", "tb_x", "Bearer \u00e9"],
)
async def test_malformed_and_unknown_tokens_are_401(client: httpx.AsyncClient, authorization: str) -> None:
    headers = [(b"authorization", authorization.encode("latin-1"))]
    response = await client.get("/v1/users/me", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_expired_token_is_401(client: httpx.AsyncClient, app: FastAPI) -> None:
    ada = await sign_up(client)
    async with app.state.database.writer() as session, session.begin():
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(AccessToken).values(expires_at=past))
    response = await client.get("/v1/users/me", headers=ada.headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_revoking_needs_a_token(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/v1/tokens/current"), 401)


async def test_an_email_no_account_can_have_is_401_like_any_other(client: httpx.AsyncClient) -> None:
    # A NUL is refused at sign-up, and PostgreSQL's text cannot hold one: it must not reach a query.
    answer = await client.post("/v1/tokens", json={"email": "ada\x00@example.com", "password": "whatever it is"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
