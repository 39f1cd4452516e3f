from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.invitation import Invitation
from ...models.invitation_create import InvitationCreate
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    *,
    body: InvitationCreate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/projects/{project_id}/invitations".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Invitation | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = Invitation.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = Invitation.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

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
) -> Response[Invitation | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: InvitationCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Invitation | Problem | ValidationProblem]:
    """Invite a user to the project

     Owner only. The user becomes a member once they accept (`acceptInvitation`); until then
    they see the project's name in their invitations (`listInvitations`), and nothing else of
    it. A user has at most one pending invitation to a project: inviting them again answers
    200 with that one. Members see `invitation.created` on the project's stream, and
    `invitation.updated` when it is accepted, declined or revoked.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (InvitationCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Invitation | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
        x_request_id=x_request_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: InvitationCreate,
    x_request_id: str | Unset = UNSET,
) -> Invitation | Problem | ValidationProblem | None:
    """Invite a user to the project

     Owner only. The user becomes a member once they accept (`acceptInvitation`); until then
    they see the project's name in their invitations (`listInvitations`), and nothing else of
    it. A user has at most one pending invitation to a project: inviting them again answers
    200 with that one. Members see `invitation.created` on the project's stream, and
    `invitation.updated` when it is accepted, declined or revoked.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (InvitationCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Invitation | Problem | ValidationProblem
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        body=body,
        x_request_id=x_request_id,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: InvitationCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Invitation | Problem | ValidationProblem]:
    """Invite a user to the project

     Owner only. The user becomes a member once they accept (`acceptInvitation`); until then
    they see the project's name in their invitations (`listInvitations`), and nothing else of
    it. A user has at most one pending invitation to a project: inviting them again answers
    200 with that one. Members see `invitation.created` on the project's stream, and
    `invitation.updated` when it is accepted, declined or revoked.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (InvitationCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Invitation | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        body=body,
        x_request_id=x_request_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: InvitationCreate,
    x_request_id: str | Unset = UNSET,
) -> Invitation | Problem | ValidationProblem | None:
    """Invite a user to the project

     Owner only. The user becomes a member once they accept (`acceptInvitation`); until then
    they see the project's name in their invitations (`listInvitations`), and nothing else of
    it. A user has at most one pending invitation to a project: inviting them again answers
    200 with that one. Members see `invitation.created` on the project's stream, and
    `invitation.updated` when it is accepted, declined or revoked.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (InvitationCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Invitation | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
