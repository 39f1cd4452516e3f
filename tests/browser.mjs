// Opens a test page in Debian's Chromium and prints, as JSON, what the page writes into its
// <pre id="out"> once that is no longer "pending" (`out`), and the requests that failed meanwhile
// as Chromium's network layer saw them (`failedRequests`: "(canceled)" in DevTools among them).
// Usage: node tests/browser.mjs CHROMIUM URL PROFILE [TIMEOUT_MS]
import { launch } from "./chromium.mjs";

const [executablePath, url, profile, timeout = "30000"] = process.argv.slice(2);
const context = await launch(executablePath, profile);
try {
  const page = await context.newPage();
  const failedRequests = [];
  page.on("console", (message) => console.error(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => console.error(`page error: ${error}`));
  page.on("requestfailed", (request) =>
    failedRequests.push({ method: request.method(), url: request.url(), error: request.failure()?.errorText }),
  );
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("out")?.textContent !== "pending", null, {
    timeout: Number(timeout),
  });
  const out = JSON.parse(await page.textContent("#out"));
  console.log(JSON.stringify({ out, failedRequests }));
} finally {
  await context.close();
}
