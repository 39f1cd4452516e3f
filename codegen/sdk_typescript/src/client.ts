import createFetchClient, { type Client } from "openapi-fetch";

import { DOWNLOADS } from "./downloads.js";
import { retryAfterMs } from "./problems.js";
import type { paths } from "./schema.js";

export interface ClientOptions {
  /** Where the API is served, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** The bearer token from `createToken`, or a function that gives the current one (it may fetch it). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Milliseconds before each try of a call is abandoned with a `TimeoutError` (30 000). For one
   * call, pass `signal: AbortSignal.timeout(ms)`; event streams have none. */
  timeoutMs?: number;
  /** Retries of a call that may be repeated, after 429, 503 or a network error (2; 0 for none).
   * A call may be repeated when its method is GET, HEAD, PUT or DELETE, or it carries an
   * `Idempotency-Key` (see `idempotencyKey()`); POST and PATCH without one are never retried. */
  maxRetries?: number;
  /** The longest wait before a retry, in milliseconds (60 000): a longer `Retry-After` is not
   * waited for, and its answer is returned. */
  maxRetryDelayMs?: number;
  /** The fetch to call (`globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

export type Settings = Required<Omit<ClientOptions, "token">> & Pick<ClientOptions, "token">;

/** The typed client: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` by the contract's paths (openapi-fetch),
 * each answering `{ data, error, response }`; `settings` are what it was made with. */
export type TaskboardClient = Client<paths> & { readonly settings: Settings };

const REPEATABLE_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
const RETRIED_STATUSES = new Set([429, 503]);

export function createClient(options: ClientOptions): TaskboardClient {
  // `??`, not a spread: an option given as undefined takes its default too.
  const settings: Settings = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    token: options.token,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 2,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
  };
  const client = createFetchClient<paths>({
    baseUrl: settings.baseUrl,
    fetch: resilient(settings),
    bodySerializer: serializeBody,
  });
  readingFiles(client);
  return Object.assign(client, { settings });
}

/** Each call to an operation that answers a file reads it as the contract types it (text, or a
 * Blob for `format: binary`), unless the call says otherwise (`parseAs`); any other answer is JSON. */
function readingFiles(client: Client<paths>): void {
  type Call = (path: string, init?: { parseAs?: string }) => Promise<unknown>;
  const calls = client as unknown as Record<string, Call>;
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    const call = calls[method]!;
    calls[method] = (path, init) => {
      const parseAs = DOWNLOADS[`${method} ${path}`];
      return call(path, parseAs !== undefined && init?.parseAs === undefined ? { ...init, parseAs } : init);
    };
  }
}

/** A body with a file (a `Blob` or `File`) in it goes as `multipart/form-data`, as the contract's
 * uploads take it (every upload has a file part); any other as JSON. */
export function serializeBody(body: unknown): string | FormData {
  if (body instanceof FormData) return body;
  if (typeof body !== "object" || body === null || !Object.values(body).some((value) => value instanceof Blob)) {
    return JSON.stringify(body);
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) form.append(name, value instanceof Blob ? value : String(value));
  }
  return form;
}

