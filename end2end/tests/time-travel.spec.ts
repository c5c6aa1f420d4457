import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// The "clock" project of playwright.config.ts runs this after every other test: it moves the
// demo's business clock for good.
test("moving the demo clock forward expires a subscription that was not renewed", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  // The active subscription with auto-renew off that ends soonest.
  await page.goto("/billing/subscriptions?status=active&auto_renew=off&sort=date");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  const subscriptionUrl = page.url();
  // R-LIFE-6: the page shows the state and what it allows.
  await expect(page.getByText(/This subscription is Active\./)).toBeVisible();
  await expect(page.getByRole("row", { name: /Product access/ })).toContainText("Yes");
  await expect(page.getByText(/Unless it is renewed or paid: Expired from/)).toBeVisible();

  await page.getByRole("link", { name: "Demo clock" }).click();
  await expect(page.getByRole("heading", { name: "Demo clock" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Move forward by").selectOption("30d");
  await page.getByRole("button", { name: "Move the clock" }).click();
  await expect(page.getByRole("status")).toContainText("Moved 30d.");

  // R-LIFE-1..3: within 30 days of its end it is Expired or, after 15 days, Suspended.
  await page.goto(subscriptionUrl);
  await expect(page.getByText(/This subscription is (Expired|Suspended)\./)).toBeVisible();
  await expect(page.getByRole("row", { name: /Reporting/ })).toContainText("No");
});

test("turning auto-renew on after the term ended renews the subscription at once", async ({ page }) => {
  // R-SUB-4, R-REN-2: within 45 days of its expiry (30 for monthly terms) a subscription whose
  // auto-renew was off can still be renewed by turning auto-renew on again.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/subscriptions?status=expired&auto_renew=off&sort=date&dir=desc&per_page=100");
  // One paid by card: a card is charged at once (a bank transfer may not back auto-renew, R-EXT-3).
  const row = page.getByRole("row").filter({ hasText: "Visa" }).first();
  await row.getByRole("link").first().click();
  await expect(page.getByText(/This subscription is Expired\./)).toBeVisible();
  const subscriptionUrl = page.url();

  await hydrated(page);
  await page.getByRole("link", { name: "Turn auto-renew on" }).click();
  await expect(page.getByRole("heading", { name: "Turn auto-renew on" })).toBeVisible();
  await expect(page.getByRole("cell", { name: /Renews now \(late renewal\): new term from/ })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm: turn auto-renew on for 1 subscription" }).click();
  await expect(page.getByRole("status")).toContainText("Auto-renew turned on for 1 subscription.");

  // Renewed and charged: Active again, renewing next year.
  await page.goto(subscriptionUrl);
  await expect(page.getByText(/This subscription is Active\./)).toBeVisible();
  await expect(page.getByText(/Renews on/).first()).toBeVisible();
});
