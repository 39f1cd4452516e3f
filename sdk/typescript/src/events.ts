import { authorized, type TaskboardClient } from "./client.js";
import { problemOf, unwrap } from "./problems.js";
import type { components } from "./schema.js";

type Schemas = components["schemas"];

/** What each event's `data` is, by the event's name (the contract's `ProjectEvent`). */
export interface EventData {
  "task.created": Schemas["Task"];
  "task.updated": Schemas["Task"];
  "task.deleted": Schemas["DeletedResource"];
  "member.added": Schemas["Member"];
  "member.removed": Schemas["RemovedMember"];
  "invitation.created": Schemas["Invitation"];
  "invitation.updated": Schemas["Invitation"];
  "project.updated": Schemas["Project"];
  "project.deleted": Schemas["DeletedResource"];
  /** The events missed since `lastEventId` are no longer kept: refetch, then go on. */
  reset: Schemas["Refetch"];
}

/** The name of every event the contract defines. */
export type EventName = Schemas["ProjectEvent"]["event"];

/** One event of a project's stream, discriminated by `event`: `if (e.event === "task.created") e.data.title`. */
export type ProjectStreamEvent = { [Name in EventName]: { id: string; event: Name; data: EventData[Name] } }[EventName];

// Kept in step with the contract by the compiler: an event it adds or drops fails the build here.
const KNOWN: Record<EventName, true> & Record<keyof EventData, true> = {
  "task.created": true,
  "task.updated": true,
  "task.deleted": true,
  "member.added": true,
  "member.removed": true,
  "invitation.created": true,
  "invitation.updated": true,
  "project.updated": true,
  "project.deleted": true,
  reset: true,
};

export interface StreamOptions {
  /** Resume after this event id: every event since is sent first (or one `reset`). */
  lastEventId?: string;
  /** The stream ends when nothing, not even the service's heartbeat (every 15 s), arrives for this
   * long (45 000 ms): a connection that died without closing. Resume with the last id. */
  idleTimeoutMs?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** A ticket from `createStreamTicket`, instead of the client's token. */
  ticket?: string;
  /** Called once the service has opened the stream, before its first event (which may come
   * minutes later): the moment to refetch what was loaded before subscribing, so that nothing
   * changed in between is missed. The stream opens when it is first iterated. */
  onOpen?: (response: Response) => void;
}

/** The names of a project's events, for an app that listens on an `EventSource`. */
export const PROJECT_EVENT_NAMES = Object.keys(KNOWN) as readonly EventName[];

/** The live events of a project, typed, until the service ends the stream (at the latest after an
 * hour, or when the caller's token stops working): then reconnect with the last event's `id` as
 * `lastEventId`. Works in browsers and in Node (fetch, with the client's token). Opening it
 * throws a `ProblemError` for a problem answer (401, 404, 429, 503…). */
export function streamProjectEvents(
  client: TaskboardClient,
  projectId: number,
  options: StreamOptions = {},
): AsyncGenerator<ProjectStreamEvent, void, undefined> {
  return follow<ProjectStreamEvent>(client, `/v1/projects/${projectId}/events`, KNOWN, options);
}

/** What each event of `streamInvitations` carries, by the event's name (the contract's `InvitationEvent`). */
export type InvitationEventName = Schemas["InvitationEvent"]["event"];

/** One event of the caller's invitations' stream: `invitation.created` when an owner invites them,
 * `invitation.updated` when an invitation is revoked or answered, `reset` to refetch. */
export type InvitationStreamEvent = {
  [Name in InvitationEventName]: { id: string; event: Name; data: EventData[Name] };
}[InvitationEventName];

const INVITATION_EVENTS: Record<InvitationEventName, true> = {
  "invitation.created": true,
  "invitation.updated": true,
  reset: true,
};

/** The live changes to the caller's invitations, typed, as `streamProjectEvents` streams a
 * project's (resume with `lastEventId`). No ticket opens it: it always sends the client's token. */
