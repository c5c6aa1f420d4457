import { expect, Page, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// A buyer adds a new address as payer of two open invoices of one customer number; the address
// has no account, so an invitation arrives by mail (R-ROLE-6, R-INV-4). The payer opens an
// account from it, signs in, sees only those invoices and pays both at once.

const NEW_PAYER = "oona.payer@aurora-payables.example";
const UNPAID = "Invoices, soonest due first";

async function openRows(page: Page) {
  const rows = page.getByRole("table", { name: UNPAID }).getByRole("row").filter({ has: page.getByRole("checkbox") });
  return { rows, texts: await rows.allInnerTexts() };
}

test("a payer invited by mail opens an account, sees only invoices and pays two at once", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/invoices");
  await hydrated(page);
  const { texts } = await openRows(page);
  const csnOf = (t: string) => t.match(/\b51500010\d\d\b/)![0];
  const byCsn = new Map<string, string[]>();
  for (const t of texts) {
    if (!t.includes("Overdue")) byCsn.set(csnOf(t), [...(byCsn.get(csnOf(t)) ?? []), t.match(/INV-[\d-]+/)![0]]);
  }
  const [, numbers] = [...byCsn].find(([, n]) => n.length >= 2)!;
  const two = numbers.slice(0, 2);
  for (const number of two) {
    await page.goto(`/billing/invoices/${number}`);
    await hydrated(page);
    const payers = page.getByRole("region", { name: "Payers" });
    await payers.getByLabel("Add payers").fill(NEW_PAYER);
    await payers.getByRole("button", { name: "Add", exact: true }).click();
    await expect(payers.getByRole("status")).toContainText("The payers were saved.");
    await expect(payers.getByText(NEW_PAYER)).toBeVisible();
  }

  // Signed out, the invitation is in the mailbox: one, though the address was added twice.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("link", { name: "Mailbox (demo)" }).click();
  const mail = page
    .getByRole("listitem")
    .filter({ hasText: "Aurora Design Group invited you to pay invoices in Billing and orders" })
    .filter({ hasText: `To ${NEW_PAYER}` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await mail.getByText("Aurora Design Group invited you to pay invoices in Billing and orders").click();
  const text = await mail.locator("pre").innerText();
  expect(text).toContain("Aino Virtanen added your address as a payer of invoices of Aurora Design Group.");
  const link = text.match(/http:\/\/\S+\/accept-invitation\?token=\S+/)![0];

  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Open your account" })).toBeVisible();
  await expect(page.getByText("Aurora Design Group invited you to Billing and orders. Your role: Payer.")).toBeVisible();
  await expect(page.getByRole("textbox", { name: "E-mail" })).toHaveValue(NEW_PAYER);
  await page.getByRole("textbox", { name: "Your name" }).fill("Oona Payer");
  // R-AUTH-1 on the server.
  await page.getByLabel("New password", { exact: true }).fill("abcdefgh");
  await page.getByLabel("Repeat the new password").fill("abcdefgh");
  await page.getByRole("button", { name: "Open my account" }).click();
  await expect(page.getByRole("alert")).toContainText("Use at least one digit.");
  await page.getByLabel("New password", { exact: true }).fill("Payer-start-42");
  await page.getByLabel("Repeat the new password").fill("Payer-start-42");
  await page.getByRole("button", { name: "Open my account" }).click();

  await expect(page.getByRole("status")).toHaveText("Your account is open. Sign in with your new password.");
  await expect(page.getByLabel("E-mail")).toHaveValue(NEW_PAYER);
  await hydrated(page);
  await page.getByLabel("Password").fill("Payer-start-42");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing\/invoices$/);
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Billing and orders" });
  await expect(nav.getByRole("link")).toHaveText(["Invoices and credit memos", "Profile and roles"]);

  // Exactly the two invoices naming them, paid together.
  const mine = await openRows(page);
  expect(mine.texts.map((t) => t.match(/INV-[\d-]+/)![0]).sort()).toEqual([...two].sort());
  for (const number of two) await page.getByRole("checkbox", { name: `Select invoice ${number}` }).check();
  await page.getByRole("button", { name: "Pay selected invoices" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Pay invoices" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel(/^Direct debit/).check();
  const pay = page.getByRole("button", { name: /^Pay / });
  const amount = (await pay.innerText()).replace(/^Pay /, "");
  await pay.click();
  await expect(page.getByRole("status")).toHaveText(`Thank you: ${amount} was paid.`);

  // The invitation worked once.
  await page.goto(link);
  await expect(page.getByRole("alert")).toContainText("This invitation link is no longer valid");
  // Subscriptions stay closed to payers.
  await page.goto("/billing/subscriptions");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
});
