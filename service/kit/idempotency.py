"""Idempotency-Key: a create request's response, remembered for the caller to replay."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from generated.models import FieldErrorCode
from generated.runtime import Replayed
from service.kit.columns import utcnow
from service.kit.problems import Conflict, Unprocessable
from service.tables import IdempotencyRecord

IN_FLIGHT = "A request with this Idempotency-Key is still in flight; retry when it has finished."
REUSED = "This Idempotency-Key was used for a different request."


class Created(Protocol):
    """What a create operation returns: the generated result types of createProject and createTask."""

    @property
    def body(self) -> BaseModel: ...
    @property
    def location(self) -> str: ...
    @property
    def etag(self) -> str: ...


R = TypeVar("R", bound=Created)
# The stored response to send again; None when it no longer applies.
Replay = Callable[[Replayed], Awaitable[Replayed | None]]


class IdempotentRequest:
    """One create request under a key, within the request's transaction.

    `start` claims the key by inserting its record first, so that a concurrent request with the
    same key waits on the unique index and then fails (409) instead of creating again; `finish`
    stores the response in the same transaction as what it created. A request that fails rolls
    back its record with everything else, so failures are not remembered.
    """

    def __init__(self, user_id: int, key: str, operation: str, body: BaseModel) -> None:
        self.user_id, self.key = user_id, key
        canonical = json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True)
        self.fingerprint = hashlib.sha256(f"{operation}\0{canonical}".encode()).hexdigest()
        self.record: IdempotencyRecord | None = None

    @classmethod
    def of(cls, user_id: int, key: str | None, operation: str, body: BaseModel) -> "IdempotentRequest | None":
        return None if key is None else cls(user_id, key, operation, body)

    async def start(self, session: AsyncSession, ttl: timedelta, replay: Replay) -> Replayed | None:
        """The replayed response, or None once the key is claimed for this request.

        `replay` answers None when what the response names is gone: a key whose resource has
        since been deleted is forgotten, so that a 201 never names something that is not there.
        """
        now = utcnow()
        mine = (IdempotencyRecord.user_id == self.user_id, IdempotencyRecord.key == self.key)
        found = await session.scalar(select(IdempotencyRecord).where(*mine))
        if found is not None and found.expires_at > now:
            if found.fingerprint != self.fingerprint:
                raise Unprocessable(
                    REUSED, where="header", pointer="/Idempotency-Key", code=FieldErrorCode.IDEMPOTENCY_KEY_REUSED
                )
            if found.response_body is None or found.response_headers is None:
                raise Conflict(IN_FLIGHT)
            headers = {**json.loads(found.response_headers), "idempotent_replayed": "true"}
            replayed = await replay(Replayed(found.response_body.encode(), headers))
            if replayed is not None:
                return replayed
        if found is not None:
            await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == found.id))
        self.record = IdempotencyRecord(
            user_id=self.user_id, key=self.key, fingerprint=self.fingerprint, created_at=now, expires_at=now + ttl
        )
        session.add(self.record)
        try:
            await session.flush()
        except IntegrityError as error:
            raise Conflict(IN_FLIGHT) from error
        return None

    async def finish(self, session: AsyncSession, result: Created) -> None:
        assert self.record is not None, "finish() after a start() that claimed the key"
        self.record.response_body = result.body.model_dump_json(by_alias=True)
        self.record.response_headers = json.dumps({"location": result.location, "etag": result.etag})
        await session.flush()


async def create_once(
    session: AsyncSession,
    request: IdempotentRequest | None,
    ttl: timedelta,
    *,
    create: Callable[[], Awaitable[R]],
    replay: Replay,
) -> R | Replayed:
    """Runs `create`, unless `request` carries a key whose response is to be replayed instead."""
    if request is None:
        return await create()
    if (replayed := await request.start(session, ttl, replay)) is not None:
        return replayed
    result = await create()
    await request.finish(session, result)
    return result


def replaying(session: AsyncSession, table: type[Any]) -> Replay:
    """The replay of a create: its stored response again, exactly, while the row it created exists."""

    async def replay(stored: Replayed) -> Replayed | None:
        return None if await session.get(table, json.loads(stored.body)["id"]) is None else stored

    return replay
