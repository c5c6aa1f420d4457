import { expect, test } from "./fixtures";
import { expectNoEnglish, hydrated, Lang, signInAs, words } from "./helpers";

// The same flows in each of the five languages, picked by the browser's language as a new
// visitor's would be: sign in, filter, bulk auto-renew, a subscription's price, a password
// reset by mail. Headings, dates and amounts are spelled out here, not read from the
// catalogues, so a wrong translation or format fails.

type Case = {
  lang: Lang;
  browser: string;
  heading: string;
  /** A date as the list writes it. */
  date: RegExp;
  /** An amount in euros as this language writes it. */
  euros: RegExp;
  /** The account whose password reset is asked for (three requests per account and window). */
  resetFor: string;
  resetSubject: string;
  weakPassword: string;
};

const CASES: Case[] = [
  {
    lang: "en",
    browser: "en-GB",
    heading: "Subscriptions and contracts",
    date: /\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}/,
    euros: /^€\d{1,3}(,\d{3})*\.\d{2}$/,
    resetFor: "payer1@aurora.example",
    resetSubject: "Reset your Billing and orders password",
    weakPassword: "Use at least one digit.",
  },
  {
    lang: "fi",
    browser: "fi-FI",
    heading: "Tilaukset ja sopimukset",
    date: /\b\d{1,2}\.\d{1,2}\.\d{4}/,
    euros: /^\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0€$/,
    resetFor: "payer2@aurora.example",
    resetSubject: "Vaihda Laskutus ja tilaukset -palvelun salasana",
    weakPassword: "Käytä vähintään yhtä numeroa.",
  },
  {
    lang: "sv",
    browser: "sv-SE",
    heading: "Prenumerationer och avtal",
    date: /\b\d{4}-\d{2}-\d{2}/,
    euros: /^\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0€$/,
    resetFor: "admin@aurora.example",
    resetSubject: "Återställ ditt lösenord för Fakturering och beställningar",
    weakPassword: "Använd minst en siffra.",
  },
  {
    lang: "fr",
    browser: "fr-FR",
    heading: "Abonnements et contrats",
    date: /\b\d{2}\/\d{2}\/\d{4}/,
    euros: /^\d{1,3}(\u202f\d{3})*,\d{2}\u00a0€$/,
    resetFor: "admin@borealis.example",
    resetSubject: "Réinitialisez votre mot de passe Facturation et commandes",
    weakPassword: "Utilisez au moins un chiffre.",
  },
  {
    lang: "de",
    browser: "de-DE",
    heading: "Abonnements und Verträge",
    date: /\b\d{2}\.\d{2}\.\d{4}/,
    euros: /^\d{1,3}(\.\d{3})*,\d{2}\u00a0€$/,
    resetFor: "buyer@borealis.example",
    resetSubject: "Kennwort für Rechnungen und Bestellungen zurücksetzen",
    weakPassword: "Verwenden Sie mindestens eine Ziffer.",
  },
];

for (const c of CASES) {
  test.describe(`in ${c.lang}`, () => {
    test.use({ locale: c.browser });

    test("sign in, filter, see a price, and turn auto-renew off and on for three subscriptions", async ({ page }) => {
      // R-BULK-1, R-SUB-2
      const w = words(c.lang);
      await signInAs(page, c.lang, "buyer2@aurora.example");
      await expect(page.locator("html")).toHaveAttribute("lang", c.lang);
      await page.goto("/billing/subscriptions");
      await expect(page.getByRole("heading", { level: 1, name: c.heading })).toBeVisible();

      // Filter: active, auto-renew on, in euros.
      await hydrated(page);
      await page.getByLabel(w.list.status, { exact: true }).selectOption("active");
      await page.getByLabel(w.list.auto_renew, { exact: true }).selectOption("on");
      await page.getByLabel(w.list.currency, { exact: true }).selectOption("EUR");
      await page.getByRole("button", { name: w.list.apply }).click();
      await expect(page).toHaveURL(/currency=EUR/);
      const rows = page.getByRole("row");
      await expect(rows.nth(1)).toContainText(w.status.active);
      await expect(rows.nth(1)).toContainText(c.date);
      await expectNoEnglish(page, c.lang);

      // A subscription's renewal price, in this language's format (fewest seats first: a price
      // every payment method accepts).
      await page.getByRole("link", { name: w.list.col_seats, exact: true }).click();
      await expect(page).toHaveURL(/sort=seats/);
      await rows.nth(1).getByRole("link").first().click();
      const price = page.getByRole("definition").filter({ has: page.locator(".amount") }).locator(".amount");
      await expect(price).toHaveText(c.euros);
      await expectNoEnglish(page, c.lang);
      await page.goBack();

      // Bulk: three of them, off, then on again.
      await hydrated(page);
      const boxes = page.getByRole("checkbox", { name: /\d+/ });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await boxes.nth(i).check();
        ids.push((await boxes.nth(i).getAttribute("value"))!);
      }
      await expect(page.getByText(w.list.selected.replace("{{ count }}", "3"))).toBeVisible();
      await page.getByRole("button", { name: w.list.turn_off }).click();
      await expect(page.getByRole("heading", { level: 1, name: w.auto_renew.heading_off })).toBeVisible();
      await expect(page.getByRole("cell", { name: w.auto_renew.will_change })).toHaveCount(3);
      await expectNoEnglish(page, c.lang);
      await hydrated(page);
      await page.getByRole("button", { name: w.auto_renew.confirm_off_multi.replace("{{ count }}", "3") }).click();
      await expect(page.getByRole("status")).toHaveText(w.notice.turned_off_multi.replace("{{ count }}", "3"));

      await page.goto(`/billing/auto-renew?on=true&ids=${ids.join(",")}`);
      await hydrated(page);
      await page.getByRole("button", { name: w.auto_renew.confirm_on_multi.replace("{{ count }}", "3") }).click();
      await expect(page.getByRole("status")).toHaveText(w.notice.turned_on_multi.replace("{{ count }}", "3"));
    });

    test("a password reset asked for in this language arrives in it", async ({ page }) => {
      // R-AUTH-2, R-AUTH-1
      const w = words(c.lang);
      await page.goto("/forgot-password");
      await hydrated(page);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(w.forgot.title);
      await page.getByLabel(w.forgot.email).fill(c.resetFor);
      await page.getByRole("button", { name: w.forgot.submit }).click();
      await expect(page.getByRole("status")).toHaveText(w.forgot.sent);

      await page.goto("/mailbox");
      const mail = page.getByRole("listitem").filter({ hasText: c.resetSubject }).filter({ hasText: c.resetFor });
      await expect(async () => {
        await page.reload();
        await expect(mail).toHaveCount(1, { timeout: 1000 });
      }).toPass({ timeout: 20_000 });
      await mail.getByText(c.resetSubject).click();
      const link = (await mail.locator("pre").innerText()).match(/http:\/\/\S+\/reset-password\?token=\S+/)![0];

      await page.goto(link);
      await hydrated(page);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(w.reset.title);
      await page.getByLabel(w.reset.password, { exact: true }).fill("abcdefgh");
      await page.getByLabel(w.reset.confirm).fill("abcdefgh");
      await page.getByRole("button", { name: w.reset.submit }).click();
      // The error is in this language, tied to its field, and has the focus.
      const alert = page.getByRole("alert");
      await expect(alert).toContainText(c.weakPassword);
      await expect(alert).toBeFocused();
      await expect(page.getByLabel(w.reset.password, { exact: true })).toHaveAttribute("aria-invalid", "true");
      await expectNoEnglish(page, c.lang);
    });
  });
}
