"""Prometheus metrics for the people on call: requests per operation and status class and their
latency, requests in flight, the database pool, open event streams, export jobs, rate-limit
refusals. Served on METRICS_PORT (off by default), never on the API's port: it has no place in the
public contract.

With several worker processes, prometheus-client's multiprocess mode: each worker writes its values
to files in PROMETHEUS_MULTIPROC_DIR (`make run` makes and empties it when WORKERS > 1), and the
worker that holds METRICS_PORT reports every worker's; the others find the port taken and leave it
to that one. A worker that dies leaves its counters in (they count what was done) and its gauges out.
"""

import asyncio
import logging
import os
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder
from sqlalchemy import event
from sqlalchemy.pool import AsyncAdaptedQueuePool

logger = logging.getLogger("taskboard")

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter(
    "taskboard_http_requests", "Requests answered, by operationId and status class.", ["operation", "status"]
)
DURATION = Histogram(
    "taskboard_http_request_duration_seconds",
    "Time from a request's arrival to its answer's end (an event stream's: its life), by operationId and status class.",
    ["operation", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IN_FLIGHT = Gauge("taskboard_http_requests_in_flight", "Requests being handled now.", multiprocess_mode="livesum")
POOL_IN_USE = Gauge(
    "taskboard_db_connections_in_use", "Database connections checked out of the pools.", multiprocess_mode="livesum"
)
POOL_CAPACITY = Gauge(
    "taskboard_db_connections_capacity",
    "Connections the pools may open (pool size and overflow): in use over capacity is their utilisation.",
    multiprocess_mode="livesum",
)
LOOP_LAG = Gauge(
    "taskboard_event_loop_lag_seconds",
    "How late the process's event loop ran a timer, last measured (every half second): a busy loop.",
    multiprocess_mode="liveall",
)
POOL_WAITING = Gauge(
    "taskboard_db_connections_waiting", "Requests waiting for a pooled connection.", multiprocess_mode="livesum"
)
STREAMS = Gauge("taskboard_event_streams_open", "Event streams open now.", multiprocess_mode="livesum")
EXPORTS = Counter("taskboard_export_jobs", "Export jobs that reached each status.", ["status"])
# Read from the database at each sweep (EXPORT_SWEEP_SECONDS): the same for every process that sweeps.
QUEUE_DEPTH = Gauge(
    "taskboard_export_queue_depth",
    "Exports queued and not yet running, at the last sweep.",
    multiprocess_mode="livemax",
)
OLDEST_QUEUED = Gauge(
    "taskboard_export_oldest_queued_seconds",
    "Age of the oldest export still queued, at the last sweep (0 when none is).",
    multiprocess_mode="livemax",
)
DATABASE_REFUSALS = Counter(
    "taskboard_db_unavailable_refusals", "Requests answered 503 because the database could not serve them."
)
RATE_LIMIT_STORAGE_REFUSALS = Counter(
    "taskboard_rate_limit_storage_refusals",
    "Requests answered 503 because the rate limits' storage did not answer (RATE_LIMIT_FALLBACK=refuse).",
)
RATE_LIMIT_STORAGE_UP = Gauge(
    "taskboard_rate_limit_storage_up",
    "1 while the rate limits' storage answers, 0 while it does not (the lowest of the processes).",
    multiprocess_mode="livemin",
)
REFUSALS = Counter(
    "taskboard_rate_limit_refusals", "Requests refused by a rate limit: user, address or password.", ["limit"]
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class CountedQueuePool(AsyncAdaptedQueuePool):
    """The pool SQLAlchemy gives an async engine, counting those who wait for one of its connections."""

    def _do_get(self) -> Any:
        POOL_WAITING.inc()
        try:
            return super()._do_get()
        finally:
            POOL_WAITING.dec()


# The process's counted pools: the gauge is set from them, never moved by one (a connection whose
# connect failed is checked in without having been out: counting moved the gauge below zero).
_POOLS: list[Any] = []


def count_connections(engine: Any, capacity: int) -> None:
    """Counts the connections of `engine` (a sync Engine) that are checked out, of `capacity`."""
    _POOLS.append(engine.pool)
    POOL_CAPACITY.inc(capacity)

    def checked_out(*_: Any) -> None:
        POOL_IN_USE.set(sum(pool.checkedout() for pool in _POOLS))

    def checking_in(*_: Any) -> None:
        # Told before the pool takes the connection back: it is still counted out.
        POOL_IN_USE.set(max(0, sum(pool.checkedout() for pool in _POOLS) - 1))

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checking_in)


async def measure_loop_lag(interval: float = 0.5) -> None:
    """Sets LOOP_LAG for as long as it runs (a task of the app's lifespan)."""
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(interval)
        LOOP_LAG.set(max(0.0, loop.time() - start - interval))


def forget_dead_processes() -> None:
    """Multiprocess mode: the live gauges' files of workers that are gone (killed, not stopped) are
    removed, so that their last values leave the sums (requests in flight, open streams)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    for name in os.listdir(folder) if folder else ():
        if name.startswith("gauge_live") and name.endswith(".db"):
            pid = int(name.rsplit("_", 1)[1].removesuffix(".db"))
            if not _alive(pid):
                multiprocess.mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# A scrape sends its request within this long, and takes its answer within it too; at most this many
# connections are served at once (the rest are closed at once). Served on the event loop: an idle or
# stalled connection holds a socket for a few seconds, and no thread.
SCRAPE_SECONDS = 5
SCRAPERS = 128
HEAD_BYTES = 8 * 1024


async def serve(host: str, port: int) -> asyncio.Server | None:
    """The metrics server; None when another worker of this service holds the port."""
    registry: CollectorRegistry = REGISTRY
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    scrapes = asyncio.Semaphore(SCRAPERS)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if scrapes.locked():
            writer.transport.abort()
            return
        try:
            async with scrapes, asyncio.timeout(SCRAPE_SECONDS):
                writer.write(await _scrape(registry, await reader.readuntil(b"\r\n\r\n")))
                await writer.drain()
            writer.close()
        except (TimeoutError, asyncio.LimitOverrunError, asyncio.IncompleteReadError, ConnectionError):
            writer.transport.abort()  # too slow, too long, cut short

    try:
        return await asyncio.start_server(answer, host, port, limit=HEAD_BYTES)
    except OSError:
        if not MULTIPROCESS:
            raise
        logger.info("metrics: port %d is served by another worker, which reports this one's too", port)
        return None


async def _scrape(registry: CollectorRegistry, head: bytes) -> bytes:
    """The whole answer to a request head: the metrics at /metrics (in the format Accept asks for),
    `ok` at /healthz, and 404 elsewhere."""
    request_line, *fields = head.decode("latin-1").split("\r\n")
    method, target, *_ = (*request_line.split(" "), "", "")
    accept = next((value for name, _, value in (f.partition(":") for f in fields) if name.lower() == "accept"), "")
    if method in ("GET", "HEAD") and target.split("?")[0] == "/healthz":
        # The process answers: a worker's liveness probe (the API has its own on its port).
        body, content_type, status = b"ok\n", "text/plain", "200 OK"
    elif method in ("GET", "HEAD") and target.split("?")[0] == "/metrics":
        encoder, content_type = choose_encoder(accept)
        if MULTIPROCESS:
            forget_dead_processes()
        body = await asyncio.to_thread(encoder, registry)  # multiprocess mode reads every worker's files
        status = "200 OK"
    else:
        body, content_type, status = b"Not found: the metrics are at /metrics.\n", "text/plain", "404 Not Found"
    head_out = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return (head_out + "Connection: close\r\n\r\n").encode() + (b"" if method == "HEAD" else body)
