import * as fs from "fs";
import { expect, test } from "./fixtures";
import { hydrated, PASSWORD, signIn } from "./helpers";
import type { Page } from "@playwright/test";

// Self-service renewal quotes on the demo's Cirrus Studios (one German customer number, EUR, all
// auto-renew off). None of these tests buys what it quotes, so the renewal tests find their
// subscriptions as the demo made them.

const GROUP = /Group 1: Cirrus Studios GmbH, customer number 5150003001, EUR, Direct debit: •••• 3000/;
const ITEMS = "Subscriptions on this quote and the next term each renews for";
const OTHERS = "Other e-mail addresses (at most 4), one per line";

/** Reads the human check's question and types its answer, as a person would. */
async function answerCheck(page: Page) {
  const question = page.getByText(/^Human check: what is \d+ plus \d+\?/);
  const [, a, b] = (await question.innerText()).match(/what is (\d+) plus (\d+)/)!;
  await page.getByLabel(/^Human check: what is/).fill(String(Number(a) + Number(b)));
}

test("a buyer sends a renewal quote for a group to 4 other addresses; a 5th is refused; the mail's Buy link opens it", async ({ page }) => {
  // R-BULK-4, R-QUOTE-1, R-QUOTE-2, R-QUOTE-7
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
  await hydrated(page);
  const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
  for (const n of [2, 3, 4]) await boxes.nth(n).check();
  await expect(page.getByText("3 selected")).toBeVisible();
  await page.getByRole("button", { name: "Renew", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: GROUP })).toBeVisible();
  await page.getByRole("link", { name: "Create a renewal quote instead" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "New renewal quote" })).toBeVisible();
  await expect(page.getByRole("table", { name: ITEMS }).getByRole("row")).toHaveCount(4);
  await expect(page.getByText(/^Sent today, it can be accepted until /)).toBeVisible();
  await expect(page.getByLabel("Company name")).toHaveValue("Cirrus Studios GmbH");
  await hydrated(page);
  const five = ["a@partner.example", "b@partner.example", "c@partner.example", "d@partner.example", "e@partner.example"];
  await page.getByLabel(OTHERS).fill(five.join("\n"));
  await page.getByRole("checkbox", { name: /Lea Schmidt/ }).check();
  await answerCheck(page);
  await page.getByRole("button", { name: "Send quote" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("A quote can go to at most 4 addresses outside your organisation; you entered 5. Nothing was sent.");
  await expect(page.getByLabel(OTHERS)).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel(OTHERS).fill(five.slice(0, 4).join("\n"));
  await page.getByRole("button", { name: "Send quote" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was sent" })).toContainText(/Quote Q-\d+ was sent\. Its recipients get it by mail, with the PDF attached\./);
  const number = (await page.getByRole("heading", { level: 1 }).innerText()).replace("Quote ", "");
  await expect(page.getByText("Self-service")).toBeVisible();
  const sentTo = page.getByRole("region", { name: "Customer on this quote" }).getByRole("listitem");
  await expect(sentTo).toHaveText([...five.slice(0, 4), "admin@cirrus.example", "buyer@cirrus.example"].sort());

  // The PDF: a real PDF carrying the quote's number.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download the quote (PDF)" }).click();
  const file = await (await download).path();
  const bytes = fs.readFileSync(file!).toString("latin1");
  expect(bytes.startsWith("%PDF-")).toBe(true);
  expect(bytes).toContain(number);

  // The quote mail to an outside recipient: number, expiry, total, the PDF, and "Buy".
  await page.getByRole("link", { name: "Mailbox (demo)" }).click();
  const mail = page.getByRole("listitem").filter({ hasText: `Quote ${number}` }).filter({ hasText: "To a@partner.example" });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await mail.getByText(`Quote ${number}`).first().click();
  await expect(mail.getByText(`Attached: ${number}.pdf`)).toBeVisible();
  const text = await mail.locator("pre").innerText();
  expect(text).toMatch(/including discounts and tax\. It can be accepted until \d+ \w+ \d{4}\./);
  const link = text.match(/Buy: (http:\/\/\S+)/)![1];
  expect(link).toMatch(new RegExp(`/billing/quotes/${number}$`));

  // Signed out, the Buy link asks to sign in first, then shows the quote to accept.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("E-mail").fill("buyer@cirrus.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Quote ${number}` })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Accept and buy" })).toBeVisible();
});

test("a buyer sends an order of the cart as a quote instead, then empties the cart", async ({ page }) => {
  // R-QUOTE-2: cart, checkout, "Send as quote".
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
  await hydrated(page);
  const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
  for (const n of [6, 7]) await boxes.nth(n).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Renew", exact: true }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
  await page.getByRole("link", { name: "Send as quote" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New renewal quote" })).toBeVisible();
  await expect(page.getByRole("table", { name: ITEMS }).getByRole("row")).toHaveCount(3);
  await hydrated(page);
  await answerCheck(page);
  await page.getByRole("button", { name: "Send quote" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was sent" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Items of this quote" }).getByRole("row")).toHaveCount(3);

  // The renewal tests that follow find the cart as the demo left it.
  await page.goto("/billing/cart");
  for (let left = 2; left > 0; left--) {
    await hydrated(page);
    await page.getByRole("button", { name: /^Remove Meshworks Render \(\d+\) from the cart$/ }).first().click();
    await expect(page.getByRole("button", { name: /^Remove Meshworks Render/ })).toHaveCount(left - 1);
  }
  await expect(page.getByText(/^Your cart is empty\./)).toBeVisible();
});

test("a quote cannot add users, and a wrong answer to the human check sends nothing", async ({ page }) => {
  // R-QUOTE-4: users can be kept or reduced on a quote, never added.
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Fluxion&status=active");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Renew", exact: true }).click();
  await page.getByRole("link", { name: "Create a renewal quote instead" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New renewal quote" })).toBeVisible();
  const users = page.getByRole("spinbutton", { name: /^Users for Fluxion Simulate/ });
  await expect(users).toHaveCount(2);
  // The browser would stop 11 (max="10"); the server is asked directly, as a forged form would.
  const url = new URL(page.url());
  const first = (await users.first().getAttribute("name"))!;
  url.searchParams.set(first, "11");
  await page.goto(url.toString());
  await expect(page.getByRole("alert")).toContainText("A quote cannot add users: this subscription has 10.");

  url.searchParams.set(first, "8");
  await page.goto(url.toString());
  await expect(page.getByRole("spinbutton", { name: /^Users for Fluxion Simulate/ }).first()).toHaveValue("8");
  await hydrated(page);
  await page.getByLabel(/^Human check: what is/).fill("99");
  await page.getByRole("button", { name: "Send quote" }).click();
  await expect(page.getByRole("alert")).toContainText("That is not the answer to the human check. Nothing was sent; try again.");
  await answerCheck(page);
  await page.getByRole("button", { name: "Send quote" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was sent" })).toBeVisible();
  const row = page.getByRole("table", { name: "Items of this quote" }).getByRole("row").nth(1);
  await expect(row).toContainText("8");
});

test("an admin who is not a buyer cannot make a quote, and the server refuses a forged one", async ({ page }) => {
  // R-REN-1, R-ROLE-5
  await signIn(page, "admin@cirrus.example");
  await page.goto("/billing/quotes/new?ids=1");
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this.");
  await hydrated(page);
  const status = await page.evaluate(async () => {
    const r = await fetch("/api/send_quote", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        ids: "1",
        fingerprint: "0".repeat(32),
        customer_name: "X",
        customer_address: "Y",
        check_nonce: crypto.randomUUID(),
        check_answer: "4",
      }).toString(),
    });
    return r.status;
  });
  expect(status).toBe(403);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a buyer changes the term, updates the prices and sends a renewal quote with plain forms", async ({ page }) => {
    // R-QUOTE-2, R-BULK-4: every step a plain form.
    await signIn(page, "buyer@cirrus.example", { js: false });
    await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
    const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
    await boxes.nth(5).check();
    await page.getByRole("button", { name: "Renew", exact: true }).click();
    await page.getByRole("link", { name: "Create a renewal quote instead" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New renewal quote" })).toBeVisible();
    const total = await page.locator("dd.amount.big").innerText();
    await page.getByRole("combobox", { name: "Term" }).selectOption({ label: "Monthly" });
    await page.getByRole("button", { name: "Update prices" }).click();
    await expect(page.getByRole("combobox", { name: "Term" })).toHaveValue("monthly");
    await expect(page.locator("dd.amount.big")).not.toHaveText(total);
    await answerCheck(page);
    await page.getByRole("button", { name: "Send quote" }).click();
    await expect(page.getByRole("status").filter({ hasText: "was sent" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Items of this quote" })).toContainText("Monthly");
  });
});
