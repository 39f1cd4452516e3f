// Answers made here, as a transport would hand them over, for the tests of the SDK's own parts.
import { createClient, type ProjectStreamEvent } from "@taskboard/sdk";

/** A client whose fetch answers every request with these chunks (and then ends, unless `open`). */
export function answering(chunks: string[], open = false) {
  const encoder = new TextEncoder();
  return createClient({
    baseUrl: "http://taskboard.invalid",
    token: "tb_x",
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
            if (!open) controller.close();
          },
        }),
        { status: 200, headers: { "Content-Type": "text/event-stream" } },
      ),
  });
}

export async function all(events: AsyncGenerator<ProjectStreamEvent>): Promise<ProjectStreamEvent[]> {
  const found: ProjectStreamEvent[] = [];
  for await (const event of events) found.push(event);
  return found;
}
