import * as fs from "fs";
import * as path from "path";
import AxeBuilder from "@axe-core/playwright";
import { expect, Locator, Page } from "@playwright/test";
import { PENDING_FETCHES } from "./fixtures";

export const PASSWORD = "Demo-portal-2026";

/**
 * Waits until the WASM has hydrated the page, so clicks run client-side, and until what the
 * page asked the server while coming alive has answered: no `fetch` of the page's is still out
 * (the fixtures count them in the page itself, `PENDING_FETCHES`). A page the fixtures did not
 * instrument (one opened in a context of a test's own) waits for the network to be quiet for
 * half a second instead, which is slower: that wait, on every page of every test, was a third
 * of the browser tests' time.
 */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated]");
  const counted = await page.waitForFunction((name) => {
    const pending = (window as unknown as Record<string, number | undefined>)[name];
    return pending === undefined ? "not counted" : pending === 0 ? "counted" : false;
  }, PENDING_FETCHES);
  if ((await counted.jsonValue()) === "not counted") await page.waitForLoadState("networkidle");
}

/** WCAG 2.1 AA as axe-core checks it: no violations on the page as it is now. */
export async function expectNoViolations(page: Page, what: string) {
  await hydrated(page);
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(found, `${what}: ${found.join("\n")}`).toEqual([]);
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

/** The five languages: the browser locale that picks each, and its catalogue (app/locales). */
export const LANGUAGES = ["en", "fi", "sv", "fr", "de"] as const;
export type Lang = (typeof LANGUAGES)[number];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Catalogue = Record<string, any>;
const catalogues = new Map<Lang, Catalogue>();

/** The portal's own words in `lang`, for labels to click; assertions spell out what they expect. */
export function words(lang: Lang): Catalogue {
  if (!catalogues.has(lang)) {
    const file = path.join(__dirname, "..", "..", "app", "locales", `${lang}.json`);
    catalogues.set(lang, JSON.parse(fs.readFileSync(file, "utf8")));
  }
  return catalogues.get(lang)!;
}

/** Signs in through the form in whatever language the page is in. */
export async function signInAs(page: Page, lang: Lang, email: string) {
  const w = words(lang);
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel(w.sign_in.email).fill(email);
  await page.getByLabel(w.sign_in.password).fill(PASSWORD);
  await page.getByRole("button", { name: w.sign_in.submit, exact: true }).click();
  await expect(page.getByRole("button", { name: w.app.sign_out })).toBeVisible();
}

/** Presses Tab until `target` has the focus (at most `max` times), as a keyboard user would. */
export async function tabTo(page: Page, target: Locator, max = 200) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`not reachable with Tab: ${target}`);
}

/** The focused element shows a visible focus indicator (an outline or a shadow). */
export async function expectVisibleFocus(page: Page) {
  const style = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
  });
  expect(style.outline !== "none" && style.width !== "0px" || style.shadow !== "none", JSON.stringify(style)).toBe(true);
}

function flatten(o: Catalogue, prefix = "", out = new Map<string, string>()) {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "string") out.set(prefix + k, v);
    else flatten(v, `${prefix}${k}.`, out);
  }
  return out;
}

/**
 * Fails when the page shows English text in another language: every piece of an English
 * catalogue entry (between placeholders, 12 characters or more) that the language translates
 * differently must not appear on the page.
 */
export async function expectNoEnglish(page: Page, lang: Lang) {
  if (lang === "en") return;
  const english = flatten(words("en"));
  const translated = flatten(words(lang));
  const pieces = new Set<string>();
  for (const [key, text] of english) {
    if (translated.get(key) === text) continue;
    for (const piece of text.split(/\{\{[^}]*\}\}/)) {
      const p = piece.trim();
      if (p.length >= 12) pieces.add(p);
    }
  }
  const shown = await page.locator("body").innerText();
  const found = [...pieces].filter((p) => shown.includes(p));
  expect(found, `English on a ${lang} page (${page.url()})`).toEqual([]);
}

/** RFC 4180: fields split on commas, quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** Clicks "Export to CSV" and reads the file back: its name and its rows (after the byte-order mark). */
export async function downloadCsv(page: Page): Promise<{ name: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export to CSV" }).click()]);
  const text = fs.readFileSync((await file.path())!, "utf8");
  expect(text.startsWith("\ufeff"), "a byte-order mark, so spreadsheets read UTF-8").toBe(true);
  return { name: file.suggestedFilename(), rows: parseCsv(text.slice(1)) };
}
