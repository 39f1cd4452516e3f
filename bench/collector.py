"""A stand-in for an OpenTelemetry collector: takes OTLP over HTTP (protobuf) and counts the spans.

It answers every export at once and keeps nothing, so that what the bench measures with tracing on
is the service's own cost of tracing: making the spans, batching them, encoding and sending them.
`GET /spans` answers with the number of spans received so far.
"""

import asyncio
import sys
from typing import cast

import uvloop
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from bench.static import serve

ACCEPTED = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n"
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class Collector(asyncio.Protocol):
    spans = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        while (end := self.pending.find(b"\r\n\r\n")) != -1:
            head = self.pending[:end].decode("latin-1").split("\r\n")
            fields = dict(line.lower().split(":", 1) for line in head[1:] if ":" in line)
            length = int(fields.get("content-length", "0"))
            if len(self.pending) < end + 4 + length:
                return  # the rest of the body is still to come
            body = self.pending[end + 4 : end + 4 + length]
            self.pending = self.pending[end + 4 + length :]
            self.transport.write(self.answer(head[0].split(" ")[:2], body))

    def answer(self, method_and_path: list[str], body: bytes) -> bytes:
        if method_and_path == ["POST", "/v1/traces"]:
            request = ExportTraceServiceRequest.FromString(body)
            Collector.spans += sum(
                len(scoped.spans) for resource in request.resource_spans for scoped in resource.scope_spans
            )
            return ACCEPTED
        if method_and_path == ["GET", "/spans"]:
            count = str(Collector.spans).encode()
            return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(count), count)
        return NOT_FOUND


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1]), Collector))
