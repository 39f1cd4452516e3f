// The Taskboard SDK: the generated types of the contract (./schema.ts), and what a frontend needs
// beside them, written by hand in codegen/sdk_typescript/ and shipped with them by `make generate`.
export { authorized, createClient, etag, idempotencyKey, ifMatch, replayed } from "./client.js";
export type { ClientOptions, Settings, TaskboardClient } from "./client.js";
export { eventSourceUrl, PROJECT_EVENT_NAMES, projectEventOf, streamInvitations, streamProjectEvents } from "./events.js";
export type {
  EventData,
  EventName,
  InvitationEventName,
  InvitationStreamEvent,
  ProjectStreamEvent,
  StreamOptions,
} from "./events.js";
// The contract's ProjectEvent carries `data` as text; the SDK's is parsed, and typed by `event`.
export type { ProjectStreamEvent as ProjectEvent } from "./events.js";
export { paginate } from "./pages.js";
export type { Page } from "./pages.js";
export { byField, isValidationProblem, ProblemError, problemOf, retryAfterMs, unwrap, unwrapWithResponse } from "./problems.js";
export type { Answer, Answered, DataOf, FieldError, Problem, ValidationProblem } from "./problems.js";
export type * from "./schema.js";
