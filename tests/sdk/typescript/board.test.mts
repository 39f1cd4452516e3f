// The TypeScript SDK driven against a live server as a frontend team drives it: the board flow of
// the Python SDK's tests, typed errors, typed live events, retries and timeouts. The server's
// address is TASKBOARD_URL; TASKBOARD_LIMITED_URL is one that allows 3 requests a second per user.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createClient,
  etag,
  idempotencyKey,
  paginate,
  ProblemError,
  type ProjectStreamEvent,
  replayed,
  streamInvitations,
  streamProjectEvents,
  type Task,
  type TaskboardClient,
  unwrap,
} from "@taskboard/sdk";

import { LIMITED_URL, signedUp, URL } from "./accounts.mjs";

async function rejection(call: Promise<unknown>): Promise<ProblemError> {
  const error = await call.then(
    () => assert.fail("expected a problem"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ProblemError, String(error));
  return error;
}

test("two users share a board: members, tasks, pages, If-Match, idempotent creates and problems", async () => {
  const ada = await signedUp();
  const bob = await signedUp();
  const created = await ada.client.POST("/v1/projects", { body: { name: "Launch" } });
  assert.equal(created.response.status, 201);
  assert.equal(etag(created.response), '"1"');
  assert.match(created.response.headers.get("Location") ?? "", /^\/v1\/projects\/\d+$/);
  const project = created.data!;
  const projectId = project.id;
  const invited = await ada.client.POST("/v1/projects/{projectId}/invitations", {
    params: { path: { projectId } },
    body: { userId: bob.user.id },
  });
  assert.equal(invited.response.status, 201);
  assert.equal(invited.response.headers.get("Location"), `/v1/invitations/${invited.data?.id}`);
  const [pending] = (await unwrap(bob.client.GET("/v1/invitations"))).items;
  assert.deepEqual([pending?.projectName, pending?.status], ["Launch", "pending"]);
  const added = await unwrap(bob.client.POST("/v1/invitations/{invitationId}/accept", { params: { path: { invitationId: pending!.id } } }));
  assert.equal(added.role, "member");

  // Bob creates five tasks; a retried create with the same key is answered once.
  const key = idempotencyKey();
  const tasks: Task[] = [];
  for (const title of ["One", "Two", "Three", "Four", "Five"]) {
    tasks.push(await unwrap(bob.client.POST("/v1/projects/{projectId}/tasks", { params: { path: { projectId } }, body: { title } })));
  }
  const first = await bob.client.POST("/v1/projects/{projectId}/tasks", {
    params: { path: { projectId }, header: { "Idempotency-Key": key } },
    body: { title: "Once" },
  });
  const again = await bob.client.POST("/v1/projects/{projectId}/tasks", {
    params: { path: { projectId }, header: { "Idempotency-Key": key } },
    body: { title: "Once" },
  });
  assert.equal(first.response.status, 201);
  assert.equal(replayed(first.response), false);
  assert.equal(replayed(again.response), true);
  assert.deepEqual(again.data, first.data);
  tasks.push(first.data!);

  // Every task, two to a page.
  const listed: Task[] = [];
  for await (const task of paginate((cursor) =>
    ada.client.GET("/v1/projects/{projectId}/tasks", { params: { path: { projectId }, query: { limit: 2, cursor } } }),
  )) {
    listed.push(task);
  }
  assert.deepEqual(listed.map((t) => t.id).sort(), tasks.map((t) => t.id).sort());

  // If-Match: the current ETag updates; a stale one is 412; none at all is 428.
  const task = tasks[0]!;
  const read = await ada.client.GET("/v1/projects/{projectId}/tasks/{taskId}", { params: { path: { projectId, taskId: task.id } } });
  const current = etag(read.response)!;
  const updated = await ada.client.PATCH("/v1/projects/{projectId}/tasks/{taskId}", {
    params: { path: { projectId, taskId: task.id }, header: { "If-Match": current } },
    body: { status: "done" },
  });
  assert.equal(updated.data?.status, "done");
  assert.notEqual(etag(updated.response), current);
  const stale = await rejection(
    unwrap(
      ada.client.PATCH("/v1/projects/{projectId}/tasks/{taskId}", {
        params: { path: { projectId, taskId: task.id }, header: { "If-Match": current } },
        body: { title: "Late" },
      }),
    ),
  );
  assert.equal(stale.status, 412);
  const missing = await rejection(
    unwrap(
      ada.client.PATCH("/v1/projects/{projectId}/tasks/{taskId}", {
        // @ts-expect-error: the contract requires If-Match, and so do the SDK's types
        params: { path: { projectId, taskId: task.id } },
        body: { title: "Blind" },
      }),
    ),
  );
  assert.equal(missing.status, 428);
  assert.equal(missing.problem.title, "Precondition Required");
  assert.match(missing.requestId ?? "", /^[0-9a-f]{32}$/); // for a bug report: it leads to the logs
  assert.equal(missing.requestId, missing.response.headers.get("X-Request-ID"));

  // A member who is not the owner may not rename the project (403), and a title may not be empty (422).
  const forbidden = await bob.client.PATCH("/v1/projects/{projectId}", {
    params: { path: { projectId }, header: { "If-Match": "*" } },
    body: { name: "Bob's" },
  });
  assert.equal(forbidden.response.status, 403);
  assert.equal(forbidden.error?.status, 403);
  assert.equal(forbidden.response.headers.get("Content-Type"), "application/problem+json");
  const invalid = await rejection(unwrap(bob.client.POST("/v1/projects/{projectId}/tasks", { params: { path: { projectId } }, body: { title: "" } })));
  assert.equal(invalid.status, 422);
  assert.deepEqual(
    invalid.fieldErrors.map((e) => [e.in, e.pointer]),
    [["body", "/title"]],
  );

  // Someone else's project does not exist, for them.
  const eve = await signedUp();
  const hidden = await rejection(unwrap(eve.client.GET("/v1/projects/{projectId}", { params: { path: { projectId } } })));
  assert.equal(hidden.status, 404);
});

test("answers without a body: a conditional read still current (304), a deleted task and a sign-out (204)", async () => {
  const ada = await signedUp();
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Bodiless" } }));
  const task = await unwrap(ada.client.POST("/v1/projects/{projectId}/tasks", { params: { path: { projectId } }, body: { title: "Gone soon" } }));
  const path = { projectId, taskId: task.id };
  const read = await ada.client.GET("/v1/projects/{projectId}/tasks/{taskId}", { params: { path } });
  const current = etag(read.response)!;
  const unchanged = await ada.client.GET("/v1/projects/{projectId}/tasks/{taskId}", {
    params: { path, header: { "If-None-Match": current } },
  });
  assert.equal(unchanged.response.status, 304);
  assert.equal(unchanged.data, undefined);
  assert.equal(etag(unchanged.response), current);
  const deleted = await ada.client.DELETE("/v1/projects/{projectId}/tasks/{taskId}", { params: { path } });
  assert.equal(deleted.response.status, 204);
  assert.equal(deleted.data, undefined);
  assert.equal(await unwrap(ada.client.DELETE("/v1/tokens/current")), undefined);
  const after = await rejection(unwrap(ada.client.GET("/v1/users/me")));
  assert.equal(after.status, 401);
});

/** The first event named `name`, skipping others (a project's history starts with its owner joining). */
async function first<Name extends ProjectStreamEvent["event"]>(
  events: AsyncGenerator<ProjectStreamEvent>,
  name: Name,
): Promise<Extract<ProjectStreamEvent, { event: Name }>> {
  for await (const event of events) {
    if (event.event === name) return event as Extract<ProjectStreamEvent, { event: Name }>;
  }
  return assert.fail(`the stream ended before a ${name} event`);
}

test("live events arrive typed, resume after the last id, and a refused stream is a problem", async () => {
  const ada = await signedUp();
  const bob = await signedUp();
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Live" } }));
  const tasks = { params: { path: { projectId } } };
  const task = await unwrap(ada.client.POST("/v1/projects/{projectId}/tasks", { ...tasks, body: { title: "Seen" } }));
  // From the project's first event on ("0"), so that nothing depends on when the stream opens.
  const created = await first(streamProjectEvents(ada.client, projectId, { lastEventId: "0" }), "task.created");
  assert.equal(created.data.title, "Seen"); // a Task: the union narrows on `event`
  assert.deepEqual(created.data, task);

  // Missed while away: sent first when resuming after the last id seen.
  const path = { params: { path: { projectId, taskId: task.id } } };
  await unwrap(ada.client.PATCH("/v1/projects/{projectId}/tasks/{taskId}", { params: { ...path.params, header: { "If-Match": "*" } }, body: { status: "done" } }));
  await unwrap(ada.client.DELETE("/v1/projects/{projectId}/tasks/{taskId}", path));
  const seen: string[] = [];
  for await (const event of streamProjectEvents(ada.client, projectId, { lastEventId: created.id })) {
    seen.push(event.event);
    if (event.event === "task.deleted") {
      assert.deepEqual(event.data, { id: task.id });
      break; // leaving the loop closes the stream
    }
  }
  assert.deepEqual(seen, ["task.updated", "task.deleted"]);

  // Bob is no member: the stream is refused with the parsed problem.
  const refused = await rejection(streamProjectEvents(bob.client, projectId).next());
  assert.equal(refused.status, 404);
  assert.equal(refused.problem.detail, `No project with id ${projectId}.`);

  // A ticket opens the stream without the token, once (what a browser's EventSource must do).
  const anonymous = createClient({ baseUrl: URL });
  const { ticket } = await unwrap(ada.client.POST("/v1/projects/{projectId}/events/tickets", tasks));
  const viaTicket = await first(streamProjectEvents(anonymous, projectId, { ticket, lastEventId: "0" }), "task.deleted");
  assert.deepEqual(viaTicket.data, { id: task.id });
  const used = await rejection(streamProjectEvents(anonymous, projectId, { ticket }).next());
  assert.equal(used.status, 401);
});

test("an invitee follows their invitations live, typed", async () => {
  const ada = await signedUp();
  const bob = await signedUp();
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Invited" } }));
  const invitation = await unwrap(ada.client.POST("/v1/projects/{projectId}/invitations", { params: { path: { projectId } }, body: { userId: bob.user.id } }));
  for await (const event of streamInvitations(bob.client, { lastEventId: "0" })) {
    if (event.event !== "invitation.created") return assert.fail(`${event.event} before invitation.created`);
    assert.deepEqual(event.data, invitation); // an Invitation: the union narrows on `event`
    break;
  }
  await unwrap(bob.client.POST("/v1/invitations/{invitationId}/decline", { params: { path: { invitationId: invitation.id } } }));
  const seen: string[] = [];
  for await (const event of streamInvitations(bob.client, { lastEventId: "0" })) {
    seen.push(event.event === "reset" ? "reset" : `${event.event} ${event.data.status}`);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ["invitation.created pending", "invitation.updated declined"]);
});

test("429s are retried after Retry-After for calls that may be repeated, and never for a create without a key", async () => {
  const patient = await signedUp(LIMITED_URL);
  const impatient = createClient({ baseUrl: LIMITED_URL, token: patient.token, maxRetries: 0 });
  // Three requests a second (a moving window): the fourth in a row is refused, and says when to come back.
  const overLimit = async () => {
    for (let i = 0; i < 10; i++) {
      const answer = await impatient.GET("/v1/users/me");
      if (answer.response.status === 429) return answer;
    }
    return assert.fail("ten requests in a row, and none refused");
  };
  const refused = await overLimit();
  assert.equal(refused.error?.status, 429);
  const retryAfter = Number(refused.response.headers.get("Retry-After"));
  assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After: ${retryAfter}`);
  // The default client waits and tries again: the same call succeeds.
  const started = Date.now();
  const again = await patient.client.GET("/v1/users/me");
  assert.equal(again.response.status, 200);
  assert.equal(again.data?.id, patient.user.id);
  // A create without an Idempotency-Key is not repeated: its 429 comes back at once.
  await overLimit();
  const create = await patient.client.POST("/v1/projects", { body: { name: "Not twice" } });
  assert.equal(create.response.status, 429);
  assert.ok(Date.now() - started < 10_000);
});

test("a call that gets no whole answer in time fails with a TimeoutError", async () => {
  const ada = await signedUp(URL, { timeoutMs: 500 });
  const { id: projectId } = await unwrap(ada.client.POST("/v1/projects", { body: { name: "Slow" } }));
  // The event stream's body never ends: as a JSON call, it is an answer that never comes whole.
  const slow = ada.client.GET("/v1/projects/{projectId}/events", { params: { path: { projectId } } });
  await assert.rejects(slow, (error: unknown) => error instanceof DOMException && error.name === "TimeoutError");
  // Per call: the caller's own signal.
  const quick = createClient({ baseUrl: URL, token: ada.token });
  const cut = quick.GET("/v1/projects/{projectId}/events", { params: { path: { projectId } }, signal: AbortSignal.timeout(200) });
  await assert.rejects(cut, (error: unknown) => error instanceof DOMException && error.name === "TimeoutError");
});

// Not a test of the service: the client type in a signature, as a frontend writes one.
export function boardClient(token: string): TaskboardClient {
  return createClient({ baseUrl: URL, token });
}
