import type { components } from "./schema.js";

/** An RFC 9457 problem document: every error the service answers is one. */
export type Problem = components["schemas"]["Problem"];
/** A 422's problem: `errors` names each invalid field. */
export type ValidationProblem = components["schemas"]["ValidationProblem"];
export type FieldError = components["schemas"]["FieldError"];

/** A call's answer as the client gives it: the data, or the problem, and the response either way. */
export type Answer<Data> =
  | { data: Data; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };

/** Thrown by `unwrap`, `paginate` and the event stream when the service answers with a problem. */
export class ProblemError extends Error {
  readonly status: number;
  readonly problem: Problem | ValidationProblem;
  readonly response: Response;

  constructor(problem: Problem | ValidationProblem, response: Response) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
    this.name = "ProblemError";
    this.status = problem.status;
    this.problem = problem;
    this.response = response;
  }

  /** The invalid fields of a 422; empty for any other problem. */
  get fieldErrors(): FieldError[] {
    return isValidationProblem(this.problem) ? this.problem.errors : [];
  }

  /** How long to wait before trying again (429, 503), in milliseconds, when the service says. */
  get retryAfterMs(): number | undefined {
    return retryAfterMs(this.response);
  }

  /** The request's id (`X-Request-ID`): quote it in a bug report, it leads to the service's logs. */
  get requestId(): string | undefined {
    return this.problem.requestId ?? this.response.headers.get("X-Request-ID") ?? undefined;
  }
}

/** The first error of each field, by the field's name (the pointer's first step), for a form:
 * `byField(error.fieldErrors).title?.code`. Errors of the request's parameters are left out. */
export function byField(errors: readonly FieldError[]): Partial<Record<string, FieldError>> {
  const fields: Partial<Record<string, FieldError>> = {};
  for (const error of errors) {
    const name = error.pointer.split("/")[1]?.replaceAll("~1", "/").replaceAll("~0", "~");
    if (error.in === "body" && name !== undefined) fields[name] ??= error;
  }
  return fields;
}

export function isValidationProblem(problem: Problem): problem is ValidationProblem {
  return Array.isArray((problem as Partial<ValidationProblem>).errors);
}

/** The data of a call, or a `ProblemError` thrown for its problem:
 * `const task = await unwrap(client.GET("/v1/projects/{projectId}/tasks/{taskId}", {...}))`. */
export async function unwrap<A extends Answer<unknown>>(call: Promise<A>): Promise<DataOf<A>> {
  const answer = await call;
  if (answer.error !== undefined || !answer.response.ok) {
    throw new ProblemError(asProblem(answer.error, answer.response), answer.response);
  }
  return answer.data as DataOf<A>;
}

/** A success with what came with it: the data, the entity tag (for `If-Match`), the request's id
 * and the response. */
export interface Answered<Data> {
  data: Data;
  etag: string | undefined;
  requestId: string | undefined;
  response: Response;
}

/** As `unwrap`, keeping the answer's ETag, request id and response:
 * `const { data: task, etag } = await unwrapWithResponse(client.GET(...))`, then `If-Match: etag`. */
export async function unwrapWithResponse<A extends Answer<unknown>>(call: Promise<A>): Promise<Answered<DataOf<A>>> {
  const answer = await call;
  const data = await unwrap(Promise.resolve(answer));
  const header = (name: string) => answer.response.headers.get(name) ?? undefined;
  return { data, etag: header("ETag"), requestId: header("X-Request-ID"), response: answer.response };
}

/** The data of an answer's success (undefined for a 204). */
export type DataOf<A> = A extends { data: infer Data; error?: never } ? ([Data] extends [never] ? undefined : Data) : never;

/** The problem of a failed response, read from its body. */
export async function problemOf(response: Response): Promise<ProblemError> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: something between the client and the service answered.
  }
  return new ProblemError(asProblem(body, response), response);
}

function asProblem(body: unknown, response: Response): Problem | ValidationProblem {
  if (typeof body === "object" && body !== null && typeof (body as Problem).status === "number") {
    return body as Problem;
  }
  // Not a problem document (a proxy's error page, say): one made of the status.
  const detail = typeof body === "string" && body ? body.slice(0, 500) : undefined;
  return { type: "about:blank", title: response.statusText || `HTTP ${response.status}`, status: response.status, ...(detail ? { detail } : {}) };
}

/** Retry-After in milliseconds, from seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get("Retry-After");
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
