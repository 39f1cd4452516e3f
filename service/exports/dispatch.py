"""Dispatching export jobs: one small interface, and the in-process backend behind it."""

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from service.exports import files
from service.kit.database import Database

logger = logging.getLogger("taskboard.exports")


class ExportQueue(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def submit(self, export_id: int, carried: Mapping[str, str] | None = None) -> None:
        """Hands over an export that is committed as queued, with the trace context of the request that
        queued it (tracing.carrier()); must not block."""


class InProcessQueue:
    """Runs exports in this process, on workers the app's lifespan starts and stops.

    On start, and every `sweep_seconds` after, it takes up what no live worker holds: exports left
    queued, or running under a lease that ran out (a process that crashed or was killed, this one
    or another). The database, not memory, says what is to be done; its claim (queued -> running)
    makes sure that only one process runs an export.
    """

    def __init__(self, database: Database, directory: Path, workers: int = 1, sweep_seconds: float = 30) -> None:
        self.database, self.directory, self.workers = database, directory, workers
        self.sweep_seconds = sweep_seconds
        self.idle = asyncio.Event()  # clear while a sweep's query runs
        self.pending: asyncio.Queue[tuple[int, Mapping[str, str] | None]] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._recover())]
        self.tasks += [asyncio.create_task(self._work()) for _ in range(self.workers)]

    async def _recover(self) -> None:
        # Not fatal: the app starts, and reports not ready, while the database is away.
        while True:
            self.idle.clear()
            try:
                left = await files.left_behind(self.database)
            except (OSError, SQLAlchemyError):
                logger.warning("exports that no worker holds cannot be read now; trying again later")
            else:
                for export_id in left:
                    self.submit(export_id)
            finally:
                self.idle.set()
            await asyncio.sleep(self.sweep_seconds)

    async def stop(self) -> None:
        # A sweep is a short query: let it finish rather than cut it off in a driver thread.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), timeout=5)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def submit(self, export_id: int, carried: Mapping[str, str] | None = None) -> None:
        self.pending.put_nowait((export_id, carried))

    async def _work(self) -> None:
        while True:
            export_id, carried = await self.pending.get()
            try:
                await files.run(self.database, self.directory, export_id, carried)
            except Exception:
                # The export stays queued or running in the database, for the next start.
                logger.exception("export %s could not be run", export_id)
