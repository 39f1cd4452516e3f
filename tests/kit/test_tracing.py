"""Traces of real requests through the app, kept by the OpenTelemetry SDK's in-memory exporter."""

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from service.app import create_app
from service.kit import tracing
from service.settings import Settings
from tests.factories import create_project, create_task, sign_up

EXPORTED = InMemorySpanExporter()
INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def tracer_provider() -> TracerProvider:
    """The process's provider (the SDK allows one), keeping every span in memory."""
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        current = TracerProvider()
        current.add_span_processor(SimpleSpanProcessor(EXPORTED))
        trace.set_tracer_provider(current)
    return current


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings, tracer_provider=tracer_provider())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            EXPORTED.clear()
            yield app, client


def server_span(request_id: str) -> ReadableSpan:
    [span] = [
        s for s in EXPORTED.get_finished_spans() if (s.attributes or {}).get("taskboard.request_id") == request_id
    ]
    return span


def children(parent: ReadableSpan) -> list[ReadableSpan]:
    return [
        s for s in EXPORTED.get_finished_spans() if s.parent is not None and s.parent.span_id == parent.context.span_id
    ]


async def test_a_request_is_one_span_named_by_its_operation_with_a_span_per_statement(
    traced: tuple[FastAPI, httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, client = traced
    ada = await sign_up(client)
    project = await create_project(client, ada)
    task = await create_task(client, ada, project["id"])
    EXPORTED.clear()
    headers = {**ada.headers, "traceparent": INCOMING, "X-Request-ID": "traced-1"}
    with caplog.at_level(logging.INFO, logger="taskboard.access"):
        read = await client.get(f"/v1/projects/{project['id']}/tasks/{task['id']}", headers=headers)
    assert read.status_code == 200
    # The request's log line leads to its trace.
    [line] = [
        r for r in caplog.records if r.name == "taskboard.access" and getattr(r, "operationId", None) == "getTask"
    ]
    assert line.__dict__["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736"

    span = server_span("traced-1")
    assert span.name == "getTask" and span.kind == SpanKind.SERVER
    # The caller's trace goes on: same trace, the caller's span as parent.
    assert format(span.context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert span.parent is not None and format(span.parent.span_id, "016x") == "00f067aa0ba902b7"
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/v1/projects/{projectId}/tasks/{taskId}"
    assert attributes["user.id"] == ada.user["id"]
    assert attributes.get("http.status_code", attributes.get("http.response.status_code")) == 200
    # Nothing secret: no token, no password, no email, no body.
    shown = repr([(s.name, dict(s.attributes or {})) for s in EXPORTED.get_finished_spans()])
    for secret in (ada.token, ada.password, ada.user["email"]):
        assert secret not in shown
    # No span for each receive and send.
    assert not [s for s in EXPORTED.get_finished_spans() if "http send" in s.name or "http receive" in s.name]
    statements = children(span)
    assert statements, "no database span under the request's"
    assert all(s.kind == SpanKind.CLIENT for s in statements)
    assert any("SELECT" in str((s.attributes or {}).get("db.statement", s.name)) for s in statements)


async def test_an_export_job_is_a_span_linked_to_the_request_that_queued_it(
    traced: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = traced
    ada = await sign_up(client)
    project = await create_project(client, ada)
    headers = {**ada.headers, "X-Request-ID": "queued-1"}
    queued = await client.post(f"/v1/projects/{project['id']}/exports", json={"format": "csv"}, headers=headers)
    assert queued.status_code == 202
    async with asyncio.timeout(10):
        while not [s for s in EXPORTED.get_finished_spans() if s.name == "export"]:  # noqa: ASYNC110 - nothing else to await
            await asyncio.sleep(0.02)
    [job] = [s for s in EXPORTED.get_finished_spans() if s.name == "export"]
    request = server_span("queued-1")
    assert request.name == "createExport"
    assert [link.context.span_id for link in job.links] == [request.context.span_id]
    assert (job.attributes or {})["taskboard.export_id"] == queued.json()["id"]
    assert children(job), "the job's statements are its children"


async def test_an_event_stream_is_one_span_for_its_life(settings: Settings) -> None:
    # httpx's ASGI transport reads an answer whole: the stream ends after 0.3 s, having sent its events.
    app = create_app(settings.model_copy(update={"stream_max_seconds": 0.3}), tracer_provider=tracer_provider())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://taskboard.test") as client:
            ada = await sign_up(client)
            project = await create_project(client, ada)
            await create_task(client, ada, project["id"])
            headers = {**ada.headers, "X-Request-ID": "streamed-1", "Last-Event-ID": "0"}
            streamed = await client.get(f"/v1/projects/{project['id']}/events", headers=headers)
    assert streamed.status_code == 200 and "event: task.created" in streamed.text
    spans = [
        s for s in EXPORTED.get_finished_spans() if (s.attributes or {}).get("taskboard.request_id") == "streamed-1"
    ]
    assert [s.name for s in spans] == ["streamProjectEvents"]
    assert not [
        s
        for s in EXPORTED.get_finished_spans()
        if s.parent and s.parent.span_id == spans[0].context.span_id and "send" in s.name
    ]


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """`tracing.provider` makes its provider as in a fresh process (the SDK allows one a process),
    printing spans, with no sampler named; set no global provider."""
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)
    monkeypatch.setattr(trace, "set_tracer_provider", lambda provider: None)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    return monkeypatch


@pytest.mark.once
def test_the_api_and_the_worker_are_services_of_their_own_names_unless_otel_names_one(
    fresh_process: pytest.MonkeyPatch,
) -> None:
    named = {}
    for name in ("taskboard-api", "taskboard-worker"):
        made = tracing.provider("1.2.0", name)
        assert isinstance(made, TracerProvider)
        named[name] = made.resource.attributes[SERVICE_NAME]
        made.shutdown()
    assert named == {"taskboard-api": "taskboard-api", "taskboard-worker": "taskboard-worker"}
    fresh_process.setenv("OTEL_SERVICE_NAME", "board-eu")
    made = tracing.provider("1.2.0", "taskboard-api")
    assert isinstance(made, TracerProvider) and made.resource.attributes[SERVICE_NAME] == "board-eu"
    made.shutdown()


@pytest.mark.once
def test_a_tenth_of_untraced_requests_and_every_sampled_callers_are_traced_unless_otel_says(
    fresh_process: pytest.MonkeyPatch,
) -> None:
    made = tracing.provider("1.2.0", "taskboard-api")
    assert isinstance(made, TracerProvider)
    tracer = made.get_tracer("test")
    roots = [tracer.start_span("root") for _ in range(2000)]
    assert 120 <= sum(span.is_recording() for span in roots) <= 280  # a tenth, give or take
    sampled_caller = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    unsampled_caller = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}
    assert all(tracer.start_span("r", context=propagate.extract(sampled_caller)).is_recording() for _ in range(50))
    assert not any(
        tracer.start_span("r", context=propagate.extract(unsampled_caller)).is_recording() for _ in range(50)
    )
    made.shutdown()
    fresh_process.setenv("OTEL_TRACES_SAMPLER", "always_on")
    made = tracing.provider("1.2.0", "taskboard-api")
    assert isinstance(made, TracerProvider)
    assert all(made.get_tracer("test").start_span("root").is_recording() for _ in range(50))
    made.shutdown()
