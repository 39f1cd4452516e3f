// A person using the example web app (examples/web) in Debian's Chromium, while another client
// changes the same board through the API. Prints what they saw, as JSON.
// Usage: node tests/sdk/walk_example.mjs CHROMIUM APP_URL API_URL PROFILE EMAIL PASSWORD TOKEN PROJECT_ID SHOTS
import { launch } from "../chromium.mjs";

const [executablePath, appUrl, apiUrl, profile, email, password, token, projectId, shots] = process.argv.slice(2);
const TIMEOUT = 15_000;
const context = await launch(executablePath, profile);
const seen = { failedRequests: [], taskPosts: 0, errors: [] };

/** The other client: a change made through the API, as another person's would be. */
async function api(method, path, body, headers = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

try {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (error) => seen.errors.push(String(error)));
  page.on("requestfailed", (request) => {
    // Streams closed by leaving the board are the only calls that may end unfinished.
    if (!new URL(request.url()).pathname.endsWith("/events")) seen.failedRequests.push(request.url());
  });
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname.endsWith("/tasks")) seen.taskPosts++;
  });
  const rows = page.locator("li[data-task]");
  const row = (title) => rows.filter({ has: page.locator(".title").getByText(title, { exact: true }) });
  const byId = (id) => page.locator(`li[data-task="${id}"]`);
  const [first, second] = (await api("GET", `/v1/projects/${projectId}/tasks?limit=2`)).items;

  await page.goto(appUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  seen.wrongPassword = await page.getByRole("alert").textContent();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Launch" }).click();
  await page.getByText("live", { exact: true }).waitFor();
  await rows.nth(9).waitFor();
  seen.firstPage = await rows.count();
  await page.getByRole("button", { name: "Load more" }).click();
  await rows.nth(19).waitFor();
  await page.getByRole("button", { name: "Load more" }).click();
  await rows.nth(24).waitFor();
  seen.allPages = await rows.count();
  seen.moreOffered = await page.getByRole("button", { name: "Load more" }).count();
  await page.screenshot({ path: `${shots}/example-board.png`, fullPage: true });

  // An empty title is refused in the page, before any request; a non-member assignee by the service.
  await page.getByRole("button", { name: "Add task" }).click();
  seen.emptyTitle = await page.locator(".new-task .field-error").textContent();
  seen.postsForEmptyTitle = seen.taskPosts;
  await page.getByLabel("Title").fill("Written in the browser");
  await page.getByLabel("Assignee (user id)").fill("999999");
  await page.getByRole("button", { name: "Add task" }).click();
  await page.getByText("Not a member of this project.").waitFor();
  seen.notAMember = await page.locator(".new-task .field-error").textContent();
  await page.screenshot({ path: `${shots}/example-field-errors.png`, fullPage: true });
  await page.getByLabel("Assignee (user id)").fill("");
  await page.getByRole("button", { name: "Add task" }).click();
  await row("Written in the browser").waitFor();
  seen.added = true;

  // Changed elsewhere: the page shows it from the live event, without a reload.
  await api("PATCH", `/v1/projects/${projectId}/tasks/${first.id}`, { title: "Changed elsewhere" }, { "If-Match": `"${first.version}"` });
  await row("Changed elsewhere").waitFor();
  seen.liveTitle = true;

  // An edit begun before someone else's change is refused (412), and says so.
  const target = byId(second.id);
  await target.getByRole("button", { name: "Edit" }).click();
  await target.getByLabel("New title").fill("My edit");
  await api("PATCH", `/v1/projects/${projectId}/tasks/${second.id}`, { status: "done" }, { "If-Match": `"${second.version}"` });
  await target.getByRole("checkbox").and(page.locator(":checked")).waitFor();
  await target.getByRole("button", { name: "Save" }).click();
  seen.conflict = await target.getByRole("alert").textContent();
  seen.conflictTitle = await target.locator(".title").textContent();
  await page.screenshot({ path: `${shots}/example-conflict.png`, fullPage: true });

  await row("Written in the browser").getByRole("button", { name: "Delete" }).click();
  await row("Written in the browser").waitFor({ state: "detached" });
  seen.deleted = true;
  seen.finalRows = await rows.count();
} finally {
  await context.close();
}
console.log(JSON.stringify(seen));
