import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Renewing in the cart, on the demo's Cirrus Studios (one German customer number in EUR). The
// tests run in this order and build on each other's data only where they say so.

const GROUP = /Group 1: Cirrus Studios GmbH, customer number 5150003001, EUR, Direct debit: •••• 3000/;

test("a buyer bulk-renews a group of 100: grouped, one unticked, 99 renewed in one order", async ({ page }) => {
  // R-BULK-2, R-BULK-3, R-EXT-2, R-MAIL-2
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date&per_page=100");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await expect(page.getByText("100 selected")).toBeVisible();
  await page.getByRole("button", { name: "Renew", exact: true }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Renew subscriptions" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: GROUP })).toBeVisible();
  await expect(page.getByText("100 subscriptions")).toBeVisible();
  await hydrated(page);
  const boxes = page.getByRole("checkbox", { name: /^Renew Meshworks Render \(\d+\)$/ });
  await expect(boxes).toHaveCount(100);
  await boxes.nth(99).uncheck();
  await page.getByRole("button", { name: "Add to cart" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: /Order 1 of 1: Cirrus Studios GmbH/ })).toBeVisible();
  const lines = page.getByRole("table", { name: "Renewals in this order" }).getByRole("row");
  await expect(lines).toHaveCount(100); // the header and 99 renewals
  await expect(page.getByRole("radio", { name: "Direct debit: •••• 3000" })).toBeChecked();
  // Over 25,000 USD before tax: card and PayPal are refused, and the page says why (R-PAY-2).
  await expect(page.getByRole("radio", { name: /^Card: Visa •••• 4242/ })).toBeDisabled();
  await expect(page.getByText(/Card cannot pay orders over 25,000 USD/).first()).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();

  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
  const items = page.getByRole("table", { name: "Items of this order" }).getByRole("row");
  await expect(items).toHaveCount(100);
  await expect(page.getByRole("cell", { name: "Active" })).toHaveCount(99);
  await expect(page.getByText("Paid", { exact: true })).toBeVisible();
  const number = (await page.getByRole("heading", { level: 1 }).innerText()).replace("Order ", "");

  // One confirmation with the order number reached the buyer, and the cart is empty.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await expect(page.getByRole("link", { name: number })).toBeVisible();
  await page.getByRole("link", { name: "Cart", exact: true }).click();
  await expect(page.getByText(/Your cart is empty/)).toBeVisible();
});

test("a buyer renews an expired subscription late and it is Active again", async ({ page }) => {
  // R-REN-2, R-LIFE-3: ten days after its renewal date; the new term starts on that date.
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?status=expired");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByText("This subscription is Expired.")).toBeVisible();
  const subscription = page.url();
  await page.getByRole("link", { name: "Renew", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: /Group 1: Cirrus Studios GmbH/ })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();
  await expect(page.getByRole("status")).toContainText(/is placed\./);
  await page.goto(subscription);
  await expect(page.getByText("This subscription is Active.")).toBeVisible();
});

test("card payment over 25,000 USD is refused and the buyer pays by invoice instead", async ({ page }) => {
  // R-PAY-2, R-PAY-3, R-REN-5: two renewals of 10 seats of Fluxion Simulate.
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Fluxion&status=active");
  await hydrated(page);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.getByRole("button", { name: "Renew", exact: true }).click();
  await expect(page.getByRole("heading", { level: 2, name: /Card: Visa •••• 4242/ })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
  const card = page.getByRole("radio", { name: /^Card: Visa •••• 4242/ });
  await expect(card).toBeDisabled();
  await expect(page.getByText(/Card cannot pay orders over 25,000 USD \(or the local equivalent\) before tax/).first()).toBeVisible();
  await hydrated(page);
  await page.getByRole("radio", { name: "Pay by invoice (Net 30)" }).check();
  await page.getByLabel("PO number (optional)").fill("PO-CIRRUS-7");
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();
  await expect(page.getByRole("status")).toContainText(/is placed\./);
  await expect(page.getByText(/^Invoiced \(INV-\d+\)$/)).toBeVisible();
  await expect(page.getByText("PO-CIRRUS-7")).toBeVisible();
});

test("a declined card leaves no order and the cart as it was, and says why", async ({ page }) => {
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Pixelforge");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await page.getByRole("link", { name: "Renew", exact: true }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole("radio", { name: "Card: Visa •••• 0002" })).toBeChecked();
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The card was declined. Nothing was ordered and your cart is unchanged");
  await expect(alert).toBeFocused();
  // The cart, opened again beside this page, is as it was.
  const other = await page.context().newPage();
  await other.goto("/billing/cart");
  await expect(other.getByRole("table", { name: "Renewals in this order" }).getByRole("row")).toHaveCount(2);
  await other.close();
  // Another card pays it from the same form: a new attempt, not the old decline again.
  await page.getByRole("radio", { name: "Card: Visa •••• 4242" }).check();
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();
  await expect(page.getByRole("status")).toContainText(/is placed\./);
});

test("an admin who is not a buyer sees no renew button and the server refuses a forged request", async ({ page }) => {
  // R-REN-1, R-ROLE-5
  await signIn(page, "admin@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
  await expect(page.getByRole("row").nth(1)).toBeVisible();
  await expect(page.getByRole("button", { name: "Renew", exact: true })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Cart", exact: true })).toHaveCount(0);
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByText(/This subscription is/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Renew", exact: true })).toHaveCount(0);
  const id = page.url().split("/").pop()!;
  await hydrated(page);
  const status = await page.evaluate(async (id) => {
    const r = await fetch("/api/add_to_cart", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `ids[]=${id}`,
    });
    return r.status;
  }, id);
  expect(status).toBe(403);
  await page.goto("/billing/cart");
  await expect(page.getByRole("alert")).toContainText("Not allowed");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a buyer bulk-renews two subscriptions with plain forms", async ({ page }) => {
    // R-BULK-2, R-BULK-3: the list's selection goes to the groups page, which adds to the cart,
    // which places the order: every step a plain form.
    await signIn(page, "buyer@cirrus.example", { js: false });
    await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
    const boxes = page.getByRole("checkbox", { name: /^Select subscription \d+$/ });
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole("button", { name: "Renew", exact: true }).click();
    await expect(page.getByRole("heading", { level: 2, name: GROUP })).toBeVisible();
    await page.getByRole("button", { name: "Add to cart" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Cart" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Renewals in this order" }).getByRole("row")).toHaveCount(3);
    await page.getByRole("button", { name: /^Place order and pay €/ }).click();
    await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
    await expect(page.getByRole("cell", { name: "Active" })).toHaveCount(2);
  });
});
