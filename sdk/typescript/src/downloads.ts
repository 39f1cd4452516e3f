// Written by `make generate` from openapi.yaml: how the client reads each operation that
// answers a file (any other answer is JSON).
export const DOWNLOADS: Readonly<Record<string, "text" | "blob">> = {
  "GET /v1/exports/{exportId}/content": "text",
};
