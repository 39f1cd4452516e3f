import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bench.servers import free_port
from service.app import create_app
from service.settings import Settings


@dataclass
class Served:
    url: str
    app: FastAPI
    client: httpx.AsyncClient


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[Served]:
    async with serve(settings.model_copy(update={"stream_heartbeat_seconds": 0.2})) as served:
        yield served


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[Served]:
    """The app under a real uvicorn in this event loop, so that tests can look at its state."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    await until(lambda: server.started)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield Served(url, app, client)
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def until(condition: Callable[[], bool], seconds: float = 5) -> None:
    """Waits for state that no event announces (a server started, a subscription gone)."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - there is nothing to await but time
            await asyncio.sleep(0.01)


class Events:
    """Reads the Server-Sent Events of one streamed response, a few at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def take(self, count: int, *, seconds: float = 5) -> list[dict[str, Any]]:
        """The next `count` events; comments (heartbeats) are kept aside."""
        events: list[dict[str, Any]] = []
        frame: dict[str, Any] = {}
        async with asyncio.timeout(seconds):
            while len(events) < count:
                line = await anext(self.lines)
                if line == "":
                    if frame:
                        events.append(frame)
                        frame = {}
                elif line.startswith(":"):
                    self.comments.append(line)
                else:
                    name, _, value = line.partition(": ")
                    frame[name] = value
        return events

    async def rest(self) -> list[str]:
        """Every line until the server ends the stream."""
        return [line async for line in self.lines]
