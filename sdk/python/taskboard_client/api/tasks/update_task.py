from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.task import Task
from ...models.task_update import TaskUpdate
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    task_id: int,
    *,
    body: TaskUpdate,
    x_request_id: str | Unset = UNSET,
    if_match: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/projects/{project_id}/tasks/{task_id}".format(
            project_id=quote(str(project_id), safe=""),
            task_id=quote(str(task_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | Task | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = Task.from_dict(response.json())

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

    if response.status_code == 408:
        response_408 = Problem.from_dict(response.json())

        return response_408

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ValidationProblem.from_dict(response.json())

        return response_422

    if response.status_code == 428:
        response_428 = Problem.from_dict(response.json())

        return response_428

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
) -> Response[Problem | Task | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: int,
    task_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: TaskUpdate,
    x_request_id: str | Unset = UNSET,
    if_match: str,
) -> Response[Problem | Task | ValidationProblem]:
    """Update a task

     Partial update: an omitted field is unchanged, `null` clears a nullable field.
    Requires `If-Match` with the task's current `ETag`.

    Args:
        project_id (int):
        task_id (int):
        x_request_id (str | Unset):
        if_match (str):
        body (TaskUpdate): Omitted fields are unchanged; `null` clears `description`, `assigneeId`
            and `dueDate`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        task_id=task_id,
        body=body,
        x_request_id=x_request_id,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: int,
    task_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: TaskUpdate,
    x_request_id: str | Unset = UNSET,
    if_match: str,
) -> Problem | Task | ValidationProblem | None:
    """Update a task

     Partial update: an omitted field is unchanged, `null` clears a nullable field.
    Requires `If-Match` with the task's current `ETag`.

    Args:
        project_id (int):
        task_id (int):
        x_request_id (str | Unset):
        if_match (str):
        body (TaskUpdate): Omitted fields are unchanged; `null` clears `description`, `assigneeId`
            and `dueDate`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task | ValidationProblem
    """

    return sync_detailed(
        project_id=project_id,
        task_id=task_id,
        client=client,
        body=body,
        x_request_id=x_request_id,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    project_id: int,
    task_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: TaskUpdate,
    x_request_id: str | Unset = UNSET,
    if_match: str,
) -> Response[Problem | Task | ValidationProblem]:
    """Update a task

     Partial update: an omitted field is unchanged, `null` clears a nullable field.
    Requires `If-Match` with the task's current `ETag`.

    Args:
        project_id (int):
        task_id (int):
        x_request_id (str | Unset):
        if_match (str):
        body (TaskUpdate): Omitted fields are unchanged; `null` clears `description`, `assigneeId`
            and `dueDate`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | Task | ValidationProblem]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        task_id=task_id,
        body=body,
        x_request_id=x_request_id,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: int,
    task_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: TaskUpdate,
    x_request_id: str | Unset = UNSET,
    if_match: str,
) -> Problem | Task | ValidationProblem | None:
    """Update a task

     Partial update: an omitted field is unchanged, `null` clears a nullable field.
    Requires `If-Match` with the task's current `ETag`.

    Args:
        project_id (int):
        task_id (int):
        x_request_id (str | Unset):
        if_match (str):
        body (TaskUpdate): Omitted fields are unchanged; `null` clears `description`, `assigneeId`
            and `dueDate`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | Task | ValidationProblem
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            task_id=task_id,
            client=client,
            body=body,
            x_request_id=x_request_id,
            if_match=if_match,
        )
    ).parsed
