// `@taskboard/sdk/validators`: zod schemas of the contract's schemas (`zTaskCreate`, `zTaskUpdate`…),
// generated from it, and `check`, which reports what they find as the service reports a 422: one
// form's code reads the errors of both alike. Zod is the app's own (a peer dependency).
import type { z } from "zod";

import type { EventData, EventName, ProjectStreamEvent } from "./events.js";
import type { FieldError } from "./problems.js";
import { zDeletedResource, zInvitation, zMember, zProject, zRefetch, zRemovedMember, zTask } from "./validators.gen.js";

export * from "./validators.gen.js";

// Each event's data by its name, as EventData types it (the compiler holds the two in step).
const EVENT_DATA: { [Name in EventName]: z.ZodType<EventData[Name]> } = {
  "task.created": zTask,
  "task.updated": zTask,
  "task.deleted": zDeletedResource,
  "member.added": zMember,
  "member.removed": zRemovedMember,
  "invitation.created": zInvitation,
  "invitation.updated": zInvitation,
  "project.updated": zProject,
  "project.deleted": zDeletedResource,
  // Empty, and open to members later: what it may hold is none of a reset's business.
  reset: zRefetch.transform((): EventData["reset"] => ({})),
};

/** An `EventSource`'s message as the SDK's stream gives it, its data checked against the contract:
 * undefined for an event this SDK does not know; a `ZodError` thrown for data that does not match. */
export function parseProjectEvent(message: MessageEvent<string>): ProjectStreamEvent | undefined {
  if (!Object.hasOwn(EVENT_DATA, message.type)) return undefined;
  const name = message.type as EventName;
  const data = EVENT_DATA[name].parse(JSON.parse(message.data));
  return { id: message.lastEventId, event: name, data } as ProjectStreamEvent;
}

/** What `check` finds: the data as the schema gives it (with its defaults), or the field errors. */
export type Checked<Data> = { data: Data; errors?: never } | { data?: never; errors: FieldError[] };

/** Checks `value` with `schema` as the service checks a request body, before it is sent:
 * `const { errors } = check(zTaskCreate, form)`. Each error names its field by JSON pointer, with
 * the code and bound a 422's would have (`minLength`, `{ minLength: 1 }`); unknown fields are
 * dropped, not refused. */
export function check<Schema extends z.ZodType>(schema: Schema, value: unknown): Checked<z.output<Schema>> {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data };
  return { errors: result.error.issues.map((issue) => fieldError(issue, value)) };
}

type Issue = z.core.$ZodIssue;

function fieldError(issue: Issue, value: unknown): FieldError {
  const pointer = issue.path.map((part) => `/${String(part).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
  return { in: "body", pointer, ...codeOf(issue, value), detail: issue.message };
}

function codeOf(issue: Issue, value: unknown): Pick<FieldError, "code" | "params"> {
  switch (issue.code) {
    case "invalid_type":
      return { code: at(value, issue.path) === undefined ? "required" : "type" };
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = Number(small ? issue.minimum : issue.maximum);
      const keyword =
        issue.origin === "string"
          ? small ? "minLength" : "maxLength"
          : issue.origin === "array"
            ? small ? "minItems" : "maxItems"
            : issue.inclusive === false
              ? small ? "exclusiveMinimum" : "exclusiveMaximum"
              : small ? "minimum" : "maximum";
      return { code: keyword, params: { [keyword]: bound } };
    }
    case "invalid_format":
      return issue.format === "regex" && issue.pattern !== undefined
        ? { code: "pattern", params: { pattern: issue.pattern.replace(/^\/(.*)\/[a-z]*$/s, "$1") } }
        : { code: "format" };
    case "invalid_value":
      return { code: "enum", params: { enum: [...issue.values] } };
    default:
      return { code: "invalid" };
  }
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let here = value;
  for (const part of path) {
    if (typeof here !== "object" || here === null) return undefined;
    here = (here as Record<PropertyKey, unknown>)[part];
  }
  return here;
}
