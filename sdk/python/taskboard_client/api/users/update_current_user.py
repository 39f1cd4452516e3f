from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.user import User
from ...models.user_update import UserUpdate
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: UserUpdate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/users/me",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | User | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = User.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[Problem | User | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UserUpdate,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | User | ValidationProblem]:
    """Update the caller's account

     Partial update: an omitted field is left unchanged. Changing the password needs the
    current one, and revokes every other token of the caller; the token that made the
    request stays valid. Wrong current passwords count like failed sign-ins, per token: a few
    are free, then each must wait longer (429 with `Retry-After`), then that token's password
    changes are locked for a while (the account's other tokens are not).

    Args:
        x_request_id (str | Unset):
        body (UserUpdate): Omitted fields are left unchanged. A new `password` needs the
            `currentPassword`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User | ValidationProblem]
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
    body: UserUpdate,
    x_request_id: str | Unset = UNSET,
) -> Problem | User | ValidationProblem | None:
    """Update the caller's account

     Partial update: an omitted field is left unchanged. Changing the password needs the
    current one, and revokes every other token of the caller; the token that made the
    request stays valid. Wrong current passwords count like failed sign-ins, per token: a few
    are free, then each must wait longer (429 with `Retry-After`), then that token's password
    changes are locked for a while (the account's other tokens are not).

    Args:
        x_request_id (str | Unset):
        body (UserUpdate): Omitted fields are left unchanged. A new `password` needs the
            `currentPassword`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User | ValidationProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UserUpdate,
    x_request_id: str | Unset = UNSET,
) -> Response[Problem | User | ValidationProblem]:
    """Update the caller's account

     Partial update: an omitted field is left unchanged. Changing the password needs the
    current one, and revokes every other token of the caller; the token that made the
    request stays valid. Wrong current passwords count like failed sign-ins, per token: a few
    are free, then each must wait longer (429 with `Retry-After`), then that token's password
    changes are locked for a while (the account's other tokens are not).

    Args:
        x_request_id (str | Unset):
        body (UserUpdate): Omitted fields are left unchanged. A new `password` needs the
            `currentPassword`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | User | ValidationProblem]
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
    body: UserUpdate,
    x_request_id: str | Unset = UNSET,
) -> Problem | User | ValidationProblem | None:
    """Update the caller's account

     Partial update: an omitted field is left unchanged. Changing the password needs the
    current one, and revokes every other token of the caller; the token that made the
    request stays valid. Wrong current passwords count like failed sign-ins, per token: a few
    are free, then each must wait longer (429 with `Retry-After`), then that token's password
    changes are locked for a while (the account's other tokens are not).

    Args:
        x_request_id (str | Unset):
        body (UserUpdate): Omitted fields are left unchanged. A new `password` needs the
            `currentPassword`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | User | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
