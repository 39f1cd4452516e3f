// Debian's Chromium through playwright-core (which downloads no browser), able to reach 127.0.0.1
// and no other host: the tests' browser.
import { chromium } from "playwright-core";

export function launch(executablePath, profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath,
    args: [
      "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-quic",
      // Only IP literals reach anything: a public host name resolves to nothing.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}
