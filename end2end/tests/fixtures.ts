import { expect, test as base } from "@playwright/test";

/** An annotation for the one test that provokes a violation on purpose. */
export const EXPECTS_VIOLATION = "expects-csp-violation";

/**
 * The name of the page's count of `fetch` calls not yet settled, which `hydrated` waits to see
 * at zero. Every server function call of the WASM is a `fetch`.
 */
export const PENDING_FETCHES = "__portalPendingFetches";

/**
 * Every test counts its pages' unsettled fetches (for `hydrated`), and runs under the pages'
 * content security policy and fails if the browser reports breaking it: a script without the
 * page's nonce, a style or a connection from elsewhere.
 * Hydration itself is the first thing this watches.
 */
export const test = base.extend<{ contentSecurityPolicy: void; pendingFetches: void }>({
  pendingFetches: [
    async ({ context }, use) => {
      // Runs in every page of the test's context before the page's own scripts (not subject to
      // the page's content security policy: the browser itself evaluates it).
      await context.addInitScript((name) => {
        const counts = window as unknown as Record<string, number>;
        counts[name] = 0;
        const fetch = window.fetch.bind(window);
        window.fetch = (...args: Parameters<typeof fetch>) => {
          counts[name] += 1;
          return fetch(...args).finally(() => {
            counts[name] -= 1;
          });
        };
      }, PENDING_FETCHES);
      await use();
    },
    { auto: true },
  ],
  contentSecurityPolicy: [
    async ({ page }, use, testInfo) => {
      const violations: string[] = [];
      const panics: string[] = [];
      page.on("console", (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to (load|execute|apply|connect|compile)/i.test(text)) {
          violations.push(text);
        }
        // A panic in the WASM leaves the page looking live while nothing answers a click.
        if (/panicked at|RuntimeError: unreachable|A hydration error occurred/i.test(text)) {
          panics.push(`${page.url()}: ${text}`);
        }
      });
      page.on("pageerror", (error) => panics.push(`${page.url()}: ${error.message}`));
      await use();
      // A panic fails the test, named with its page: a page that looks live while nothing
      // answers would otherwise fail later with a misleading timeout, or not at all.
      for (const panic of panics) {
        testInfo.annotations.push({ type: "wasm-panic", description: panic.slice(0, 2000) });
        console.warn(`[wasm-panic] ${testInfo.title}: ${panic.split("\n")[0]}`);
      }
      expect(panics, "panics of the page's script").toEqual([]);
      if (testInfo.annotations.some((a) => a.type === EXPECTS_VIOLATION)) {
        expect(violations.length, "the injected script was reported").toBeGreaterThan(0);
      } else {
        expect(violations, "content security policy violations").toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };
