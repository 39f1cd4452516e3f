"""Rate limits per user and per client address, counted with the `limits` library.

A moving window: a key may make `count` requests in any `period`, and the next one is allowed once
the oldest of them is a period old. Counted in this process's memory by default (exact for the
one process of the embedded default, and free of any database work), or in Redis
(RATE_LIMIT_STORAGE=async+redis://host:6379) when several processes serve and must share them.

While that Redis does not answer, each process counts in its own memory (RATE_LIMIT_FALLBACK=memory,
the default: a Redis blip costs no request, and a client may make up to one allowance per process
meanwhile), or every limited request is refused with 503 (RATE_LIMIT_FALLBACK=refuse: no request
beyond the limits, ever, at the price of an outage). Redis is tried again every few seconds.
"""

import ipaddress
import logging
import math
import os
import time
from typing import TYPE_CHECKING, Any

from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis.asyncio import ConnectionPool

from service.kit.metrics import RATE_LIMIT_STORAGE_UP, REFUSALS
from service.kit.problems import Problem
from service.settings import Settings

if TYPE_CHECKING:
    from service.kit.auth import Caller

SLOW_DOWN = "Too many requests; slow down and retry after Retry-After seconds."
# While the storage does not answer, how often a request tries it again.
RETRY_SECONDS = 5.0
logger = logging.getLogger("taskboard")


class TooManyRequests(Problem):
    status = 429

    def __init__(self, detail: str, retry_after_seconds: float) -> None:
        super().__init__(detail, {"Retry-After": str(max(1, math.ceil(retry_after_seconds)))})


class Limiter:
    """The app's counts: one per user and one per client address."""

    def __init__(self, settings: Settings) -> None:
        url = settings.rate_limit_storage
        options: dict[str, Any] = {"wrap_exceptions": True}  # a StorageError: 503 (service/kit/problems.py)
        self.redis: ConnectionPool | None = None
        if url.startswith("async+redis"):
            # redis-py, which the export queue uses already, in a pool of ours to close at shutdown.
            self.redis = ConnectionPool.from_url(url.removeprefix("async+"), socket_timeout=5, socket_connect_timeout=5)
            options |= {
                "implementation": "redispy",
                "connection_pool": self.redis,
                "key_prefix": settings.namespace,
            }
        self.strategy = MovingWindowRateLimiter(storage_from_string(url, **options))
        self.fallback = MovingWindowRateLimiter(storage_from_string("async+memory://"))
        self.refuse = settings.rate_limit_fallback == "refuse" or self.redis is None
        self.away_since: float | None = None  # when the storage stopped answering, while it does not
        self.last_try = 0.0
        RATE_LIMIT_STORAGE_UP.set(1)
        period = max(1, round(settings.rate_limit_period.total_seconds()))
        self.per_user = RateLimitItemPerSecond(settings.rate_limit_per_user, period)
        self.per_address = RateLimitItemPerSecond(settings.rate_limit_per_address, period)
        sign_up_period = max(1, round(settings.sign_up_period.total_seconds()))
        self.sign_ups = RateLimitItemPerSecond(settings.sign_up_per_address, sign_up_period)
        workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
        if workers > 1 and url.startswith("async+memory"):
            logger.warning(
                "%d worker processes count rate limits each in its own memory, so a client may make"
                " up to %d times as many requests; set RATE_LIMIT_STORAGE to a Redis to share them",
                workers,
                workers,
            )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()

    async def hit(self, item: RateLimitItem, key: str) -> None:
        """Counts one request for `key`; 429 when it is one too many."""
        strategy = self.strategy if self.away_since is None or self._try_again() else self.fallback
        try:
            allowed = await strategy.hit(item, key)
        except StorageError as error:
            if self.refuse:
                raise  # 503 (service/kit/problems.py)
            self._away(error)
            strategy = self.fallback
            allowed = await strategy.hit(item, key)
        else:
            if strategy is self.strategy and self.away_since is not None:
                self._back()
        if not allowed:
            REFUSALS.labels(key.partition(":")[0]).inc()  # user or address
            stats = await strategy.get_window_stats(item, key)
            raise TooManyRequests(SLOW_DOWN, stats.reset_time - time.time())

    def _try_again(self) -> bool:
        return self.away_since is not None and time.monotonic() - self.last_try >= RETRY_SECONDS

    def _away(self, error: StorageError) -> None:
        now = time.monotonic()
        self.last_try = now
        if self.away_since is None:
            self.away_since = now
            RATE_LIMIT_STORAGE_UP.set(0)
            logger.warning(
                "the rate limits' storage does not answer (%s): counting in this process's memory until it does",
                error,
            )

    def _back(self) -> None:
        assert self.away_since is not None
        logger.warning("the rate limits' storage answers again, %.1f s later", time.monotonic() - self.away_since)
        self.away_since = None
        RATE_LIMIT_STORAGE_UP.set(1)

    async def count(self, request: Request, caller: "Caller | None") -> None:
        """Counts a request: against its user when signed in (however many tokens they hold),
        else against its client address."""
        if caller is None:
            await self.count_address(request)
        else:
            await self.hit(self.per_user, f"user:{caller.user_id}")

    async def count_sign_up(self, request: Request) -> None:
        """Counts a sign-up against its client address (SIGN_UP_PER_ADDRESS)."""
        address = address_key(request.client.host if request.client else "")
        await self.hit(self.sign_ups, f"sign-up:{address}")

    async def count_address(self, request: Request) -> None:
        """Counts a request against its client address: anonymous ones, and failed authentications."""
        await self.hit(self.per_address, address_key(request.client.host if request.client else ""))


def address_key(host: str) -> str:
    """The address's key: IPv6 clients by their /64 (one subscriber's), anything unparsable together.

    Behind a proxy, FORWARDED_ALLOW_IPS (the proxy's address, never `*`) makes `host`
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
