import { expect, test } from "./fixtures";
import { PASSWORD } from "./helpers";

// The five languages: the browser's language is used until someone chooses one with the
// switcher (a plain form: it works without JavaScript), and a signed-in user's choice follows
// them to any browser.

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the browser's language is used, and the switcher changes it for this browser", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR" });
    const page = await context.newPage();
    await page.goto("/sign-in");
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
    await expect(page.getByLabel("Mot de passe")).toBeVisible();

    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    await expect(page.getByRole("heading", { name: "Logga in" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Svenska" })).toHaveAttribute("aria-pressed", "true");
    // The choice is kept for the next page.
    await page.goto("/forgot-password");
    await expect(page.getByRole("heading", { name: "Glömt lösenord" })).toBeVisible();
    await context.close();
  });

  test("a signed-in user's choice made without JavaScript follows them to another browser", async ({ browser }) => {
    const first = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
    const page = await first.newPage();
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill("admin@borealis.example");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("button", { name: "Suomi" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "fi");
    await expect(page.getByRole("button", { name: "Kirjaudu ulos" })).toBeVisible();
    await first.close();

    // A fresh browser that prefers German: once signed in, Finnish.
    const second = await browser.newContext({ javaScriptEnabled: false, locale: "de-DE" });
    const again = await second.newPage();
    await again.goto("/sign-in");
    await expect(again.locator("html")).toHaveAttribute("lang", "de");
    await again.getByLabel("E-Mail").fill("admin@borealis.example");
    await again.getByLabel("Kennwort").fill(PASSWORD);
    await again.getByRole("button", { name: "Anmelden", exact: true }).click();
    await expect(again.locator("html")).toHaveAttribute("lang", "fi");
    await again.getByRole("button", { name: "English" }).click();
    await expect(again.locator("html")).toHaveAttribute("lang", "en");
    await second.close();
  });
});

test("a signed-in user's language follows them, with dates in that language's format", async ({ browser }) => {
  const first = await browser.newContext({ locale: "en-GB" });
  const page = await first.newPage();
  await page.goto("/sign-in");
  await page.waitForSelector("body[data-hydrated]");
  await page.getByLabel("E-mail").fill("buyer@borealis.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Billing and orders overview" })).toBeVisible();
  await page.goto("/billing/subscriptions");
  await expect(page.getByRole("heading", { name: "Subscriptions and contracts" })).toBeVisible();

  await page.getByRole("button", { name: "Deutsch" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { name: "Abonnements und Verträge" })).toBeVisible();
  // German dates: 09.06.2025.
  await expect(page.getByRole("row").nth(1)).toContainText(/\d{2}\.\d{2}\.\d{4}/);
  await first.close();

  // Another browser, English by its own settings: the user's choice wins once signed in.
  const second = await browser.newContext({ locale: "en-GB" });
  const again = await second.newPage();
  await again.goto("/sign-in");
  await expect(again.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await again.waitForSelector("body[data-hydrated]");
  await again.getByLabel("E-mail").fill("buyer@borealis.example");
  await again.getByLabel("Password").fill(PASSWORD);
  await again.getByRole("button", { name: "Sign in" }).click();
  // Signing in loads the next page afresh, in the user's language.
  await expect(again.getByRole("button", { name: "Abmelden" })).toBeVisible();
  await expect(again.locator("html")).toHaveAttribute("lang", "de");
  await expect(again.getByRole("heading", { name: "Übersicht über Abrechnung und Bestellungen" })).toBeVisible();
  await again.goto("/billing/subscriptions");
  await expect(again.getByRole("heading", { name: "Abonnements und Verträge" })).toBeVisible();
  await expect(again.locator("html")).toHaveAttribute("lang", "de");
  // Back to English, so the choice is the user's to make again.
  await again.getByRole("button", { name: "English" }).click();
  await expect(again.getByRole("heading", { name: "Subscriptions and contracts" })).toBeVisible();
  await second.close();
});
