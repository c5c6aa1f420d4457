import { expect, test } from "./fixtures";
import { expectNoViolations, hydrated, PASSWORD, signIn } from "./helpers";

// The Billing and orders overview (issue 14, R-EXT-7): a buyer lands on it; it lists what falls
// due in the next 90 days, draws the spending of the last 5 months and this month as a chart
// split into paid, payment error and due (with a table of the same numbers), and shows the
// renewal calendar of the next 12 months. The chart is drawn on the server: without JavaScript
// it is there too.

/** "November 2026" for the month `offset` months from this one (UTC, as the overview counts). */
function month(offset: number): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return d.toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

test("a buyer lands on the overview, reads the chart and the 90-day list, and follows an item", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByRole("heading", { level: 1, name: "Billing and orders overview" })).toBeVisible();
  await hydrated(page);

  // The spending chart in euros, with its legend and its table: six months, oldest first.
  const chart = page.getByRole("img", { name: /Spending by month in EUR/ });
  await expect(chart).toBeVisible();
  expect(await chart.locator("rect").count()).toBeGreaterThan(0);
  await expect(page.getByRole("listitem").filter({ hasText: "Payment error" }).first()).toBeVisible();
  const table = page.getByRole("table", { name: "Spending by month in EUR, as a table" });
  const months = table.getByRole("rowheader");
  await expect(months).toHaveCount(6);
  await expect(months.last()).toHaveText(month(0));
  await expect(months.first()).toHaveText(month(-5));
  await expect(table.getByRole("columnheader")).toHaveText(["Month", "Paid", "Payment error", "Due", "Total"]);

  // The renewal calendar: twelve months from this one.
  const calendar = page.getByRole("table", { name: "Renewal calendar, next 12 months" });
  await expect(calendar.getByRole("rowheader")).toHaveCount(12);
  await expect(calendar.getByRole("rowheader").first()).toHaveText(month(0));
  await expect(calendar.getByRole("rowheader").last()).toHaveText(month(11));

  // Due in the next 90 days: dated rows, soonest first, each leading to its page.
  const due = page.getByRole("table", { name: "Due in the next 90 days" });
  const rows = due.getByRole("row").filter({ has: page.getByRole("link") });
  expect(await rows.count()).toBeGreaterThan(1);
  await expect(due.getByRole("link", { name: /renews$/ }).first()).toBeVisible();
  await expectNoViolations(page, "overview");
  const renewal = due.getByRole("link", { name: /renews$/ }).first();
  const [, id] = (await renewal.innerText()).match(/\((\d+)\) renews$/)!;
  await renewal.click();
  await expect(page).toHaveURL(new RegExp(`/billing/subscriptions/${id}$`));
  await expect(page.getByText("Renews on", { exact: true })).toBeVisible();
});

test("without JavaScript the overview's chart and tables are on the page", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill("buyer2@aurora.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByRole("img", { name: /Spending by month in EUR/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Due in the next 90 days" })).toBeVisible();
  await context.close();
});
