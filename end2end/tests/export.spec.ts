import * as fs from "fs";
import { expect, Page, test } from "./fixtures";
import { hydrated, signIn, total } from "./helpers";

// The CSV export of the Subscriptions and contracts list (R-EXT-9), downloaded as a person
// does and read back with a CSV reader that honours quotes.

/** RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function download(page: Page): Promise<{ name: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export to CSV" }).click()]);
  const text = fs.readFileSync((await file.path())!, "utf8");
  expect(text.startsWith("\ufeff"), "a byte-order mark, so spreadsheets read UTF-8").toBe(true);
  return { name: file.suggestedFilename(), rows: parseCsv(text.slice(1)) };
}

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
