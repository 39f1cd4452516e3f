"""The drill contract's handlers, served by uvicorn from the drill's scratch folder (test_drill.py):
each answers 200 only for what the SDKs' calls send, and says what it got otherwise."""

import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException

from generated import models
from generated.api import import_
from generated.runtime import Download

OK = models.Health(status=models.HealthStatus.OK)


class Handlers(import_.ImportApi):
    def __init__(self, context: Any) -> None:
        pass

    async def import_from(self, **given: Any) -> models.Health:
        got = (given["from_"], given["ids"], given["body_"], given["request_"], str(given["since"]))
        if got != (3, [4, 5], "b", "r", "2024-01-31"):
            raise HTTPException(422, repr(got))
        return OK

    async def upload_from(self, *, body: import_.UploadFromForm, from_: int | None = None) -> models.Health:
        content = b"".join([chunk async for chunk in body.file.chunks()])
        got = (from_, body.caption, body.count, body.file.filename, body.file.media_type, content)
        if got != (2, "hi", 3, "n.txt", "text/plain", b"hello"):
            raise HTTPException(422, repr(got))
        return OK

    async def bulk_from(self, *, body: Any) -> models.Health:
        if body.root.op != "move" or body.root.to_status.value != "done":
            raise HTTPException(422, repr(body))
        return OK

    async def download_from(self) -> Download:
        path = Path(tempfile.mkdtemp()) / "file"
        path.write_bytes(bytes(range(256)))
        return Download(await anyio.open_file(path, "rb"), "application/octet-stream", '报告 "final".bin')


def _context(**_: Any) -> Callable[[], AsyncIterator[None]]:
    async def nothing() -> AsyncIterator[None]:
        yield None

    return nothing


app = FastAPI()
app.include_router(import_.router(Handlers, context=_context))
