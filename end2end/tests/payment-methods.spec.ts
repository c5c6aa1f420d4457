import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// The buyer adds a card, moves one subscription that renews automatically onto it, is refused
// its removal while that subscription relies on it (R-PAY-6), moves the subscription back and
// then removes the card. The demo data ends as it began, but for the removed card.

const FINNISH = "Aurora Design Oy · Customer number 5150001001";
const NEW_CARD = "Card: Mastercard •••• 4444";

test("a buyer removes a payment method only after switching its subscriptions", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.getByRole("navigation").getByRole("link", { name: "Payment methods" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payment methods" })).toBeVisible();
  await hydrated(page);
  const finnish = page.getByRole("region", { name: FINNISH });

  // R-PAY-5: a mistyped number is refused by its check digit; nothing is added.
  await finnish.getByText("Add a card for customer number 5150001001").click();
  await finnish.getByRole("textbox", { name: "Cardholder name" }).last().fill("Aino Virtanen");
  await finnish.getByRole("textbox", { name: "Card number" }).fill("5555 5555 5555 4445");
  await finnish.getByRole("textbox", { name: "Month (MM)" }).last().fill("12");
  await finnish.getByRole("textbox", { name: "Year (YYYY)" }).last().fill("2030");
  await finnish.getByRole("button", { name: "Add card" }).click();
  await expect(page.getByRole("alert")).toContainText("This card number is not valid. Check what you typed.");
  await expect(finnish.getByRole("textbox", { name: "Card number" })).toHaveAttribute("aria-invalid", "true");
  await expect(finnish.getByRole("article", { name: NEW_CARD })).toHaveCount(0);

  await finnish.getByRole("textbox", { name: "Card number" }).fill("5555 5555 5555 4444");
  await finnish.getByRole("button", { name: "Add card" }).click();
  await expect(page.getByRole("status")).toHaveText("The card was added.");
  const card = finnish.getByRole("article", { name: NEW_CARD });
  await expect(card).toContainText("Expires 12/2030");
  await expect(card).toContainText("No subscription pays with this method.");
  // The number is never shown again: not on the page, not left in the form.
  await expect(finnish.locator('input[name="number"]')).toHaveValue("");
  expect(await page.content()).not.toMatch(/5555 ?5555 ?5555 ?4444/);

  // A subscription renewing automatically with PayPal moves to the new card from its page.
  const paypal = finnish.getByRole("article", { name: /^PayPal: / });
  const renewing = paypal.getByRole("listitem").filter({ hasText: "renews automatically" }).first().getByRole("link");
  const subscription = (await renewing.innerText()).trim();
  await hydrated(page);
  await renewing.click();
  await expect(page.getByRole("region", { name: "Payment" })).toBeVisible();
  await page.getByRole("link", { name: "Change payment method" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Change payment method" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("radio", { name: NEW_CARD }).check();
  await page.getByRole("button", { name: "Change payment method" }).click();
  await expect(page.getByRole("status")).toHaveText("The payment method was changed.");
  await expect(card).toContainText("Subscriptions paying with it: 1");
  await expect(card.getByRole("link", { name: subscription })).toBeVisible();

  // R-PAY-6: it cannot be removed while that subscription renews automatically with it.
  await hydrated(page);
  await card.getByRole("button", { name: `Remove ${NEW_CARD}` }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Nothing was removed: 1 subscription(s) still renew automatically with this method.");
  await expect(alert.getByRole("listitem")).toHaveText(subscription);
  await expect(card).toBeVisible();

  // Switched back to PayPal, the card goes.
  await card.getByRole("link", { name: "Switch these subscriptions to another method" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Change payment method" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("radio", { name: /^PayPal: / }).check();
  await page.getByRole("button", { name: "Change payment method" }).click();
  await expect(page.getByRole("status")).toHaveText("The payment method was changed.");
  await expect(card).toContainText("No subscription pays with this method.");
  await hydrated(page);
  await card.getByRole("button", { name: `Remove ${NEW_CARD}` }).click();
  await expect(page.getByRole("status")).toHaveText("The payment method was removed.");
  await expect(finnish.getByRole("article", { name: NEW_CARD })).toHaveCount(0);
  await expect(paypal.getByRole("link", { name: subscription })).toBeVisible();
});

test("switching to a bank transfer is refused while auto-renew is on, naming the subscription", async ({ page }) => {
  // R-EXT-3: a bank transfer cannot back an automatic renewal; nothing changes.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/payment-methods");
  await hydrated(page);
  const finnish = page.getByRole("region", { name: FINNISH });
  const paypal = finnish.getByRole("article", { name: /^PayPal: / });
  const renewing = paypal.getByRole("listitem").filter({ hasText: "renews automatically" }).first().getByRole("link");
  const subscription = (await renewing.innerText()).trim();
  await renewing.click();
  await page.getByRole("link", { name: "Change payment method" }).click();
  await hydrated(page);
  const transfer = page.getByRole("radio", { name: "Bank transfer" });
  await expect(transfer).toBeDisabled();
  await expect(page.getByRole("group", { name: "New payment method" })).toContainText(
    `${subscription}: a bank transfer cannot renew automatically; turn auto-renew off first`,
  );
});
