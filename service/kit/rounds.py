"""A task of the app's lifetime that does a round of work when woken, and every so often anyway."""

import asyncio
import contextlib
import logging

from service.kit.problems import database_unavailable

logger = logging.getLogger("taskboard")


class Rounds:
    """Runs `round()` whenever `wake()` is called, and every `interval` seconds anyway, from
    `start()` to `stop()`. A round that fails is logged, and the next one tries again; while the
    database is unavailable, only the first failure is logged, and the first success after."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.woken = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.away = False  # the last round failed for want of the database

    async def round(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    def wake(self) -> None:
        self.woken.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self.woken.wait()
            self.woken.clear()
            try:
                await self.round()
            except Exception as error:
                unavailable = database_unavailable(error)
                if not (self.away and unavailable):
                    logger.warning("%s failed; trying again in a while", type(self).__name__, exc_info=True)
                self.away = unavailable
            else:
                if self.away:
                    logger.warning("%s works again", type(self).__name__)
                self.away = False
