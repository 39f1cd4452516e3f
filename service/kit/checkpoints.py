"""SQLite's write-ahead log, copied back into the database file off the requests' path.

The request connections never checkpoint (`wal_autocheckpoint=0`, service/kit/database.py): a
commit is then only an append to the log, short enough for the event loop's thread
(service/kit/sqlite.py). This does it instead, every SQLITE_CHECKPOINT_SECONDS, on a connection's
own thread: a PASSIVE checkpoint waits for no reader or writer, and none waits for it.
"""

from sqlalchemy import text

from service.kit.database import Database
from service.kit.rounds import Rounds

CHECKPOINT = text("PRAGMA wal_checkpoint(PASSIVE)")


class Checkpoints(Rounds):
    def __init__(self, database: Database, interval: float) -> None:
        super().__init__(interval)
        self.database = database

    async def round(self) -> None:
        await self.checkpoint()

    async def checkpoint(self) -> tuple[int, int, int]:
        """SQLite's answer: (1 if it could not finish, frames in the log, frames copied back)."""
        async with self.database.reader() as session:
            busy, logged, copied = (await session.execute(CHECKPOINT)).one()
        return busy, logged, copied
