import { expect, test } from "./fixtures";
import { hydrated, PASSWORD } from "./helpers";

test("forgot password: the link arrives by mail, sets a new password, and the old one stops working", async ({ page }) => {
  // R-AUTH-2, R-AUTH-1
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await page.getByLabel("E-mail").fill("admin2@aurora.example");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account exists for that address");

  await page.getByRole("link", { name: "Mailbox (demo)" }).click();
  const mail = page.getByRole("listitem").filter({ hasText: "Reset your Billing and orders password" }).filter({ hasText: "To admin2@aurora.example" });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await mail.getByText("Reset your Billing and orders password").click();
  const text = await mail.locator("pre").innerText();
  const link = text.match(/http:\/\/\S+\/reset-password\?token=\S+/)![0];

  await page.goto(link);
  await hydrated(page);
  // The server checks R-AUTH-1 (the browser already refuses fewer than 8 characters).
  await page.getByLabel("New password", { exact: true }).fill("abcdefgh");
  await page.getByLabel("Repeat the new password").fill("abcdefgh");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByRole("alert")).toContainText("Use at least one digit.");

  await page.getByLabel("New password", { exact: true }).fill("Fresh-start-42");
  await page.getByLabel("Repeat the new password").fill("Fresh-start-42");
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password was changed. Sign in with the new one.");

  await page.getByLabel("E-mail").fill("admin2@aurora.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("The e-mail address or password is incorrect.");
  await page.getByLabel("Password").fill("Fresh-start-42");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});
