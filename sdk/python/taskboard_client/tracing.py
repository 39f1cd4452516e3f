"""The caller's trace context, passed on with every request when OpenTelemetry is in use.

Shipped with the SDK by `make generate`, from `codegen/sdk_python/extra/`; not generated, not to be edited here.

With `opentelemetry-api` installed and a span active where a call is made, the request carries its
`traceparent` (and whatever else the caller's propagators send, `tracestate` and `baggage` by
default): the service's spans join the caller's trace. Otherwise nothing is added, and the SDK does
not need OpenTelemetry at all.
"""

from collections.abc import Callable

import httpx


def _injector() -> Callable[[httpx.Headers], None] | None:
    try:
        from opentelemetry.propagate import inject
    except ImportError:  # no OpenTelemetry here, so no trace to pass on
        return None
    return inject


_INJECT = _injector()


def inject_trace_context(request: httpx.Request) -> None:
    """An httpx request hook: adds the current trace context's headers to `request`."""
    if _INJECT is not None:
        _INJECT(request.headers)


async def inject_trace_context_async(request: httpx.Request) -> None:
    """The same, for httpx.AsyncClient, which awaits its hooks."""
    inject_trace_context(request)
