"""How long export files live: deleted with their project, or when EXPORT_RETENTION has passed.

Rows go first, in the database; files after, so that no export is ever listed whose file went
first. Whatever a crash leaves behind (a file with no export, a partial file no worker writes any
more) the periodic clean-up finds in the folder and deletes.
"""

import asyncio
import re
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import anyio.to_thread
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.exports.files import LEASE, file_of
from service.kit.columns import utcnow
from service.kit.database import Database
from service.tables import Export

# export-<id>.<format>, and a run's partial file export-<id>.<format>.<run>.part
FILE_NAME = re.compile(r"export-([0-9]+)\.[a-z]+(\.[0-9a-f]+\.part)?")
# A writer touches its partial file with every batch; one left alone this long has no writer.
ABANDONED_AFTER = 2 * LEASE


def remove(paths: Iterable[Path]) -> None:
    """Deletes files (in a worker thread: it touches the disk); those already gone are no matter."""
    for path in paths:
        path.unlink(missing_ok=True)


_removing: set[asyncio.Task[None]] = set()  # held, so that none is collected before it is done


def remove_soon(paths: list[Path]) -> None:
    """`remove`, started now and not waited for: for an after-commit callback."""
    task = asyncio.get_running_loop().create_task(anyio.to_thread.run_sync(remove, paths))
    _removing.add(task)
    task.add_done_callback(_removing.discard)


async def of_project(session: AsyncSession, directory: Path, project_id: int) -> list[Path]:
    """The files of a project's exports, to delete once the project's deletion has committed."""
    exports = await session.execute(select(Export.id, Export.format).where(Export.project_id == project_id))
    return [file_of(directory, export_id, format) for export_id, format in exports.all()]


async def expire(database: Database, directory: Path, retention: timedelta) -> int:
    """Deletes the finished exports older than `retention`, and their files. Returns how many."""
    finished_long_ago = (Export.status.in_(("succeeded", "failed")), Export.finished_at < utcnow() - retention)
    async with database.short_write() as session:
        expired = delete(Export).where(*finished_long_ago).returning(Export.id, Export.format)
        gone = (await session.execute(expired)).all()
    await anyio.to_thread.run_sync(remove, [file_of(directory, export_id, format) for export_id, format in gone])
    return len(gone)


async def sweep(database: Database, directory: Path) -> None:
    """Deletes the files of exports that no longer exist, and partial files that no worker writes."""
    files = await anyio.to_thread.run_sync(_listing, directory)
    ids = sorted({export_id for export_id, _, _ in files})
    kept: set[int] = set()
    for at in range(0, len(ids), 500):
        async with database.reader() as session, session.begin():
            found = await session.scalars(select(Export.id).where(Export.id.in_(ids[at : at + 500])))
            kept.update(found.all())
    abandoned = time.time() - ABANDONED_AFTER.total_seconds()
    doomed = [
        path
        for export_id, path, modified in files
        if export_id not in kept or (path.suffix == ".part" and modified < abandoned)
    ]
    await anyio.to_thread.run_sync(remove, doomed)


def _listing(directory: Path) -> list[tuple[int, Path, float]]:
    """The export files in `directory`: each one's export id, path, and when it was last written."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if named := FILE_NAME.fullmatch(path.name):
            try:
                found.append((int(named[1]), path, path.stat().st_mtime))
            except FileNotFoundError:
                continue  # renamed or deleted meanwhile
    return found
