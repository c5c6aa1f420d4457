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

test("a buyer sends the alignment as a co-term quote instead, then accepts it and the end dates align", async ({ page }) => {
  // R-QUOTE-2, R-QUOTE-3: "optionally co-term": the extension reviewed at checkout is sent as a
  // self-service quote at the same price, then bought from the quote (R-QUOTE-7). Taken from
  // the latest renewals, so the subscriptions other tests pick by their order stay where they are.
  await signIn(page, "buyer@cirrus.example");
  const list = "/billing/subscriptions?q=Meshworks&sort=date&dir=desc";
  const region = page.getByRole("region", { name: "Align end date" });
  for (let n = 2; n <= 12; n++) {
    await page.goto(list);
    await page.getByRole("row").nth(n).getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1, name: "Meshworks Render" })).toBeVisible();
    if ((await region.getByLabel("Align with").count()) > 0) break;
  }
  const subscription = page.url();
  const select = region.getByLabel("Align with");
  const targetId = (await select.getByRole("option").last().getAttribute("value"))!;
  await hydrated(page);
  await select.selectOption(targetId);
  await region.getByRole("button", { name: "Review the price" }).click();
  await expect(page.getByText(/^Subtotal$/)).toBeVisible();
  const total = await page.locator("dl.totals dd.amount").innerText();
  await page.getByRole("link", { name: "Send as a quote instead" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "New co-term quote" })).toBeVisible();
  await expect(page.getByText(new RegExp(`extended to renew on .*, with .+ \\(${targetId}\\)$`))).toBeVisible();
  await expect(page.locator("dl.totals dd.amount")).toHaveText(total);
  // All seats on their own term: nothing to adjust.
  await expect(page.getByRole("spinbutton")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Update prices" })).toHaveCount(0);
  await expect(page.getByText(/^Sent today, it can be accepted until /)).toBeVisible();
  await hydrated(page);
  const question = page.getByText(/^Human check: what is \d+ plus \d+\?/);
  const [, a, b] = (await question.innerText()).match(/what is (\d+) plus (\d+)/)!;
  await page.getByLabel(/^Human check: what is/).fill(String(Number(a) + Number(b)));
  await page.getByRole("button", { name: "Send quote" }).click();
  await expect(page.getByRole("status").filter({ hasText: "was sent" })).toContainText(/Quote Q-\d+ was sent\./);

  await expect(page.getByText("Co-term (end date alignment)")).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Accept and buy" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("radio", { disabled: false }).first().check();
  await page.getByRole("button", { name: /^Accept and pay / }).click();
  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
  await expect(page.getByText(total).first()).toBeVisible();

  await page.goto(`/billing/subscriptions/${targetId}`);
  const target = await endsOn(page);
  await page.goto(subscription);
  expect(await endsOn(page)).toBe(target);
});
