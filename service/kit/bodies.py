import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodyTooSlow(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"The request body did not arrive within {seconds:g} seconds.")


class BodyLimit:
    """Refuses request bodies over `limit` bytes (413), or slower than `timeout` seconds (408).

    A declared Content-Length over the limit is refused before any byte is read; a body sent
    without one is counted as it arrives. The time runs from the operation's first read, so a
    client that trickles its body cannot hold a request open. Operations that take no body never
    read it, so they never answer 413 or 408, which the contract documents only where there is one.

    Not Starlette's RequestBodyLimitMiddleware (FastAPI's `max_body_size`): a declared Content-Length
    over its limit gets its own text/plain 413 in place of whatever the app answers, so neither a
    problem document nor an operation without a body's own answer could go out; and it has no timeout.
    """

    def __init__(self, app: ASGIApp, limit: int, timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0
        deadline: float | None = None
        complete = False

        async def limited_receive() -> Message:
            nonlocal received, deadline, complete
            if complete:
                return await receive()  # after the body: a wait for the client to disconnect
            if declared is not None and declared > self.limit:
                raise BodyTooLarge(self.limit)
            deadline = deadline or asyncio.get_running_loop().time() + self.timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow(self.timeout) from None
            complete = not message.get("more_body", False)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
