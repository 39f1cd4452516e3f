"""Many open event streams, and how long an event takes to reach every one of them.

Runs as a process of its own (`python -m bench.streams URL TOKEN PROJECT STREAMS EVENTS`), so that
reading the streams does not share a core with the caller: it opens the streams, prints `open N`,
waits for a line on stdin, then creates EVENTS tasks one after another and prints one JSON line:
for each event, the time from sending its createTask to its arrival on the last of the streams.
"""

import asyncio
import contextlib
import json
import re
import sys
import time
from typing import cast
from urllib.parse import urlsplit

import httpx
import uvloop

MARKER = re.compile(rb"fanout-(\d+)-")
OPENING = 100  # streams opened at once


class Arrivals:
    """When each marked task's event arrived, on each stream; `done(n)` once it reached all."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = {}
        self.streams = 0
        self._complete: dict[int, asyncio.Event] = {}

    def add(self, n: int, now: float) -> None:
        got = self.times.setdefault(n, [])
        got.append(now)
        if len(got) >= self.streams:
            self.done(n).set()

    def done(self, n: int) -> asyncio.Event:
        return self._complete.setdefault(n, asyncio.Event())


class Stream(asyncio.Protocol):
    """One SSE connection: it records when each marked task's event arrives."""

    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals
        self.opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.opened.done():
            self.opened.set_result(data.startswith(b"HTTP/1.1 200"))
        seen = self.tail + data
        for found in MARKER.finditer(seen):
            self.arrivals.add(int(found.group(1)), now)
        self.tail = seen[-24:]  # a marker split between two reads is found in the next one

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_result(False)


async def main(url: str, token: str, project: int, streams: int, events: int) -> None:
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    path = f"/v1/projects/{project}/events"
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    arrivals = Arrivals()
    loop = asyncio.get_running_loop()

    async def open_one() -> Stream:
        _, stream = await loop.create_connection(lambda: Stream(arrivals), host, port)
        stream.transport.write(request)
        return stream

    opened: list[Stream] = []
    for start in range(0, streams, OPENING):
        opened += await asyncio.gather(*(open_one() for _ in range(start, min(streams, start + OPENING))))
    answered = await asyncio.gather(*(stream.opened for stream in opened))
    arrivals.streams = sum(answered)
    print(f"open {arrivals.streams}", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)

    delays: list[float] = []
    missing = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as client:
        for n in range(events):
            sent = time.perf_counter()
            created = await client.post(f"/v1/projects/{project}/tasks", json={"title": f"fanout-{n}-"})
            created.raise_for_status()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await arrivals.done(n).wait()
            got = arrivals.times.get(n, [])
            missing += arrivals.streams - len(got)
            if got:
                delays.append(max(got) - sent)
            await asyncio.sleep(0.05)
    for stream in opened:
        stream.transport.close()
    print(json.dumps({"streams": arrivals.streams, "events": events, "missing": missing, "delays": delays}), flush=True)


if __name__ == "__main__":
    url, token, project, streams, events = sys.argv[1:6]
    uvloop.run(main(url, token, int(project), int(streams), int(events)))
