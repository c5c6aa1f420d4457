import { expect, Page, test } from "./fixtures";
import { expectNoViolations, hydrated, signIn } from "./helpers";

// User management (issue 14; R-ROLE-3, R-ROLE-4, R-MAIL-3, R-LIFE-6): a secondary admin invites
// a colleague, who opens an account from the mailed link and signs in; the admin assigns them a
// seat; the primary admin role moves to a buyer and back, the buyer keeping every buyer right;
// the new user changes their password in the profile, which signs their other browser out.

const NEW_USER = "nelli.uusi@aurora-colleagues.example";

/** The newest mail in the demo Mailbox whose subject is `subject` and recipient `to`. */
async function mailText(page: Page, subject: string, to: string): Promise<string> {
  await page.goto("/mailbox");
  const mail = page.getByRole("listitem").filter({ hasText: subject }).filter({ hasText: `To ${to}` });
  await expect(async () => {
    await page.reload();
    await expect(mail.first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await mail.first().getByText(subject).click();
  return mail.first().locator("pre").innerText();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

test("an admin invites a colleague who joins from the mail, gets a seat and changes the password", async ({ page, browser }) => {
  // Aino is a buyer and a secondary admin (the demo's Claire changes her password in
  // password-reset.spec.ts).
  await signIn(page, "buyer@aurora.example");
  await page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link", { name: "User management" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "User management" })).toBeVisible();
  await hydrated(page);
  // A secondary admin invites users but makes no admins (R-ROLE-4).
  await expect(page.getByLabel("Role").getByRole("option")).toHaveText(["User"]);
  await expect(page.getByRole("button", { name: /secondary admin/ })).toHaveCount(0);

  // Bad input first: a member's address is refused and nothing is sent.
  await page.getByLabel("E-mail address").fill("buyer2@aurora.example");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("alert")).toContainText("This address belongs to a user of the organisation already.");
  await page.getByLabel("E-mail address").fill(NEW_USER);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toHaveText("The invitation was sent. Its link works once, for 7 days.");
  const waiting = page.getByRole("region", { name: /Invitations waiting/ });
  await expect(waiting.getByText(NEW_USER)).toBeVisible();
  await expectNoViolations(page, "User management");

  // The admins are told (R-MAIL-3); the invitation reaches the colleague.
  await signOut(page);
  const notice = await mailText(page, `User management: ${NEW_USER} was invited as User`, "admin@aurora.example");
  expect(notice).toContain("Changed by Aino Virtanen.");
  const text = await mailText(page, "Aurora Design Group invited you to the billing portal", NEW_USER);
  expect(text).toContain("As a user you use the products an admin assigns to you.");
  const link = text.match(/http:\/\/\S+\/accept-invitation\?token=\S+/)![0];

  await page.goto(link);
  await hydrated(page);
  await expect(page.getByText("Aurora Design Group invited you to Billing and orders. Your role: User.")).toBeVisible();
  await page.getByRole("textbox", { name: "Your name" }).fill("Nelli Uusi");
  await page.getByLabel("New password", { exact: true }).fill("Colleague-2026");
  await page.getByLabel("Repeat the new password").fill("Colleague-2026");
  await page.getByRole("button", { name: "Open my account" }).click();
  await expect(page.getByRole("status")).toHaveText("Your account is open. Sign in with your new password.");
  // The link works once.
  await page.goto(link);
  await expect(page.getByRole("alert")).toBeVisible();

  // The admin assigns the new user a seat of a subscription with one free.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/users/products");
  await hydrated(page);
  const rows = page.getByRole("row").filter({ hasText: /0 of \d+ seats assigned/ }).filter({ hasText: "Active" });
  const product = rows.first().getByRole("link");
  const productName = await product.innerText();
  await product.click();
  await expect(page.getByRole("heading", { level: 1, name: productName })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("User", { exact: true }).selectOption({ label: `Nelli Uusi (${NEW_USER})` });
  await page.getByRole("button", { name: "Assign seat" }).click();
  await expect(page.getByRole("status")).toHaveText("The seat was assigned.");
  await expect(page.getByRole("heading", { name: /^1 of \d+ seats assigned$/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Free the seat of Nelli Uusi" })).toBeVisible();
  await expectNoViolations(page, "Seats of a subscription");
  await signOut(page);

  // The colleague signs in: a user sees the profile only, and changes the password there.
  const other = await browser.newContext();
  const second = await other.newPage();
  for (const p of [page, second]) {
    await p.goto("/sign-in");
    await hydrated(p);
    await p.getByLabel("E-mail").fill(NEW_USER);
    await p.getByLabel("Password").fill("Colleague-2026");
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect(p).toHaveURL(/\/account$/);
  }
  await hydrated(page);
  await expect(page.getByRole("navigation", { name: "Billing and orders" }).getByRole("link")).toHaveText(["Profile and roles"]);
  await page.getByLabel("Current password").fill("Colleague-2026");
  await page.getByLabel("New password", { exact: true }).fill("abcdefgh");
  await page.getByLabel("Repeat the new password").fill("abcdefgh");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("Use at least one digit.");
  await page.getByLabel("Current password").fill("Colleague-2026");
  await page.getByLabel("New password", { exact: true }).fill("Colleague-2027");
  await page.getByLabel("Repeat the new password").fill("Colleague-2027");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password was changed. You were signed out everywhere else.");
  await expectNoViolations(page, "Profile and roles");
  // The other browser is signed out; this one is not.
  await second.goto("/account");
  await expect(second).toHaveURL(/\/sign-in/);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Profile and roles" })).toBeVisible();
  await other.close();
});

test("the primary admin role moves to a buyer, who hands it back and keeps every buyer right", async ({ page }) => {
  const row = (name: string) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });
  await signIn(page, "admin@aurora.example");
  await page.goto("/users");
  await hydrated(page);
  await expect(row("Erik Lund").getByRole("cell").nth(1)).toHaveText("Primary admin");
  await page.getByRole("button", { name: "Make Aino Virtanen the primary admin" }).click();
  await expect(page.getByRole("status")).toContainText("The primary admin role was handed on.");
  await expect(row("Aino Virtanen").getByRole("cell").nth(1)).toHaveText("Buyer, Primary admin");
  await expect(row("Erik Lund").getByRole("cell").nth(1)).toHaveText("Secondary admin");
  await signOut(page);

  // R-ROLE-3: the buyer hands it on and becomes a secondary admin, still a buyer.
  await signIn(page, "buyer@aurora.example");
  await page.goto("/users");
  await hydrated(page);
  await page.getByRole("button", { name: "Make Erik Lund the primary admin" }).click();
  await expect(page.getByRole("status")).toContainText("The previous primary admin is now a secondary admin.");
  await expect(row("Aino Virtanen").getByRole("cell").nth(1)).toHaveText("Buyer, Secondary admin");
  await expect(row("Erik Lund").getByRole("cell").nth(1)).toHaveText("Primary admin");
  const nav = page.getByRole("navigation", { name: "Billing and orders" });
  await expect(nav.getByRole("link", { name: "Cart" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Customer details" })).toBeVisible();
});
