from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import sqlalchemy.exc

from service.kit.problems import database_unavailable, json_pointer
from tests.factories import assert_problem, new_user, sign_up


def test_json_pointer_escapes_tilde_and_slash() -> None:
    assert json_pointer(["items", 0, "a/b~c"]) == "/items/0/a~1b~0c"
    assert json_pointer([]) == ""


async def test_unknown_path_is_404_problem(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.get("/v1/nothing-here"), 404)
    assert problem["type"] == "about:blank" and problem["title"] == "Not Found"


async def test_wrong_method_is_405_with_every_allowed_method(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/users/me")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, PATCH"
    response = await client.put("/v1/tokens")
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/users", content=b'{"email": ', headers={"content-type": "application/json"})
    problem = assert_problem(response, 400)
    assert problem["detail"].startswith("The request body is not valid JSON")


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "a@example.com", "email": "b@example.com", "password": "correct horse battery"}',
        b'{"email": "a@example.com", "password": "correct horse battery", "displayName": "A", "\\u0065mail": "b"}',
    ],
)
async def test_a_member_named_twice_is_400_not_the_last_one_wins(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/v1/users", content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 400)
    assert problem["detail"] == 'The request body is not valid JSON: the member "email" appears twice in one object.'


async def test_members_go_by_their_names_in_the_contract_only(client: httpx.AsyncClient) -> None:
    body = {"email": "a@example.com", "password": "correct horse battery", "display_name": "A"}
    problem = assert_problem(await client.post("/v1/users", json=body), 422)
    assert {(e["pointer"], e["code"], e["detail"]) for e in problem["errors"]} == {
        ("/displayName", "required", "Field required"),
        ("/display_name", "additionalProperties", "Extra inputs are not permitted"),
    }


async def test_json_nested_too_deep_is_400(client: httpx.AsyncClient) -> None:
    deep = b'{"email": ' + b"[" * 100_000
    assert_problem(await client.post("/v1/users", content=deep, headers={"content-type": "application/json"}), 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/v1/users", content=b'{"email": "a@example.com"}', headers=headers)
    assert_problem(response, 415)


async def test_json_with_a_charset_or_suffix_is_accepted(client: httpx.AsyncClient) -> None:
    import json

    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            "/v1/users", content=json.dumps(new_user()).encode(), headers={"content-type": content_type}
        )
        assert response.status_code == 201, response.text


async def test_missing_body_is_400(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.post("/v1/users"), 400)
    assert problem["detail"].startswith("The request body is not valid JSON")


async def test_bodies_are_validated_as_strictly_as_json_schema(client: httpx.AsyncClient) -> None:
    # Pydantic's lax mode would turn these into valid values; the contract says they are not.
    for body in ({"displayName": 5}, {"displayName": True}, {"password": 12345678}):
        ada = await sign_up(client)
        problem = assert_problem(await client.patch("/v1/users/me", json=body, headers=ada.headers), 422)
        assert problem["errors"][0]["pointer"] == "/" + next(iter(body))


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    big = b'{"displayName": "' + b"x" * (1024 * 1024) + b'"}'
    response = await client.post("/v1/users", content=big, headers={"content-type": "application/json"})
    assert_problem(response, 413)


async def test_body_over_the_limit_without_content_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    response = await client.post("/v1/users", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413)


async def test_validation_problem_shape(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/users", json=[1, 2])
    problem = assert_problem(response, 422)
    assert problem["type"] == "urn:taskboard:problem:validation"
    assert problem["title"] == "Unprocessable Content"
    assert problem["detail"] == "The request does not match the contract."
    assert problem["errors"][0]["in"] == "body"


async def test_unauthenticated_beats_validation(client: httpx.AsyncClient) -> None:
    response = await client.patch("/v1/users/me", json={"displayName": ""})
    assert_problem(response, 401)
    ada = await sign_up(client)
    assert_problem(await client.patch("/v1/users/me", json={"displayName": ""}, headers=ada.headers), 422)


async def test_operations_without_a_body_ignore_a_large_one(client: httpx.AsyncClient) -> None:
    response = await client.request("GET", "/healthz", content=b"x" * (2 * 1024 * 1024))
    assert response.status_code == 200


async def test_a_trailing_slash_is_not_redirected(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/users/me/"), 404)
    assert_problem(await client.post("/v1/users/", json=new_user()), 404)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (sqlalchemy.exc.TimeoutError("pool exhausted"), True),
        (sqlalchemy.exc.OperationalError("BEGIN", {}, Exception("database is locked")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.QueryCanceledError("statement timeout")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.DeadlockDetectedError("deadlock")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.TooManyConnectionsError("too many")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.CannotConnectNowError("starting up")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.AdminShutdownError("shutting down")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.ConnectionFailureError("lost")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.LockNotAvailableError("lock timeout")), True),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, asyncpg.exceptions.UniqueViolationError("unique")), False),
        (sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("unique")), False),
        (sqlalchemy.exc.DBAPIError("SELECT", {}, ValueError("bad value")), False),
    ],
)
def test_which_database_errors_mean_come_back_later(error: Exception, unavailable: bool) -> None:
    assert database_unavailable(error) is unavailable
