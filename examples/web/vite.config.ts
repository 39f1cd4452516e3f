import { defineConfig } from "vite";

// `npm run dev`: the API (`make run`'s, or TASKBOARD_URL) behind the dev server's own origin, streams
// included, so that the service needs no CORS setting for it.
export default defineConfig({
  server: { proxy: { "/v1": process.env.TASKBOARD_URL ?? "http://127.0.0.1:8000" } },
});
