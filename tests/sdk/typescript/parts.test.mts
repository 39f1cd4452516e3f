// The SDK's own parts on inputs our service never sends but a proxy or another server may: an event
// stream cut anywhere (CRLF split between chunks included), a stream that goes silent, and options
// given as undefined; and what it sends in a traced frontend. The answers are made here, as a
// transport would hand them over.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { context, propagation, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { createClient, type ProjectStreamEvent, streamProjectEvents } from "@taskboard/sdk";

/** A client whose fetch answers every request with these chunks (and then ends, unless `open`). */
function answering(chunks: string[], open = false) {
  const encoder = new TextEncoder();
  return createClient({
    baseUrl: "http://taskboard.invalid",
    token: "tb_x",
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
            if (!open) controller.close();
          },
        }),
        { status: 200, headers: { "Content-Type": "text/event-stream" } },
      ),
  });
}

async function all(events: AsyncGenerator<ProjectStreamEvent>): Promise<ProjectStreamEvent[]> {
  const found: ProjectStreamEvent[] = [];
  for await (const event of events) found.push(event);
  return found;
}

const TASK = { id: 3, projectId: 1, title: "T", status: "todo", createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" };

test("events cut anywhere, with CRLF, LF or CR line ends, arrive whole; comments and unknown events are skipped", async () => {
  const wire =
    `: heartbeat\r\n\r\nid: 7\r\nevent: task.created\r\ndata: ${JSON.stringify(TASK)}\r\n\r\n` +
    `id: 8\nevent: some.future.event\ndata: {}\n\n` +
    `id: 9\revent: task.deleted\rdata: {"id":\rdata: 3}\r\r`;
  for (let cut = 1; cut < wire.length; cut += 1) {
    const events = await all(streamProjectEvents(answering([wire.slice(0, cut), wire.slice(cut)]), 1));
    assert.deepEqual(
      events,
      [
        { id: "7", event: "task.created", data: TASK },
        { id: "9", event: "task.deleted", data: { id: 3 } },
      ],
      `cut at ${cut}: ${JSON.stringify(wire.slice(cut - 3, cut + 3))}`,
    );
  }
});

test("a stream on which nothing arrives for idleTimeoutMs ends, as if the service had ended it", async () => {
  const started = Date.now();
  const events = await all(streamProjectEvents(answering([": heartbeat\n\n"], true), 1, { idleTimeoutMs: 200 }));
  assert.deepEqual(events, []);
  assert.ok(Date.now() - started >= 200);
});

test("an option given as undefined takes its default", () => {
  const client = createClient({ baseUrl: "http://taskboard.invalid/", maxRetries: undefined, timeoutMs: undefined, maxRetryDelayMs: undefined });
  assert.deepEqual(
    [client.settings.baseUrl, client.settings.maxRetries, client.settings.timeoutMs, client.settings.maxRetryDelayMs],
    ["http://taskboard.invalid", 2, 30_000, 60_000],
  );
});

test("calls made in an active span carry its trace context, and calls made outside one carry none", async () => {
  // What a traced frontend has registered: a context manager and the W3C propagator.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  try {
    const sent: Headers[] = [];
    const client = createClient({
      baseUrl: "http://taskboard.invalid",
      token: "tb_x",
      maxRetries: 0,
      fetch: async (request) => {
        sent.push(request.headers);
        const stream = new URL(request.url).pathname.endsWith("/events");
        const type = stream ? "text/event-stream" : "application/json";
        return new Response(stream ? "" : "{}", { status: 200, headers: { "Content-Type": type } });
      },
    });
    const caller = trace.wrapSpanContext({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: TraceFlags.SAMPLED,
    });
    await context.with(trace.setSpan(context.active(), caller), async () => {
      await client.GET("/v1/users/me");
      await all(streamProjectEvents(client, 1));
    });
    await client.GET("/v1/users/me");
    assert.deepEqual(
      sent.map((headers) => [headers.get("traceparent"), headers.get("authorization")]),
      [
        ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Bearer tb_x"],
        ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "Bearer tb_x"],
        [null, "Bearer tb_x"],
      ],
    );
  } finally {
    context.disable();
    propagation.disable();
  }
});

test("an answer that never ends fails at timeoutMs, even after the garbage collector has run", async () => {
  // Node's fetch lost such aborts once its request objects were collected (nodejs/node#55428);
  // `node --expose-gc` lets this test collect as often as it can.
  const server = http.createServer((_, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.write("{");
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const collect = setInterval(() => (globalThis as { gc?: () => void }).gc?.(), 5);
  try {
    const { port } = server.address() as AddressInfo;
    const client = createClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 100, maxRetries: 0 });
    for (let call = 0; call < 10; call += 1) {
      await assert.rejects(
        client.GET("/v1/users/me"),
        (error: unknown) => error instanceof DOMException && error.name === "TimeoutError",
      );
    }
  } finally {
    clearInterval(collect);
    server.closeAllConnections();
    server.close();
  }
});
