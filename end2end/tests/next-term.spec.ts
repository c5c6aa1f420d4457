import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Changing the next renewal from a subscription's page (R-SUB-3, R-PRICE-3), on the demo's
// Cirrus Studios: Fluxion Simulate, 10 seats of 4,149.20 EUR a year. Each test withdraws its
// change at the end, so the renewals of renew.spec.ts see the demo data as seeded.

async function openFluxion(page: Page, { buyer = true } = {}) {
  await page.goto("/billing/subscriptions?q=Fluxion&sort=date");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Fluxion Simulate" })).toBeVisible();
  if (!buyer) return;
  await expect(page.getByText(/10 seats, 1 year: €41,492\.00 plus tax/)).toBeVisible();
  // The card on file cannot pay that (R-PAY-2), and the page says so beside the price.
  await expect(page.getByText(/^Card cannot pay orders over 25,000 USD/)).toBeVisible();
}

test("a buyer reduces seats for the next renewal, sees the new renewal price, then withdraws it", async ({ page }) => {
  // R-SUB-3, R-PRICE-3: seats are reduced at the next renewal, and the renewal is priced with
  // them (4 x 4,149.20 = 16,596.80 EUR); the change can be withdrawn before the renewal.
  await signIn(page, "buyer@cirrus.example");
  await openFluxion(page);
  await hydrated(page);
  const section = page.getByRole("region", { name: "Next renewal" });
  await section.getByLabel("Seats at the next renewal (1 to 10)").fill("4");
  await section.getByRole("button", { name: "Save for the next renewal" }).click();

  await expect(page.getByRole("status").first()).toContainText("The next renewal was changed.");
  await expect(section.getByText("Pending: 4 seats, 1 year, from the next renewal.")).toBeVisible();
  await expect(page.getByText(/4 seats, 1 year: €16,596\.80 plus tax/)).toBeVisible();
  await expect(page.getByText("10 (4 from the next renewal)")).toBeVisible();
  await expect(page.getByText(/^Card cannot pay orders over 25,000 USD/)).toHaveCount(0);

  // Seats only go down at renewal: the server refuses 11 even when the form's limit is removed.
  await section.getByLabel(/Seats at the next renewal/).evaluate((input) => input.removeAttribute("max"));
  await section.getByLabel(/Seats at the next renewal/).fill("11");
  await section.getByRole("button", { name: "Save for the next renewal" }).click();
  await expect(page.getByRole("alert")).toContainText("At renewal the seats can only be reduced, to at most 10.");
  await expect(page.getByText(/4 seats, 1 year: €16,596\.80 plus tax/)).toBeVisible();

  await section.getByRole("button", { name: "Withdraw the change" }).click();
  await expect(page.getByRole("status").first()).toContainText("The change was withdrawn");
  await expect(page.getByText(/10 seats, 1 year: €41,492\.00 plus tax/)).toBeVisible();
  await expect(section.getByText(/^Pending:/)).toHaveCount(0);
});

test("an admin who is not a buyer cannot change the next renewal", async ({ page }) => {
  // R-REN-1, R-ROLE-5: no form, and the server refuses a forged request.
  await signIn(page, "admin@cirrus.example");
  await openFluxion(page, { buyer: false });
  await expect(page.getByText(/This subscription is/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Next renewal" })).toHaveCount(0);
  const id = page.url().split("/").pop()!;
  await hydrated(page);
  const status = await page.evaluate(async (id) => {
    const r = await fetch("/api/change_next_term", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `id=${id}&seats=1&term=annual`,
    });
    return r.status;
  }, id);
  expect(status).toBe(403);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a buyer switches the next renewal to three years and withdraws it with plain forms", async ({ page }) => {
    // R-SUB-3: the term of the next renewal changes (10 seats x 3 x 4,149.20 = 124,476.00 EUR).
    await signIn(page, "buyer@cirrus.example", { js: false });
    await openFluxion(page);
    const section = page.getByRole("region", { name: "Next renewal" });
    await section.getByLabel("Term at the next renewal").selectOption({ label: "3 years" });
    await section.getByRole("button", { name: "Save for the next renewal" }).click();
    await expect(page.getByRole("status").first()).toContainText("The next renewal was changed.");
    await expect(page.getByText(/10 seats, 3 years: €124,476\.00 plus tax/)).toBeVisible();
    await section.getByRole("button", { name: "Withdraw the change" }).click();
    await expect(page.getByRole("status").first()).toContainText("The change was withdrawn");
    await expect(page.getByText(/10 seats, 1 year: €41,492\.00 plus tax/)).toBeVisible();
  });
});
