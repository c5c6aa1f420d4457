import { expect, test } from "./fixtures";
import { hydrated, signIn, total } from "./helpers";

test("a buyer signs in, filters, opens a subscription and toggles its auto-renew", async ({ page }) => {
  await signIn(page, "buyer@aurora.example");
  // A buyer lands on the overview (R-EXT-7) and goes on to the list.
  await expect(page.getByRole("heading", { level: 1, name: "Billing and orders overview" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "Subscriptions and contracts" }).click();
  await expect(page.getByRole("heading", { name: "Subscriptions and contracts" })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Auto-renew").selectOption("off");
  await page.getByLabel("Currency").selectOption("SEK");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=active/);
  await expect(page).toHaveURL(/currency=SEK/);
  const rows = page.getByRole("row");
  await expect(rows.nth(1)).toContainText("Active");
  await expect(rows.nth(1)).toContainText("Expires on");

  // R-SUB-2: with auto-renew off the page shows the expiry date; with it on, the renewal date.
  await rows.nth(1).getByRole("link").first().click();
  await expect(page.getByText("Expires on", { exact: true })).toBeVisible();
  const title = await page.getByRole("heading", { level: 1 }).innerText();

  await page.getByRole("link", { name: "Turn auto-renew on" }).click();
  await expect(page.getByRole("heading", { name: "Turn auto-renew on" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Will change" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm: turn auto-renew on for 1 subscription" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned on for 1 subscription/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page.getByText("Renews on", { exact: true })).toBeVisible();

  await page.getByRole("link", { name: "Turn auto-renew off" }).click();
  await page.getByRole("button", { name: "Confirm: turn auto-renew off for 1 subscription" }).click();
  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned off for 1 subscription/);
  await expect(page.getByText("Expires on", { exact: true })).toBeVisible();

  // R-EXT-1: each change sends the buyers a confirmation, delivered by the outbox worker.
  const id = new URL(page.url()).pathname.split("/").pop();
  await page.getByRole("link", { name: "Mailbox (demo)" }).click();
  const mail = page.getByRole("listitem").filter({ hasText: `Auto-renew turned off for subscription ${id}` }).filter({ hasText: "To buyer@aurora.example" });
  await expect(async () => {
    await page.reload();
    await expect(mail).toHaveCount(1, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await mail.getByText(`Auto-renew turned off for subscription ${id}`).click();
  await expect(mail.getByText(/Manage your subscriptions: http:\/\/127\.0\.0\.1:3000\/billing\/subscriptions/)).toBeVisible();
});

test("a buyer selects 100 subscriptions and turns auto-renew off in one step", async ({ page }) => {
  // R-BULK-1
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/subscriptions?auto_renew=on&per_page=100&sort=id");
  await hydrated(page);
  const before = await total(page);
  expect(before).toBeGreaterThanOrEqual(100);

  // A click that lands while the list is still being wired up is repeated (it happened once in
  // about ten runs: the box ticked, the count not updated).
  const selectAll = page.getByRole("checkbox", { name: "Select all on this page" });
  await expect(async () => {
    await selectAll.uncheck();
    await selectAll.check();
    await expect(page.getByText("100 selected")).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole("button", { name: "Turn auto-renew off" }).click();

  await expect(page.getByRole("heading", { name: "Turn auto-renew off" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Will change" })).toHaveCount(100);
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm: turn auto-renew off for 100 subscriptions" }).click();

  await expect(page.getByRole("status")).toHaveText(/Auto-renew turned off for 100 subscriptions/);
  await expect.poll(() => total(page)).toBe(before - 100);
});

test("101 selected subscriptions get a clear message, and the server refuses them too", async ({ page }) => {
  // R-BULK-1
  await signIn(page, "buyer@aurora.example");
  await page.goto("/billing/subscriptions?per_page=100&sort=id&auto_renew=off");
  await hydrated(page);
  const offBefore = await total(page);
  await page.getByRole("checkbox", { name: "Select all on this page" }).check();
  const ids = await page.locator("input[name=ids]").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page.getByText("Page 2 of")).toBeVisible();
  const next = page.locator("input[name=ids]").first();
  ids.push(await next.getAttribute("value") as string);
  await next.check();

  await expect(page.getByText("101 selected")).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText(
    "You selected 101 subscriptions; you can manage up to 100 at a time. Deselect 1 or do the rest in another round.",
  );
  await expect(page.getByRole("button", { name: "Turn auto-renew on" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Turn auto-renew off" })).toBeDisabled();

  // Asking the server directly for 101 is refused as well, and nothing changes.
  expect(ids).toHaveLength(101);
  await page.goto(`/billing/auto-renew?on=true&ids=${ids.join(",")}`);
  await expect(page.getByRole("alert")).toContainText("you can manage up to 100 at a time");
  await expect(page.getByRole("button", { name: /Confirm/ })).toHaveCount(0);
  const refused = await page.request.post("/api/change_auto_renew", {
    form: { ids: ids.join(","), on: "true", idempotency_key: crypto.randomUUID() },
    headers: { origin: "http://127.0.0.1:3000", accept: "application/json" },
  });
  expect(refused.status()).toBe(422);
  // A code and the count, never a sentence: each page words it in its reader's language.
  expect(await refused.json()).toEqual({ Validation: { field: "ids", problem: { code: "selection", args: { too_many: 101 } } } });
  await page.goto("/billing/subscriptions?auto_renew=off");
  expect(await total(page)).toBe(offBefore);
});

test("the session ends at sign-out", async ({ page }) => {
  await signIn(page, "buyer2@aurora.example");
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto("/billing/subscriptions");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});

test("subscriptions ticked while the page is still loading stay selected once it is live", async ({ page }) => {
  // On a slow line the list can be ticked before its script has arrived; the count and the
  // buttons then follow what the person ticked.
  await signIn(page, "buyer@aurora.example");
  let release: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await arrived;
    await route.continue();
  });
  await page.goto("/billing/subscriptions?auto_renew=on&sort=id", { waitUntil: "domcontentloaded" });
  const boxes = page.getByRole("checkbox", { name: /^Select subscription / });
  await boxes.nth(0).check();
  await boxes.nth(2).check();
  release();
  await hydrated(page);
  await expect(page.getByText("2 selected")).toBeVisible();
  await expect(boxes.nth(0)).toBeChecked();
  await expect(boxes.nth(1)).not.toBeChecked();
  await expect(page.getByRole("button", { name: "Turn auto-renew off" })).toBeEnabled();
});
