import { type Answer, unwrap } from "./problems.js";

/** A page of a list operation: its items, and the cursor of the next page (null on the last). */
export interface Page<Item> {
  items: Item[];
  nextCursor?: string | null;
}

/** Every item of a paged list, page after page, following `nextCursor`; a problem is thrown as a
 * `ProblemError`. `page` fetches the page at `cursor` (undefined for the first):
 *
 *     for await (const task of paginate((cursor) =>
 *       client.GET("/v1/projects/{projectId}/tasks", { params: { path: { projectId }, query: { cursor } } }),
 *     )) { ... }
 */
export async function* paginate<Item>(page: (cursor: string | undefined) => Promise<Answer<Page<Item>>>): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  do {
    const { items, nextCursor }: Page<Item> = await unwrap(page(cursor));
    yield* items;
    cursor = nextCursor ?? undefined;
  } while (cursor !== undefined);
}
