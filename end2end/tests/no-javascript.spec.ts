import { expect, test } from "./fixtures";
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

test("without JavaScript the list filters, and three selected subscriptions change in one step", async ({ page }) => {
  // R-BULK-1: the list is a plain form; the selection goes to the review page as repeated ids.
  await signIn(page, "buyer@aurora.example", { js: false });
  await page.goto("/billing/subscriptions");
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Auto-renew", { exact: true }).selectOption("on");
  await page.getByLabel("Currency").selectOption("USD");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=active/);
  await expect(page).toHaveURL(/currency=USD/);
  const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    await boxes.nth(i).check();
    ids.push((await boxes.nth(i).getAttribute("value"))!);
  }
  await page.getByRole("button", { name: "Turn auto-renew off" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Turn auto-renew off" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Will change" })).toHaveCount(3);
  await page.getByRole("button", { name: "Confirm: turn auto-renew off for 3 subscriptions" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned off for 3 subscriptions/);
  // Back where the buyer was, with the filters kept.
  await expect(page).toHaveURL(/currency=USD/);

  // And on again, through the same review page.
  await page.goto(`/billing/auto-renew?on=true&ids=${ids.join(",")}`);
  await page.getByRole("button", { name: "Confirm: turn auto-renew on for 3 subscriptions" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned on for 3 subscriptions/);
});

test("without JavaScript an empty selection is refused by the server with a clear message", async ({ page }) => {
  await signIn(page, "buyer@aurora.example", { js: false });
  await page.goto("/billing/subscriptions");
  await page.getByRole("button", { name: "Turn auto-renew off" }).click();
  await expect(page.getByRole("alert")).toContainText("Select at least one subscription.");
});

test("without JavaScript a wrong password gets its message, tied to the fields", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill("buyer2@aurora.example");
  await page.getByLabel("Password").fill("Wrong-password-1");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("The e-mail address or password is incorrect.");
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-describedby", "form-error");
});

test("without JavaScript a reset link is asked for, and sign-out ends the session", async ({ page }) => {
  await page.goto("/forgot-password");
  await page.getByLabel("E-mail").fill("nobody@aurora.example");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account exists for that address");

  await signIn(page, "buyer2@aurora.example", { js: false });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/billing/subscriptions");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});
