// The one client of the app, and TanStack Query's options made from it.
import { createClient, type FieldError } from "@taskboard/sdk";
import { createQueries } from "@taskboard/sdk/query";

// Where the API is served: `?api=…` in the page's address, else the page's own origin (the dev
// server passes /v1 on to the API: vite.config.ts).
export const API_URL = new URLSearchParams(location.search).get("api") ?? location.origin;

const KEPT = "taskboard.token";
let token = sessionStorage.getItem(KEPT) ?? undefined;

export const client = createClient({ baseUrl: API_URL, token: () => token });
export const queries = createQueries(client);

export function isSignedIn(): boolean {
  return token !== undefined;
}

export function keepToken(next: string | undefined): void {
  token = next;
  if (next === undefined) sessionStorage.removeItem(KEPT);
  else sessionStorage.setItem(KEPT, next);
}

/** A field error in the app's own words, from its code and bound (the English `detail` is for
 * developers). */
export function say(error: FieldError | undefined): string | undefined {
  if (error === undefined) return undefined;
  const bound = error.params ?? {};
  switch (error.code) {
    case "required":
      return "Required.";
    case "minLength":
      return bound.minLength === 1 ? "Must not be empty." : `At least ${bound.minLength} characters.`;
    case "maxLength":
      return `At most ${bound.maxLength} characters.`;
    case "pattern":
      return "Holds a character that is not allowed.";
    case "minimum":
    case "type":
      return "Must be a whole number of 1 or more.";
    case "notAMember":
      return "Not a member of this project.";
    default:
      return error.detail;
  }
}
