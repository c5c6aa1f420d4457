import { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { hydrated, signIn } from "./helpers";

// Approval on the customer side (issue 12, beyond the product we mirror), on the demo's Aurora
// Design Group, which has two buyers: Aino Virtanen (buyer@aurora.example) and Lina Berg
// (buyer2@aurora.example). Each test sets the threshold it needs and removes it at the end, so
// the specs after these see Aurora as the demo made it.

async function signOut(page: Page) {
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
}

async function setThreshold(page: Page, amount: string) {
  await page.goto("/billing/approvals");
  await hydrated(page);
  await page.getByLabel("Threshold amount").fill(amount);
  await page.getByLabel("Currency").selectOption("EUR");
  await page.getByRole("button", { name: "Save threshold" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The approval threshold was saved." })).toBeVisible();
}

async function removeThreshold(page: Page) {
  await page.goto("/billing/approvals");
  await hydrated(page);
  await page.getByRole("button", { name: "Remove threshold" }).click();
  await expect(page.getByText("No threshold is set: orders are placed at once.")).toBeVisible();
}

/** Asks to add one seat to the active Aurora subscription that renews last; answers the request's number. */
async function askForOneSeat(page: Page): Promise<string> {
  // An EUR one: the mail below states the amount in euros.
  await page.goto("/billing/subscriptions?status=active&currency=EUR&sort=date&dir=desc");
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await expect(page.getByRole("region", { name: "Add seats" })).toBeVisible();
  await hydrated(page);
  const card = page.getByRole("region", { name: "Add seats" });
  await card.getByLabel("Seats to add").fill("1");
  await card.getByRole("button", { name: "Review the price" }).click();
  await expect(page.getByRole("button", { name: /^Place order and pay/ })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /^Place order and pay/ }).click();
  const heading = page.getByRole("heading", { level: 1, name: /^Order request APR-\d+$/ });
  await expect(heading).toBeVisible();
  return (await heading.innerText()).match(/APR-\d+/)![0];
}

/** The approval mail to `to` about request `number`, as the demo Mailbox shows it; its text. */
async function mailText(page: Page, to: string, number: string, subject: RegExp): Promise<string> {
  await page.goto(`/mailbox?q=${number}`);
  const mail = page.getByRole("listitem").filter({ hasText: subject }).filter({ hasText: `To ${to}` });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await mail.getByText(subject).first().click();
  return mail.locator("pre").innerText();
}

test("an order above the threshold waits for another buyer, who approves it from the mail", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await setThreshold(page, "1");
  await expect(page.getByText(/Orders above €1\.00 need another buyer's approval\. Set by Aino Virtanen/)).toBeVisible();

  const number = await askForOneSeat(page);
  // Nothing is ordered yet; the asker may withdraw but not approve their own order.
  await expect(page.getByRole("status").filter({ hasText: "nothing was ordered or charged yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Withdraw the request" })).toBeVisible();
  await page.getByRole("link", { name: "All approvals" }).click();
  const row = page.getByRole("row").filter({ hasText: number });
  await expect(row).toContainText("Waiting for approval");
  await expect(row).toContainText("Aino Virtanen");
  await signOut(page);

  // Lina gets the mail and follows its link: sign-in first, then the request.
  const text = await mailText(page, "buyer2@aurora.example", number, new RegExp(`Approval needed: order ${number}`));
  expect(text).toContain("Aino Virtanen asks you to approve an order of €");
  const link = text.match(/Review the request: (http:\/\/\S+)/)![1];
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("E-mail").fill("buyer2@aurora.example");
  await page.getByLabel("Password").fill("Demo-portal-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Order request ${number}` })).toBeVisible();
  await expect(page.getByText(/Asked by Aino Virtanen on /)).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /^Approve and place the order/ }).click();
  await expect(page.getByRole("status")).toContainText(/Order ORD-\d+ is placed\./);
  await page.goto(`/billing/approvals/${number}`);
  await expect(page.getByRole("status")).toContainText("Approved by Lina Berg on");
  await expect(page.getByRole("link", { name: /^Placed as order ORD-\d+$/ })).toBeVisible();
  await signOut(page);

  // Aino is told.
  const told = await mailText(page, "buyer@aurora.example", number, new RegExp(`Order request ${number} approved`));
  expect(told).toContain(`Lina Berg approved your order request ${number}.`);
  await signIn(page, "buyer@aurora.example");
  await removeThreshold(page);
});

test("a buyer rejects another's request with a note, and nothing is ordered", async ({ page }) => {
  await signIn(page, "buyer2@aurora.example");
  await setThreshold(page, "1");
  const number = await askForOneSeat(page);
  await signOut(page);

  await signIn(page, "buyer@aurora.example");
  await page.goto(`/billing/approvals/${number}`);
  await hydrated(page);
  await page.getByLabel("Note for Lina Berg (optional)").fill("Wait for the Q3 budget");
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.getByRole("status")).toContainText("Rejected by Aino Virtanen on");
  await expect(page.getByText("Note: Wait for the Q3 budget")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  const told = await mailText(page, "buyer2@aurora.example", number, new RegExp(`Order request ${number} rejected`));
  expect(told).toContain("Their note: Wait for the Q3 budget");
  await removeThreshold(page);
});

test("a threshold of zero is refused with a clear message and nothing changes", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/approvals");
  await hydrated(page);
  await page.getByLabel("Threshold amount").fill("0");
  await page.getByRole("button", { name: "Save threshold" }).click();
  await expect(page.getByRole("alert")).toContainText("The threshold must be more than zero.");
  await page.reload();
  await expect(page.getByText("No threshold is set: orders are placed at once.")).toBeVisible();
});
