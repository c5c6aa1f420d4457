import { expect, test as base } from "@playwright/test";

/**
 * Every test runs under the pages' content security policy and fails if the browser reports
 * breaking it: a script without the page's nonce, a style or a connection from elsewhere.
 * Hydration itself is the first thing this watches.
 */
export const test = base.extend<{ contentSecurityPolicy: void }>({
  contentSecurityPolicy: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on("console", (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to (load|execute|apply|connect|compile)/i.test(text)) {
          violations.push(text);
        }
      });
      await use();
      expect(violations, "content security policy violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
