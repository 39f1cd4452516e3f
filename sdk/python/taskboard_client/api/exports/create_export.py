from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export import Export
from ...models.export_create import ExportCreate
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: int,
    *,
    body: ExportCreate,
    x_request_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_request_id, Unset):
        headers["X-Request-ID"] = x_request_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/projects/{project_id}/exports".format(
            project_id=quote(str(project_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Export | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = Export.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = Export.from_dict(response.json())

        return response_202

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
) -> Response[Export | Problem | ValidationProblem]:
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
    body: ExportCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Export | Problem | ValidationProblem]:
    """Export a project's tasks

     Starts an export of every task of the project, as CSV or as NDJSON (one task per line,
    as `getTask` returns it). The export runs in the background; poll `getExport` until its
    `status` is `succeeded`, then fetch the file with `downloadExport`. Members only.

    CSV (RFC 4180): a header row, then one row per task with the fields of `Task` as columns,
    every field in double quotes, an empty field for `null`. So that no spreadsheet runs a
    cell as a formula, a text that starts with `=`, `+`, `-`, `@`, a tab, a carriage return
    or NUL (or their full-width forms), also after leading spaces or line breaks, is written
    with a `'` before it (OWASP's advice on CSV injection). NDJSON holds every value exactly.

    A finished export and its file are kept for a while (`EXPORT_RETENTION`, 7 days by
    default), then deleted: its operations answer 404 from then on, as they do once its
    project is deleted.

    A project has at most one export of each format queued or running: while one is, a
    request for another answers 200 with that one. Each user may have 3 exports queued or
    running at once (`EXPORTS_IN_FLIGHT_PER_USER`), and keep 100 MiB of finished export files
    (`EXPORT_BYTES_PER_USER`, counted until each expires): beyond either, 429 with
    `Retry-After`.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (ExportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Export | Problem | ValidationProblem]
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
    body: ExportCreate,
    x_request_id: str | Unset = UNSET,
) -> Export | Problem | ValidationProblem | None:
    """Export a project's tasks

     Starts an export of every task of the project, as CSV or as NDJSON (one task per line,
    as `getTask` returns it). The export runs in the background; poll `getExport` until its
    `status` is `succeeded`, then fetch the file with `downloadExport`. Members only.

    CSV (RFC 4180): a header row, then one row per task with the fields of `Task` as columns,
    every field in double quotes, an empty field for `null`. So that no spreadsheet runs a
    cell as a formula, a text that starts with `=`, `+`, `-`, `@`, a tab, a carriage return
    or NUL (or their full-width forms), also after leading spaces or line breaks, is written
    with a `'` before it (OWASP's advice on CSV injection). NDJSON holds every value exactly.

    A finished export and its file are kept for a while (`EXPORT_RETENTION`, 7 days by
    default), then deleted: its operations answer 404 from then on, as they do once its
    project is deleted.

    A project has at most one export of each format queued or running: while one is, a
    request for another answers 200 with that one. Each user may have 3 exports queued or
    running at once (`EXPORTS_IN_FLIGHT_PER_USER`), and keep 100 MiB of finished export files
    (`EXPORT_BYTES_PER_USER`, counted until each expires): beyond either, 429 with
    `Retry-After`.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (ExportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Export | Problem | ValidationProblem
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
    body: ExportCreate,
    x_request_id: str | Unset = UNSET,
) -> Response[Export | Problem | ValidationProblem]:
    """Export a project's tasks

     Starts an export of every task of the project, as CSV or as NDJSON (one task per line,
    as `getTask` returns it). The export runs in the background; poll `getExport` until its
    `status` is `succeeded`, then fetch the file with `downloadExport`. Members only.

    CSV (RFC 4180): a header row, then one row per task with the fields of `Task` as columns,
    every field in double quotes, an empty field for `null`. So that no spreadsheet runs a
    cell as a formula, a text that starts with `=`, `+`, `-`, `@`, a tab, a carriage return
    or NUL (or their full-width forms), also after leading spaces or line breaks, is written
    with a `'` before it (OWASP's advice on CSV injection). NDJSON holds every value exactly.

    A finished export and its file are kept for a while (`EXPORT_RETENTION`, 7 days by
    default), then deleted: its operations answer 404 from then on, as they do once its
    project is deleted.

    A project has at most one export of each format queued or running: while one is, a
    request for another answers 200 with that one. Each user may have 3 exports queued or
    running at once (`EXPORTS_IN_FLIGHT_PER_USER`), and keep 100 MiB of finished export files
    (`EXPORT_BYTES_PER_USER`, counted until each expires): beyond either, 429 with
    `Retry-After`.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (ExportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Export | Problem | ValidationProblem]
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
    body: ExportCreate,
    x_request_id: str | Unset = UNSET,
) -> Export | Problem | ValidationProblem | None:
    """Export a project's tasks

     Starts an export of every task of the project, as CSV or as NDJSON (one task per line,
    as `getTask` returns it). The export runs in the background; poll `getExport` until its
    `status` is `succeeded`, then fetch the file with `downloadExport`. Members only.

    CSV (RFC 4180): a header row, then one row per task with the fields of `Task` as columns,
    every field in double quotes, an empty field for `null`. So that no spreadsheet runs a
    cell as a formula, a text that starts with `=`, `+`, `-`, `@`, a tab, a carriage return
    or NUL (or their full-width forms), also after leading spaces or line breaks, is written
    with a `'` before it (OWASP's advice on CSV injection). NDJSON holds every value exactly.

    A finished export and its file are kept for a while (`EXPORT_RETENTION`, 7 days by
    default), then deleted: its operations answer 404 from then on, as they do once its
    project is deleted.

    A project has at most one export of each format queued or running: while one is, a
    request for another answers 200 with that one. Each user may have 3 exports queued or
    running at once (`EXPORTS_IN_FLIGHT_PER_USER`), and keep 100 MiB of finished export files
    (`EXPORT_BYTES_PER_USER`, counted until each expires): beyond either, 429 with
    `Retry-After`.

    Args:
        project_id (int):
        x_request_id (str | Unset):
        body (ExportCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Export | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            client=client,
            body=body,
            x_request_id=x_request_id,
        )
    ).parsed
