// Opens a test page in Debian's Chromium (through playwright-core, which downloads no browser) and
// prints what the page writes into its <pre id="out"> once that is no longer "pending".
// Usage: node tests/browser.mjs CHROMIUM URL PROFILE
import { chromium } from "playwright-core";

const [executablePath, url, profile] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  args: [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
    // Only IP literals reach anything: a public host name resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  ],
});
try {
  const page = await context.newPage();
  page.on("console", (message) => console.error(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => console.error(`page error: ${error}`));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("out")?.textContent !== "pending", null, { timeout: 30_000 });
  console.log(await page.textContent("#out"));
} finally {
  await context.close();
}
