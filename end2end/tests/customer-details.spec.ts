import { expect, test } from "./fixtures";
import { expectNoViolations, hydrated, signIn } from "./helpers";

// Customer details (issue 14; R-CUST-1..3, R-EXT-6, R-MAIL-5): a buyer reaches them from a
// subscription's page, sees the tax later orders will pay before saving, saves with the
// ownership confirmation, and every buyer's confirmation mail arrives. A tax-exempt customer
// number is not editable here.

test("a buyer edits customer details, sees the new tax before saving, and every buyer is mailed", async ({ page }) => {
  await signIn(page, "buyer2@aurora.example");
  await page.goto("/billing/subscriptions?csn=5150001002");
  await hydrated(page);
  await page.getByRole("row").nth(1).getByRole("link").first().click();
  await hydrated(page);
  await page.getByRole("link", { name: "Edit customer details (company name, address)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Customer details" })).toBeVisible();
  await hydrated(page);

  // R-CUST-2: the tax-exempt customer number shows its details and sends the buyer to support.
  const exempt = page.getByRole("region", { name: "Customer number 5150001004" });
  await expect(exempt.getByText(/tax-exemption certificate is on file/)).toBeVisible();
  await expect(exempt.getByRole("button")).toHaveCount(0);

  const sweden = page.getByRole("region", { name: "Customer number 5150001002" });
  await expect(sweden.getByText("VAT 25 %", { exact: true })).toBeVisible();
  // R-CUST-3: the tax of later orders, shown before saving, follows the country chosen.
  await sweden.getByLabel("Country").selectOption("FI");
  await expect(sweden.getByText(/Tax on orders from now on: VAT 25.5 %/)).toBeVisible();
  await sweden.getByLabel("Country").selectOption("US");
  await sweden.getByLabel("State or region").fill("MA");
  await expect(sweden.getByText("Tax on orders from now on: sales tax 6.25 %")).toBeVisible();
  await sweden.getByLabel("State or region").fill("");
  await sweden.getByLabel("Country").selectOption("SE");
  await expect(sweden.getByText("Tax on orders from now on: VAT 25 %")).toBeVisible();

  // A bad postal code length is refused by the server with its reason; nothing changes.
  await sweden.getByLabel("Address", { exact: true }).fill("Kungsportsavenyen 10");
  await sweden.getByLabel("City").fill("Göteborg");
  await sweden.getByLabel("Postal code").evaluate((el: HTMLInputElement) => el.removeAttribute("maxlength"));
  await sweden.getByLabel("Postal code").fill("4".repeat(21));
  await sweden.getByLabel(/ownership of this account has not been transferred/).check();
  await sweden.getByRole("button", { name: "Save customer details" }).click();
  await expect(sweden.getByRole("alert")).toContainText("Postal code can be at most 20 characters.");
  await sweden.getByLabel("Postal code").fill("411 36");
  await sweden.getByRole("button", { name: "Save customer details" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "The customer details of 5150001002 were saved. Every buyer gets a confirmation mail.",
  );
  const saved = page.getByRole("region", { name: "Customer number 5150001002" });
  await expect(saved.getByText("Kungsportsavenyen 10, 411 36 Göteborg, SE")).toBeVisible();
  await expectNoViolations(page, "Customer details");

  // R-MAIL-5: every buyer gets the confirmation.
  await page.goto("/mailbox");
  for (const buyer of ["buyer@aurora.example", "buyer2@aurora.example"]) {
    const mail = page
      .getByRole("listitem")
      .filter({ hasText: "Customer details changed for 5150001002" })
      .filter({ hasText: `To ${buyer}` });
    await expect(async () => {
      await page.reload();
      await expect(mail).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    await mail.getByText("Customer details changed for 5150001002").click();
    await expect(mail.locator("pre")).toContainText("Kungsportsavenyen 10, 411 36 Göteborg, SE");
    await expect(mail.locator("pre")).toContainText("Lina Berg changed the company name and address");
  }
});
