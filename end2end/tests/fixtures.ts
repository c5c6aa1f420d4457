import { expect, test as base } from "@playwright/test";

/** An annotation for the one test that provokes a violation on purpose. */
export const EXPECTS_VIOLATION = "expects-csp-violation";

/**
 * Every test runs under the pages' content security policy and fails if the browser reports
 * breaking it: a script without the page's nonce, a style or a connection from elsewhere.
 * Hydration itself is the first thing this watches.
 */
export const test = base.extend<{ contentSecurityPolicy: void }>({
  contentSecurityPolicy: [
    async ({ page }, use, testInfo) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to (load|execute|apply|connect|compile)/i.test(text)) {
          violations.push(text);
        }
      });
      await use();
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
