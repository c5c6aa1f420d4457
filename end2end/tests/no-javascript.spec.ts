import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test.use({ javaScriptEnabled: false });

test("without JavaScript a buyer signs in and turns auto-renew off on a subscription", async ({ page }) => {
  await signIn(page, "buyer@aurora.example", { js: false });
  await page.goto("/billing/subscriptions?auto_renew=on&currency=EUR&status=active");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByText("Renews on", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Turn auto-renew off" }).click();
  await expect(page.getByRole("heading", { name: "Turn auto-renew off" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm: turn auto-renew off for 1 subscription" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned off for 1 subscription/);
  await expect(page.getByText("Expires on", { exact: true })).toBeVisible();
});
