import { defineConfig, devices } from "@playwright/test";

// Drives Debian's Chromium (never a downloaded browser) against the portal built by
// `cargo leptos build`, started here on 127.0.0.1:3000 with a fresh database of demo data.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // The tests share one seeded database and change it: one at a time keeps them independent.
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:3000",
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
  webServer: {
    // The debug build by default; `scripts/lighthouse` runs some of the tests on the release one.
    command: `rm -rf ../target/e2e-data && ${process.env.PORTAL_E2E_SERVER ?? "../target/debug/server"}`,
    cwd: ".",
    url: "http://127.0.0.1:3000/sign-in",
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORTAL_DATA_DIR: "../target/e2e-data",
      PORTAL_DEMO_DATA: "true",
      PORTAL_MAILBOX_PAGE: "true",
      PORTAL_DEMO_CLOCK: "true",
      PORTAL_DEMO_CLOCK_OPERATORS: "buyer@aurora.example",
      PORTAL_LISTEN: "127.0.0.1:3000",
      LEPTOS_OUTPUT_NAME: "portal",
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_SITE_PKG_DIR: "pkg",
      LEPTOS_SITE_ADDR: "127.0.0.1:3000",
      RUST_LOG: "warn",
    },
  },
  projects: [
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testIgnore: /(mobile|time-travel)\.spec\.ts/,
    },
    { name: "phone", use: { ...devices["Pixel 7"], channel: undefined }, testMatch: /mobile\.spec\.ts/ },
    // Moves the shared database's business clock forward for good: after every other test,
    // whatever the file names, filters or shards.
    {
      name: "clock",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testMatch: /time-travel\.spec\.ts/,
      dependencies: ["desktop", "phone"],
    },
  ],
});