export function streamInvitations(
  client: TaskboardClient,
  options: Omit<StreamOptions, "ticket"> = {},
): AsyncGenerator<InvitationStreamEvent, void, undefined> {
  return follow<InvitationStreamEvent>(client, "/v1/invitations/events", INVITATION_EVENTS, options);
}

async function* follow<E>(
  client: TaskboardClient,
  path: string,
  known: Record<string, true>,
  options: StreamOptions,
): AsyncGenerator<E, void, undefined> {
  const { settings } = client;
  const url = new URL(`${settings.baseUrl}${path}`, globalThis.location?.href);
  const headers = new Headers({ Accept: "text/event-stream" });
  if (options.lastEventId !== undefined) headers.set("Last-Event-ID", options.lastEventId);
  if (options.ticket !== undefined) url.searchParams.set("ticket", options.ticket);
  const init = {
    headers: options.ticket === undefined ? await authorized(settings, headers) : headers,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const response = await settings.fetch(new Request(url, init));
  if (response.status !== 200 || response.body === null) throw await problemOf(response);
  options.onOpen?.(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const idleMs = options.idleTimeoutMs ?? 45_000;
  try {
    let buffer = "";
    let frame: { id?: string; event?: string; data: string[] } = { data: [] };
    for (;;) {
      const read = await withinMs(reader.read(), idleMs);
      if (read === undefined) return; // idle too long: as if the service had ended the stream
      if (!read.done) buffer += read.value;
      // A CR that ends the buffer may be the first half of a CRLF: it waits for what follows, unless
      // nothing follows.
      const lines = buffer.split(read.done ? /\r\n|\r|\n/ : /\r\n|\r(?!$)|\n/);
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "") {
          const { id, event, data } = frame;
          frame = { data: [] };
          if (id !== undefined && event !== undefined && Object.hasOwn(known, event)) {
            yield { id, event, data: JSON.parse(data.join("\n")) } as E;
          }
        } else if (!line.startsWith(":")) {
          const colon = line.indexOf(":");
          const name = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (name === "data") frame.data.push(value);
          else if (name === "id" || name === "event") frame[name] = value;
        }
      }
      if (read.done) return; // ended by the service; an event it did not finish is dropped
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** What `promise` gives, or undefined when it gives nothing within `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A URL that a browser's `EventSource` can open (it cannot send the token): made with a fresh
 * ticket, which opens one stream within 30 seconds. The `EventSource`'s own reconnection repeats the
 * spent ticket and fails: when it errors, close it and open a new one on a new URL, resuming after
 * the last event received (`lastEventId`):
 *
 *     let last: string | undefined;
 *     const source = new EventSource(await eventSourceUrl(client, projectId, { lastEventId: last }));
 *     source.addEventListener("task.created", (message) => {
 *       const event = projectEventOf(message); // typed by its name
 *       last = message.lastEventId;
 *     });
 */
export async function eventSourceUrl(
  client: TaskboardClient,
  projectId: number,
  options: { lastEventId?: string | undefined } = {},
): Promise<string> {
  const { ticket } = await unwrap(client.POST("/v1/projects/{projectId}/events/tickets", { params: { path: { projectId } } }));
  const url = new URL(`${client.settings.baseUrl}/v1/projects/${projectId}/events`, globalThis.location?.href);
  url.searchParams.set("ticket", ticket);
  if (options.lastEventId !== undefined) url.searchParams.set("after", options.lastEventId);
  return url.toString();
}

/** An `EventSource`'s message as the SDK's stream gives it (`{ id, event, data }`, typed by the
 * event's name, `data` parsed), or undefined for an event this SDK does not know. The data's shape is
 * trusted, as the stream trusts it; `parseProjectEvent` of `@taskboard/sdk/validators` checks it. */
export function projectEventOf(message: MessageEvent<string>): ProjectStreamEvent | undefined {
  if (!Object.hasOwn(KNOWN, message.type)) return undefined;
  return { id: message.lastEventId, event: message.type, data: JSON.parse(message.data) } as ProjectStreamEvent;
}
