// What only a browser has: its own EventSource, opened with a ticket, and opened anew after the last
// event received. Run in Chromium only (tests/sdk/test_typescript.py); Node has no EventSource.
import assert from "node:assert/strict";
import { test } from "node:test";

import { eventSourceUrl, PROJECT_EVENT_NAMES, projectEventOf, unwrap } from "@taskboard/sdk";
import { parseProjectEvent } from "@taskboard/sdk/validators";

import { signedUp } from "./accounts.mjs";

/** The next `count` events of `source`, whatever their names, within 10 seconds. */
function events(source: EventSource, count: number): Promise<MessageEvent<string>[]> {
  return new Promise((resolve, reject) => {
    const seen: MessageEvent<string>[] = [];
    const timer = setTimeout(() => reject(new Error(`${seen.length} of ${count} events in 10 s`)), 10_000);
    for (const name of PROJECT_EVENT_NAMES) {
      source.addEventListener(name, (message) => {
        seen.push(message);
        if (seen.length === count) {
          clearTimeout(timer);
          resolve(seen);
        }
      });
    }
  });
}

function opened(source: EventSource): Promise<void> {
  return new Promise((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = () => reject(new Error(`the EventSource failed to open (readyState ${source.readyState})`));
  });
}

test("a browser's EventSource follows a project with a ticket, and a new one resumes after the last event", async () => {
  const ada = await signedUp();
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Live" } }));
  const tasks = { params: { path: { projectId } } };
  const url = await eventSourceUrl(ada.client, projectId);
  const source = new EventSource(url);
  await opened(source);
  const first = events(source, 1);
  const created = await unwrap(ada.client.POST("/v1/projects/{projectId}/tasks", { ...tasks, body: { title: "Seen" } }));
  const [message] = await first;
  source.close();
  const event = parseProjectEvent(message!); // checked against the contract's Task
  assert.equal(event?.event, "task.created");
  assert.deepEqual(event?.data, created);

  // The spent ticket opens nothing: the browser's own reconnection would fail so, for good.
  const spent = new EventSource(url);
  await assert.rejects(opened(spent), (error: Error) => error.message.startsWith("the EventSource failed to open"));
  assert.equal(spent.readyState, EventSource.CLOSED);

  const missed = [];
  for (const title of ["Missed 1", "Missed 2"]) {
    missed.push(await unwrap(ada.client.POST("/v1/projects/{projectId}/tasks", { ...tasks, body: { title } })));
  }
  const resumed = new EventSource(await eventSourceUrl(ada.client, projectId, { lastEventId: message!.lastEventId }));
  const caughtUp = await events(resumed, 2);
  resumed.close();
  const typed = caughtUp.map(projectEventOf);
  assert.deepEqual(typed.map((e) => e?.event === "task.created" && e.data.title), ["Missed 1", "Missed 2"]);
  assert.deepEqual(typed.map((e) => e?.data), missed);
});