/** A fresh `Idempotency-Key`: a create that carries one is answered once, and may be retried. */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost); getRandomValues everywhere.
  if (typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The response's entity tag, for `If-Match` and `If-None-Match`. */
export function etag(response: Response): string | undefined {
  return response.headers.get("ETag") ?? undefined;
}

/** The `If-Match` of a task or project read from a list, an answer or a live event, without its
 * ETag: its version in quotes (`{ headers: { "If-Match": ifMatch(task) } }`). */
export function ifMatch(item: { version: number }): string {
  return `"${item.version}"`;
}

/** Whether the service answered a repeated `Idempotency-Key` with the first answer again. */
export function replayed(response: Response): boolean {
  return response.headers.get("Idempotent-Replayed") === "true";
}

const HEADERS = { set: (headers: Headers, name: string, value: string) => headers.set(name, value) };

/** What an app's OpenTelemetry registers on its global (`@opentelemetry/api`'s, version 1): read
 * there, not imported, so that an app without OpenTelemetry carries none of it. */
interface Telemetry {
  context?: { active(): unknown };
  propagation?: { inject(context: unknown, carrier: Headers, setter: typeof HEADERS): void };
}
const TELEMETRY = Symbol.for("opentelemetry.js.api.1");

/** Headers with the client's bearer token, unless they carry credentials already, and the caller's
 * trace context (`traceparent`, ...) when OpenTelemetry is in use and a span is active: the
 * service's spans then join the caller's trace. Without an OpenTelemetry SDK, nothing is added. */
export async function authorized(settings: Settings, headers: HeadersInit | undefined): Promise<Headers> {
  const merged = new Headers(headers);
  const token = typeof settings.token === "function" ? await settings.token() : settings.token;
  if (token && !merged.has("Authorization")) merged.set("Authorization", `Bearer ${token}`);
  const telemetry = (globalThis as { [TELEMETRY]?: Telemetry })[TELEMETRY];
  if (telemetry?.context && telemetry.propagation) {
    telemetry.propagation.inject(telemetry.context.active(), merged, HEADERS);
  }
  return merged;
}

function resilient(settings: Settings): (request: Request) => Promise<Response> {
  return async (request) => {
    const base = new Request(request, { headers: await authorized(settings, request.headers) });
    const repeatable = REPEATABLE_METHODS.has(base.method) || base.headers.has("Idempotency-Key");
    for (let attempt = 0; ; attempt++) {
      const last = !repeatable || attempt >= settings.maxRetries;
      const limit = deadline(settings.timeoutMs, request.signal);
      let response: Response;
      try {
        response = await settings.fetch(new Request(last ? base : base.clone(), { signal: limit.signal }));
      } catch (error) {
        limit.clear();
        // fetch's TypeError is a network failure; a timeout or the caller's abort is not retried.
        if (last || !(error instanceof TypeError)) throw error;
        await sleep(backoffMs(attempt, settings), request.signal);
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return within(limit, response);
      const wait = retryAfterMs(response) ?? backoffMs(attempt, settings);
      if (wait > settings.maxRetryDelayMs) return within(limit, response);
      // Read, not cancelled: a browser shows a cancelled call as failed.
      await response.arrayBuffer().catch(() => undefined);
      limit.clear();
      await sleep(wait, request.signal);
    }
  };
}

interface Deadline {
  /** Aborts after the deadline with a TimeoutError, or when the caller's signal aborts. */
  readonly signal: AbortSignal;
  /** Once the answer is whole (or abandoned): its timer and its hold on the caller's signal go. */
  clear(): void;
}

// Node's fetch (undici) may lose the abort of a body still being read once its own request object
// has been collected (nodejs/node#55428): there, a call whose answer never ends would hang past its
// timeout, so its body is made to fail at the deadline (`within`). Browsers fail it themselves with
// the deadline's reason, which such a body would lose (Chromium fails the reading of a body made by a
// script with a TypeError of its own), and end a finished call quietly.
const LOSES_ABORTS = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

/** A deadline `ms` from now: the browser's own timer where it has one, else one of ours, which holds
 * the signal until then (AbortSignal.timeout's signal may be collected first in Node, and its timeout
 * lost). */
function deadline(ms: number, caller: AbortSignal): Deadline {
  if (!LOSES_ABORTS && typeof AbortSignal.any === "function") {
    return { signal: AbortSignal.any([caller, AbortSignal.timeout(ms)]), clear: () => undefined };
  }
  const controller = new AbortController();
  const expire = () => controller.abort(new DOMException("The call took longer than timeoutMs.", "TimeoutError"));
  const follow = () => controller.abort(caller.reason);
  const timer: unknown = setTimeout(expire, ms);
  (timer as { unref?: () => void }).unref?.(); // in Node, a pending timeout keeps no process running
  if (caller.aborted) follow();
  else caller.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
      caller.removeEventListener("abort", follow);
    },
  };
}

// Statuses whose answers have no body: a Response made for one may not be given any, and browsers
// hand over an empty one (Node's fetch, null).
const BODILESS = new Set([101, 103, 204, 205, 304]);

/** The answer, read within the deadline. In Node, its body is one that fails with the deadline's
 * reason when it aborts, and the deadline is cleared once the body is read to its end, fails, or is
 * cancelled. */
function within(limit: Deadline, response: Response): Response {
  const source = response.body;
  if (source === null || BODILESS.has(response.status)) {
    limit.clear();
    return response;
  }
  if (!LOSES_ABORTS) return response;
  const reader = source.getReader();
  const { signal } = limit;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = (): void => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => undefined);
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (signal.aborted) return; // errored by `stop` meanwhile
        if (done) {
          limit.clear();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        limit.clear();
        throw signal.aborted ? signal.reason : error;
      }
    },
    cancel(reason) {
      limit.clear();
      return reader.cancel(reason);
    },
  });
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

function backoffMs(attempt: number, settings: Settings): number {
  // Exponential, with jitter, so that clients refused together do not come back together.
  return Math.min(settings.maxRetryDelayMs, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener("abort", aborted, { once: true });
  });
}
