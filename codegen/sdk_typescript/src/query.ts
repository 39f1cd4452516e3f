// `@taskboard/sdk/query`: TanStack Query's options for every operation, typed by the contract's
// paths (keys, queries, paged lists, mutations), and `applyEvent`, which keeps the cache in step with
// a project's live events. TanStack Query is the app's own (a peer dependency): only its types are
// imported here.
import type { DataTag, InfiniteData, MutationKey, Query, QueryClient } from "@tanstack/query-core";
import type { FetchResponse, MaybeOptionalInit } from "openapi-fetch";

import type { TaskboardClient } from "./client.js";
import type { ProjectStreamEvent } from "./events.js";
import type { Page } from "./pages.js";
import { type Answer, type DataOf, type ProblemError, unwrap } from "./problems.js";
import type { paths } from "./schema.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";
/** The contract's paths that have an operation of `method`. */
export type PathOf<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
/** What a call of `method` on `path` takes: `params` (path, query, header), `body`, `headers`… */
export type InitOf<M extends Method, P extends PathOf<M>> = MaybeOptionalInit<paths[P], M>;
/** The data of its success: undefined for a 204. */
export type ResultOf<M extends Method, P extends PathOf<M>> = DataOf<FetchResponse<paths[P][M] & object, object, `${string}/${string}`>>;
/** The GET paths that answer a page (`items`, `nextCursor`). */
export type PagedPath = { [P in PathOf<"get">]: ResultOf<"get", P> extends Page<unknown> ? P : never }[PathOf<"get">];
type ItemOf<P extends PagedPath> = ResultOf<"get", P> extends Page<infer Item> ? Item : never;

// An init that may be left out when nothing in it is required, as the client's own calls take it.
type Init<M extends Method, P extends PathOf<M>> = undefined extends InitOf<M, P> ? [init?: InitOf<M, P>] : [init: InitOf<M, P>];

/** A query's key: `["taskboard", path, params]`, so that every query of a path (or of a project, by
 * `params.path.projectId`) can be matched. A paged list's infinite query adds `"pages"`. */
