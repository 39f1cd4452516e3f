"""Writing an export's file: in batches read in short transactions, to a file swapped in whole."""

import csv
import io
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, cast

import anyio.to_thread
from sqlalchemy import CursorResult, Row, or_, select, update

from generated import models
from service.kit import tracing
from service.kit.columns import utcnow
from service.kit.database import Database
from service.kit.metrics import EXPORTS, OLDEST_QUEUED, QUEUE_DEPTH
from service.tables import Export, Task
from service.tasks.mapping import task_model

BATCH = 1000
# How long a running export's worker holds it without renewing (it renews after every batch).
LEASE = timedelta(seconds=60)
MEDIA_TYPES = {"csv": "text/csv", "ndjson": "application/x-ndjson"}
# The fields of the contract's Task, in its order, by their names on the wire: the CSV's columns.
COLUMNS = tuple(field.alias or name for name, field in models.Task.model_fields.items())
logger = logging.getLogger("taskboard.exports")


def file_of(directory: Path, export_id: int, format: str) -> Path:
    return directory / f"export-{export_id}.{format}"


async def left_behind(database: Database) -> list[int]:
    """The exports no live worker holds, all queued again: queued ones, and running ones whose
    worker let its lease run out (it crashed, or was killed). Sets the queue's metrics."""
    async with database.short_write() as session:
        abandoned = or_(Export.lease_expires_at.is_(None), Export.lease_expires_at < utcnow())
        await session.execute(update(Export).where(Export.status == "running", abandoned).values(status="queued"))
        queued = select(Export.id, Export.created_at).where(Export.status == "queued").order_by(Export.id)
        rows = (await session.execute(queued)).all()
    QUEUE_DEPTH.set(len(rows))
    oldest = min((created for _, created in rows), default=None)
    OLDEST_QUEUED.set(0 if oldest is None else max(0.0, (utcnow() - oldest).total_seconds()))
    return [export_id for export_id, _ in rows]


async def release(database: Database, export_id: int) -> None:
    """A running export given back, queued again, by a worker stopped before it finished: the next
    sweep hands it to a worker."""
    async with database.short_write() as session:
        mine = (Export.id == export_id, Export.status == "running")
        await session.execute(update(Export).where(*mine).values(status="queued", lease_expires_at=None))


async def run(database: Database, directory: Path, export_id: int, carried: Mapping[str, str] | None = None) -> None:
    """Makes one export's file, if it is still queued; records how it ended. Traced as one span,
    linked to the request that queued it (`carried`, its trace context), with how it ended."""
    attributes = {"taskboard.export_id": export_id}
    with tracing.TRACER.start_as_current_span("export", links=tracing.links(carried), attributes=attributes) as span:
        status = await _run(database, directory, export_id)
        span.set_attribute("taskboard.export_status", status or "not claimed")


async def _run(database: Database, directory: Path, export_id: int) -> str | None:
    """How the export ended: None when this run did not claim it."""
    async with database.short_write() as session:
        claim = (
            update(Export)
            .where(Export.id == export_id, Export.status == "queued")
            .values(status="running", lease_expires_at=utcnow() + LEASE)
        )
        claimed = cast(CursorResult[Any], await session.execute(claim)).rowcount
        export = await session.get(Export, export_id) if claimed else None
    if export is None:
        return None  # taken by another worker, or gone with its project
    EXPORTS.labels("running").inc()

    async def renew() -> None:
        async with database.short_write() as session:
            mine = (Export.id == export_id, Export.status == "running")
            await session.execute(update(Export).where(*mine).values(lease_expires_at=utcnow() + LEASE))

    path = file_of(directory, export_id, export.format)
    try:
        count = await write(database, export.project_id, export.format, path, after_batch=renew)
    except Exception as error:
        logger.exception("export %s failed", export_id)
        outcome: dict[str, object] = {"status": "failed", "error": f"The export failed: {type(error).__name__}."}
    else:
        size = await anyio.to_thread.run_sync(_size, path)
        outcome = {"status": "succeeded", "row_count": count, "size_bytes": size}
    async with database.short_write() as session:
        # Only the run that holds the claim records its end: a recovery may have queued it again.
        mine = (Export.id == export_id, Export.status == "running")
        await session.execute(
            update(Export).where(*mine).values(finished_at=utcnow(), lease_expires_at=None, **outcome)
        )
        gone = await session.get(Export, export_id) is None
    EXPORTS.labels(outcome["status"]).inc()
    if gone:  # deleted with its project meanwhile: so is the file
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))
    return str(outcome["status"])


async def write(
    database: Database,
    project_id: int,
    format: str,
    path: Path,
    after_batch: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Writes every task of the project to `path`, which appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Its own partial file per run: two workers that run one export never write into each other.
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    # Opened here, not in a thread: a cancellation while a thread opened it would leave it open.
    out: IO[str] = partial.open("w", encoding="utf-8", newline="")
    count, after = 0, 0
    try:
        if format == "csv":
            await anyio.to_thread.run_sync(out.write, _csv([dict(zip(COLUMNS, COLUMNS, strict=True))]))
        while True:
            async with database.reader() as session, session.begin():
                # Rows, not ORM objects: the same values, at a fraction of the loop's time.
                query = select(*Task.__table__.columns).where(Task.project_id == project_id, Task.id > after)
                tasks = (await session.execute(query.order_by(Task.id).limit(BATCH))).all()
            if not tasks:
                break
            # Rendered in the thread that writes: a thousand rows' worth is milliseconds of CPU.
            await anyio.to_thread.run_sync(_write_batch, out, tasks, format)
            count, after = count + len(tasks), tasks[-1].id
            if after_batch is not None:
                await after_batch()
        await anyio.to_thread.run_sync(_finish, out, partial, path)
    except BaseException:
        await anyio.to_thread.run_sync(_discard, out, partial)
        raise
    return count


def _write_batch(out: IO[str], tasks: Sequence[Row[Any]], format: str) -> None:
    rows = [task_model(task).model_dump(mode="json", by_alias=True) for task in tasks]
    out.write(_csv(rows) if format == "csv" else _ndjson(rows))


def _csv(rows: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, quoting=csv.QUOTE_ALL)
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection): a tab, CR or NUL
# first, or one of these after any leading white space; the full-width forms too, which some
# spreadsheets take for their ASCII twins.
CONTROL_START = ("\t", "\r", "\0")
FORMULA_START = tuple("=+-@\uff1d\uff0b\uff0d\uff20")


def safe_cell(value: object) -> object:
    """A cell that no spreadsheet runs: text that would start a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and (
        value.startswith(CONTROL_START) or value.lstrip().lstrip("\ufeff\u200b").lstrip().startswith(FORMULA_START)
    ):
        return "'" + value
    return value


def _ndjson(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n" for row in rows)


def _finish(out: IO[str], partial: Path, path: Path) -> None:
    out.flush()
    os.fsync(out.fileno())
    out.close()
    os.replace(partial, path)


def _discard(out: IO[str], partial: Path) -> None:
    out.close()
    partial.unlink(missing_ok=True)


def _size(path: Path) -> int:
    """The file's size; 0 once it is gone (deleted with its project meanwhile)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
