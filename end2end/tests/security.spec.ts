import { EXPECTS_VIOLATION, expect, test } from "./fixtures";
import { hydrated } from "./helpers";

test("a script injected into a page does not run, while the page's own scripts hydrate it", async ({ page }) => {
  test.info().annotations.push({ type: EXPECTS_VIOLATION });
  // Play a stored injection: the real answer, its headers untouched, with a script added to its
  // HTML the way injected markup would arrive (parsed with the page, without the nonce).
  await page.route("**/sign-in", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace("</head>", "<script>window.__injected = true;</script></head>");
    // The body is handed over decoded: drop the headers that described it compressed.
    const headers = { ...response.headers() };
    delete headers["content-encoding"];
    delete headers["content-length"];
    await route.fulfill({ status: response.status(), headers, body: html });
  });
  await page.goto("/sign-in");
  // The page's own scripts carry its nonce: hydration happens under the policy...
  await hydrated(page);
  // ...and the injected one was refused by the browser.
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  await page.getByLabel("E-mail").fill("buyer@aurora.example");
  await expect(page.getByLabel("E-mail")).toHaveValue("buyer@aurora.example");
});
