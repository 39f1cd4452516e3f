// What only Node has: a traced backend's context manager (AsyncLocalStorage), and undici's loss of an
// abort once its request objects are collected.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { context, propagation, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { createClient, streamProjectEvents } from "@taskboard/sdk";

import { all } from "./fakes.mjs";

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
