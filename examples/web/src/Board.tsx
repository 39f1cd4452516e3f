import {
  byField,
  type FieldError,
  idempotencyKey,
  ifMatch,
  ProblemError,
  streamProjectEvents,
  type Task,
} from "@taskboard/sdk";
import { applyEvent } from "@taskboard/sdk/query";
import { check, zTaskCreate, zTaskTitle } from "@taskboard/sdk/validators";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";

import { client, queries, say } from "./api";

const TASK = "/v1/projects/{projectId}/tasks/{taskId}";
const TASKS = "/v1/projects/{projectId}/tasks";
const PAGE = 10;

type Errors = Partial<Record<string, FieldError>>;

export function Board({ projectId, onBack }: { projectId: number; onBack: () => void }) {
  const project = useQuery(queries.query("/v1/projects/{projectId}", { params: { path: { projectId } } }));
  const live = useLiveEvents(projectId);
  // Read once the stream is open (or cannot be): a change made in between is then in the list or
  // among the events, never lost between the two.
  const list = queries.infinite(TASKS, { params: { path: { projectId }, query: { limit: PAGE } } });
  const tasks = useInfiniteQuery({ ...list, enabled: live !== "connecting" });
  return (
    <section>
      <button className="link" onClick={onBack}>
        ← Projects
      </button>
      <h2>
        {project.data?.name ?? "…"} <small>{live}</small>
      </h2>
      <NewTask projectId={projectId} following={live === "live"} />
      {tasks.isPending && <p>Loading tasks…</p>}
      {tasks.isError && <p role="alert">{tasks.error.message}</p>}
      <ul className="tasks">
        {tasks.data?.pages.flatMap((page) =>
          page.items.map((task) => <TaskRow key={task.id} projectId={projectId} task={task} following={live === "live"} />),
        )}
      </ul>
      {tasks.hasNextPage && (
        <button onClick={() => void tasks.fetchNextPage()} disabled={tasks.isFetchingNextPage}>
          Load more
        </button>
      )}
    </section>
  );
}

/** Follows the project's live events into the cache, resuming after the last one when the stream
 * ends; whether it is open now. */
function useLiveEvents(projectId: number): "connecting" | "live" | "offline" {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<"connecting" | "live" | "offline">("connecting");
  useEffect(() => {
    const stop = new AbortController();
    void (async () => {
      let lastEventId: string | undefined;
      while (!stop.signal.aborted) {
        const onOpen = () => setLive("live");
        try {
          for await (const event of streamProjectEvents(client, projectId, { lastEventId, signal: stop.signal, onOpen })) {
            lastEventId = event.id;
            applyEvent(queryClient, projectId, event);
          }
        } catch {
          // Ended by the network or the service: wait, then resume after the last event.
        }
        setLive("offline");
        if (!stop.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    return () => stop.abort();
  }, [projectId, queryClient]);
  return live;
}

/** Reads the project's lists again after a change made here, unless its live events, which are
 * `following` it, bring the change (as they bring others'). */
function useRefresh(following: boolean): () => Promise<void> {
  const queryClient = useQueryClient();
  return () => (following ? Promise.resolve() : queryClient.invalidateQueries({ queryKey: queries.prefix(TASKS) }));
}

function NewTask({ projectId, following }: { projectId: number; following: boolean }) {
  const refresh = useRefresh(following);
  const [title, setTitle] = useState("");
  const [assignee, setAssignee] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const create = useMutation(queries.mutation("post", TASKS));
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    // Checked here as the service checks it; what only the service knows (is the assignee a
    // member?) comes back as a 422 of the same shape.
    const checked = check(zTaskCreate, { title, ...(assignee === "" ? {} : { assigneeId: Number(assignee) }) });
    if (checked.errors) return setErrors(byField(checked.errors));
    try {
      const headers = { "Idempotency-Key": idempotencyKey() };
      await create.mutateAsync({ params: { path: { projectId } }, body: checked.data, headers });
    } catch (error) {
      return setErrors(error instanceof ProblemError ? byField(error.fieldErrors) : {});
    }
    setTitle("");
    setAssignee("");
    setErrors({});
    await refresh();
  }
  return (
    <form className="new-task" onSubmit={(event) => void submit(event)} noValidate>
      <label>
        Title <input value={title} onChange={(event) => setTitle(event.target.value)} />
        <FieldMessage error={errors.title} />
      </label>
      <label>
        Assignee (user id) <input inputMode="numeric" value={assignee} onChange={(event) => setAssignee(event.target.value)} />
        <FieldMessage error={errors.assigneeId} />
      </label>
      <button type="submit" disabled={create.isPending}>
        Add task
      </button>
      {create.error && !(create.error instanceof ProblemError) && <p role="alert">Taskboard cannot be reached.</p>}
    </form>
  );
}

function TaskRow({ projectId, task, following }: { projectId: number; task: Task; following: boolean }) {
  const refresh = useRefresh(following);
  // The version the edit started from: a change made meanwhile by anyone is a 412, not overwritten.
  const [editing, setEditing] = useState<{ title: string; version: number }>();
  const [message, setMessage] = useState<string>();
  const update = useMutation(queries.mutation("patch", TASK));
  const remove = useMutation(queries.mutation("delete", TASK));
  const path = { projectId, taskId: task.id };

  async function save(changes: { title?: string; status?: Task["status"] }, version: number): Promise<void> {
    try {
      await update.mutateAsync({ params: { path, header: { "If-Match": ifMatch({ version }) } }, body: changes });
      setEditing(undefined);
      setMessage(undefined);
      await refresh();
    } catch (error) {
      if (!(error instanceof ProblemError)) return setMessage("Taskboard cannot be reached.");
      if (error.status === 412) {
        setEditing(undefined);
        setMessage("Someone changed this task meanwhile: this is it now. Edit it again.");
        return void refresh();
      }
      setMessage(say(byField(error.fieldErrors).title) ?? error.problem.detail);
    }
  }
  function submit(event: FormEvent): void {
    event.preventDefault();
    if (editing === undefined) return;
    const checked = check(zTaskTitle, editing.title);
    if (checked.errors) return setMessage(say(checked.errors[0]));
    void save({ title: checked.data }, editing.version);
  }
  return (
    <li data-task={task.id}>
      <input
        type="checkbox"
        aria-label={`Done: ${task.title}`}
        checked={task.status === "done"}
        onChange={(event) => void save({ status: event.target.checked ? "done" : "todo" }, task.version)}
      />
      {editing === undefined ? (
        <>
          <span className="title">{task.title}</span>
          <button onClick={() => setEditing({ title: task.title, version: task.version })}>Edit</button>
          <button onClick={() => void remove.mutateAsync({ params: { path } }).then(refresh, () => setMessage("Not deleted."))}>
            Delete
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <input aria-label="New title" value={editing.title} onChange={(event) => setEditing({ ...editing, title: event.target.value })} />
          <button type="submit">Save</button>
        </form>
      )}
      {message && <p role="alert">{message}</p>}
    </li>
  );
}

function FieldMessage({ error }: { error: FieldError | undefined }) {
  return error ? <span className="field-error">{say(error)}</span> : null;
}
