// The SDK's own parts on inputs our service never sends but a proxy or another server may: an event
// stream cut anywhere (CRLF split between chunks included), a stream that goes silent, and options
// given as undefined. The answers are made here, as a transport would hand them over. In Node and
// in a browser.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, PROJECT_EVENT_NAMES, ProblemError, streamProjectEvents, unwrapWithResponse } from "@taskboard/sdk";

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

test("a body with a file in it goes as multipart/form-data, its fields as text; any other body as JSON", async () => {
  const sent: Request[] = [];
  const capture = async (request: Request) => {
    sent.push(request);
    return new Response(null, { status: 204 });
  };
  const client = createClient({ baseUrl: "http://taskboard.invalid", maxRetries: 0, fetch: capture });
  const file = new File(["hello"], "notes.txt", { type: "text/plain" });
  // No operation of today's contract takes a form: the body is cast past its JSON type.
  await client.POST("/v1/projects", { body: { name: "P", file, count: 3, left: undefined } as never });
  await client.POST("/v1/projects", { body: { name: "P" } });
  const [form, json] = sent;
  assert.match(form!.headers.get("Content-Type") ?? "", /^multipart\/form-data; boundary=/);
  const parts = await form!.formData();
  assert.deepEqual([parts.get("name"), parts.get("count"), parts.has("left")], ["P", "3", false]);
  const part = parts.get("file") as File;
  assert.deepEqual([part.name, part.type, await part.text()], ["notes.txt", "text/plain", "hello"]);
  assert.equal(json!.headers.get("Content-Type"), "application/json");
  assert.deepEqual(await json!.json(), { name: "P" });
});

test("a file download is read as its contract types it: text, not JSON", async () => {
  const csv = "id,title\n1,Ship\n";
  const answer = async () => new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } });
  const client = createClient({ baseUrl: "http://taskboard.invalid", maxRetries: 0, fetch: answer });
  const { data } = await client.GET("/v1/exports/{exportId}/content", { params: { path: { exportId: 1 } } });
  const text: string | undefined = data;
  assert.equal(text, csv);
});

test("unwrapWithResponse keeps the ETag and the request id of a success, and throws a problem", async () => {
  const answers = [
    new Response(JSON.stringify(TASK), { status: 200, headers: { "Content-Type": "application/json", ETag: '"4"', "X-Request-ID": "r-1" } }),
    new Response(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404 }), { status: 404, headers: { "Content-Type": "application/problem+json" } }),
  ];
  const client = createClient({ baseUrl: "http://taskboard.invalid", maxRetries: 0, fetch: async () => answers.shift()! });
  const path = "/v1/projects/{projectId}/tasks/{taskId}" as const;
  const read = await unwrapWithResponse(client.GET(path, { params: { path: { projectId: 1, taskId: 3 } } }));
  const title: string = read.data.title;
  assert.deepEqual([title, read.etag, read.requestId, read.response.status], ["T", '"4"', "r-1", 200]);
  const missing = unwrapWithResponse(client.GET(path, { params: { path: { projectId: 1, taskId: 9 } } }));
  await assert.rejects(missing, (error) => error instanceof ProblemError && error.status === 404);
});

test("onOpen is called once the stream is open, before its first event; the event names are listed", async () => {
  const seen: string[] = [];
  const wire = `id: 7\nevent: task.created\ndata: ${JSON.stringify(TASK)}\n\n`;
  const opened = (response: Response) => seen.push(`open ${response.status}`);
  for await (const event of streamProjectEvents(answering([wire]), 1, { onOpen: opened })) seen.push(event.id);
  assert.deepEqual(seen, ["open 200", "7"]);
  assert.ok(PROJECT_EVENT_NAMES.includes("task.created") && PROJECT_EVENT_NAMES.includes("reset"));
});
