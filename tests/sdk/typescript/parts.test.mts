// The SDK's own parts on inputs our service never sends but a proxy or another server may: an event
// stream cut anywhere (CRLF split between chunks included), a stream that goes silent, and options
// given as undefined. The answers are made here, as a transport would hand them over. In Node and
// in a browser.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, streamProjectEvents } from "@taskboard/sdk";

import { all, answering } from "./fakes.mjs";

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
