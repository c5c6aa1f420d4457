import { expect, test } from "./fixtures";
import { downloadCsv as download, hydrated, signIn, total } from "./helpers";

// The CSV export of the Subscriptions and contracts list (R-EXT-9), downloaded as a person
// does and read back with a CSV reader that honours quotes.

test("a buyer exports the 300 subscriptions to CSV, then only the filtered ones", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/subscriptions");
  await hydrated(page);
  const all = await total(page);
  expect(all).toBe(300);
  const { name, rows } = await download(page);
  expect(name).toBe("subscriptions.csv");
  const [header, ...data] = rows;
  expect(header).toEqual([
    "Subscription ID",
    "Product",
    "Status",
    "Term",
    "Seats",
    "Customer number (CSN)",
    "Currency",
    "Start date",
    "End date",
    "Auto-renew",
    "Auto-renew date",
    "Contract number",
    "Reseller",
    "Reseller e-mail",
  ]);
  // Every subscription, not only the page shown; each row whole, dates in ISO 8601.
  expect(data).toHaveLength(300);
  for (const r of data) {
    expect(r).toHaveLength(14);
    expect(r[0]).toMatch(/^\d+$/);
    expect(r[7]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r[8]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(["On", "Off"]).toContain(r[9]);
  }
  // The first rows are the list's first rows, in its order.
  const href = await page.getByRole("row").nth(1).getByRole("link").first().getAttribute("href");
  expect(data[0][0]).toBe(href!.split("/").pop());

  // Filtered: the export follows the filters.
  await page.getByLabel("Status").selectOption("expired");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=expired/);
  await hydrated(page);
  const expired = await total(page);
  const filtered = await download(page);
  expect(filtered.rows.length - 1).toBe(expired);
  for (const r of filtered.rows.slice(1)) expect(r[2]).toBe("Expired");
});
