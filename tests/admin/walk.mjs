// An operator's walk through the back office in Debian's Chromium: sign in,
// find a user by email, lock them, read the audit log, make a support operator. Prints what each
// step showed, as JSON.
// Usage: node tests/admin/walk.mjs CHROMIUM BACK_OFFICE_URL PROFILE EMAIL PASSWORD USER_EMAIL SCREENSHOT NEW_OPERATOR
import { launch } from "../chromium.mjs";

const [executablePath, url, profile, email, password, userEmail, screenshot, newOperator] = process.argv.slice(2);
const context = await launch(executablePath, profile);
const seen = { failedRequests: [] };
try {
  const page = await context.newPage();
  page.on("requestfailed", (request) =>
    seen.failedRequests.push({ url: request.url(), error: request.failure()?.errorText ?? "" }),
  );
  page.on("dialog", (dialog) => {
    seen.confirmed = dialog.message();
    return dialog.accept();
  });

  await page.goto(`${url}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${url}/`), page.click("button[type=submit]")]);
  seen.signedIn = page.url();

  await page.goto(`${url}/user/list`);
  await page.fill("#search-input", userEmail);
  await Promise.all([page.waitForURL(/search=/), page.click("#search-button")]);
  seen.found = (await page.locator("table tbody").innerText()).includes(userEmail);
  await Promise.all([page.waitForURL(/\/user\/details\//), page.locator("a[href*='/user/details/']").first().click()]);

  await Promise.all([page.waitForURL(/\/user\/details\//), page.click("button:has-text('Lock')")]);
  seen.unlockOffered = await page.locator("button:has-text('Unlock')").isVisible();

  await page.goto(`${url}/audit-entry/list`);
  seen.audit = await page.locator("table tbody tr").first().innerText();
  await page.screenshot({ path: screenshot, fullPage: true });

  await page.goto(`${url}/operator/list`);
  await Promise.all([page.waitForURL(/\/operator\/new/), page.click("a:has-text('New operator')")]);
  await page.fill("#email", newOperator);
  await page.selectOption("#role", "support");
  await page.fill("#password", "a passphrase handed over");
  await Promise.all([page.waitForURL(/\/operator\/details\//), page.click("button:has-text('Make the operator')")]);
  seen.madeOperator = (await page.locator("table").first().innerText()).includes(newOperator);
} finally {
  await context.close();
}
console.log(JSON.stringify(seen));
