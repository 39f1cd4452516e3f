"""Every request's id and its one log line: the outermost layer of the app, around Starlette's own
error handling, so that it sees every answer (an unexpected error's 500 too) and the error itself.

The id is the caller's `X-Request-ID` when it is sane, a new one otherwise. It is returned on every
answer, carried by every problem document (`requestId`) and by every log line written while the
request is handled (service/kit/logs.py), so that a user's bug report leads straight to the logs.
"""

import logging
import re
import time
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import Any
from uuid import uuid4

from opentelemetry import propagate
from opentelemetry.trace import INVALID_SPAN, Span, SpanKind, Status, StatusCode, Tracer, use_span
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.kit.metrics import DURATION, IN_FLIGHT, REQUESTS, status_class

SANE = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
# The id of the request being handled in this context, for problem documents and log lines.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access = logging.getLogger("taskboard.access")
logger = logging.getLogger("taskboard")


class Observe:
    """With a `tracer`, each request is also a server span: the current span while it is handled (the
    parent of its statements' spans), a child of the caller's when a `traceparent` came with it."""

    def __init__(
        self, app: ASGIApp, *, access_log: bool = True, metrics: bool = False, tracer: Tracer | None = None
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics
        self.tracer = tracer
        # The headers that the propagators (OTEL_PROPAGATORS; W3C trace context and baggage by default) read.
        self.carried = frozenset(name.encode() for name in propagate.get_global_textmap().fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        rid = _incoming(scope) or uuid4().hex
        header = (b"x-request-id", rid.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
                if span.is_recording():  # routed by now
                    _describe(span, scope, status)
            await send(message)

        token = request_id.set(rid)
        if self.metrics:
            IN_FLIGHT.inc()
        with self._span(scope, rid) as span:
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                # Starlette has answered 500 (problems.py, which records the error on the request's span)
                # when it could; this is the error's one log line, and it goes no further: uvicorn would
                # log it again.
                logger.exception("unhandled error in %s %s", scope["method"], _route(scope) or scope["path"])
                status = status or 500
                span.set_status(Status(StatusCode.ERROR))  # its answer may have begun before the error
            finally:
                if self.metrics:
                    IN_FLIGHT.dec()
                    labels = (getattr(scope.get("route"), "operation_id", None) or "none", status_class(status))
                    REQUESTS.labels(*labels).inc()
                    DURATION.labels(*labels).observe(time.perf_counter() - started)
                if self.access_log:
                    fields = _fields(scope, status, started)
                    if span.is_recording():
                        fields["traceId"] = format(span.get_span_context().trace_id, "032x")
                    access.info("%s %s %s", scope["method"], scope["path"], status, extra=fields)
                request_id.reset(token)

    def _span(self, scope: Scope, rid: str) -> AbstractContextManager[Span]:
        if self.tracer is None:
            return nullcontext(INVALID_SPAN)
        carrier = {name.decode(): value.decode("latin-1") for name, value in scope["headers"] if name in self.carried}
        span = self.tracer.start_span(
            scope["method"],  # until routed
            context=propagate.extract(carrier) if carrier else None,
            kind=SpanKind.SERVER,
            # Each attribute costs (docs/operations.md): what routing cannot add, and never the query
            # (a stream ticket rides in it). The client's address is in the request's log line.
            attributes={
                "http.request.method": scope["method"],
                "url.scheme": scope["scheme"],
                "url.path": scope["path"],
                "taskboard.request_id": rid,
            },
        )
        # Current while the request is handled; problems.py records an error on it.
        return use_span(span, end_on_exit=True, record_exception=False, set_status_on_exception=False)


def _incoming(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode() if SANE.fullmatch(value) else None
    return None


def _describe(span: Span, scope: Scope, status: int) -> None:
    """Names the request's span after its operation, with what routing and authentication found."""
    route = scope.get("route")
    span.update_name(getattr(route, "operation_id", None) or f"{scope['method']} (no operation)")
    attributes: dict[str, Any] = {"http.response.status_code": status}
    if (template := getattr(route, "path_format", None)) is not None:
        attributes["http.route"] = template
    if (user_id := scope.get("state", {}).get("user_id")) is not None:
        attributes["user.id"] = user_id
    span.set_attributes(attributes)
    if status >= 500:  # a 4xx is the caller's error, not the server's
        span.set_status(Status(StatusCode.ERROR))


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
