"""The second backend: saq, a maintained asyncio job queue, on Redis, with its own worker process.

    python -m saq --quiet service.exports.redis_queue.worker_settings    (`make worker`)

A worker logs as the service does (LOG_FORMAT, LOG_LEVEL), traces its jobs when the OTEL_* variables
say so, and serves its metrics (export jobs, its database pool) on METRICS_PORT when that is given:
a port of its own, apart from the service's.

saq because it is asyncio-native like the service (arq is in maintenance), small, and runs on the
Redis this deployment has (it can use PostgreSQL too). The job carries only the export's id: the
database holds its state, so a job that Redis loses is taken up again when a worker starts.
"""

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from redis.exceptions import RedisError
from saq import Queue
from saq.types import Context, SettingsDict
from sqlalchemy.exc import SQLAlchemyError

from service.contract import load_contract
from service.exports import files
from service.kit import tracing
from service.kit.database import Database
from service.kit.logs import configure as configure_logging
from service.kit.metrics import serve as serve_metrics
from service.settings import Settings

logger = logging.getLogger("taskboard.exports")
JOB = "export"


def redis_queue(settings: Settings) -> Queue:
    return Queue.from_url(settings.redis_url, name=f"{settings.namespace}-exports")


async def _enqueue(queue: Queue, export_id: int, carried: Mapping[str, str] | None = None) -> None:
    # A fresh job each time, no dedup key: a key would still be held by the job of a worker that
    # died, and the export could never be queued again. Running one export twice is prevented by
    # the database's claim (queued -> running), not by Redis.
    await queue.enqueue(JOB, export_id=export_id, trace=dict(carried or {}), timeout=3600)


class SaqQueue:
    """Hands exports to saq workers; runs none itself."""

    def __init__(self, settings: Settings) -> None:
        self.queue = redis_queue(settings)
        self.sending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        await self.queue.connect()

    async def stop(self) -> None:
        await asyncio.gather(*self.sending, return_exceptions=True)
        try:
            await self.queue.disconnect()
        except Exception:
            logger.exception("the connection to the export queue did not close cleanly")

    def submit(self, export_id: int, carried: Mapping[str, str] | None = None) -> None:
        task = asyncio.create_task(self._send(export_id, carried))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def _send(self, export_id: int, carried: Mapping[str, str] | None) -> None:
        try:
            await _enqueue(self.queue, export_id, carried)
        except Exception:
            # Still queued in the database: the next worker start takes it up.
            logger.exception("export %s could not be handed to the queue", export_id)


async def _export(ctx: Context, *, export_id: int, trace: dict[str, str] | None = None) -> None:
    state: dict[str, Any] = ctx  # type: ignore[assignment]
    try:
        await files.run(state["database"], state["settings"].export_dir, export_id, trace)
    except asyncio.CancelledError:
        # The worker was told to stop: the export is given back, queued, for the next sweep.
        await asyncio.shield(files.release(state["database"], export_id))
        raise


async def _startup(ctx: Context) -> None:
    state: dict[str, Any] = ctx  # type: ignore[assignment]
    settings = Settings()
    state["settings"], state["database"] = settings, Database(settings)
    if tracing.enabled():
        state["tracer_provider"] = tracer_provider = tracing.provider(
            load_contract()["info"]["version"], "taskboard-worker"
        )
        for engine in (state["database"].engine, state["database"].short_engine):
            tracing.trace_statements(engine.sync_engine, tracer_provider)
    await _requeue_left(state["database"], state["worker"].queue)
    state["sweeping"] = asyncio.create_task(_sweep(state["database"], state["worker"].queue, settings))
    if settings.metrics_port is not None:  # once answering, the worker has queued again what was left
        state["metrics_server"] = await serve_metrics(settings.metrics_host, settings.metrics_port)


async def _sweep(database: Database, queue: Queue, settings: Settings) -> None:
    """Every EXPORT_SWEEP_SECONDS, what no live worker holds is handed to the queue again: an export
    whose hand-off failed (Redis was away), or whose worker died, is run without waiting for a
    worker's start. One handed over twice runs once: the database's claim decides."""
    while True:
        await asyncio.sleep(settings.export_sweep_seconds)
        await _requeue_left(database, queue)


async def _requeue_left(database: Database, queue: Queue) -> None:
    """Queues again what a crash left behind: queued exports, and running ones no worker finished."""
    try:
        left = await files.left_behind(database)
        for export_id in left:
            await _enqueue(queue, export_id)
    except (OSError, SQLAlchemyError, RedisError):
        logger.warning("exports that no worker holds cannot be handed over now; the next sweep tries again")


async def _shutdown(ctx: Context) -> None:
    state: dict[str, Any] = ctx  # type: ignore[assignment]
    if (sweeping := state.get("sweeping")) is not None:
        sweeping.cancel()
        await asyncio.gather(sweeping, return_exceptions=True)
    await state["database"].dispose()
    if (metrics_server := state.get("metrics_server")) is not None:
        metrics_server.close()
    if (tracer_provider := state.get("tracer_provider")) is not None:
        await tracing.flush(tracer_provider)


def worker_settings() -> SettingsDict[Context]:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)  # saq's own configuration is off (--quiet)
    return {
        "queue": redis_queue(settings),
        "functions": [(JOB, _export)],
        "concurrency": settings.export_workers,
        "startup": _startup,
        "shutdown": _shutdown,
        # No shutdown grace: saq 0.26's waits on its own loops too, so every stop would take all of it.
        # A running export is cancelled at SIGTERM and given back (_export), and run again elsewhere.
    }
