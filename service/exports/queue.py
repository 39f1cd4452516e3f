"""Dispatching export jobs: one small interface, and the in-process backend behind it."""

import asyncio
import logging
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from service.exports import files
from service.kit.database import Database

logger = logging.getLogger("taskboard.exports")


class ExportQueue(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def submit(self, export_id: int) -> None:
        """Hands over an export that is committed as queued; must not block."""


class InProcessQueue:
    """Runs exports in this process, on workers the app's lifespan starts and stops.

    On start it takes up what an earlier process left queued or running (a crash or a restart
    interrupted it): the database, not memory, says what is to be done.
    """

    def __init__(self, database: Database, directory: Path, workers: int = 1) -> None:
        self.database, self.directory, self.workers = database, directory, workers
        self.pending: asyncio.Queue[int] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._recover())]
        self.tasks += [asyncio.create_task(self._work()) for _ in range(self.workers)]

    async def _recover(self, retry_seconds: float = 5) -> None:
        # Retried, not fatal: the app starts, and reports not ready, while the database is away.
        while True:
            try:
                left = await files.left_behind(self.database)
            except (OSError, SQLAlchemyError):
                logger.warning("exports left by an earlier run cannot be read yet; retrying")
                await asyncio.sleep(retry_seconds)
                continue
            for export_id in left:
                self.submit(export_id)
            return

    async def stop(self) -> None:
        # The recovery is a short query: let it finish rather than cut it off in a driver thread.
        if self.tasks:
            await asyncio.wait(self.tasks[:1], timeout=5)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    def submit(self, export_id: int) -> None:
        self.pending.put_nowait(export_id)

    async def _work(self) -> None:
        while True:
            export_id = await self.pending.get()
            try:
                await files.run(self.database, self.directory, export_id)
            except Exception:
                # The export stays queued or running in the database, for the next start.
                logger.exception("export %s could not be run", export_id)
