"""Rate limits that hold across every worker: their state is in the database.

Each key (a user, a client address) is limited by GCRA, the generic cell rate algorithm: one
number per key, the theoretical arrival time (`tat`) of its next request. A request is allowed
while `tat` lies less than one period ahead of now, and each allowed request pushes `tat` one
emission interval (period / count) further. So a key may spend its whole allowance at once, then
gets one request per interval. Counting is one upsert in a short transaction of its own, so a
request that fails later is still counted.
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy import ColumnElement, Delete, case, delete, literal, select

from service.kit.database import AppDatabase, Database, upsert
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


async def hit(database: Database, key: str, rate: Rate, now: float | None = None) -> float:
    """Counts one request for `key`: 0 when it is allowed, else the seconds until one would be."""
    now = time.time() if now is None else now
    async with database.short_write() as session:
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
