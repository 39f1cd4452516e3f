"""Retries of calls that may be repeated: what a script survives without code of its own.

Shipped with the SDK by `make generate`, from `codegen/sdk_python/extra/`; not generated, not to be edited here.

A call is tried again when it got no answer or only part of one (the service restarting, a
connection lost, a timeout, before the answer or within its JSON body) or the answer 429 or 503,
after the answer's `Retry-After` or else an exponential backoff with jitter; but only a call that
may be repeated: a GET, HEAD, OPTIONS, PUT or DELETE, or a create that carries an `Idempotency-Key`
(`idempotency_key=new_idempotency_key()`), which the service answers once. At most `max_retries`
more tries (3; 0 for none), and never a wait longer than `max_retry_delay` seconds (60): an answer
asking for a longer one is returned as it is.
"""

import asyncio
import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

REPEATABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRIED_STATUSES = frozenset({429, 503})


def new_idempotency_key() -> str:
    """A fresh `Idempotency-Key`: a create that carries one is answered once, and may be retried."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Retries:
    max_retries: int = 3
    max_retry_delay: float = 60.0
    first_delay: float = 0.5  # doubled at each try, then jittered

    def after_error(self, request: httpx.Request, attempt: int) -> float | None:
        """Seconds to wait before trying `request` again after it got no answer; None: do not."""
        if attempt >= self.max_retries or not repeatable(request):
            return None
        return self._backoff(attempt)

    def after_answer(self, request: httpx.Request, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before trying `request` again after `response`; None: return it."""
        if response.status_code not in RETRIED_STATUSES or attempt >= self.max_retries or not repeatable(request):
            return None
        wait = retry_after(response.headers)
        if wait is None:
            return self._backoff(attempt)
        return wait if wait <= self.max_retry_delay else None

    def _backoff(self, attempt: int) -> float:
        # Jittered, so that clients refused together do not come back together.
        return min(self.max_retry_delay, self.first_delay * 2.0**attempt) * random.uniform(0.5, 1.0)


def repeatable(request: httpx.Request) -> bool:
    return request.method in REPEATABLE_METHODS or "Idempotency-Key" in request.headers


def retry_after(headers: Mapping[str, str]) -> float | None:
    """An answer's `Retry-After` in seconds (a number of seconds or an HTTP date), if it has one;
    `headers` are an answer's (httpx's, which match names in any letter case)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def read_whole(response: httpx.Response) -> bool:
    """Whether the body is read within the try: a JSON answer, which a call reads whole anyway, so
    that one cut or stalled midway is tried again too. A stream (live events, an export's file) is
    the caller's to read as it comes."""
    media_type: str = response.headers.get("Content-Type", "")
    return media_type.partition(";")[0].strip().endswith("json")


class RetryingTransport(httpx.BaseTransport):
    """Sends each request through `transport`, again as `retries` says."""

    def __init__(self, transport: httpx.BaseTransport, retries: Retries) -> None:
        self._transport = transport
        self._retries = retries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._send(request)
            except httpx.TransportError:
                if (wait := self._retries.after_error(request, attempt)) is None:
                    raise
            else:
                if (wait := self._retries.after_answer(request, response, attempt)) is None:
                    return response
                response.close()
            time.sleep(wait)
            attempt += 1

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self._transport.handle_request(request)
        if read_whole(response):
            stream = response.stream
            assert isinstance(stream, httpx.SyncByteStream)
            try:
                response.stream = httpx.ByteStream(b"".join(stream))  # the raw bytes: decoded as they are read
            finally:
                stream.close()
        return response

    def close(self) -> None:
        self._transport.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """The same, for httpx.AsyncClient."""

    def __init__(self, transport: httpx.AsyncBaseTransport, retries: Retries) -> None:
        self._transport = transport
        self._retries = retries

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._send(request)
            except httpx.TransportError:
                if (wait := self._retries.after_error(request, attempt)) is None:
                    raise
            else:
                if (wait := self._retries.after_answer(request, response, attempt)) is None:
                    return response
                await response.aclose()
            await asyncio.sleep(wait)
            attempt += 1

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._transport.handle_async_request(request)
        if read_whole(response):
            stream = response.stream
            assert isinstance(stream, httpx.AsyncByteStream)
            try:
                response.stream = httpx.ByteStream(b"".join([chunk async for chunk in stream]))
            finally:
                await stream.aclose()
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
