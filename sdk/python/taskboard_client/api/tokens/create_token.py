from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.token import Token
from ...models.token_create import TokenCreate
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TokenCreate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/tokens",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Token | ValidationProblem | None:
    if response.status_code == 201:
        response_201 = Token.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ValidationProblem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | Token | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Token | ValidationProblem]:
    """Sign in

     Exchanges an email and password for an opaque bearer token. A wrong email and a wrong
    password get the same answer.

    Failed sign-ins for one email from one client address are free a few times
    (`SIGN_IN_FREE_FAILURES`, 5), then must come 1 s, 2 s, 4 s… apart, and the
    `SIGN_IN_LOCKOUT_FAILURES`-th (10) locks that address out of the email for
    `SIGN_IN_LOCKOUT` (15 minutes); failures from anywhere lock the email at
    `SIGN_IN_EMAIL_LOCKOUT_FAILURES` (100), but not for addresses that signed in to it within
    `SIGN_IN_TRUST` (30 days). Each refusal is 429 with `Retry-After`, the same whether or not
    an account has the email. A successful sign-in forgets its address's failures.

    Args:
        x_request_id (str | Unset):
        body (TokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Token | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,
    x_request_id: str | Unset = UNSET,
) -> Problem | Token | ValidationProblem | None:
    """Sign in

     Exchanges an email and password for an opaque bearer token. A wrong email and a wrong
    password get the same answer.

    Failed sign-ins for one email from one client address are free a few times
    (`SIGN_IN_FREE_FAILURES`, 5), then must come 1 s, 2 s, 4 s… apart, and the
    `SIGN_IN_LOCKOUT_FAILURES`-th (10) locks that address out of the email for
    `SIGN_IN_LOCKOUT` (15 minutes); failures from anywhere lock the email at
    `SIGN_IN_EMAIL_LOCKOUT_FAILURES` (100), but not for addresses that signed in to it within
    `SIGN_IN_TRUST` (30 days). Each refusal is 429 with `Retry-After`, the same whether or not
    an account has the email. A successful sign-in forgets its address's failures.

    Args:
        x_request_id (str | Unset):
        body (TokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Token | ValidationProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | Token | ValidationProblem]:
    """Sign in

     Exchanges an email and password for an opaque bearer token. A wrong email and a wrong
    password get the same answer.

    Failed sign-ins for one email from one client address are free a few times
    (`SIGN_IN_FREE_FAILURES`, 5), then must come 1 s, 2 s, 4 s… apart, and the
    `SIGN_IN_LOCKOUT_FAILURES`-th (10) locks that address out of the email for
    `SIGN_IN_LOCKOUT` (15 minutes); failures from anywhere lock the email at
    `SIGN_IN_EMAIL_LOCKOUT_FAILURES` (100), but not for addresses that signed in to it within
    `SIGN_IN_TRUST` (30 days). Each refusal is 429 with `Retry-After`, the same whether or not
    an account has the email. A successful sign-in forgets its address's failures.

    Args:
        x_request_id (str | Unset):
        body (TokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Token | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TokenCreate,
    x_request_id: str | Unset = UNSET,
) -> Problem | Token | ValidationProblem | None:
    """Sign in

     Exchanges an email and password for an opaque bearer token. A wrong email and a wrong
    password get the same answer.

    Failed sign-ins for one email from one client address are free a few times
    (`SIGN_IN_FREE_FAILURES`, 5), then must come 1 s, 2 s, 4 s… apart, and the
    `SIGN_IN_LOCKOUT_FAILURES`-th (10) locks that address out of the email for
    `SIGN_IN_LOCKOUT` (15 minutes); failures from anywhere lock the email at
    `SIGN_IN_EMAIL_LOCKOUT_FAILURES` (100), but not for addresses that signed in to it within
    `SIGN_IN_TRUST` (30 days). Each refusal is 429 with `Retry-After`, the same whether or not
    an account has the email. A successful sign-in forgets its address's failures.

    Args:
        x_request_id (str | Unset):
        body (TokenCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Token | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
