import { expect, Page, test } from "./fixtures";
import { expectNoViolations, hydrated, signIn } from "./helpers";

// Refunds (R-PAY-9) and credit memos (R-INV-1, R-INV-2) as a buyer uses them. The demo's
// renewals paid by invoice in the last 60 days are invoiced (app/src/server/seed.rs); those
// issued in the last 30 days are still open, so the test first pays one, which makes its
// renewal refundable. The first open invoice that is not overdue is left alone: other specs
// correct and reissue it (a part-paid invoice cannot be reissued).

const UNPAID = "Invoices, soonest due first";

/** The open rows (those with a box to tick) of the invoice list that are not overdue. */
async function openRows(page: Page) {
  const rows = page
    .getByRole("table", { name: UNPAID })
    .getByRole("row")
    .filter({ has: page.getByRole("checkbox") })
    .filter({ hasNotText: "Overdue" });
  return { rows, texts: await rows.allInnerTexts() };
}

const csnOf = (t: string) => t.match(/\b51500010\d\d\b/)![0];
const numberOf = (t: string) => t.match(/INV-[\d-]+/)![0];

async function paySelected(page: Page, numbers: string[]) {
  await page.goto("/billing/invoices");
  await hydrated(page);
  for (const n of numbers) await page.getByRole("checkbox", { name: `Select invoice ${n}` }).check();
  await page.getByRole("button", { name: "Pay selected invoices" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay invoices" })).toBeVisible();
  await hydrated(page);
}

test("a buyer refunds a renewal as a credit memo and pays another invoice with its credit", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  // The latest due of the open invoices was issued days ago: its renewal is within the window.
  const { texts } = await openRows(page);
  const byCsn = new Map<string, string[]>();
  for (const t of texts.slice(1)) byCsn.set(csnOf(t), [...(byCsn.get(csnOf(t)) ?? []), numberOf(t)]);
  const [csn, numbers] = [...byCsn].find(([, n]) => n.length >= 2)!;
  const recent = numbers[numbers.length - 1];
  const other = numbers[0];

  // Pay it by direct debit first (no online limit, R-PAY-2): a refund gives back what was paid.
  await paySelected(page, [recent]);
  await page.getByLabel(/^Direct debit/).check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payment of invoices" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("was paid");

  // From the invoice to its order, and the refund offered beside its line.
  await page.getByRole("link", { name: recent, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${recent}` })).toBeVisible();
  await hydrated(page);
  const total = (await page.locator("dd.amount.big").innerText()).trim();
  const order = (await page.getByRole("link", { name: /^ORD-/ }).innerText()).trim();
  await page.getByRole("link", { name: order, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Order ${order}` })).toBeVisible();
  await hydrated(page);
  const ask = page.getByRole("link", { name: /^Request a refund of subscription \d+$/ });
  await expect(ask).toHaveCount(1);
  await expect(page.getByRole("row").filter({ has: ask })).toContainText(/until /);
  await ask.click();

  // R-PAY-9: what is credited, until when, and that the renewal is undone.
  await expect(page.getByRole("heading", { level: 1, name: "Request a refund" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText("Credited", { exact: true })).toBeVisible();
  await expect(page.locator("dd.amount.big")).toHaveText(total);
  await expect(page.getByText(/^The renewal is undone: the subscription is canceled and its term ends on /)).toBeVisible();
  await expectNoViolations(page, "refund review");
  // A double click refunds once.
  await page.getByRole("button", { name: `Refund ${total}` }).dblclick();
  await expect(page.getByRole("heading", { level: 1, name: `Order ${order}` })).toBeVisible();
  const done = page.getByRole("status").filter({ hasText: "The refund was made as credit memo" });
  await expect(done).toBeVisible();
  const memo = (await done.innerText()).match(/CM-\d+-\d+/)![0];
  await expect(page.getByRole("cell", { name: `Refunded: ${memo}` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: `Refunded: ${memo}` })).toContainText("Canceled");
  await expect(page.getByRole("link", { name: /^Request a refund/ })).toHaveCount(0);
  await expectNoViolations(page, "order with a refunded line");

  // R-INV-1: the memo under Invoices and credit memos, its credit in the balance.
  await page.getByRole("link", { name: "See the credit memos" }).click();
  await hydrated(page);
  const memos = page.getByRole("table", { name: "Credit memos, newest first" });
  await expect(memos.getByRole("row").filter({ hasText: memo })).toHaveCount(1);
  await expect(memos.getByRole("row").filter({ hasText: memo })).toContainText(`Refund of order ${order}`);
  const balance = page.getByRole("table", { name: "Balance" }).getByRole("row").filter({ hasText: csn });
  await expect(balance.first()).toContainText(total);
  await expectNoViolations(page, "invoices with a credit memo");

  // R-INV-2: the credit pays another open invoice of the same payer number.
  await paySelected(page, [other]);
  await expect(page.getByText(`${total} of credit is left on this payer number's credit memos.`)).toBeVisible();
  await expectNoViolations(page, "pay page with credit");
  await page.getByLabel(/^Credit memo/).check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payment of invoices" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("was paid");
  await expect(page.getByText(`Credit memo: ${memo}`)).toBeVisible();
  await page.getByRole("link", { name: other, exact: true }).click();
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Payments" })).toContainText(`Credit memo: ${memo}`);
});

test("pay all with a part pays the oldest invoice first and a bad amount pays nothing", async ({ page }) => {
  // Beyond the product we mirror: "Pay all" for one payer number and currency, oldest first.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  // A payer number whose oldest open invoice is not the first open one that is not overdue.
  const { texts } = await openRows(page);
  const kept = csnOf(texts[0]);
  const others = new RegExp(`^Pay all open invoices of (?!${kept})51500010\\d\\d in (EUR|SEK|USD)$`);
  const payAll = page.getByRole("link", { name: others }).first();
  await payAll.click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay invoices" })).toBeVisible();
  await hydrated(page);
  const rows = page.getByRole("table", { name: "Invoices to pay" }).getByRole("row");
  expect(await rows.count()).toBeGreaterThan(2);
  const oldest = numberOf(await rows.nth(1).innerText());

  // An amount that is not one is refused, and nothing is paid.
  const amount = page.getByLabel(/^Amount to pay/);
  await amount.fill("ten euros");
  await page.getByLabel(/^Bank transfer/).check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("alert")).toContainText("“ten euros” is not an amount in the invoices’ currency. Nothing was paid.");
  await expect(amount).toHaveAttribute("aria-invalid", "true");

  // 1,00 as a Finnish or German buyer types it: one unit of the oldest, the rest stays open.
  await amount.fill("1,00");
  await page.getByLabel(/^Direct debit/).check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payment of invoices" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(/^Thank you: (€|SEK\s|US\$)1\.00 was paid\.$/);
  await page.getByRole("link", { name: oldest, exact: true }).click();
  await hydrated(page);
  await expect(page.getByText("Open", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Payments" })).toContainText(/(€|SEK\s|US\$)1\.00/);
});
