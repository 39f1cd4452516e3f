"""Rate limits that hold across every worker: their state is in the database.

Each key (a user, a client address) is limited by GCRA, the generic cell rate algorithm: one
number per key, the theoretical arrival time (`tat`) of its next request. A request is allowed
while `tat` lies less than one period ahead of now, and each allowed request pushes `tat` one
emission interval (period / count) further. So a key may spend its whole allowance at once, then
gets one request per interval. Counting is one upsert in a short transaction of its own, so a
request that fails later is still counted; under load, the hits of many requests share one such
transaction (Database.batched_write), each still decided by its own upsert, in order.
"""

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy import ColumnElement, Delete, Double, String, bindparam, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from service.kit.database import AppDatabase, Database
from service.kit.problems import Problem
from service.settings import AppSettings, Settings
from service.tables import RateLimit

if TYPE_CHECKING:
    from service.kit.auth import Caller


SLOW_DOWN = "Too many requests; slow down and retry after Retry-After seconds."


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


def _counting(insert: Callable[[type[RateLimit]], postgresql.Insert | sqlite.Insert]) -> ReturningInsert[tuple[float]]:
    """One hit, as one statement: the new `tat` when allowed, no row when not."""
    now, interval = bindparam("now", type_=Double), bindparam("interval", type_=Double)
    earliest: ColumnElement[float] = case((RateLimit.tat > now, RateLimit.tat), else_=now)
    return (
        insert(RateLimit)
        .values(key=bindparam("key", type_=String), tat=now + interval)
        .on_conflict_do_update(
            index_elements=[RateLimit.key],
            set_={"tat": earliest + interval},
            where=earliest + interval - now <= bindparam("period", type_=Double),
        )
        .returning(RateLimit.tat)
    )


# Built once: building and keying a statement costs more than running it.
COUNT = {"sqlite": _counting(sqlite.insert), "postgresql": _counting(postgresql.insert)}
TAT = select(RateLimit.tat).where(RateLimit.key == bindparam("key", type_=String))


async def hit(database: Database, key: str, rate: Rate, now: float | None = None) -> float:
    """Counts one request for `key`: 0 when it is allowed, else the seconds until one would be."""
    at = time.time() if now is None else now

    async def count(session: AsyncSession) -> float:
        values = {"key": key, "now": at, "interval": rate.interval, "period": rate.period_seconds}
        if await session.scalar(COUNT[session.get_bind().dialect.name], values) is not None:
            return 0.0
        tat = await session.scalar(TAT, {"key": key})
        return max(0.0, (tat or at) + rate.interval - rate.period_seconds - at)

    return await database.batched_write(count)


def expired(now: float | None = None) -> Delete:
    """The rows that no longer limit anyone, for the periodic clean-up."""
    return delete(RateLimit).where(RateLimit.tat < (time.time() if now is None else now))


async def rate_limit(request: Request, database: AppDatabase, settings: AppSettings) -> None:
    """The generated routes' rate limiter, for each operation that documents 429.

    It runs after the operation's security: a signed-in request counts against its user (however
    many tokens they hold), any other against its client address.
    """
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        await limit_address(request, database, settings)
        return
    rate = Rate(settings.rate_limit_per_user, settings.rate_limit_period.total_seconds())
    wait = await hit(database, f"user:{caller.user.id}", rate)
    if wait:
        raise TooManyRequests(SLOW_DOWN, wait)


async def limit_address(request: Request, database: Database, settings: Settings) -> None:
    """Counts a request against its client address: anonymous ones, and failed authentications."""
    rate = Rate(settings.rate_limit_per_address, settings.rate_limit_period.total_seconds())
    wait = await hit(database, address_key(request.client.host if request.client else ""), rate)
    if wait:
        raise TooManyRequests(SLOW_DOWN, wait)


def address_key(host: str) -> str:
    """The address's key: IPv6 clients by their /64 (one subscriber's), anything unparsable together.

    Behind a proxy, uvicorn's --forwarded-allow-ips (the proxy's address, never `*`) makes `host`
    the client's rather than the proxy's.
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "address:unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"address:{address.ipv4_mapped}"
        return f"address:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"address:{address}"
