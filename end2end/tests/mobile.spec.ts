import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

test("on a phone the buyer reaches the list and a subscription", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  const nav = page.getByRole("navigation", { name: "Billing and orders" });
  await expect(nav.getByRole("link", { name: "Subscriptions and contracts" })).toBeVisible();
  await page.goto("/billing/subscriptions");
  await expect(page.getByRole("table")).toBeVisible();
  // Nothing but the table itself scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await hydrated(page);
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Auto-renew" })).toBeVisible();
});
