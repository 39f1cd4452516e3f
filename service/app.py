import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import TracerProvider
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp

from generated.api import events, exports, health, invitations, members, projects, tasks, tokens, users
from service.contract import cross_origin, ensure_complete, load_contract
from service.events.handlers import EventsHandlers
from service.events.revocations import Revocations
from service.events.slots import StreamSlots
from service.exports.dispatch import ExportQueue, InProcessQueue
from service.exports.handlers import ExportsHandlers
from service.exports.redis_queue import SaqQueue
from service.health.handlers import HealthHandlers
from service.housekeeping import keep_clean
from service.invitations.handlers import InvitationsHandlers
from service.kit import tracing
from service.kit.auth import VerifiedTokens
from service.kit.bodies import BodyLimit
from service.kit.checkpoints import Checkpoints
from service.kit.context import request_context
from service.kit.cors import Cors
from service.kit.database import Database
from service.kit.docs import install_docs
from service.kit.events.fanout import Broadcaster
from service.kit.events.relay import create_relay
from service.kit.headers import SecurityHeaders
from service.kit.logs import configure as configure_logging
from service.kit.logs import hide_tickets
from service.kit.metrics import measure_loop_lag
from service.kit.metrics import serve as serve_metrics
from service.kit.observe import Observe
from service.kit.passwords import password_work
from service.kit.problems import install_problem_handlers
from service.kit.ratelimits import Limiter
from service.kit.shared_secrets import SHARED_SECRETS, shared_secret
from service.kit.shutdown import Drain, on_exit_signals
from service.members.handlers import MembersHandlers
from service.projects.handlers import ProjectsHandlers
from service.settings import Settings
from service.tasks.handlers import TasksHandlers
from service.tokens.handlers import TokensHandlers
from service.users.handlers import UsersHandlers

logger = logging.getLogger("taskboard")


class ContractApp(FastAPI):
    """Serves the hand-written contract at /openapi.json, not a schema derived from the code, and
    observes every request from outside Starlette's own error handling (service/kit/observe.py)."""

    def openapi(self) -> dict[str, Any]:
        return load_contract()

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        metrics = settings.metrics_port is not None
        tracer_provider: TracerProvider | None = self.state.tracer_provider
        tracer = None if tracer_provider is None else tracer_provider.get_tracer("taskboard")
        return Observe(super().build_middleware_stack(), access_log=settings.access_log, metrics=metrics, tracer=tracer)


@functools.cache  # once per process
def settle_garbage_collector() -> None:
    """Fewer, shorter pauses: what start-up made lives as long as the process, so the collector
    stops walking it, and young objects are collected after 50,000 allocations instead of 700
    (the older generations as often as before, relative to that): with many event streams open,
    collections stretched an event's fan-out (docs/performance.md). Process-wide, so run once per
    worker process from the lifespan, after start-up's objects exist."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


async def read_shared_secrets(database: Database) -> None:
    """Best effort: while the database is away, each secret is read when first used instead."""
    try:
        for name in SHARED_SECRETS:
            await shared_secret(database, name)
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        logger.warning("shared secrets not read at start-up, but when first used: %s", error)


def create_app(settings: Settings | None = None, *, tracer_provider: TracerProvider | None = None) -> FastAPI:
    """The service. Traces go to `tracer_provider` (tests), else where the OTEL_* variables say, if they do."""
    settings = settings or Settings()
    contract = load_contract()
    if tracer_provider is None and tracing.enabled():
        tracer_provider = tracing.provider(contract["info"]["version"], "taskboard-api")
    configure_logging(settings.log_format, settings.log_level)
    hide_tickets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.database = database = Database(settings)
        if tracer_provider is not None:
            for engine in (database.engine, database.short_engine):
                tracing.trace_statements(engine.sync_engine, tracer_provider)
        app.state.limiter = limiter = Limiter(settings)
        app.state.verified_tokens = VerifiedTokens(settings.token_cache_seconds)
        app.state.passwords = password_work(settings)
        app.state.broadcaster = broadcaster = Broadcaster()
        app.state.relay = relay = create_relay(database, broadcaster, settings)
        app.state.revocations = revocations = Revocations(database, settings.stream_token_check_seconds)
        app.state.stream_slots = StreamSlots(settings.stream_limit_per_user, settings.stream_limit_per_token)
        checkpoints = Checkpoints(database, settings.sqlite_checkpoint_seconds)
        # Their statements serve no request: traced, they would be a stream of root spans.
        with suppress_instrumentation():
            await read_shared_secrets(database)
            await relay.start()
            await revocations.start()
            if database.engine.dialect.name == "sqlite":
                await checkpoints.start()
            purging = asyncio.create_task(keep_clean(database, settings))
        settle_garbage_collector()
        exports: ExportQueue
        if settings.export_queue == "saq":
            exports = SaqQueue(settings)
        else:
            exports = InProcessQueue(
                database, settings.export_dir, settings.export_workers, settings.export_sweep_seconds
            )
        app.state.exports = exports
        await exports.start()
        metrics_server = (
            None if settings.metrics_port is None else await serve_metrics(settings.metrics_host, settings.metrics_port)
        )
        lag = None if settings.metrics_port is None else asyncio.create_task(measure_loop_lag())
        app.state.drain = drain = Drain()
        restore_signals = on_exit_signals(broadcaster, drain, settings.drain_seconds)
        try:
            yield
        finally:
            restore_signals()
            broadcaster.shut_down()
            await relay.stop()
            await revocations.stop()
            await checkpoints.stop()
            await exports.stop()
            if metrics_server is not None:
                metrics_server.close()
            for task in (purging, lag):
                if task is not None:
                    task.cancel()
            await asyncio.gather(*(task for task in (purging, lag) if task is not None), return_exceptions=True)
            await database.dispose()
            await limiter.close()
            if tracer_provider is not None:
                await tracing.flush(tracer_provider)

    app = ContractApp(
        title=contract["info"]["title"],
        version=contract["info"]["version"],
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, from files installed with the service
        redoc_url=None,
        # A trailing slash is another path (404), not a 307 that would resend a body elsewhere.
        redirect_slashes=False,
        # Traces are Observe's (service/kit/observe.py) and metrics prometheus-client's: FastAPI's own
        # would record every query string (a stream ticket is one), add three spans to every request
        # and cost a layer more.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.settings = settings
    app.state.tracer_provider = tracer_provider
    install_problem_handlers(app)
    install_docs(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, timeout=settings.request_body_timeout_seconds)
    # Outermost, so that every answer (a 413 too) carries the headers a browser needs to read it.
    allowed = cross_origin()
    app.add_middleware(
        Cors,
        origins=settings.cors_origins,
        methods=allowed.methods,
        request_headers=allowed.request_headers,
        response_headers=allowed.response_headers,
        extra_headers=settings.cors_allow_headers,
    )
    app.add_middleware(SecurityHeaders)
    app.include_router(users.router(UsersHandlers, context=request_context))
    app.include_router(projects.router(ProjectsHandlers, context=request_context))
    app.include_router(members.router(MembersHandlers, context=request_context))
    app.include_router(invitations.router(InvitationsHandlers, context=request_context))
    app.include_router(tasks.router(TasksHandlers, context=request_context))
    app.include_router(events.router(EventsHandlers, context=request_context))
    app.include_router(exports.router(ExportsHandlers, context=request_context))
    app.include_router(tokens.router(TokensHandlers, context=request_context))
    app.include_router(health.router(HealthHandlers, context=request_context))
    ensure_complete(app)
    return app
