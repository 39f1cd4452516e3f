from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.invitation_changed_event import InvitationChangedEvent
from ...models.member_added_event import MemberAddedEvent
from ...models.member_removed_event import MemberRemovedEvent
from ...models.problem import Problem
from ...models.project_deleted_event import ProjectDeletedEvent
from ...models.project_updated_event import ProjectUpdatedEvent
from ...models.reset_event import ResetEvent
from ...models.task_changed_event import TaskChangedEvent
from ...models.task_deleted_event import TaskDeletedEvent
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    *,
    after: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

    params: dict[str, Any] = {}

    params["after"] = after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/projects/{project_id}/events".format(
            project_id=quote(str(project_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
    | None
):
    if response.status_code == 200:

        def _parse_response_200(
            data: object,
        ) -> (
            InvitationChangedEvent
            | MemberAddedEvent
            | MemberRemovedEvent
            | ProjectDeletedEvent
            | ProjectUpdatedEvent
            | ResetEvent
            | TaskChangedEvent
            | TaskDeletedEvent
        ):
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_0 = TaskChangedEvent.from_dict(data)

                return componentsschemas_project_event_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_1 = TaskDeletedEvent.from_dict(data)

                return componentsschemas_project_event_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_2 = MemberAddedEvent.from_dict(data)

                return componentsschemas_project_event_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_3 = MemberRemovedEvent.from_dict(data)

                return componentsschemas_project_event_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_4 = InvitationChangedEvent.from_dict(data)

                return componentsschemas_project_event_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_5 = ProjectUpdatedEvent.from_dict(data)

                return componentsschemas_project_event_type_5
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_project_event_type_6 = ProjectDeletedEvent.from_dict(data)

                return componentsschemas_project_event_type_6
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_project_event_type_7 = ResetEvent.from_dict(data)

            return componentsschemas_project_event_type_7

        response_200 = _parse_response_200(response.text)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
]:
    """Live changes to a project

     A Server-Sent Events stream of the project's changes, members only. Each event's `id`
    increases within the project, its `event` names the change and its `data` is the
    resource as the API returns it, or its id for a deletion (see `ProjectEvent`). A stream
    opened without `Last-Event-ID` carries the changes made after it opened.

    Reconnect with `Last-Event-ID` to receive every event missed since; when those are no
    longer kept (the log keeps 24 hours), the stream starts with one `reset` event instead:
    refetch, then carry on. A comment line (`:`) is sent every 15 seconds when nothing
    happens. A stream ends when the caller leaves the project or the project is deleted, and
    after at most an hour: reconnect with `Last-Event-ID`. It also ends (the response simply
    closes) when the token it was opened with stops working: at the token's expiry, and
    within a few seconds of its revocation (`STREAM_TOKEN_CHECK_SECONDS`, 2 s, at the latest),
    also by a password change; reconnecting with that token is then 401.

    Each server process keeps at most 6 streams open per token and 12 per user
    (`STREAM_LIMIT_PER_TOKEN`, `STREAM_LIMIT_PER_USER`): one more is 429 with `Retry-After`;
    close a stream to open another. A client that stops reading has its connection cut once
    the server could send it nothing for 10 seconds (`SEND_TIMEOUT_SECONDS`): resume with
    `Last-Event-ID`.

    A browser's `EventSource` cannot send an `Authorization` header: it opens the stream with a
    ticket from `createStreamTicket` instead, as `?ticket=…`. A ticket opens one stream, of the
    project it was made for, within 30 seconds; the stream then lasts as the token that made
    the ticket does. An unknown, expired, used or revoked ticket, or one made for another
    project, is 401. To resume, open a new `EventSource` with a new ticket and the last id
    received as `?after=…`.

    Args:
        project_id (int):
        after (str | Unset):
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationChangedEvent | MemberAddedEvent | MemberRemovedEvent | ProjectDeletedEvent | ProjectUpdatedEvent | ResetEvent | TaskChangedEvent | TaskDeletedEvent | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        after=after,
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: int,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> (
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
    | None
):
    """Live changes to a project

     A Server-Sent Events stream of the project's changes, members only. Each event's `id`
    increases within the project, its `event` names the change and its `data` is the
    resource as the API returns it, or its id for a deletion (see `ProjectEvent`). A stream
    opened without `Last-Event-ID` carries the changes made after it opened.

    Reconnect with `Last-Event-ID` to receive every event missed since; when those are no
    longer kept (the log keeps 24 hours), the stream starts with one `reset` event instead:
    refetch, then carry on. A comment line (`:`) is sent every 15 seconds when nothing
    happens. A stream ends when the caller leaves the project or the project is deleted, and
    after at most an hour: reconnect with `Last-Event-ID`. It also ends (the response simply
    closes) when the token it was opened with stops working: at the token's expiry, and
    within a few seconds of its revocation (`STREAM_TOKEN_CHECK_SECONDS`, 2 s, at the latest),
    also by a password change; reconnecting with that token is then 401.

    Each server process keeps at most 6 streams open per token and 12 per user
    (`STREAM_LIMIT_PER_TOKEN`, `STREAM_LIMIT_PER_USER`): one more is 429 with `Retry-After`;
    close a stream to open another. A client that stops reading has its connection cut once
    the server could send it nothing for 10 seconds (`SEND_TIMEOUT_SECONDS`): resume with
    `Last-Event-ID`.

    A browser's `EventSource` cannot send an `Authorization` header: it opens the stream with a
    ticket from `createStreamTicket` instead, as `?ticket=…`. A ticket opens one stream, of the
    project it was made for, within 30 seconds; the stream then lasts as the token that made
    the ticket does. An unknown, expired, used or revoked ticket, or one made for another
    project, is 401. To resume, open a new `EventSource` with a new ticket and the last id
    received as `?after=…`.

    Args:
        project_id (int):
        after (str | Unset):
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationChangedEvent | MemberAddedEvent | MemberRemovedEvent | ProjectDeletedEvent | ProjectUpdatedEvent | ResetEvent | TaskChangedEvent | TaskDeletedEvent | Problem | ValidationProblem
    """

    return sync_detailed(
        project_id=project_id,
        client=client,
        after=after,
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> Response[
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
]:
    """Live changes to a project

     A Server-Sent Events stream of the project's changes, members only. Each event's `id`
    increases within the project, its `event` names the change and its `data` is the
    resource as the API returns it, or its id for a deletion (see `ProjectEvent`). A stream
    opened without `Last-Event-ID` carries the changes made after it opened.

    Reconnect with `Last-Event-ID` to receive every event missed since; when those are no
    longer kept (the log keeps 24 hours), the stream starts with one `reset` event instead:
    refetch, then carry on. A comment line (`:`) is sent every 15 seconds when nothing
    happens. A stream ends when the caller leaves the project or the project is deleted, and
    after at most an hour: reconnect with `Last-Event-ID`. It also ends (the response simply
    closes) when the token it was opened with stops working: at the token's expiry, and
    within a few seconds of its revocation (`STREAM_TOKEN_CHECK_SECONDS`, 2 s, at the latest),
    also by a password change; reconnecting with that token is then 401.

    Each server process keeps at most 6 streams open per token and 12 per user
    (`STREAM_LIMIT_PER_TOKEN`, `STREAM_LIMIT_PER_USER`): one more is 429 with `Retry-After`;
    close a stream to open another. A client that stops reading has its connection cut once
    the server could send it nothing for 10 seconds (`SEND_TIMEOUT_SECONDS`): resume with
    `Last-Event-ID`.

    A browser's `EventSource` cannot send an `Authorization` header: it opens the stream with a
    ticket from `createStreamTicket` instead, as `?ticket=…`. A ticket opens one stream, of the
    project it was made for, within 30 seconds; the stream then lasts as the token that made
    the ticket does. An unknown, expired, used or revoked ticket, or one made for another
    project, is 401. To resume, open a new `EventSource` with a new ticket and the last id
    received as `?after=…`.

    Args:
        project_id (int):
        after (str | Unset):
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InvitationChangedEvent | MemberAddedEvent | MemberRemovedEvent | ProjectDeletedEvent | ProjectUpdatedEvent | ResetEvent | TaskChangedEvent | TaskDeletedEvent | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        after=after,
        x_request_id=x_request_id,
        last_event_id=last_event_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    *,
    client: AuthenticatedClient,
    after: str | Unset = UNSET,
    x_request_id: str | Unset = UNSET,
    last_event_id: str | Unset = UNSET,
) -> (
    InvitationChangedEvent
    | MemberAddedEvent
    | MemberRemovedEvent
    | ProjectDeletedEvent
    | ProjectUpdatedEvent
    | ResetEvent
    | TaskChangedEvent
    | TaskDeletedEvent
    | Problem
    | ValidationProblem
    | None
):
    """Live changes to a project

     A Server-Sent Events stream of the project's changes, members only. Each event's `id`
    increases within the project, its `event` names the change and its `data` is the
    resource as the API returns it, or its id for a deletion (see `ProjectEvent`). A stream
    opened without `Last-Event-ID` carries the changes made after it opened.

    Reconnect with `Last-Event-ID` to receive every event missed since; when those are no
    longer kept (the log keeps 24 hours), the stream starts with one `reset` event instead:
    refetch, then carry on. A comment line (`:`) is sent every 15 seconds when nothing
    happens. A stream ends when the caller leaves the project or the project is deleted, and
    after at most an hour: reconnect with `Last-Event-ID`. It also ends (the response simply
    closes) when the token it was opened with stops working: at the token's expiry, and
    within a few seconds of its revocation (`STREAM_TOKEN_CHECK_SECONDS`, 2 s, at the latest),
    also by a password change; reconnecting with that token is then 401.

    Each server process keeps at most 6 streams open per token and 12 per user
    (`STREAM_LIMIT_PER_TOKEN`, `STREAM_LIMIT_PER_USER`): one more is 429 with `Retry-After`;
    close a stream to open another. A client that stops reading has its connection cut once
    the server could send it nothing for 10 seconds (`SEND_TIMEOUT_SECONDS`): resume with
    `Last-Event-ID`.

    A browser's `EventSource` cannot send an `Authorization` header: it opens the stream with a
    ticket from `createStreamTicket` instead, as `?ticket=…`. A ticket opens one stream, of the
    project it was made for, within 30 seconds; the stream then lasts as the token that made
    the ticket does. An unknown, expired, used or revoked ticket, or one made for another
    project, is 401. To resume, open a new `EventSource` with a new ticket and the last id
    received as `?after=…`.

    Args:
        project_id (int):
        after (str | Unset):
        x_request_id (str | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InvitationChangedEvent | MemberAddedEvent | MemberRemovedEvent | ProjectDeletedEvent | ProjectUpdatedEvent | ResetEvent | TaskChangedEvent | TaskDeletedEvent | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            after=after,
            x_request_id=x_request_id,
            last_event_id=last_event_id,
        )
    ).parsed
