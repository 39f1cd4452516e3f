"""The fastest static responder we can run here: it answers every request with the same bytes.

Only for checking the load generator: if wrk cannot reach 20,000 requests/s against this, the
machine is too busy (or too small) for the other figures to mean anything.
"""

import asyncio
import sys
from collections.abc import Callable
from typing import cast

import uvloop

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


class Static(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        # Answers each complete request head; requests to this server have no body.
        self.pending += data
        count = self.pending.count(b"\r\n\r\n")
        if count:
            self.pending = self.pending[self.pending.rfind(b"\r\n\r\n") + 4 :]
            self.transport.write(RESPONSE * count)


async def serve(port: int, protocol: Callable[[], asyncio.Protocol] = Static) -> None:
    """Serves `protocol` on 127.0.0.1:`port` until stopped."""
    server = await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
