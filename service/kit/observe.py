"""Every request's id and its one log line: the outermost layer of the app, around Starlette's own
error handling, so that it sees every answer (an unexpected error's 500 too) and the error itself.

The id is the caller's `X-Request-ID` when it is sane, a new one otherwise. It is returned on every
answer, carried by every problem document (`requestId`) and by every log line written while the
request is handled (service/kit/logs.py), so that a user's bug report leads straight to the logs.
"""

import logging
import re
import time
from contextvars import ContextVar
from typing import Any
from uuid import uuid4

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.kit.metrics import DURATION, IN_FLIGHT, REQUESTS, status_class

SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# The id of the request being handled in this context, for problem documents and log lines.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access = logging.getLogger("taskboard.access")
logger = logging.getLogger("taskboard")


class Observe:
    def __init__(self, app: ASGIApp, *, access_log: bool = True, metrics: bool = False, tracing: bool = False) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _incoming(scope) or uuid4().hex
        header = (b"x-request-id", rid.encode())
        status, trace_id = 0, None

        async def send_with_id(message: Message) -> None:
            nonlocal status, trace_id
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
                if self.tracing:  # routed by now, and the span ends with the answer
                    trace_id = _describe_span(scope, rid)
            await send(message)

        token = request_id.set(rid)
        if self.metrics:
            IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette has answered 500 (problems.py, which records the error on the request's span)
            # when it could; this is the error's one log line, and it goes no further: uvicorn would
            # log it again.
            logger.exception("unhandled error in %s %s", scope["method"], _route(scope) or scope["path"])
            status = status or 500
        finally:
            if self.metrics:
                IN_FLIGHT.dec()
                labels = (getattr(scope.get("route"), "operation_id", None) or "none", status_class(status))
                REQUESTS.labels(*labels).inc()
                DURATION.labels(*labels).observe(time.perf_counter() - started)
            if self.access_log:
                fields = _fields(scope, status, started)
                if trace_id is not None:
                    fields["traceId"] = trace_id
                access.info("%s %s %s", scope["method"], scope["path"], status, extra=fields)
            request_id.reset(token)


def _incoming(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode() if SANE.fullmatch(value) else None
    return None


def _describe_span(scope: Scope, rid: str) -> str | None:
    """Names the request's span after its operation, adds what the ASGI middleware cannot know, and
    gives its trace id (None when not sampled)."""
    span = trace.get_current_span()
    if not span.is_recording():
        return None
    route = scope.get("route")
    span.update_name(getattr(route, "operation_id", None) or f"{scope['method']} (no operation)")
    if (template := getattr(route, "path_format", None)) is not None:
        span.set_attribute("http.route", template)
    if (user_id := scope.get("state", {}).get("user_id")) is not None:
        span.set_attribute("user.id", user_id)
    span.set_attribute("taskboard.request_id", rid)
    return format(span.get_span_context().trace_id, "032x")


def _route(scope: Scope) -> str | None:
    route = scope.get("route")
    return getattr(route, "path_format", None)


def _fields(scope: Scope, status: int, started: float) -> dict[str, Any]:
    route = scope.get("route")
    client = scope.get("client")
    return {
        "method": scope["method"],
        "route": getattr(route, "path_format", None),
        "operationId": getattr(route, "operation_id", None),
        "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 3),
        "userId": scope.get("state", {}).get("user_id"),
        "client": client[0] if client else None,
    }
