import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { expectNoViolations, expectVisibleFocus, hydrated, Lang, signIn, signInAs, tabTo, words } from "./helpers";

// WCAG 2.1 AA as axe-core checks it, on every page for every role that can see it, in English
// and German: no violations. Then what axe cannot see: a keyboard-only Manage auto-renew.

/** The first subscription of a filtered list: its id. */
async function firstSubscription(page: Page, query: string): Promise<string> {
  await page.goto(`/billing/subscriptions?${query}`);
  const href = await page.getByRole("row").nth(1).getByRole("link").first().getAttribute("href");
  return href!.split("/").pop()!;
}

for (const lang of ["en", "de"] as Lang[]) {
  test.describe(`accessibility in ${lang}`, () => {
    test.use({ locale: lang === "en" ? "en-GB" : "de-DE" });

    test("pages anyone can open", async ({ page }) => {
      for (const path of ["/sign-in", "/forgot-password", "/reset-password?token=made-up", "/accept-invitation?token=made-up", "/mailbox", "/no-such-page"]) {
        await page.goto(path);
        await expectNoViolations(page, `${lang} anonymous ${path}`);
      }
      // A page with an error on it.
      const w = words(lang);
      await page.goto("/sign-in");
      await hydrated(page);
      await page.getByLabel(w.sign_in.email).fill("nobody@aurora.example");
      await page.getByLabel(w.sign_in.password).fill("Wrong-password-1");
      await page.getByRole("button", { name: w.sign_in.submit, exact: true }).click();
      await expect(page.getByRole("alert")).toBeVisible();
      await expectNoViolations(page, `${lang} sign-in with an error`);
    });

    test("a buyer's list and subscriptions", async ({ page }) => {
      await signInAs(page, lang, "buyer@aurora.example");
      const on = await firstSubscription(page, "status=active&auto_renew=on");
      await expectNoViolations(page, `${lang} buyer list`);
      await page.goto(`/billing/subscriptions/${on}`);
      await expectNoViolations(page, `${lang} buyer subscription`);
      const expired = await firstSubscription(page, "status=expired");
      await page.goto(`/billing/subscriptions/${expired}`);
      await expectNoViolations(page, `${lang} buyer expired subscription`);
    });

    test("a buyer's auto-renew review, payment methods and account", async ({ page }) => {
      await signInAs(page, lang, "buyer@aurora.example");
      const on = await firstSubscription(page, "status=active&auto_renew=on");
      const canceled = await firstSubscription(page, "status=canceled");
      await page.goto(`/billing/auto-renew?on=true&ids=${on},${canceled}`);
      await expectNoViolations(page, `${lang} buyer auto-renew review with an ineligible one`);
      await page.goto("/billing/payment-methods");
      await expectNoViolations(page, `${lang} buyer payment methods`);
      await page.goto(`/billing/payment-methods/change?ids=${on}`);
      await expectNoViolations(page, `${lang} buyer change of payment method`);
      for (const path of ["/account", "/demo/clock", "/mailbox"]) {
        await page.goto(path);
        await expectNoViolations(page, `${lang} buyer ${path}`);
      }
    });

    test("a buyer's renewing pages: groups, cart, orders", async ({ page }) => {
      await signInAs(page, lang, "buyer@aurora.example");
      const soon = await firstSubscription(page, "status=active&sort=date");
      const canceled = await firstSubscription(page, "status=canceled");
      await page.goto(`/billing/renew?ids=${soon},${canceled}`);
      await expect(page.getByRole("heading", { level: 2 }).first()).toBeVisible();
      await expectNoViolations(page, `${lang} renew groups with one left out`);
      await page.getByRole("button", { name: words(lang).renew.add }).click();
      await expect(page.getByRole("heading", { level: 1, name: words(lang).cart.title })).toBeVisible();
      await expectNoViolations(page, `${lang} cart with an order`);
      // Empty the cart again: other tests see this buyer's cart as seeded.
      const status = await page.evaluate(async (id) => {
        const r = await fetch("/api/remove_from_cart", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: `ids=${id}`,
        });
        return r.status;
      }, soon);
      expect(status).toBe(200);
      await page.goto("/billing/cart");
      await expect(page.getByText(words(lang).cart.empty)).toBeVisible();
      await expectNoViolations(page, `${lang} empty cart`);
      await page.goto("/billing/orders");
      await expect(page.getByRole("heading", { level: 1, name: words(lang).orders.title })).toBeVisible();
      await expectNoViolations(page, `${lang} orders`);
      await page.goto(`/billing/subscriptions/${soon}/add-seats?seats=2`);
      await expect(page.getByRole("button", { name: /€|kr|\$|SEK|EUR|USD/ })).toBeVisible();
      await expectNoViolations(page, `${lang} add seats review`);
      await page.goto(`/billing/subscriptions/${soon}/extend?target=${canceled}`);
      await expect(page.getByRole("alert")).toBeVisible();
      await expectNoViolations(page, `${lang} extension refused`);
    });

    test("a buyer's overview, customer details and user management", async ({ page }) => {
      const w = words(lang);
      await signInAs(page, lang, "buyer@aurora.example");
      // A buyer lands on the overview (R-EXT-7): its chart, its table and the 90-day list.
      await expect(page.getByRole("heading", { level: 1, name: w.overview.title })).toBeVisible();
      await expectNoViolations(page, `${lang} overview`);
      await page.goto("/billing/customer-details");
      await expect(page.getByRole("heading", { level: 1, name: w.customer.title })).toBeVisible();
      await expectNoViolations(page, `${lang} customer details`);
      await page.goto("/users");
      await expect(page.getByRole("heading", { level: 1, name: w.users.title })).toBeVisible();
      await expectNoViolations(page, `${lang} user management`);
      await page.goto("/users/products");
      await expect(page.getByRole("heading", { level: 1, name: w.users.products_title })).toBeVisible();
      await expectNoViolations(page, `${lang} product assignments`);
    });

    test("a buyer's quotes", async ({ page }) => {
      await signInAs(page, lang, "buyer@aurora.example");
      await page.goto("/billing/quotes");
      await expect(page.getByRole("heading", { level: 1, name: words(lang).quotes.title })).toBeVisible();
      await expectNoViolations(page, `${lang} quotes`);
      // Each state a quote's page can show (the partner's active, replaced and expired ones),
      // and one the portal made (R-QUOTE-6).
      const w = words(lang).quotes;
      const partner = w.from_partner.replace("{{ name }}", "Northlight Partners Oy");
      const numbers = await page.getByRole("row").filter({ hasText: partner }).getByRole("link").allInnerTexts();
      expect(numbers).toHaveLength(3);
      // The engine's first pass, at start, makes them: wait for it if it is still running.
      const automatic = page.getByRole("row").filter({ hasText: w.from_automatic }).getByRole("link").first();
      await expect(async () => {
        await page.reload();
        await expect(automatic).toBeVisible({ timeout: 1000 });
      }).toPass({ timeout: 30_000 });
      numbers.push(await automatic.innerText());
      for (const number of numbers) {
        await page.goto(`/billing/quotes/${number}`);
        await expect(page.getByRole("heading", { level: 1, name: new RegExp(number) })).toBeVisible();
        await expectNoViolations(page, `${lang} quote ${number}`);
      }
      // A new renewal quote for the subscription of the last one.
      const id = await page.getByRole("table").last().getByRole("row").nth(1).getByRole("link").first().innerText();
      await page.goto(`/billing/quotes/new?ids=${id}`);
      await expect(page.getByRole("heading", { level: 1, name: words(lang).new_quote.title })).toBeVisible();
      await expectNoViolations(page, `${lang} new quote`);
    });

    test("an admin's pages", async ({ page }) => {
      await signInAs(page, lang, "admin@aurora.example");
      const id = await firstSubscription(page, "");
      await expectNoViolations(page, `${lang} admin list`);
      await page.goto(`/billing/subscriptions/${id}`);
      await expectNoViolations(page, `${lang} admin subscription`);
      await page.goto("/account");
      await expectNoViolations(page, `${lang} admin account`);
      await page.goto("/users");
      await expectNoViolations(page, `${lang} admin user management`);
    });

    test("a payer's pages", async ({ page: payer }) => {
      await signInAs(payer, lang, "payer1@aurora.example");
      // A payer lands on their invoices (R-ROLE-6): the list, one invoice, paying it.
      await expect(payer.getByRole("heading", { level: 1, name: words(lang).invoices.title })).toBeVisible();
      await expectNoViolations(payer, `${lang} payer invoices`);
      const invoice = await payer.getByRole("link", { name: /^INV-/ }).first().innerText();
      await payer.goto(`/billing/invoices/${invoice}`);
      await expect(payer.getByRole("heading", { level: 1, name: new RegExp(invoice) })).toBeVisible();
      await expectNoViolations(payer, `${lang} payer invoice`);
      await payer.goto(`/billing/invoices/pay?numbers=${invoice}`);
      await expect(payer.getByRole("heading", { level: 1, name: words(lang).invoices.pay_title })).toBeVisible();
      await expectNoViolations(payer, `${lang} payer pays an invoice`);
      await payer.goto("/account");
      await expectNoViolations(payer, `${lang} payer account`);
      await payer.goto("/billing/subscriptions");
      await expect(payer.getByRole("alert")).toBeVisible();
      await expectNoViolations(payer, `${lang} payer refused the list`);
    });
  });
}

