// Opens a test page in Debian's Chromium and prints what the page writes into its <pre id="out">
// once that is no longer "pending".
// Usage: node tests/browser.mjs CHROMIUM URL PROFILE
import { launch } from "./chromium.mjs";

const [executablePath, url, profile] = process.argv.slice(2);
const context = await launch(executablePath, profile);
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
