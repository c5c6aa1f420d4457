import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Adding seats now (R-SUB-3, R-PRICE-1, R-PRICE-3) on the demo's Cirrus Studios: Structura BIM,
// 1 seat at 2,829.00 EUR a year, renewing 200 days after the demo data was loaded (and the
// second one 201 days after). German VAT is 19 %.

async function openStructura(page: Page, row: number) {
  await page.goto("/billing/subscriptions?q=Structura&sort=date");
  await page.getByRole("row").nth(row).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Structura BIM" })).toBeVisible();
}

test("a buyer adds seats, sees the prorated amount, pays by card and has the seats", async ({ page }) => {
  // R-PRICE-1, R-PRICE-3: 2 seats x 2,829.00 x 200/365 = 3,100.2740, rounded once: 3,100.27;
  // VAT 19 % = 589.05; total 3,689.32, charged at once (R-EXT-2).
  await signIn(page, "buyer@cirrus.example");
  await openStructura(page, 1);
  const subscription = page.url();
  await hydrated(page);
  const card = page.getByRole("region", { name: "Add seats" });
  await card.getByLabel("Seats to add").fill("2");
  await card.getByRole("button", { name: "Review the price" }).click();

  await expect(page.getByRole("heading", { level: 2, name: /^Add 2 seats to Structura BIM \(\d+\)$/ })).toBeVisible();
  await expect(page.getByText(/co-termed with the current term \(1 year\)/)).toBeVisible();
  await expect(page.getByText("€2,829.00", { exact: true })).toBeVisible();
  await expect(page.getByText("€3,100.27", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("€589.05", { exact: true })).toBeVisible();
  await expect(page.getByText("€3,689.32", { exact: true })).toBeVisible();
  await expect(page.getByText("Seats after this order: 3")).toBeVisible();
  await hydrated(page);
  await page.getByRole("radio", { name: "Card: Visa •••• 4242" }).check();
  await page.getByRole("button", { name: "Place order and pay €3,689.32" }).click();

  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
  await expect(page.getByText("Paid", { exact: true })).toBeVisible();
  await page.goto(subscription);
  await expect(page.getByRole("region", { name: "Overview" }).getByText("3", { exact: true })).toBeVisible();
});

test("a buyer cannot add zero seats: the server says so and nothing is ordered", async ({ page }) => {
  // R-SUB-3: the review refuses a count the form's own limits would have stopped.
  await signIn(page, "buyer@cirrus.example");
  await openStructura(page, 2);
  const id = page.url().split("/").pop()!;
  await page.goto(`/billing/subscriptions/${id}/add-seats?seats=0`);
  await expect(page.getByRole("alert")).toContainText("Enter a whole number of seats, at least 1.");
  await expect(page.getByRole("button", { name: /^Place order/ })).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a buyer adds a seat and pays by invoice with plain forms", async ({ page }) => {
    // R-SUB-3, R-REN-5: the form, the review and the order are plain forms; pay by invoice
    // places the order at once with its invoice.
    await signIn(page, "buyer@cirrus.example", { js: false });
    await openStructura(page, 2);
    await page.getByRole("region", { name: "Add seats" }).getByLabel("Seats to add").fill("1");
    await page.getByRole("button", { name: "Review the price" }).click();
    await expect(page.getByText("Seats after this order: 2")).toBeVisible();
    await page.getByRole("radio", { name: /^Pay by invoice/ }).check();
    await page.getByRole("button", { name: /^Place order and pay €/ }).click();
    await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
    await expect(page.getByText(/^Invoiced \(INV-\d+\)$/)).toBeVisible();
  });
});
