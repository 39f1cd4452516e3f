"""Problems as exceptions, for code that wants a call's success type and nothing else.

Shipped with the SDK by `make generate`, from `codegen/sdk_python/extra/`; not generated, not to be edited here.

    task = unwrap(get_task.sync_detailed(project_id, task_id, client=client))  # a Task, or raises
    try:
        unwrap(update_task.sync_detailed(..., if_match=etag))
    except PreconditionFailed:
        ...  # changed meanwhile: read it again

    read = unwrap_with_response(get_task.sync_detailed(project_id, task_id, client=client))
    read.data, read.etag, read.request_id  # the Task, the ETag for If-Match, the request's id

Each problem status has its exception, all `ProblemError`s carrying the parsed problem, the
status and the answer's request id (`X-Request-ID`, to quote in a bug report). `sync_detailed`
stays for code that branches on the status.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import httpx

from . import retries
from .models import FieldError, Problem, ValidationProblem
from .types import Response

T = TypeVar("T")


class ProblemError(Exception):
    """A call answered with a problem document (RFC 9457), or an error status without one."""

    def __init__(self, status: int, problem: Problem | ValidationProblem | None, headers: Mapping[str, str]) -> None:
        self.status = status
        self.problem = problem
        self.request_id = headers.get("x-request-id")
        self.headers = headers
        detail = problem.detail if problem is not None and isinstance(problem.detail, str) else None
        super().__init__(f"{status}: {detail or (problem.title if problem else 'no problem document')}")


class BadRequest(ProblemError):
    """400: a malformed request, an unknown query parameter, a bad cursor."""


class Unauthorized(ProblemError):
    """401: no token, or one that is not (or no longer) valid."""


class Forbidden(ProblemError):
    """403: a member without the role the operation needs."""


class NotFound(ProblemError):
    """404: nothing there, or nothing the caller may know of."""


class RequestTimeout(ProblemError):
    """408: the request's head or body came too slowly."""


class Conflict(ProblemError):
    """409: the request contradicts what exists (an email taken, an owner who must stay)."""


class PreconditionFailed(ProblemError):
    """412: `If-Match` names a version that is no longer current: read again."""


class ContentTooLarge(ProblemError):
    """413: the body is over the service's limit."""


class UnsupportedMediaType(ProblemError):
    """415: the body is not `application/json`."""


class ValidationFailed(ProblemError):
    """422: fields that break the contract's rules, each named in `errors`."""

    @property
    def errors(self) -> list[FieldError]:
        return self.problem.errors if isinstance(self.problem, ValidationProblem) else []


class PreconditionRequired(ProblemError):
    """428: the operation needs `If-Match`."""


class RateLimited(ProblemError):
    """429: over a rate limit (after the SDK's retries, if the call may be repeated)."""

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before trying again, as the answer's `Retry-After` says."""
        return retries.retry_after(self.headers)


class ServiceUnavailable(ProblemError):
    """503: the service cannot answer now (its database away, or stopping)."""

    @property
    def retry_after(self) -> float | None:
        return retries.retry_after(self.headers)


KINDS: dict[int, type[ProblemError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    408: RequestTimeout,
    409: Conflict,
    412: PreconditionFailed,
    413: ContentTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    428: PreconditionRequired,
    429: RateLimited,
    503: ServiceUnavailable,
}


@overload
def unwrap(response: Response[T | Problem | ValidationProblem]) -> T: ...
@overload
def unwrap(response: Response[T | Problem]) -> T: ...
def unwrap(response: Response[Any]) -> Any:
    """The answer's parsed body when the call succeeded; the problem's exception when it did not."""
    parsed = response.parsed
    if response.status_code >= 400 or isinstance(parsed, Problem | ValidationProblem):
        problem = parsed if isinstance(parsed, Problem | ValidationProblem) else None
        raise KINDS.get(response.status_code, ProblemError)(response.status_code, problem, response.headers)
    return parsed  # None only for an answer without a body (a 204, a 304)


@dataclass(frozen=True)
class Answered(Generic[T]):
    """A success with what came with it: the parsed body, the entity tag (for `if_match`), the
    request's id and the whole response."""

    data: T
    etag: str | None
    request_id: str | None
    response: Response[Any]


@overload
def unwrap_with_response(response: Response[T | Problem | ValidationProblem]) -> Answered[T]: ...
@overload
def unwrap_with_response(response: Response[T | Problem]) -> Answered[T]: ...
def unwrap_with_response(response: Response[Any]) -> Answered[Any]:
    """As `unwrap`, keeping the answer's ETag, request id and response."""
    data = unwrap(response)
    return Answered(data, response.headers.get("ETag"), response.headers.get("X-Request-ID"), response)


def refusal(response: httpx.Response) -> ProblemError:
    """The exception for an answer read by hand (an event stream's), from its problem document."""
    problem: Problem | ValidationProblem | None = None
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        body = response.json()
        problem = ValidationProblem.from_dict(body) if "errors" in body else Problem.from_dict(body)
    return KINDS.get(response.status_code, ProblemError)(response.status_code, problem, response.headers)
