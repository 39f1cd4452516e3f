// Users made through the API for a suite: each signs up and in, and gets a client with its token.
import { createClient, unwrap } from "@taskboard/sdk";

// In a browser, the page that runs the suite sets `process.env` (tests/sdk/test_typescript.py).
export const URL = process.env.TASKBOARD_URL ?? "http://127.0.0.1:8000";
export const LIMITED_URL = process.env.TASKBOARD_LIMITED_URL ?? URL;
let serial = 0;

export async function signedUp(baseUrl = URL, options: { maxRetries?: number; timeoutMs?: number } = {}) {
  const client = createClient({ baseUrl, ...options });
  const n = `${process.pid}-${++serial}-${Date.now()}`;
  const credentials = { email: `ts${n}@example.com`, password: "correct horse battery" };
  const user = await unwrap(client.POST("/v1/users", { body: { ...credentials, displayName: `TS ${n}` } }));
  const { accessToken } = await unwrap(client.POST("/v1/tokens", { body: credentials }));
  return { user, client: createClient({ baseUrl, token: accessToken, ...options }), token: accessToken };
}
