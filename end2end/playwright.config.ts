import { defineConfig, devices } from "@playwright/test";

// Drives Debian's Chromium (never a downloaded browser) against the portal built by `cargo test`
// or `cargo build` (its browser bundle by scripts/site), started here with fresh demo data.
//
// Two portals, each on its own database: the flows (which change their data, one test at a time)
// on 127.0.0.1:3000, and the accessibility checks (which read pages, a third of the run's time)
// on 127.0.0.1:3002. The two groups run side by side, each one test at a time.

/** One portal process on `port` with a fresh database of demo data of its own. */
function portal(port: number) {
  const data = `../target/e2e-data-${port}`;
  return {
    // The debug build by default; `scripts/lighthouse` runs some of the tests on the release one.
    command: `rm -rf ${data} && ${process.env.PORTAL_E2E_SERVER ?? "../target/debug/server"}`,
    cwd: ".",
    url: `http://127.0.0.1:${port}/sign-in`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      PORTAL_DATA_DIR: data,
      PORTAL_DEMO_DATA: "true",
      PORTAL_MAILBOX_PAGE: "true",
      PORTAL_DEMO_CLOCK: "true",
      PORTAL_DEMO_CLOCK_OPERATORS: "buyer@aurora.example",
      PORTAL_LISTEN: `127.0.0.1:${port}`,
      LEPTOS_OUTPUT_NAME: "portal",
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      RUST_LOG: "warn",
    },
  };
}

const FLOWS = "http://127.0.0.1:3000";
const ACCESSIBILITY = "http://127.0.0.1:3002";
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // The tests of one portal share its seeded database and change it: one at a time keeps them
  // independent. The two portals' groups run side by side (each project allows one worker).
  fullyParallel: false,
  workers: 2,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: FLOWS,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: [portal(3000), portal(3002)],
  projects: [
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testIgnore: /(mobile|time-travel|accessibility)\.spec\.ts/,
      workers: 1,
    },
    // After the desktop flows, not beside them: they share the flows' portal.
    {
      name: "phone",
      use: { ...devices["Pixel 7"], channel: undefined },
      testMatch: /mobile\.spec\.ts/,
      dependencies: ["desktop"],
      workers: 1,
    },
    // Moves the flows' business clock forward for good: after every other test of that portal,
    // whatever the file names, filters or shards.
    {
      name: "clock",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testMatch: /time-travel\.spec\.ts/,
      dependencies: ["desktop", "phone"],
      workers: 1,
    },
    {
      name: "accessibility",
      use: { ...devices["Desktop Chrome"], channel: undefined, baseURL: ACCESSIBILITY },
      testMatch: /accessibility\.spec\.ts/,
      // An axe pass over a page takes seconds on two cores while the flows run beside it, and
      // each of these tests passes over up to seven pages: on the machine of one CI run, a test
      // of nine pages (since split in two) went past 60 s.
      timeout: 120_000,
      workers: 1,
    },
  ],
});
