"""uvicorn's httptools protocol, with the bounds on request heads that it lacks.

uvicorn times out neither a request head that arrives slowly nor a connection that sends nothing,
and httptools keeps header lines of any size: a few clients could hold every connection, or all
the memory. Here a request head (request line and header fields) must arrive whole within
REQUEST_HEAD_TIMEOUT_SECONDS of the connection opening or of its first byte (else 408 and the
connection closes; one that sent nothing is just closed), and weigh at most MAX_REQUEST_HEAD_BYTES
(else 431). Both answers are problem documents, and so is uvicorn's 400 for what is not HTTP.

Nor does uvicorn time out an answer that its client stops reading: a stalled stream or download
would hold its connection, its buffers and its task for ever. Here what the kernel will not take
is held back (one write at most), and a connection whose client takes nothing for
SEND_TIMEOUT_SECONDS is cut: the answer's sender then sees the client gone.
Served with `uvicorn --http service.kit.protocol:Protocol` (`make run`, the tests and the bench do).
"""

import asyncio
import functools
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.settings import Settings

LINGER_SECONDS = 2
# uvicorn's `--http` for this protocol.
UVICORN_HTTP = f"{__name__}:Protocol"


@functools.cache
def _limits() -> tuple[float, int, float]:
    settings = Settings()
    return settings.request_head_timeout_seconds, settings.max_request_head_bytes, settings.send_timeout_seconds


def refusal(status: int, title: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection: a problem document."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\ncontent-type: application/problem+json\r\ncontent-length: {len(body)}\r\n"
        "cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class HeadTooLarge(Exception):
    pass


class Protocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout, self.max_head_bytes, self.send_timeout = _limits()
        # Of the head being received: its request line and fields as httptools finds them (None
        # between heads), and the bytes that came after the chunk it began in, which bound a field
        # still arriving.
        self.head_bytes: int | None = 0
        self.raw_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.began_in_chunk = False
        self.refused = False  # answered 400, 408 or 431: what still comes is dropped
        self.send_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Writing pauses as soon as the kernel's buffer is full, rather than after 64 KiB more have
        # piled up here: a client that stops reading costs this process one write, not a buffer.
        transport.set_write_buffer_limits(high=0)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        self._end_send_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.send_timer is None:
            self.send_timer = self.loop.call_later(self.send_timeout, self.transport.abort)

    def resume_writing(self) -> None:
        self._end_send_timer()
        super().resume_writing()

    def _end_send_timer(self) -> None:
        if self.send_timer is not None:
            self.send_timer.cancel()
            self.send_timer = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head()
        self.began_in_chunk = True

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count(len(name) + len(value) + 4)  # ": " and CRLF

    def _count(self, size: int) -> None:
        if self.head_bytes is not None:
            self.head_bytes += size

    def on_headers_complete(self) -> None:
        too_large = self.head_bytes is not None and self.head_bytes > self.max_head_bytes
        self._end_head()
        if too_large:
            self._refuse(refusal(431, "Request Header Fields Too Large", self._too_large()))
            raise HeadTooLarge  # stops the parser: no request starts
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        self.began_in_chunk = False
        super().data_received(data)
        if self.head_bytes is None or self.transport.is_closing():
            return
        # A head that began inside this chunk may follow a previous request's body: not counted
        # (one chunk at most goes uncounted here; its fields are, once whole).
        self.raw_bytes += 0 if self.began_in_chunk else len(data)
        if max(self.head_bytes, self.raw_bytes) > self.max_head_bytes:
            self._refuse(refusal(431, "Request Header Fields Too Large", self._too_large()))

    def _too_large(self) -> str:
        return f"The request line and header fields are larger than {self.max_head_bytes} bytes."

    def _start_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
        self.head_bytes = self.raw_bytes = 0
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _end_head(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        self.head_bytes = None

    def _head_too_slow(self) -> None:
        if self.transport.is_closing():
            return
        if self.head_bytes or self.raw_bytes:
            detail = f"The request line and header fields did not arrive within {self.head_timeout:g} seconds."
            self._refuse(refusal(408, "Request Timeout", detail))
        else:
            self._end_head()
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to what httptools cannot parse, as a problem document like every other;
        # none when the parser was stopped by a refusal already sent.
        if not self.refused:
            self._refuse(refusal(400, "Bad Request", "The request is not valid HTTP/1.1."))

    def _refuse(self, answer: bytes) -> None:
        self._end_head()
        self.refused = True
        # Behind an answer still being sent (a pipelined request's), there is no room for another.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(answer)
        # Closing with unread bytes would reset the connection, and the client could lose the
        # answer: half-close, and drop what still comes for a moment (or until the client closes).
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
