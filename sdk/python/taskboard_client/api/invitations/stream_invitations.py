from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.invitation_changed_event import InvitationChangedEvent
from ...models.problem import Problem
from ...models.reset_event import ResetEvent
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/invitations/events",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InvitationChangedEvent | ResetEvent | Problem | ValidationProblem | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> InvitationChangedEvent | ResetEvent:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_invitation_event_type_0 = InvitationChangedEvent.from_dict(data)

                return componentsschemas_invitation_event_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_invitation_event_type_1 = ResetEvent.from_dict(data)

            return componentsschemas_invitation_event_type_1

        response_200 = _parse_response_200(response.text)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[InvitationChangedEvent | ResetEvent | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[InvitationChangedEvent | ResetEvent | Problem | ValidationProblem]:
    """Live changes to your invitations

     A Server-Sent Events stream of the changes to the caller's invitations, as
    `streamProjectEvents` streams a project's (see there: `Last-Event-ID`, `reset`, heartbeats,
    the hour's limit, the token's end, and the streams' caps, which it shares):
    `invitation.created` when an owner invites the caller, `invitation.updated` when an
    invitation is revoked, or answered (from any of the caller's devices). Event ids increase
    within the stream, and are not those of any project's stream. No ticket opens it: a
    browser follows it with a `fetch` that sends the token (as the TypeScript SDK does), or
    polls `listInvitations`.

    Args:
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationChangedEvent | ResetEvent | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> InvitationChangedEvent | ResetEvent | Problem | ValidationProblem | None:
    """Live changes to your invitations

     A Server-Sent Events stream of the changes to the caller's invitations, as
    `streamProjectEvents` streams a project's (see there: `Last-Event-ID`, `reset`, heartbeats,
    the hour's limit, the token's end, and the streams' caps, which it shares):
    `invitation.created` when an owner invites the caller, `invitation.updated` when an
    invitation is revoked, or answered (from any of the caller's devices). Event ids increase
    within the stream, and are not those of any project's stream. No ticket opens it: a
    browser follows it with a `fetch` that sends the token (as the TypeScript SDK does), or
    polls `listInvitations`.

    Args:
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationChangedEvent | ResetEvent | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[InvitationChangedEvent | ResetEvent | Problem | ValidationProblem]:
    """Live changes to your invitations

     A Server-Sent Events stream of the changes to the caller's invitations, as
    `streamProjectEvents` streams a project's (see there: `Last-Event-ID`, `reset`, heartbeats,
    the hour's limit, the token's end, and the streams' caps, which it shares):
    `invitation.created` when an owner invites the caller, `invitation.updated` when an
    invitation is revoked, or answered (from any of the caller's devices). Event ids increase
    within the stream, and are not those of any project's stream. No ticket opens it: a
    browser follows it with a `fetch` that sends the token (as the TypeScript SDK does), or
    polls `listInvitations`.

    Args:
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationChangedEvent | ResetEvent | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> InvitationChangedEvent | ResetEvent | Problem | ValidationProblem | None:
    """Live changes to your invitations

     A Server-Sent Events stream of the changes to the caller's invitations, as
    `streamProjectEvents` streams a project's (see there: `Last-Event-ID`, `reset`, heartbeats,
    the hour's limit, the token's end, and the streams' caps, which it shares):
    `invitation.created` when an owner invites the caller, `invitation.updated` when an
    invitation is revoked, or answered (from any of the caller's devices). Event ids increase
    within the stream, and are not those of any project's stream. No ticket opens it: a
    browser follows it with a `fetch` that sends the token (as the TypeScript SDK does), or
    polls `listInvitations`.

    Args:
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationChangedEvent | ResetEvent | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            x_request_id=x_request_id,
            last_event_id=last_event_id,
        )
    ).parsed