export type TaskboardKey = readonly ["taskboard", string, Params] | readonly ["taskboard", string, Params, "pages"];
interface Params {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

// Each query makes one try: the client retries what may be retried (429, 503, network errors) after
// Retry-After; TanStack's own retries (3 by default) would multiply its tries, and repeat 4xx. As a
// function of a CallError, it also types the queries' and mutations' errors.
const ONCE = (_failures: number, _error: CallError): boolean => false;

/** Why a query or mutation failed: a `ProblemError` when the service answered with a problem (check
 * with `instanceof`); else fetch's own error, as the client's calls throw it (a `TypeError` for a
 * network failure after the client's retries, a `TimeoutError` past `timeoutMs`, an `AbortError`). */
export type CallError = ProblemError | Error;

/** TanStack Query's options for the client's calls:
 *
 *     const queries = createQueries(client);
 *     useQuery(queries.query("/v1/projects/{projectId}/tasks/{taskId}", { params: { path: { projectId, taskId } } }));
 *     useInfiniteQuery(queries.infinite("/v1/projects/{projectId}/tasks", { params: { path: { projectId } } }));
 *     useMutation(queries.mutation("patch", "/v1/projects/{projectId}/tasks/{taskId}"));
 *
 * Data is typed by the contract, errors as `CallError`s (a `ProblemError` for a problem). */
export function createQueries(client: TaskboardClient) {
  type Call = (path: string, init?: object) => Promise<Answer<unknown>>;
  const calls = client as unknown as Record<string, Call>;
  const call = (method: Method, path: string, init?: object) => calls[method.toUpperCase()]!(path, init);
  return {
    /** The key of `query(path, init)`: for `getQueryData`, `setQueryData` and `invalidateQueries`. */
    key<P extends PathOf<"get">>(path: P, ...[init]: Init<"get", P>) {
      return keyOf(path, init) as DataTag<TaskboardKey, ResultOf<"get", P>, CallError>;
    },

    /** The start of the keys of every query of `path`, whatever their params: to invalidate them
     * all (`invalidateQueries({ queryKey: queries.prefix(path) })`). */
    prefix(path: PathOf<"get">): readonly ["taskboard", string] {
      return ["taskboard", path];
    },

    /** Options for `useQuery`, `fetchQuery`, `prefetchQuery`: a GET of `path`. */
    query<P extends PathOf<"get">>(path: P, ...[init]: Init<"get", P>) {
      return {
        queryKey: keyOf(path, init) as DataTag<TaskboardKey, ResultOf<"get", P>, CallError>,
        queryFn: ({ signal }: { signal: AbortSignal }) =>
          unwrap(call("get", path, { ...init, signal })) as Promise<ResultOf<"get", P>>,
        retry: ONCE,
      };
    },

    /** Options for `useInfiniteQuery`, `fetchInfiniteQuery`: a paged list, page after page by its
     * `nextCursor`. */
    infinite<P extends PagedPath>(path: P, ...[init]: Init<"get", P>) {
      type Data = InfiniteData<ResultOf<"get", P>, string | undefined>;
      const key = [...keyOf(path, init), "pages"] as const;
      return {
        queryKey: key as DataTag<typeof key, Data, CallError>,
        queryFn: ({ signal, pageParam }: { signal: AbortSignal; pageParam: string | undefined }) =>
          unwrap(call("get", path, atCursor(init, pageParam, signal))) as Promise<ResultOf<"get", P>>,
        initialPageParam: undefined as string | undefined,
        getNextPageParam: (last: Page<ItemOf<P>>) => last.nextCursor ?? undefined,
        retry: ONCE,
      };
    },

    /** Options for `useMutation`: `mutate(init)` calls `method` on `path` with it (params, body,
     * `If-Match`…) and gives the data. A create repeated after a network error needs an
     * `Idempotency-Key` in its headers to be retried. */
    mutation<M extends Exclude<Method, "get">, P extends PathOf<M>>(method: M, path: P) {
      return {
        // Typed as any key: a key typed by P and M would let a caller's context infer them.
        mutationKey: ["taskboard", path, method] as MutationKey,
        mutationFn: (init: InitOf<M, P>) => unwrap(call(method, path, init ?? undefined)) as Promise<ResultOf<M, P>>,
        retry: ONCE,
      };
    },
  };
}

function keyOf(path: string, init: { params?: Params } | undefined): TaskboardKey {
  const params: Params = {};
  if (init?.params?.path) params.path = init.params.path;
  if (init?.params?.query) params.query = init.params.query;
  return ["taskboard", path, params];
}

function atCursor(init: { params?: Params } | undefined, cursor: string | undefined, signal: AbortSignal): object {
  const query = cursor === undefined ? init?.params?.query : { ...init?.params?.query, cursor };
  return { ...init, params: { ...init?.params, ...(query ? { query } : {}) }, signal };
}

const TASK = "/v1/projects/{projectId}/tasks/{taskId}" satisfies PathOf<"get">;
const TASKS = "/v1/projects/{projectId}/tasks" satisfies PagedPath;
const PROJECT = "/v1/projects/{projectId}" satisfies PathOf<"get">;
const PROJECTS = "/v1/projects" satisfies PagedPath;
const MEMBERS = "/v1/projects/{projectId}/members" satisfies PathOf<"get">;
const INVITATIONS = "/v1/projects/{projectId}/invitations" satisfies PathOf<"get">;

interface Versioned {
  id: number;
  version: number;
}

/** Brings the cache up to date with one of a project's live events (`streamProjectEvents`):
 *
 *     for await (const event of streamProjectEvents(client, projectId)) applyEvent(queryClient, projectId, event);
 *
 * A changed task or project replaces its cached copies (its own query and the lists' items, when
 * the event's version is newer); a deleted one leaves them. Lists are refetched only when the event
 * cannot be applied to them: a created task (where a list places it depends on its order), a change
 * to a list filtered or sorted by a field, members and invitations (invalidated), and a `reset`,
 * which refetches every query of the project. */
export function applyEvent(queryClient: QueryClient, projectId: number, event: ProjectStreamEvent): void {
  const ofProject = (path?: string) => ({
    predicate: (query: Query) => {
      const key = taskboardKey(query);
      return key !== undefined && (path === undefined || key[1] === path) && key[2].path?.projectId === projectId;
    },
  });
  const invalidate = (path?: string) => void queryClient.invalidateQueries(ofProject(path));
  switch (event.event) {
    case "task.created":
      queryClient.setQueryData(keyOf(TASK, { params: { path: { projectId, taskId: event.data.id } } }), event.data);
      return invalidate(TASKS);
    case "task.updated":
      replace(queryClient, keyOf(TASK, { params: { path: { projectId, taskId: event.data.id } } }), event.data);
      return inLists(queryClient, ofProject(TASKS).predicate, event.data);
    case "task.deleted":
      queryClient.removeQueries({ queryKey: keyOf(TASK, { params: { path: { projectId, taskId: event.data.id } } }) });
      return inLists(queryClient, ofProject(TASKS).predicate, event.data.id);
    case "project.updated":
      replace(queryClient, keyOf(PROJECT, { params: { path: { projectId } } }), event.data);
      return inLists(queryClient, (query) => taskboardKey(query)?.[1] === PROJECTS, event.data);
    case "project.deleted":
      queryClient.removeQueries(ofProject());
      return inLists(queryClient, (query) => taskboardKey(query)?.[1] === PROJECTS, projectId);
    case "member.added":
    case "member.removed":
      return invalidate(MEMBERS);
    case "invitation.created":
    case "invitation.updated":
      return invalidate(INVITATIONS);
    case "reset":
      return invalidate();
  }
}

function taskboardKey(query: Query): TaskboardKey | undefined {
  const key = query.queryKey;
  return key[0] === "taskboard" && typeof key[1] === "string" && typeof key[2] === "object" ? (key as TaskboardKey) : undefined;
}

function replace(queryClient: QueryClient, key: TaskboardKey, item: Versioned): void {
  queryClient.setQueryData<Versioned>(key, (cached) => (cached === undefined || cached.version < item.version ? item : cached));
}

/** In every cached list that `predicate` picks, the item replaced (an item) or taken out (an id); a
 * list filtered or sorted by a field that a change may move the item in is refetched instead. */
function inLists(queryClient: QueryClient, predicate: (query: Query) => boolean, change: Versioned | number): void {
  type Cached = Page<Versioned> | InfiniteData<Page<Versioned>>;
  const update = (page: Page<Versioned>): Page<Versioned> => {
    const items =
      typeof change === "number"
        ? page.items.filter((item) => item.id !== change)
        : page.items.map((item) => (item.id === change.id && item.version < change.version ? change : item));
    return items.length === page.items.length && items.every((item, n) => item === page.items[n]) ? page : { ...page, items };
  };
  for (const query of queryClient.getQueryCache().findAll({ predicate })) {
    const filtered = Object.keys(taskboardKey(query)?.[2].query ?? {}).some((name) => name !== "limit");
    if (filtered && typeof change !== "number") {
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
      continue;
    }
    queryClient.setQueryData<Cached>(query.queryKey, (cached) => {
      if (cached === undefined) return cached;
      return "pages" in cached ? { ...cached, pages: cached.pages.map(update) } : update(cached);
    });
  }
}
