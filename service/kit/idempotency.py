"""Idempotency-Key: a create request's response, remembered for the caller to replay."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.problems import Conflict, Unprocessable
from service.kit.types import utcnow
from service.tables import IdempotencyRecord

IN_FLIGHT = "A request with this Idempotency-Key is still in flight; retry when it has finished."
REUSED = "This Idempotency-Key was used for a different request."


@dataclass(frozen=True, slots=True)
class Replay:
    body: dict[str, Any]
    headers: dict[str, str]


class IdempotentRequest:
    """One create request under a key, within the request's transaction.

    `start` claims the key by inserting its record first, so that a concurrent request with the
    same key waits on the unique index and then fails (409) instead of creating again; `finish`
    stores the response in the same transaction as what it created. A request that fails rolls
    back its record with everything else, so failures are not remembered.
    """

    def __init__(self, db: AsyncSession, user_id: int, key: str, operation: str, body: BaseModel) -> None:
        self.db, self.user_id, self.key = db, user_id, key
        canonical = json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True)
        self.fingerprint = hashlib.sha256(f"{operation}\0{canonical}".encode()).hexdigest()
        self.record: IdempotencyRecord | None = None

    async def start(self, ttl: timedelta, alive: Callable[[Replay], Awaitable[bool]]) -> Replay | None:
        """The response to replay, or None once the key is claimed for this request.

        `alive` tells whether what a replay would name still exists: a key whose resource has
        since been deleted is forgotten, so that a 201 never names something that is gone.
        """
        now = utcnow()
        mine = (IdempotencyRecord.user_id == self.user_id, IdempotencyRecord.key == self.key)
        found = await self.db.scalar(select(IdempotencyRecord).where(*mine))
        if found is not None and found.expires_at > now:
            if found.fingerprint != self.fingerprint:
                raise Unprocessable(REUSED, where="header", pointer="/Idempotency-Key")
            if found.response_body is None or found.response_headers is None:
                raise Conflict(IN_FLIGHT)
            replay = Replay(json.loads(found.response_body), json.loads(found.response_headers))
            if await alive(replay):
                return replay
        if found is not None:
            await self.db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == found.id))
        self.record = IdempotencyRecord(
            user_id=self.user_id, key=self.key, fingerprint=self.fingerprint, created_at=now, expires_at=now + ttl
        )
        self.db.add(self.record)
        try:
            await self.db.flush()
        except IntegrityError as error:
            raise Conflict(IN_FLIGHT) from error
        return None

    async def finish(self, body: BaseModel, headers: dict[str, str]) -> None:
        assert self.record is not None, "finish() after a start() that claimed the key"
        self.record.response_body = body.model_dump_json(by_alias=True)
        self.record.response_headers = json.dumps(headers)
        await self.db.flush()
