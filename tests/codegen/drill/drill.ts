// The drill contract's calls through its TypeScript SDK (test_drill.py), compiled with the SDK under
// `tsc --strict`: a form with a file (a Blob, as the SDK types binary) and renamed-in-Python parameters.
import { createClient } from "./index.js";

export async function drill(baseUrl: string): Promise<(number | boolean)[]> {
  const client = createClient({ baseUrl, maxRetries: 0 });
  const file = new File(["hello"], "n.txt", { type: "text/plain" });
  const uploaded = await client.POST("/v1/drill", {
    params: { query: { from: 2 } },
    body: { file, caption: "hi", count: 3 },
  });
  const read = await client.GET("/v1/drill/{from}", {
    params: { path: { from: 3 }, query: { ids: [4, 5], body: "b", request: "r" } },
  });
  const moved = await client.POST("/v1/drill/bulk", { body: { op: "move", toStatus: "done" } });
  // A Blob at run time either way; `parseAs` makes openapi-fetch's types say so too.
  const downloaded = await client.GET("/v1/drill/file", { parseAs: "blob" });
  const blob: Blob | undefined = downloaded.data;
  const bytes = new Uint8Array((await blob?.arrayBuffer()) ?? new ArrayBuffer(0));
  const whole = bytes.length === 256 && bytes.every((byte, at) => byte === at);
  return [uploaded.response.status, read.response.status, moved.response.status, downloaded.response.status, whole];
}
