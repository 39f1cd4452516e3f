"""The headers every answer carries, whatever produced it (a route, a problem, the framework)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_SNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
# For the answers made outside every middleware: the 500 of an unexpected error.
FOR_ERRORS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# A read that carries an ETag may be kept by the caller's own client, which revalidates it.
REVALIDATE = (b"cache-control", b"private, no-cache")
READS = frozenset({"GET", "HEAD"})


class SecurityHeaders:
    """`X-Content-Type-Options: nosniff` on every answer, and a `Cache-Control` on every answer that
    has none: `private, no-cache` for a read that carries an ETag (200 or 304), else `no-store`.
    Answers here are a user's own data, which no shared cache may keep. `extra` headers go on every
    answer too."""

    def __init__(self, app: ASGIApp, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.app = app
        self.extra = list(extra)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read = scope["method"] in READS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {name.lower() for name, _ in headers}
                if b"cache-control" not in names:
                    revalidate = read and b"etag" in names and message["status"] in (200, 304)
                    headers.append(REVALIDATE if revalidate else NO_STORE)
                if b"x-content-type-options" not in names:
                    headers.append(NO_SNIFF)
                headers.extend(self.extra)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
