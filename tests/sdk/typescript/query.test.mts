// `@taskboard/sdk/query` with TanStack Query's core, as React's hooks drive it, against a live server:
// typed queries, pages, mutations, problems, one try per call, and the cache kept live by events.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MutationObserver, QueryClient } from "@tanstack/query-core";
import {
  idempotencyKey,
  ifMatch,
  ProblemError,
  type ProjectStreamEvent,
  type Task,
  type TaskPage,
  streamProjectEvents,
  unwrap,
} from "@taskboard/sdk";
import { applyEvent, createQueries } from "@taskboard/sdk/query";

import { signedUp } from "./accounts.mjs";

const TASK = "/v1/projects/{projectId}/tasks/{taskId}";
const TASKS = "/v1/projects/{projectId}/tasks";

async function board(titles: string[]) {
  const ada = await signedUp();
  const queries = createQueries(ada.client);
  const queryClient = new QueryClient();
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Query" } }));
  const create = new MutationObserver(queryClient, queries.mutation("post", TASKS));
  const tasks: Task[] = [];
  for (const title of titles) {
    const headers = { "Idempotency-Key": idempotencyKey() };
    tasks.push(await create.mutate({ params: { path: { projectId } }, body: { title }, headers }));
  }
  return { ada, queries, queryClient, projectId, tasks };
}

test("queries, pages and mutations are typed by the contract, fail with a ProblemError, and are tried once", async () => {
  const { queries, queryClient, projectId, tasks } = await board(["One", "Two", "Three", "Four", "Five"]);
  const task: Task = await queryClient.fetchQuery(queries.query(TASK, { params: { path: { projectId, taskId: tasks[0]!.id } } }));
  assert.deepEqual(task, tasks[0]);
  // The key is tagged with its data's type: the cache gives back a Task.
  const cached: Task | undefined = queryClient.getQueryData(queries.key(TASK, { params: { path: { projectId, taskId: task.id } } }));
  assert.equal(cached?.title, "One");

  const list = queries.infinite(TASKS, { params: { path: { projectId }, query: { limit: 2 } } });
  const pages = await queryClient.fetchInfiniteQuery({ ...list, pages: 3 });
  assert.deepEqual(pages.pages.map((page: TaskPage) => page.items.map((item) => item.title)), [["One", "Two"], ["Three", "Four"], ["Five"]]);
  assert.deepEqual(pages.pageParams, [undefined, pages.pages[0]!.nextCursor, pages.pages[1]!.nextCursor]);

  // An item of a list carries its version: it is edited with If-Match without a read first.
  const item = pages.pages[1]!.items[0]!;
  const update = new MutationObserver(queryClient, queries.mutation("patch", TASK));
  const edit = { params: { path: { projectId, taskId: item.id }, header: { "If-Match": ifMatch(item) } }, body: { status: "done" as const } };
  const done = await update.mutate(edit);
  assert.equal(done.status, "done");
  assert.equal(done.version, item.version + 1);
  const stale = await update.mutate(edit).catch((error: unknown) => error);
  assert.ok(stale instanceof ProblemError && stale.status === 412, String(stale));
  assert.equal(update.getCurrentResult().failureCount, 1);

  const missing = queries.query(TASK, { params: { path: { projectId, taskId: 2 ** 40 } } });
  const notFound = await queryClient.fetchQuery(missing).catch((error: unknown) => error);
  assert.ok(notFound instanceof ProblemError && notFound.status === 404, String(notFound));
  assert.equal(queryClient.getQueryState(missing.queryKey)?.fetchFailureCount, 1); // TanStack's retries are off
  const removed = await new MutationObserver(queryClient, queries.mutation("delete", TASK)).mutate({ params: { path: { projectId, taskId: task.id } } });
  assert.equal(removed, undefined); // a 204's data
});

test("applyEvent keeps the cache live: changes replace cached items, deletions leave, creations refetch the lists", async () => {
  const { ada, queries, queryClient, projectId, tasks } = await board(["Keep", "Change", "Delete"]);
  const [keep, change, gone] = tasks as [Task, Task, Task];
  const taskKey = (taskId: number) => queries.key(TASK, { params: { path: { projectId, taskId } } });
  const list = queries.infinite(TASKS, { params: { path: { projectId }, query: { limit: 2 } } });
  const byStatus = queries.query(TASKS, { params: { path: { projectId }, query: { status: ["todo"] } } });
  await queryClient.fetchInfiniteQuery({ ...list, pages: 2 });
  await queryClient.fetchQuery(byStatus);
  await queryClient.fetchQuery(queries.query(TASK, { params: { path: { projectId, taskId: change.id } } }));
  await queryClient.fetchQuery(queries.query(TASK, { params: { path: { projectId, taskId: gone.id } } }));
  const before = queryClient.getQueryData(list.queryKey)!;

  // Subscribed first, then changed by another client: every change is seen.
  const applied: ProjectStreamEvent[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const following = (async () => {
    for await (const event of streamProjectEvents(ada.client, projectId, { onOpen: () => opened() })) {
      applyEvent(queryClient, projectId, event);
      if (applied.push(event) === 3) return;
    }
  })();
  await open;
  const ifMatches = { "If-Match": ifMatch(change) };
  const changed = await unwrap(ada.client.PATCH(TASK, { params: { path: { projectId, taskId: change.id }, header: ifMatches }, body: { title: "Changed" } }));
  await unwrap(ada.client.DELETE(TASK, { params: { path: { projectId, taskId: gone.id } } }));
  const created = await unwrap(ada.client.POST(TASKS, { params: { path: { projectId } }, body: { title: "New" } }));
  await following;
  assert.deepEqual(applied.map((event) => event.event), ["task.updated", "task.deleted", "task.created"]);

  assert.deepEqual(queryClient.getQueryData(taskKey(change.id)), changed);
  assert.equal(queryClient.getQueryData(taskKey(gone.id)), undefined);
  assert.deepEqual(queryClient.getQueryData(taskKey(created.id)), created);
  const after = queryClient.getQueryData(list.queryKey)!;
  assert.deepEqual(after.pages.map((page) => page.items.map((item) => item.title)), [["Keep", "Changed"], []]);
  assert.equal(after.pages[0]!.items[0], before.pages[0]!.items[0]); // what did not change is the same object
  assert.equal(after.pages[0]!.items[0]!.id, keep.id);
  // Where a new task goes depends on the list's order: the lists are refetched, not guessed at.
  assert.equal(queryClient.getQueryState(list.queryKey)?.isInvalidated, true);
  assert.equal(queryClient.getQueryState(byStatus.queryKey)?.isInvalidated, true);
  // An older version arriving late changes nothing.
  applyEvent(queryClient, projectId, { id: "1", event: "task.updated", data: { ...change, title: "Old" } });
  assert.equal(queryClient.getQueryData(taskKey(change.id))?.title, "Changed");
});