test("keyboard only: sign in and turn auto-renew off for three subscriptions", async ({ page }) => {
  // R-BULK-1, with no mouse: every step reached with Tab, with a visible focus, and the result
  // takes the focus.
  const w = words("en");
  await page.goto("/sign-in");
  await hydrated(page);
  await tabTo(page, page.getByLabel(w.sign_in.email));
  await expectVisibleFocus(page);
  await page.keyboard.type("buyer2@aurora.example");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Demo-portal-2026");
  await page.keyboard.press("Enter");
  // A buyer lands on the overview (R-EXT-7).
  await expect(page.getByRole("heading", { level: 1, name: "Billing and orders overview" })).toBeVisible();

  await page.goto("/billing/subscriptions?status=active&auto_renew=on&sort=id");
  await hydrated(page);
  const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    await tabTo(page, boxes.nth(i));
    await expectVisibleFocus(page);
    await page.keyboard.press("Space");
    await expect(boxes.nth(i)).toBeChecked();
    ids.push((await boxes.nth(i).getAttribute("value"))!);
  }
  await expect(page.getByText("3 selected")).toBeVisible();
  const turnOff = page.getByRole("button", { name: "Turn auto-renew off" });
  await tabTo(page, turnOff);
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");

  await expect(page.getByRole("heading", { level: 1, name: "Turn auto-renew off" })).toBeVisible();
  await hydrated(page);
  const confirm = page.getByRole("button", { name: "Confirm: turn auto-renew off for 3 subscriptions" });
  await tabTo(page, confirm);
  await expectVisibleFocus(page);
  await page.keyboard.press("Enter");
  const status = page.getByRole("status");
  await expect(status).toHaveText("Auto-renew turned off for 3 subscriptions. Buyers receive a confirmation e-mail.");
  await expect(status).toBeFocused();

  // Auto-renew back on for them, for the tests that follow.
  await page.goto(`/billing/auto-renew?on=true&ids=${ids.join(",")}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm: turn auto-renew on for 3 subscriptions" }).click();
  await expect(page.getByRole("status")).toContainText("Auto-renew turned on for 3 subscriptions.");
});

test("the approvals pages: the threshold, a pending request as its asker and as the other buyer", async ({ page }) => {
  // Issue 12's approvals, in English: Aino sets a threshold and asks for one seat; the request
  // is checked as she sees it (withdraw) and as Lina does (approve or reject); then withdrawn.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/approvals");
  await hydrated(page);
  await page.getByLabel("Threshold amount").fill("1");
  await page.getByRole("button", { name: "Save threshold" }).click();
  await expect(page.getByText(/^Orders above €1\.00 need another buyer's approval/)).toBeVisible();
  await expectNoViolations(page, "approvals with a threshold");
  const id = await firstSubscription(page, "status=active&sort=date&dir=desc");
  await page.goto(`/billing/subscriptions/${id}/add-seats?seats=1`);
  await hydrated(page);
  await page.getByRole("button", { name: /^Place order and pay/ }).click();
  const heading = page.getByRole("heading", { level: 1, name: /^Order request APR-\d+$/ });
  await expect(heading).toBeVisible();
  const number = (await heading.innerText()).match(/APR-\d+/)![0];
  await expectNoViolations(page, "a request as its asker");
  await page.goto("/billing/approvals");
  await expect(page.getByRole("row").filter({ hasText: number })).toBeVisible();
  await expectNoViolations(page, "approvals with a pending request");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await signIn(page, "buyer2@aurora.example");
  await page.goto(`/billing/approvals/${number}`);
  await expect(page.getByRole("button", { name: /^Approve and place the order/ })).toBeVisible();
  await expectNoViolations(page, "a request as the other buyer");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await signIn(page, "buyer@aurora.example");
  await page.goto(`/billing/approvals/${number}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Withdraw the request" }).click();
  await expect(page.getByRole("status")).toContainText("Withdrawn on");
  await expectNoViolations(page, "a withdrawn request");
  await page.goto("/billing/approvals");
  await hydrated(page);
  await page.getByRole("button", { name: "Remove threshold" }).click();
  await expect(page.getByText("No threshold is set: orders are placed at once.")).toBeVisible();
});

test("the co-term quote page has no violations", async ({ page }) => {
  // Issue 12's co-term quote, in English: reviewed only, nothing sent.
  await signIn(page, "buyer@cirrus.example");
  const id = await firstSubscription(page, "q=Meshworks&sort=date");
  await page.goto(`/billing/subscriptions/${id}`);
  const target = await page.getByRole("region", { name: "Align end date" }).getByLabel("Align with").getByRole("option").last().getAttribute("value");
  await page.goto(`/billing/quotes/new?ids=${id}&align=${target}`);
  await expect(page.getByRole("heading", { level: 1, name: "New co-term quote" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send quote" })).toBeVisible();
  await expectNoViolations(page, "co-term quote");
});
