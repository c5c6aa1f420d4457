import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Aligning end dates (co-term extension, R-PRICE-2, R-PRICE-4) on the demo's Cirrus Studios:
// Meshworks Render subscriptions renew 10 to 69 days after the demo data was loaded.

/** The date a subscription's page shows it ends on ("Expires on": auto-renew is off). */
async function endsOn(page: Page): Promise<string> {
  const text = await page.locator('dt:text-is("Expires on") + dd').innerText();
  return text.split("\n")[0].trim();
}

test("a buyer aligns a subscription's end date with another one and pays for the days between", async ({ page }) => {
  // R-PRICE-2: within the renewal period, extended to end with a later subscription of the same
  // customer number; the review shows the price, the order is charged once, and the page then
  // shows the other one's end date.
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1, name: "Meshworks Render" })).toBeVisible();
  const subscription = page.url();
  const before = await endsOn(page);
  const region = page.getByRole("region", { name: "Align end date" });
  const select = region.getByLabel("Align with");
  const options = select.getByRole("option");
  const last = options.last();
  const targetId = await last.getAttribute("value");
  const label = await last.innerText();
  const renews = label.split("renews on ")[1].trim();
  await hydrated(page);
  await select.selectOption(targetId!);
  await region.getByRole("button", { name: "Review the price" }).click();

  await expect(page.getByRole("heading", { level: 2, name: new RegExp(`to renew on ${renews}$`) })).toBeVisible();
  await expect(page.getByText(/^Subtotal$/)).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /^Place order and pay €/ }).click();
  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);

  await page.goto(`/billing/subscriptions/${targetId}`);
  const target = await endsOn(page);
  await page.goto(subscription);
  expect(await endsOn(page)).toBe(target);
  expect(target).not.toBe(before);
});

test("an extension that would move the end date back is refused with the reason", async ({ page }) => {
  // R-PRICE-4: no backdating; a hand-made review link gets the rule's words, not an order.
  await signIn(page, "buyer@cirrus.example");
  await page.goto("/billing/subscriptions?q=Meshworks&sort=date");
  const first = (await page.getByRole("row").nth(1).getByRole("link").first().getAttribute("href"))!.split("/").pop();
  const ids = await page.getByRole("row").evaluateAll((rows) =>
    rows.map((r) => r.querySelector("a")?.getAttribute("href")?.split("/").pop()).filter(Boolean),
  );
  const later = ids[ids.length - 1];
  await page.goto(`/billing/subscriptions/${later}/extend?target=${first}`);
  await expect(page.getByRole("alert")).toContainText("An extension cannot move the end date back");
  await expect(page.getByRole("button", { name: /^Place order/ })).toHaveCount(0);
});
