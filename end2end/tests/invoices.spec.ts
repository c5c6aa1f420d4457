import * as fs from "fs";
import { expect, Page, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Aurora's renewals paid by invoice in the last 60 days are invoiced in the demo data
// (app/src/server/seed.rs): most are open and not yet due, some past their due date are paid,
// others are still open (overdue). payer1 and payer2 are the payers of every one of them.

const UNPAID = "Invoices, soonest due first";

/** The open rows (those with a box to tick) of the invoice list, as text. */
async function openRows(page: Page) {
  const rows = page.getByRole("table", { name: UNPAID }).getByRole("row").filter({ has: page.getByRole("checkbox") });
  return { rows, texts: await rows.allInnerTexts() };
}

test("a payer sees only invoices and pays two of them at once", async ({ page }) => {
  // R-ROLE-6: payers land on their invoices and see nothing of subscriptions or renewals.
  await signIn(page, "payer1@aurora.example");
  await expect(page).toHaveURL(/\/billing\/invoices$/);
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Billing and orders" });
  await expect(nav.getByRole("link")).toHaveText(["Invoices and credit memos", "Profile and roles"]);
  await expect(page.getByText("You see the invoices you are a payer of.")).toBeVisible();

  // R-INV-1: the balance per payer number and currency, then the unpaid invoices, soonest due first.
  await expect(page.getByRole("table", { name: "Balance" })).toBeVisible();
  const { rows, texts } = await openRows(page);
  // Two open invoices of one payer number (one payment is one payer number and currency).
  const csnOf = (t: string) => t.match(/\b51500010\d\d\b/)![0];
  const byCsn = new Map<string, number[]>();
  // Not the late ones: the next test pays one of those.
  texts.forEach((t, i) => {
    if (!t.includes("Overdue")) byCsn.set(csnOf(t), [...(byCsn.get(csnOf(t)) ?? []), i]);
  });
  const [, picked] = [...byCsn].find(([, idx]) => idx.length >= 2)!;
  const numbers: string[] = [];
  for (const i of picked.slice(0, 2)) {
    const number = texts[i].match(/INV-[\d-]+/)![0];
    numbers.push(number);
    await rows.nth(i).getByRole("checkbox", { name: `Select invoice ${number}` }).check();
  }
  await page.getByRole("button", { name: "Pay selected invoices" }).click();

  // R-INV-2: the two together, one amount, the ways to pay them.
  await expect(page.getByRole("heading", { level: 1, name: "Pay invoices" })).toBeVisible();
  await hydrated(page);
  const toPay = page.getByRole("table", { name: "Invoices to pay" }).getByRole("row");
  await expect(toPay).toHaveCount(3);
  for (const n of numbers) await expect(toPay.filter({ hasText: n })).toHaveCount(1);
  await expect(page.getByLabel(/^Bank transfer/)).toBeEnabled();
  await page.getByLabel(/^Direct debit/).check();
  const pay = page.getByRole("button", { name: /^Pay / });
  const amount = (await pay.innerText()).replace(/^Pay /, "");
  // A double click pays once.
  await pay.dblclick();
  await expect(page.getByRole("heading", { level: 1, name: "Payment of invoices" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(`Thank you: ${amount} was paid.`);
  const paid = page.getByRole("listitem").filter({ hasText: /INV-/ });
  await expect(paid).toHaveCount(2);

  // Paid: gone from the unpaid list, listed under Paid, each with its payment.
  await page.getByRole("link", { name: "All invoices" }).click();
  await hydrated(page);
  for (const n of numbers) await expect(page.getByRole("link", { name: n, exact: true })).toHaveCount(0);
  await page.getByLabel("Status").selectOption({ label: "Paid" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=paid/);
  await page.getByRole("link", { name: numbers[0], exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${numbers[0]}` })).toBeVisible();
  await expect(page.getByText("Paid", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Payments" }).getByRole("listitem")).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Payments" })).toContainText("Direct debit");

  // Subscriptions and renewals stay closed to payers, whatever the address typed.
  await page.goto("/billing/subscriptions");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
});

test("a buyer pays a late invoice by bank transfer and it shows as pending", async ({ page }) => {
  // R-INV-1: overdue invoices are marked; R-PAY-7: a bank transfer takes 24-48 hours.
  await signIn(page, "buyer@aurora.example");
  await page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "Invoices and credit memos" }).click();
  await hydrated(page);
  const late = page.getByRole("table", { name: UNPAID }).getByRole("row").filter({ hasText: "Overdue" }).first();
  const number = (await late.getByRole("link").innerText()).trim();
  await late.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${number}` })).toBeVisible();
  await expect(page.getByText("Overdue", { exact: true })).toBeVisible();
  // Its lines, PO number, payers and totals.
  await expect(page.getByRole("table", { name: "What this invoice bills" }).getByRole("row")).toHaveCount(2);
  await expect(page.getByText(/^PO-\d{4}-\d{4}$/)).toBeVisible();
  const payers = page.getByRole("region", { name: "Payers" }).getByRole("listitem");
  await expect(payers).toHaveCount(2);
  await expect(payers.nth(0)).toContainText("payer1@aurora.example");
  await expect(payers.nth(1)).toContainText("payer2@aurora.example");

  // The invoice PDF (R-INV-3): a real PDF carrying its number.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the invoice (PDF)" }).click();
  const file = await (await download).path();
  const bytes = fs.readFileSync(file!).toString("latin1");
  expect(bytes.startsWith("%PDF-")).toBe(true);
  expect(bytes).toContain(number);

  await page.getByRole("link", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay invoices" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel(/^Bank transfer/).check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("status")).toContainText(/is on its way\. The invoices show as pending until it registers\./);
  await page.getByRole("listitem").getByRole("link", { name: number }).click();
  await expect(page.getByText("Payment pending", { exact: true })).toBeVisible();
  // Its payment is on its way: it cannot be paid a second time.
  await expect(page.getByRole("link", { name: /^Pay / })).toHaveCount(0);
  await page.goto(`/billing/invoices/pay?numbers=${number}`);
  await expect(page.getByRole("alert")).toContainText(`A payment of invoice ${number} is on its way already. Nothing was paid again.`);
});

test("an admin who is not a buyer has no invoices and is refused them", async ({ page }) => {
  // R-ROLE-5: admins never see or act on billing.
  await signIn(page, "admin@aurora.example");
  const nav = page.getByRole("navigation", { name: "Billing and orders" });
  await expect(nav.getByRole("link", { name: "Invoices and credit memos" })).toHaveCount(0);
  await page.goto("/billing/invoices");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
  await expect(page.getByRole("table")).toHaveCount(0);
  const res = await page.request.get("/billing/invoices/INV-1-20260101/pdf");
  expect(res.status()).toBe(403);
});

test("a buyer adds payers up to 10 and is refused the 11th", async ({ page }) => {
  // R-INV-4, R-ROLE-6: at most 10 payer addresses per invoice, the 11th refused with a clear
  // message and nothing changed; removing one makes room again.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  // The last open invoice (soonest due first): not one the other tests pay.
  const { rows } = await openRows(page);
  const link = rows.last().getByRole("link");
  const number = (await link.innerText()).trim();
  await link.click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${number}` })).toBeVisible();
  await hydrated(page);
  const payers = page.getByRole("region", { name: "Payers" });
  await expect(payers.getByText("2 of at most 10 payers")).toBeVisible();
  const eight = Array.from({ length: 8 }, (_, i) => `ap${i + 3}@aurora-payables.example`);
  await payers.getByLabel("Add payers").fill(eight.join("\n"));
  await payers.getByRole("button", { name: "Add", exact: true }).click();
  await expect(payers.getByRole("status")).toContainText("The payers were saved.");
  await expect(payers.getByText("10 of at most 10 payers")).toBeVisible();
  await expect(payers.getByRole("listitem")).toHaveCount(10);

  await hydrated(page);
  await payers.getByLabel("Add payers").fill("ap11@aurora-payables.example");
  await payers.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("An invoice has at most 10 payers; this would make 11. Nothing was changed.");
  await expect(payers.getByLabel("Add payers")).toHaveAttribute("aria-invalid", "true");
  await page.reload();
  await expect(payers.getByRole("listitem")).toHaveCount(10);

  // One removed: 9, then the 11th fits.
  await hydrated(page);
  await payers.getByRole("button", { name: "Remove payer ap3@aurora-payables.example" }).click();
  await expect(payers.getByText("9 of at most 10 payers")).toBeVisible();
  await expect(payers.getByText("ap3@aurora-payables.example")).toHaveCount(0);
  await hydrated(page);
  await payers.getByLabel("Add payers").fill("not an address");
  await payers.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("“not” is not an e-mail address. Nothing was changed.");
});
