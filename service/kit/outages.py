"""Outages of what requests need (the database; the rate limits' Redis when told to refuse) as the
log tells them: one line when one begins, however many requests it refuses (they are counted), with
the tally of the one before."""

import logging
import time

from prometheus_client import Counter

from service.kit import metrics

logger = logging.getLogger("taskboard")
# An outage is over once this long has passed without a refusal.
QUIET_SECONDS = 30.0


class Outage:
    def __init__(self, what: str, refusals: Counter) -> None:
        self.what, self.counted = what, refusals
        self.began = self.last = 0.0
        self.refusals = 0

    def refused(self, reason: BaseException) -> None:
        """A request answered 503 because `what` could not serve it."""
        self.counted.inc()
        now = time.monotonic()
        if self.refusals and now - self.last < QUIET_SECONDS:
            self.refusals += 1
            self.last = now
            return
        before = (
            f" (the outage before refused {self.refusals} requests in {self.last - self.began:.1f} s)"
            if self.refusals
            else ""
        )
        logger.warning(
            "%s is unavailable: %s; requests are answered 503 with Retry-After until it is back%s",
            self.what,
            _described(reason),
            before,
        )
        self.began = self.last = now
        self.refusals = 1


def _described(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    state = getattr(cause, "sqlstate", None)
    text = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    return f"{state} {text}" if state else f"{type(cause).__name__}: {text}"


database = Outage("the database", metrics.DATABASE_REFUSALS)
rate_limits = Outage("the rate limits' storage", metrics.RATE_LIMIT_STORAGE_REFUSALS)
