"""What operators do to users and exports (to operators: operators.py): each in one transaction with
its audit entry, and through the rules the API keeps (a lock revokes tokens as a password change
does; an export is queued again as a worker that died leaves it, for the service's sweep to run; a
purge deletes as retention does)."""

import logging
from typing import Any

import anyio.to_thread
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from service.admin.audit import audit
from service.exports import retention
from service.exports.files import file_of
from service.exports.redis_queue import SaqQueue
from service.kit.columns import utcnow
from service.kit.database import Database
from service.settings import Settings
from service.tables import Export, Operator, User
from service.tokens import queries as tokens

logger = logging.getLogger("taskboard.admin")


async def _user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise HTTPException(404, f"No user {user_id}.")
    return user


async def lock(database: Database, operator: Operator, user_id: int) -> None:
    """The account cannot sign in, and its tokens stop working."""
    async with database.short_write() as session:
        user = await _user(session, user_id)
        before = {"lockedAt": user.locked_at, "workingTokens": await tokens.revoke_all(session, user_id)}
        user.locked_at = user.locked_at or utcnow()
        audit(session, operator, "lock", ("user", user_id), before, {"lockedAt": user.locked_at, "workingTokens": 0})


async def unlock(database: Database, operator: Operator, user_id: int) -> None:
    """The account may sign in again. Every token made before stays revoked: one a sign-in racing
    the lock made after it (refused while locked) too."""
    async with database.short_write() as session:
        user = await _user(session, user_id)
        before = {"lockedAt": user.locked_at}
        user.locked_at = None
        await tokens.revoke_all(session, user_id)
        audit(session, operator, "unlock", ("user", user_id), before, {"lockedAt": None})


async def revoke_tokens(database: Database, operator: Operator, user_id: int) -> None:
    """Signs the account out everywhere: its tokens stop working (it may sign in again)."""
    async with database.short_write() as session:
        await _user(session, user_id)
        before = {"workingTokens": await tokens.revoke_all(session, user_id)}
        audit(session, operator, "revoke-tokens", ("user", user_id), before, {"workingTokens": 0})


def _export_state(export: Export) -> dict[str, Any]:
    return {"status": export.status, "error": export.error, "finishedAt": export.finished_at}


async def requeue_export(database: Database, settings: Settings, operator: Operator, export_id: int) -> None:
    """A failed export, or a running one whose worker let its lease run out (stuck), queued again, as
    a worker that died leaves one: the next sweep (EXPORT_SWEEP_SECONDS) runs it, or with
    EXPORT_QUEUE=saq a worker it is handed to."""
    async with database.short_write() as session:
        export = await session.get(Export, export_id, with_for_update=True)
        if export is None:
            raise HTTPException(404, f"No export {export_id}.")
        stuck = export.status == "running" and (export.lease_expires_at is None or export.lease_expires_at < utcnow())
        if export.status != "failed" and not stuck:
            raise HTTPException(
                409,
                f"Export {export_id} is {export.status}: only a failed one, or a running one whose worker"
                " no longer holds it, is queued again.",
            )
        before = _export_state(export)
        export.status, export.error, export.finished_at, export.row_count = "queued", None, None, None
        export.lease_expires_at = None
        audit(session, operator, "requeue", ("export", export_id), before, _export_state(export))
    if settings.export_queue == "saq":
        # Queued in the database whatever happens here: a worker takes it up at its next start.
        workers = SaqQueue(settings)
        try:
            await workers.start()
            workers.submit(export_id)
        except Exception:
            logger.exception(
                "export %s is queued again, but Redis did not take it: workers take it at their next start", export_id
            )
        finally:
            await workers.stop()


async def purge_export(database: Database, settings: Settings, operator: Operator, export_id: int) -> None:
    """The export and its file deleted, as retention deletes them; a running one is left alone."""
    async with database.short_write() as session:
        export = await session.get(Export, export_id, with_for_update=True)
        if export is None:
            raise HTTPException(404, f"No export {export_id}.")
        if export.status in ("queued", "running"):
            raise HTTPException(409, f"Export {export_id} is {export.status}: purge it once it has finished.")
        before = {**_export_state(export), "format": export.format, "rowCount": export.row_count}
        await session.execute(delete(Export).where(Export.id == export_id))
        audit(session, operator, "purge", ("export", export_id), before, None)
    await anyio.to_thread.run_sync(retention.remove, [file_of(settings.export_dir, export_id, export.format)])
