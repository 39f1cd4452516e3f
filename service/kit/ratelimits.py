"""Rate limits that hold across every worker: their state is in the database.

Each key (a token, a client address) is limited by GCRA, the generic cell rate algorithm: one
number per key, the theoretical arrival time (`tat`) of its next request. A request is allowed
while `tat` lies less than one period ahead of now, and each allowed request pushes `tat` one
emission interval (period / count) further. So a key may spend its whole allowance at once, then
gets one request per interval. Counting is one upsert in a short transaction of its own, so a
request that fails later is still counted.
"""

import math
import time
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import ColumnElement, Delete, case, delete, literal, select

from service.kit.auth import Caller
from service.kit.database import AppDatabase, Database, upsert
from service.kit.problems import Problem
from service.settings import AppSettings
from service.tables import RateLimit


class TooManyRequests(Problem):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: float) -> None:
        super().__init__(detail, {"Retry-After": str(max(1, math.ceil(retry_after_seconds)))})


@dataclass(frozen=True, slots=True)
class Rate:
    count: int
    period_seconds: float

    @property
    def interval(self) -> float:
        return self.period_seconds / self.count


async def hit(database: Database, key: str, rate: Rate, now: float | None = None) -> float:
    """Counts one request for `key`: 0 when it is allowed, else the seconds until one would be."""
    now = time.time() if now is None else now
    async with database.writer() as session, session.begin():
        earliest: ColumnElement[float] = case((RateLimit.tat > now, RateLimit.tat), else_=literal(now))
        statement = upsert(session, RateLimit, key=key, tat=now + rate.interval)
        allowed = await session.scalar(
            statement.on_conflict_do_update(
                index_elements=[RateLimit.key],
                set_={"tat": earliest + rate.interval},
                where=earliest + rate.interval - now <= rate.period_seconds,
            ).returning(RateLimit.tat)
        )
        if allowed is not None:
            return 0.0
        tat = await session.scalar(select(RateLimit.tat).where(RateLimit.key == key))
    return max(0.0, (tat or now) + rate.interval - rate.period_seconds - now)


def expired(now: float | None = None) -> Delete:
    """The rows that no longer limit anyone, for the periodic clean-up."""
    return delete(RateLimit).where(RateLimit.tat < (time.time() if now is None else now))


async def rate_limit(request: Request, database: AppDatabase, settings: AppSettings) -> None:
    """The generated routes' rate limiter, for each operation that documents 429.

    It runs after the operation's security: a signed-in request counts against its token, any other
    against its client address (behind a proxy, uvicorn's --forwarded-allow-ips makes that the
    client's, not the proxy's).
    """
    caller: Caller | None = getattr(request.state, "caller", None)
    period = settings.rate_limit_period.total_seconds()
    if caller is not None:
        key, rate = f"token:{caller.token_id}", Rate(settings.rate_limit_per_token, period)
    else:
        address = request.client.host if request.client else "unknown"
        key, rate = f"address:{address}", Rate(settings.rate_limit_per_address, period)
    wait = await hit(database, key, rate)
    if wait:
        raise TooManyRequests("Too many requests; slow down and retry after Retry-After seconds.", wait)
