import { expect, Page } from "@playwright/test";

export const PASSWORD = "Demo-portal-2026";

/** Waits until the WASM has hydrated the page, so clicks run client-side. */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated]");
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, email: string, { js = true } = {}) {
  await page.goto("/sign-in");
  if (js) await hydrated(page);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** "1–25 of 134 subscriptions" -> 134 */
export async function total(page: Page): Promise<number> {
  const text = await page.getByText(/ of \d+ subscriptions$/).innerText();
  return Number(text.match(/of (\d+) subscriptions/)![1]);
}
