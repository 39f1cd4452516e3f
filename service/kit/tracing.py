"""Traces, with OpenTelemetry: off unless the standard OTEL_* variables ask for them.

On when OTEL_TRACES_EXPORTER names an exporter (`otlp`, `console`) or an OTLP endpoint is set
(OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true keeps
them off. OTLP over HTTP (`http/protobuf`, the default) or gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc);
every other OTEL_* variable (endpoint, headers, sampler, service name, batching) means what the
OpenTelemetry SDK says it means, but for one default: without OTEL_TRACES_SAMPLER, a tenth of the
requests that come without a trace of their own are traced, and every request whose caller's
trace is sampled (`parentbased_traceidratio` at 0.1, where the SDK would trace every request: at
a span's cost against a point read's, tracing everything costs a fifth of the service's rate).

What is traced: each request, as one server span named by its operationId, made by the app's
outermost layer (service/kit/observe.py; an event stream is one span for its life), with the route,
the status, the caller's user id and the request id; each database statement under it (SQLAlchemy's
instrumentation, on the engines' sync side); each export job, linked to the request that queued it.
An incoming `traceparent` is the parent of the request's span. Not OpenTelemetry's ASGI middleware
nor FastAPI's own telemetry: each is a layer more per request, with a span for every ASGI message
or three for every operation, and both record the query string, where stream tickets ride.
"""

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.metrics import get_meter
from opentelemetry.trace import Link, TracerProvider

TRACER = trace.get_tracer("taskboard")  # the global provider's, or a no-op one while tracing is off
# The share of requests without a sampled caller's trace that are traced, unless OTEL_TRACES_SAMPLER says.
DEFAULT_RATIO = 0.1


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    if (exporter := environ.get("OTEL_TRACES_EXPORTER")) is not None:
        return exporter.strip().lower() != "none"
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def provider(version: str, name: str) -> TracerProvider:
    """The process's tracer provider, made from the OTEL_* variables the first time (the SDK allows
    one); its service is `name` (`taskboard-api`, `taskboard-worker`) unless OTEL_SERVICE_NAME or
    OTEL_RESOURCE_ATTRIBUTES names one."""
    current = trace.get_tracer_provider()
    if not isinstance(current, trace.ProxyTracerProvider):
        return current
    from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    detected = Resource.create()
    ours: dict[str, str] = {SERVICE_VERSION: version}
    if str(detected.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):  # the SDK's "none given"
        ours[SERVICE_NAME] = name
    sampler = None if os.environ.get("OTEL_TRACES_SAMPLER") else ParentBased(TraceIdRatioBased(DEFAULT_RATIO))
    made = SdkTracerProvider(resource=detected.merge(Resource(ours)), sampler=sampler)
    exporter: SpanExporter
    if os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() == "console":
        exporter = ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")  # a line each
    elif (
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    ) == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        exporter = GrpcExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

        exporter = HttpExporter()
    made.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(made)
    return made


async def flush(tracer_provider: TracerProvider) -> None:
    """Sends the spans still waiting in the batch. Needed at every stop: uvicorn ends its process with
    the signal that stopped it, so the SDK's own flush at exit never runs."""
    if (force_flush := getattr(tracer_provider, "force_flush", None)) is not None:
        await asyncio.to_thread(force_flush, 5_000)


def trace_statements(engine: Any, tracer_provider: TracerProvider) -> None:
    """A span for each statement of `engine` (a sync Engine): SQLAlchemy's instrumentation, for this
    engine only, without the spans it would also make for every connection checked out."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=tracer_provider)
    usage = get_meter("taskboard").create_up_down_counter("db.client.connections.usage")  # no meter: a no-op
    EngineTracer(tracer, engine, usage)  # type: ignore[no-untyped-call]


def carrier() -> dict[str, str]:
    """The current trace context, to carry to work done later (an export job)."""
    found: dict[str, str] = {}
    propagate.inject(found)
    return found


def links(carried: Mapping[str, str] | None) -> list[Link]:
    """A link to the span that `carried` names: the request that queued the work."""
    if not carried:
        return []
    context = trace.get_current_span(propagate.extract(carried)).get_span_context()
    return [Link(context)] if context.is_valid else []
