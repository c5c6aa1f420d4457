import * as fs from "fs";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Aurora's renewals paid by invoice in the last 60 days are invoiced in the demo data; the
// first open invoice that is not overdue is the one corrected here (invoices.spec.ts pays
// others, picked by where they stand in the list, not by number).

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const EXE = Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00This program cannot be run in DOS mode.", "latin1");

test("a buyer edits the PO number, attaches a PO document and reissues an open invoice", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  const open = page
    .getByRole("table", { name: "Invoices, soonest due first" })
    .getByRole("row")
    .filter({ has: page.getByRole("checkbox") })
    .filter({ hasNotText: "Overdue" })
    .first();
  const old = (await open.getByRole("link").innerText()).trim();
  await open.getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${old}` })).toBeVisible();
  // Its subscription's page, Payment section: Edit invoice details (R-INV-5).
  await page.getByRole("table", { name: "What this invoice bills" }).getByRole("link").first().click();
  await expect(page.getByRole("region", { name: "Payment" })).toBeVisible();
  await page.getByRole("link", { name: "Edit invoice details" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Invoice details" })).toBeVisible();
  await hydrated(page);
  // The invoice issued before the change is listed, to be reissued.
  await expect(page.getByRole("link", { name: old, exact: true })).toBeVisible();

  const po = page.getByRole("textbox", { name: "PO number" });
  await po.fill("PO-E2E-4711");
  await page.getByRole("textbox", { name: "Notes" }).fill("Attn: Accounts payable");
  await page.getByRole("button", { name: "Save invoice details" }).click();
  await expect(page.getByRole("status")).toHaveText("Invoice details saved. They apply to the invoices issued from now on.");
  await expect(po).toHaveValue("PO-E2E-4711");

  // A program named .pdf is refused by its content; nothing is attached.
  const documents = page.getByRole("region", { name: "PO documents" });
  await documents.getByLabel("PO document", { exact: true }).setInputFiles({ name: "purchase-order.pdf", mimeType: "application/pdf", buffer: EXE });
  await documents.getByRole("button", { name: "Attach document" }).click();
  await expect(page.getByRole("alert")).toContainText("The file is not a PDF, PNG or JPEG. Files are checked by their content, whatever their name.");
  await expect(documents.getByText("0 of 5 documents")).toBeVisible();
  await expect(documents.getByLabel("PO document", { exact: true })).toHaveAttribute("aria-invalid", "true");

  // A real PDF is attached and can be downloaded again, byte for byte.
  await documents.getByLabel("PO document", { exact: true }).setInputFiles({ name: "PO 4711.pdf", mimeType: "application/pdf", buffer: PDF });
  await documents.getByRole("button", { name: "Attach document" }).click();
  await expect(page.getByRole("status")).toHaveText("PO document attached.");
  await expect(documents.getByText("1 of 5 documents")).toBeVisible();
  const download = page.waitForEvent("download");
  await documents.getByRole("link", { name: "PO 4711.pdf" }).click();
  expect(fs.readFileSync((await (await download).path())!)).toEqual(PDF);

  // R-EXT-4: the open invoice is reissued with the new PO number; the old one is voided and
  // linked to the new one.
  await page.getByRole("link", { name: old, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${old}` })).toBeVisible();
  await hydrated(page);
  const reissue = page.getByRole("region", { name: "Reissue this invoice" });
  await expect(reissue.getByRole("textbox", { name: "PO number" })).toHaveValue("PO-E2E-4711");
  await reissue.getByRole("button", { name: "Void and reissue" }).dblclick();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${old}-R1` })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(
    "The invoice was reissued under this number and mailed to its payers. The old one is voided.",
  );
  await expect(page.getByText("PO-E2E-4711", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: old, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Invoice ${old}` })).toBeVisible();
  await expect(page.getByText("Voided", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: `${old}-R1` })).toBeVisible();
  await expect(page.getByRole("region", { name: "Reissue this invoice" })).toHaveCount(0);

  // The payers get the new invoice by mail (the demo Mailbox).
  // Delivered by the outbox worker within seconds: the Mailbox is read again until it is there.
  await expect(async () => {
    await page.goto(`/mailbox?q=${old}-R1`);
    await expect(page.getByText(`${old}-R1`).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
});

test("a payer cannot reach invoice details or PO documents", async ({ page }) => {
  // R-ROLE-6: payers see invoices and payments only.
  await signIn(page, "payer1@aurora.example");
  await page.goto("/billing/subscriptions/1/invoice-details");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
  const res = await page.request.get("/billing/subscriptions/1/invoice-details/documents/1");
  expect(res.status()).toBe(403);
});

test("a buyer manages a subscription's payers from its page", async ({ page }) => {
  // R-INV-4: "Manage payers" also from a subscription's page: the payers of its next invoices.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  await page.getByRole("table", { name: "Invoices, soonest due first" }).getByRole("link", { name: /^INV-/ }).last().click();
  await page.getByRole("table", { name: "What this invoice bills" }).getByRole("link").first().click();
  const payment = page.getByRole("region", { name: "Payment" });
  await expect(payment).toBeVisible();
  await hydrated(page);
  await payment.getByRole("link", { name: "Manage payers" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Invoice details" })).toBeVisible();
  await hydrated(page);
  const payers = page.getByRole("region", { name: "Payers" });
  await payers.getByLabel("Add payers").fill("Accounts.Payable@aurora.example");
  await payers.getByRole("button", { name: "Add" }).click();
  await expect(payers.getByRole("status")).toHaveText(
    "The payers were saved. They receive this subscription’s invoices issued from now on; invoices already issued keep theirs.",
  );
  await expect(payers.getByRole("listitem").filter({ hasText: "accounts.payable@aurora.example" })).toHaveCount(1);
  // An address that is not one changes nothing and says why.
  await payers.getByLabel("Add payers").fill("not an address");
  await payers.getByRole("button", { name: "Add" }).click();
  await expect(payers.getByRole("alert")).toContainText("is not an e-mail address. Nothing was changed.");
  // Removed again: the list reloads (the second change has its own address).
  await payers.getByRole("button", { name: "Remove payer accounts.payable@aurora.example" }).click();
  await expect(payers.getByRole("listitem").filter({ hasText: "accounts.payable@aurora.example" })).toHaveCount(0);
  // The subscription's page lists who its next invoices go to.
  await page.getByRole("link", { name: "Back to the subscription" }).click();
  await expect(page.getByRole("region", { name: "Payment" })).not.toContainText("accounts.payable@aurora.example");
});
