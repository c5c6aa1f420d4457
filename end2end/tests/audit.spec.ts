import { expect, test } from "./fixtures";
import { downloadCsv, expectNoViolations, hydrated, signIn } from "./helpers";

// The audit trail (issue 14): a buyer's change shows up with who, when, what and the change
// itself; the trail filters by subscription and kind and exports what it selects as CSV; an
// admin who is not a buyer sees user management only (R-ROLE-5).

test("a buyer finds their own change in the audit trail, filters it and exports it", async ({ page }) => {
  await signIn(page, "buyer2@aurora.example");
  await page.goto("/billing/subscriptions?status=active&auto_renew=on&sort=id");
  await hydrated(page);
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  const id = page.url().split("/").pop()!;
  await hydrated(page);
  await page.getByRole("link", { name: "Turn auto-renew off" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm: turn auto-renew off for 1 subscription" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned off for 1 subscription/);

  await page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "Audit trail" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit trail" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Subscription ID").fill(id);
  await page.getByLabel("Kind").selectOption({ label: "Auto-renew" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`subscription=${id}`));
  const table = page.getByRole("table", { name: "Recorded changes, newest first" });
  const newest = table.getByRole("row").nth(1);
  await expect(newest).toContainText("Lina Berg");
  await expect(newest).toContainText("auto_renew.off");
  await expect(newest.getByRole("link", { name: `Subscription ${id}` })).toBeVisible();
  await expectNoViolations(page, "audit trail");

  const { name, rows } = await downloadCsv(page);
  expect(name).toBe("audit-trail.csv");
  expect(rows[0]).toEqual(["When", "Who", "Kind", "Action", "About", "Change (before and after)"]);
  const body = rows.slice(1).filter((r) => r.length > 1);
  expect(body.length).toBeGreaterThan(0);
  expect(body.every((r) => r[2] === "Auto-renew" && r[4] === `Subscription ${id}`)).toBe(true);
  expect(body[0][1]).toBe("Lina Berg <buyer2@aurora.example>");
  expect(body[0][3]).toBe("auto_renew.off");
  expect(body[0][0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

test("an admin who is not a buyer sees the user-management entries only", async ({ page }) => {
  await signIn(page, "admin@aurora.example");
  await page.goto("/billing/audit");
  await hydrated(page);
  await expect(page.getByText("As an admin who is not a buyer, you see the user-management changes.")).toBeVisible();
  await expect(page.getByLabel("Kind").getByRole("option")).toHaveText(["All", "Invitation", "User and roles", "Seat", "Profile"]);
});
