import createFetchClient, { type Client } from "openapi-fetch";

import { retryAfterMs } from "./problems.js";
import type { paths } from "./schema.js";

export interface ClientOptions {
  /** Where the API is served, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** The bearer token from `createToken`, or a function that gives the current one. */
  token?: string | (() => string | undefined);
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
  const settings: Settings = {
    timeoutMs: 30_000,
    maxRetries: 2,
    maxRetryDelayMs: 60_000,
    fetch: (request) => globalThis.fetch(request),
    ...options,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
  };
  const client = createFetchClient<paths>({ baseUrl: settings.baseUrl, fetch: resilient(settings) });
  return Object.assign(client, { settings });
}

/** A fresh `Idempotency-Key`: a create that carries one is answered once, and may be retried. */
export function idempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** The response's entity tag, for `If-Match` and `If-None-Match`. */
export function etag(response: Response): string | undefined {
  return response.headers.get("ETag") ?? undefined;
}

/** Whether the service answered a repeated `Idempotency-Key` with the first answer again. */
export function replayed(response: Response): boolean {
  return response.headers.get("Idempotent-Replayed") === "true";
}

/** Headers with the client's bearer token, unless they carry credentials already. */
export function authorized(settings: Settings, headers: HeadersInit | undefined): Headers {
  const merged = new Headers(headers);
  const token = typeof settings.token === "function" ? settings.token() : settings.token;
  if (token && !merged.has("Authorization")) merged.set("Authorization", `Bearer ${token}`);
  return merged;
}

function resilient(settings: Settings): (request: Request) => Promise<Response> {
  return async (request) => {
    const base = new Request(request, { headers: authorized(settings, request.headers) });
    const repeatable = REPEATABLE_METHODS.has(base.method) || base.headers.has("Idempotency-Key");
    for (let attempt = 0; ; attempt++) {
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(settings.timeoutMs)]);
      const last = !repeatable || attempt >= settings.maxRetries;
      let response: Response;
      try {
        response = await settings.fetch(new Request(last ? base : base.clone(), { signal }));
      } catch (error) {
        // fetch's TypeError is a network failure; a timeout or the caller's abort is not retried.
        if (last || !(error instanceof TypeError)) throw error;
        await sleep(backoffMs(attempt, settings), request.signal);
        continue;
      }
      if (last || !RETRIED_STATUSES.has(response.status)) return response;
      const wait = retryAfterMs(response) ?? backoffMs(attempt, settings);
      if (wait > settings.maxRetryDelayMs) return response;
      await response.body?.cancel();
      await sleep(wait, request.signal);
    }
  };
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
