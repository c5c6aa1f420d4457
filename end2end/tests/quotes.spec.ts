import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// The demo's partner quotes: Northlight Partners' renewal quotes for Aurora's Finnish customer
// number (app/src/server/seed.rs): Q-<year>-0002 active, 0001 replaced by it, 0003 expired.

test("a buyer finds the partner's active quote first and reads it", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "Quotes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Quotes" })).toBeVisible();
  // R-QUOTE-7: the active quotes first, each with its number, expiry date and total.
  const table = page.getByRole("table", { name: "Quotes of your organisation, active ones first" });
  // The partner's three among the renewal quotes the portal made (R-QUOTE-6), in the list's order.
  const rows = table.getByRole("row").filter({ hasText: "Partner: Northlight Partners Oy" });
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("Active");
  await expect(rows.nth(0)).toContainText(/€/);
  await expect(rows.nth(1)).toContainText("Replaced by a newer quote");
  await expect(rows.nth(2)).toContainText("Expired");
  // Active ones first: nothing active comes after the replaced one.
  const all = await table.getByRole("row").allInnerTexts();
  const replaced = all.findIndex((r) => r.includes("Replaced by a newer quote"));
  expect(all.slice(replaced).some((r) => /\bActive\b/.test(r))).toBe(false);

  await rows.nth(0).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: /^Quote Q-\d{4}-0002$/ })).toBeVisible();
  await expect(page.getByText(/^Can be accepted until /)).toBeVisible();
  // R-QUOTE-5: the partner's discount shows on its line; R-QUOTE-8: the customer as printed.
  const lines = page.getByRole("table", { name: "Items of this quote" }).getByRole("row");
  await expect(lines).toHaveCount(4);
  await expect(lines.nth(1)).toContainText("Northlight partner renewal offer: 10 %");
  await expect(page.getByText("Aurora Design Oy")).toBeVisible();
  await expect(page.getByText("Partner CSN 5100900017")).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "procurement@aurora-design.example" })).toBeVisible();
  await expect(page.getByText("Total including discounts and tax")).toBeVisible();

  // Each line links to the subscription it renews.
  const sub = await lines.nth(1).getByRole("link").innerText();
  await lines.nth(1).getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/billing/subscriptions/${sub}$`));
});

test("an expired quote says so and what to do instead", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/quotes");
  await hydrated(page);
  await page.getByRole("row").filter({ hasText: "Expired" }).getByRole("link").click();
  await expect(page.getByRole("status")).toContainText(/This quote expired on .* and can no longer be accepted\. Ask your partner for a new quote/);
});

test("an admin who is not a buyer has no Quotes and is refused them", async ({ page }) => {
  await signIn(page, "admin@aurora.example");
  await expect(page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "Quotes" })).toHaveCount(0);
  await page.goto("/billing/quotes");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
  await expect(page.getByRole("table")).toHaveCount(0);
});

test("a buyer accepts the partner's quote from its mail and buys it in one order", async ({ page }) => {
  // R-QUOTE-7: the quote mail carries the number, expiry date and total including discounts,
  // and "Buy"; accepting goes through checkout at the quote's prices.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/quotes");
  const partner = page.getByRole("row").filter({ hasText: "Partner: Northlight Partners Oy" }).filter({ hasText: "Active" });
  const quoted = await partner.getByRole("link").innerText();
  // The demo's mailbox holds hundreds of mails by now: search it for this quote.
  await page.getByRole("link", { name: "Mailbox (demo)" }).click();
  await hydrated(page);
  await page.getByLabel("Recipient, subject or text").fill(quoted);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`/mailbox\\?q=${quoted}`));
  const mail = page.getByRole("listitem").filter({ hasText: `Quote ${quoted}: €` }).filter({ hasText: "To buyer@aurora.example" });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await mail.getByText(/Quote Q-\d{4}-0002/).first().click();
  await expect(mail.getByText(/^Attached: Q-\d{4}-0002\.pdf$/)).toBeVisible();
  const text = await mail.locator("pre").innerText();
  expect(text).toMatch(/for Aurora Design Oy: €[\d,.]+ including discounts and tax\. It can be accepted until /);
  await page.goto(text.match(/Buy: (http:\/\/\S+)/)![1]);
  await expect(page.getByRole("heading", { level: 2, name: "Accept and buy" })).toBeVisible();
  const number = (await page.getByRole("heading", { level: 1 }).innerText()).replace("Quote ", "");
  expect(number).toMatch(/^Q-\d{4}-0002$/);
  const total = await page.locator("dl.totals dd.amount").innerText();
  await hydrated(page);
  await page.getByRole("radio", { disabled: false }).first().check();
  await page.getByRole("button", { name: /^Accept and pay / }).click();
  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
  await expect(page.getByText(total).first()).toBeVisible();

  // The quote is accepted and names its order; accepting it again is not offered.
  await page.goto(`/billing/quotes/${number}`);
  await expect(page.getByRole("status")).toContainText("This quote was accepted.");
  await expect(page.getByRole("link", { name: /^Bought with order ORD-\d+\.$/ })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Accept and pay / })).toHaveCount(0);
});
