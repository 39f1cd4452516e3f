"""RFC 9457 problem details: the one error hierarchy and the handlers that render it."""

import ast
import logging
import re
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, ClassVar

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from limits.errors import StorageError
from opentelemetry import trace
from opentelemetry.trace import StatusCode
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match

from generated.models import FieldErrorCode
from service.kit import outages
from service.kit.headers import FOR_ERRORS
from service.kit.observe import request_id

PROBLEM_JSON = "application/problem+json"
# RFC 9110 names where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
VALIDATION_TYPE = "urn:taskboard:problem:validation"

logger = logging.getLogger("taskboard")


class Problem(Exception):
    """Raised by domain code; rendered as a problem document with `status` and `headers`."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "about:blank"

    def __init__(self, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions: dict[str, Any] = {}


class NotFound(Problem):
    status = 404


class Conflict(Problem):
    status = 409


class BadRequest(Problem):
    status = 400


class Forbidden(Problem):
    status = 403


# Another transaction updated the row between this request's read and its write.
CHANGED_MEANWHILE = "The resource changed while this request was being handled; fetch it again."


class PreconditionFailed(Problem):
    status = 412


class Unprocessable(Problem):
    """A request that matches the schema but breaks a rule; names the field like a validation error."""

    status = 422
    type = VALIDATION_TYPE

    def __init__(self, detail: str, *, where: str, pointer: str, code: FieldErrorCode) -> None:
        super().__init__("The request does not match the contract.")
        self.extensions = {"errors": [{"in": where, "pointer": pointer, "code": code.value, "detail": detail}]}


class Unauthenticated(Problem):
    status = 401

    def __init__(self, detail: str, error: str | None = "invalid_token") -> None:
        challenge = f'Bearer error="{error}"' if error else "Bearer"
        super().__init__(detail, {"WWW-Authenticate": challenge})


class ServiceUnavailable(Problem):
    status = 503

    def __init__(self, detail: str, retry_after_seconds: int = 5) -> None:
        super().__init__(detail, {"Retry-After": str(retry_after_seconds)})


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title(status), "status": status}
    if detail:
        body["detail"] = detail
    if (rid := request_id.get()) is not None:
        body["requestId"] = rid
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def title(status: int) -> str:
    return TITLES.get(status) or HTTPStatus(status).phrase


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, type_=exc.type, headers=exc.headers, **exc.extensions)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the methods of the first route that matched the path.
        headers["Allow"] = ", ".join(sorted(_allowed_methods(request)))
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else _DETAILS.get(exc.status_code)
    return problem_response(exc.status_code, detail, headers=headers)


_DETAILS = {
    404: "No operation of this API is at this path.",
    405: "This path does not support this method; Allow lists those it does.",
    413: "The request body is larger than this API accepts.",
}


def _allowed_methods(request: Request) -> set[str]:
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return methods


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        reason = malformed.get("ctx", {}).get("error", "invalid JSON")
        return problem_response(400, f"The request body is not valid JSON: {reason}.")
    return problem_response(
        422,
        "The request does not match the contract.",
        type_=VALIDATION_TYPE,
        errors=[_field_error(error) for error in errors],
    )


async def _on_stale(_request: Request, _exc: Exception) -> JSONResponse:
    return problem_response(412, CHANGED_MEANWHILE)


async def _on_client_gone(_request: Request, _exc: Exception) -> JSONResponse:
    # The client closed the connection before its body arrived: nothing was done, and no one will
    # read this answer, but it keeps an everyday event out of the error log.
    return problem_response(400, "The connection closed before the request body arrived.")


# The database is away, restarting, locked for too long or too slow: the client should come back.
UNAVAILABLE = "The database is unavailable or too busy to answer in time; retry later."
# SQLSTATEs of a database that cannot serve now but may in a moment (PostgreSQL's appendix A): the
# classes 08 (the connection failed or was lost), 53 (too many connections, out of memory or disk)
# and 57P0 (shutting down, starting up: every failover); a statement cancelled by its timeout
# (57014), a database that accepts no connections (55000) or a lock not granted in time (55P03);
# and transactions PostgreSQL aborted for others to go on (40001, 40P01: a retry succeeds).
_UNAVAILABLE_CLASSES = ("08", "53", "57P0")
_UNAVAILABLE_STATES = frozenset({"57014", "55000", "55P03", "40001", "40P01"})


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, OSError | sqlalchemy.exc.TimeoutError | sqlalchemy.exc.DisconnectionError):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        # OperationalError is SQLite's locked, unopenable or failing file, and a driver's lost link.
        if exc.connection_invalidated or isinstance(
            exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError
        ):
            return True
        state = getattr(exc.orig, "sqlstate", None) or ""
        return (
            state.startswith(_UNAVAILABLE_CLASSES)
            or state in _UNAVAILABLE_STATES
            # asyncpg's own: a connection closed under a statement (no SQLSTATE).
            or type(exc.orig).__name__ == "InterfaceError"
            or isinstance(exc.orig, OSError)
        )
    return False


async def _on_storage_error(_request: Request, exc: Exception) -> JSONResponse:
    # The Redis that counts the rate limits does not answer (RATE_LIMIT_FALLBACK=refuse): as when the
    # database does not.
    outages.rate_limits.refused(exc)
    detail = "The store of rate limits is unavailable or too busy to answer in time; retry later."
    return problem_response(503, detail, headers={"Retry-After": "5"})


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    if database_unavailable(exc):
        outages.database.refused(exc)
        return problem_response(503, UNAVAILABLE, headers={"Retry-After": "5"})
    logger.error("unexpected database error", exc_info=exc)
    return await _on_unexpected(request, exc)


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # On the request's span, while it is open (a span that records nothing when tracing is off).
    span = trace.get_current_span()
    span.record_exception(exc)
    span.set_status(StatusCode.ERROR)
    # Rendered outside every middleware (Starlette's ServerErrorMiddleware), so with its own headers.
    return problem_response(500, "An unexpected error occurred.", headers=FOR_ERRORS)


# Pydantic's error types as the JSON Schema keyword of the contract that they check (FieldError's
# `code`), with the context's key that holds its bound.
_KEYWORDS: dict[str, tuple[FieldErrorCode, str | None]] = {
    "missing": (FieldErrorCode.REQUIRED, None),
    "string_too_short": (FieldErrorCode.MIN_LENGTH, "min_length"),
    "string_too_long": (FieldErrorCode.MAX_LENGTH, "max_length"),
    "too_short": (FieldErrorCode.MIN_ITEMS, "min_length"),
    "too_long": (FieldErrorCode.MAX_ITEMS, "max_length"),
    "string_pattern_mismatch": (FieldErrorCode.PATTERN, "pattern"),
    "greater_than_equal": (FieldErrorCode.MINIMUM, "ge"),
    "less_than_equal": (FieldErrorCode.MAXIMUM, "le"),
    "greater_than": (FieldErrorCode.EXCLUSIVE_MINIMUM, "gt"),
    "less_than": (FieldErrorCode.EXCLUSIVE_MAXIMUM, "lt"),
    "enum": (FieldErrorCode.ENUM, "expected"),
    "literal_error": (FieldErrorCode.ENUM, "expected"),
    "extra_forbidden": (FieldErrorCode.ADDITIONAL_PROPERTIES, None),
    "part_twice": (FieldErrorCode.REPEATED, None),
}
# Parsing a value of a format (a date, a time) rather than a type.
_FORMATS = ("date_", "datetime_", "time_", "uuid_", "url_")


def _field_error(error: Mapping[str, Any]) -> dict[str, Any]:
    where, *path = error.get("loc") or ("body",)
    if where == "header":
        path = path[:1]  # a list header's line: the header is what the contract names
    kind = str(error.get("type", ""))
    code, bound = _KEYWORDS.get(kind, (FieldErrorCode.INVALID, None))
    if code is FieldErrorCode.INVALID and kind.endswith(("_type", "_parsing", "_from_float", "_required")):
        code = FieldErrorCode.FORMAT if kind.startswith(_FORMATS) else FieldErrorCode.TYPE
    field: dict[str, Any] = {"in": str(where), "pointer": json_pointer(path), "code": code.value}
    field["detail"] = str(error.get("msg", ""))
    value = (error.get("ctx") or {}).get(bound) if bound else None
    if value is not None and (params := _params(code, value)):
        field["params"] = params
    return field


def _params(code: FieldErrorCode, value: Any) -> dict[str, Any] | None:
    if code is not FieldErrorCode.ENUM:
        return {code.value: value}
    # Pydantic says the values as words ("'todo', 'doing' or 'done'"): read back as a list.
    try:
        values = ast.literal_eval("[" + re.sub(r" or (?=[^,]*$)", ", ", str(value)) + "]")
    except (SyntaxError, ValueError):
        return None
    return {"enum": values}


def json_pointer(parts: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(HTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StaleDataError, _on_stale)
    app.add_exception_handler(ClientDisconnect, _on_client_gone)
    app.add_exception_handler(StorageError, _on_storage_error)
    for error in (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError, sqlalchemy.exc.DisconnectionError, OSError):
        app.add_exception_handler(error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
