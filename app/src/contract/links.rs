//! The portal's addresses, built in one place for pages, redirects and mail. A page that moves
//! changes here, and every link follows.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::domain::ids::SubscriptionId;

/// What stays unescaped in a query value: RFC 3986 unreserved characters and `/` (paths passed
/// as `next` or `return_to` stay readable).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// Percent-encodes one query value.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

pub const SIGN_IN: &str = "/sign-in";
pub const FORGOT_PASSWORD: &str = "/forgot-password";
pub const RESET_PASSWORD: &str = "/reset-password";
pub const ACCOUNT: &str = "/account";
pub const SUBSCRIPTIONS: &str = "/billing/subscriptions";
pub const AUTO_RENEW: &str = "/billing/auto-renew";
pub const DEMO_CLOCK: &str = "/demo/clock";
/// Bulk renew's groups: `?ids=1,2,3` (R-BULK-3).
pub const RENEW: &str = "/billing/renew";
pub const CART: &str = "/billing/cart";
pub const ORDERS: &str = "/billing/orders";
pub const QUOTES: &str = "/billing/quotes";
pub const NEW_QUOTE: &str = "/billing/quotes/new";
/// The approval threshold and the orders held for approval.
pub const APPROVALS: &str = "/billing/approvals";
/// Invoices and credit memos (R-INV-1): what is owed and what was paid.
pub const INVOICES: &str = "/billing/invoices";
/// Paying invoices together: `?numbers=INV-1,INV-2` (R-INV-2).
pub const PAY_INVOICES: &str = "/billing/invoices/pay";
/// Payments of invoices: `/billing/payments/{id}`.
pub const PAYMENTS: &str = "/billing/payments";
pub const MAILBOX: &str = "/mailbox";
/// Accepting an invitation: `?token=...` from the mail.
pub const ACCEPT_INVITATION: &str = "/accept-invitation";
/// Billing and orders > Payment methods (R-PAY-5).
/// The Billing and orders overview (R-EXT-7): the buyers' start page.
pub const OVERVIEW: &str = "/billing";

/// User management: the organisation's users, roles and invitations (R-ROLE-3, R-ROLE-4).
pub const USERS: &str = "/users";
/// Product assignments: seats of the organisation's subscriptions and who holds them.
pub const PRODUCT_ASSIGNMENTS: &str = "/users/products";

/// The audit trail of the organisation's changes.
pub const AUDIT: &str = "/billing/audit";
/// The audit trail's entries as CSV (the page's filters as its query).
pub const AUDIT_EXPORT: &str = "/billing/exports/audit.csv";

/// The audit trail, or its CSV export (`base`), with these filters (empty values left out).
pub fn audit_with(base: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if query.is_empty() { base.to_string() } else { format!("{base}?{}", query.join("&")) }
}

/// Customer details of the organisation's customer numbers (R-CUST-1).
pub const CUSTOMER_DETAILS: &str = "/billing/customer-details";
pub const PAYMENT_METHODS: &str = "/billing/payment-methods";
/// Changing the payment method of selected subscriptions: `?ids=1,2,3` (R-BULK-5).
pub const CHANGE_PAYMENT_METHOD: &str = "/billing/payment-methods/change";
/// The language switcher's form posts here (the `set_language` server function).
pub const SET_LANGUAGE: &str = "/api/set_language";
/// The PO-document upload (the `upload_po_document` server function), the one server function
/// that reads a multipart form; the server answers other kinds of body there with 422.
pub const UPLOAD_PO_DOCUMENT: &str = "/api/upload_po_document";

/// Every page without a parameter in its path; with [`subscription`], every page there is. A
/// server test opens each one, so a link built here never leads to a page that does not exist.
pub const PAGES: [&str; 24] = [
    AUDIT,
    OVERVIEW,
    USERS,
    PRODUCT_ASSIGNMENTS,
    CUSTOMER_DETAILS,
    SIGN_IN,
    FORGOT_PASSWORD,
    RESET_PASSWORD,
    ACCOUNT,
    SUBSCRIPTIONS,
    AUTO_RENEW,
    DEMO_CLOCK,
    MAILBOX,
    RENEW,
    CART,
    ORDERS,
    QUOTES,
    NEW_QUOTE,
    APPROVALS,
    INVOICES,
    PAY_INVOICES,
    PAYMENT_METHODS,
    CHANGE_PAYMENT_METHOD,
    ACCEPT_INVITATION,
];

/// The payment methods page after a change, which `notice` names; `at` (the change's instant)
/// makes each change's address new, so a second change of the same kind reloads the list too.
/// User management after a change that `notice` names; `at` makes each change's address new.
pub fn users_notice(notice: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{USERS}?notice={notice}&at={}", at.timestamp_millis())
}

/// One subscription's seats and who holds them.
pub fn product_assignment(id: SubscriptionId) -> String {
    format!("{PRODUCT_ASSIGNMENTS}/{id}")
}

/// A subscription's seats after a change that `notice` names.
pub fn product_assignment_notice(id: SubscriptionId, notice: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{PRODUCT_ASSIGNMENTS}/{id}?notice={notice}&at={}", at.timestamp_millis())
}

/// The profile page after a change that `notice` names.
pub fn account_notice(notice: &str) -> String {
    format!("{ACCOUNT}?notice={notice}")
}

/// Customer details at one customer number's section (R-CUST-1: reachable from a subscription).
pub fn customer_details_of(csn: &str) -> String {
    format!("{CUSTOMER_DETAILS}#h-csn-{}", encode(csn))
}

/// Customer details after a save: `notice` is "saved" or "unchanged", `csn` the number.
pub fn customer_details_notice(notice: &str, csn: &str) -> String {
    format!("{CUSTOMER_DETAILS}?notice={notice}&csn={}", encode(csn))
}

pub fn payment_methods_notice(notice: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{PAYMENT_METHODS}?notice={}&at={}", encode(notice), at.timestamp_millis())
}

/// Changing the payment method of these subscriptions ("1,2,3").
pub fn change_payment_method(ids: &str) -> String {
    format!("{CHANGE_PAYMENT_METHOD}?ids={}", encode(ids))
}

/// Sign-in, then back to `next` (a path on this site).
pub fn sign_in_then(next: &str) -> String {
    format!("{SIGN_IN}?next={}", encode(next))
}

/// The sign-in page after a password reset.
/// Forgot password, after a link was asked for: the page says what happens next.
pub fn forgot_password_sent() -> String {
    format!("{FORGOT_PASSWORD}?sent=1")
}

pub fn sign_in_after_reset() -> String {
    format!("{SIGN_IN}?reset=done")
}

/// Sign-in after accepting an invitation, the new account's address filled in.
pub fn sign_in_after_joining(email: &str) -> String {
    format!("{SIGN_IN}?joined=1&email={}", encode(email))
}

/// The link of an invitation mail: `origin` (the public URL) and the token.
pub fn accept_invitation(origin: &str, token: &str) -> String {
    format!("{}{ACCEPT_INVITATION}?token={}", origin.trim_end_matches('/'), encode(token))
}

/// One subscription's page.
pub fn subscription(id: SubscriptionId) -> String {
    format!("{SUBSCRIPTIONS}/{id}")
}

/// The review of seats added to a subscription (`seats` as typed, empty for the form alone).
pub fn add_seats(id: SubscriptionId, seats: &str) -> String {
    if seats.is_empty() {
        format!("{}/add-seats", subscription(id))
    } else {
        format!("{}/add-seats?seats={}", subscription(id), encode(seats))
    }
}

/// The review of extending a subscription to end with `target` (empty for the choice alone).
pub fn extend(id: SubscriptionId, target: &str) -> String {
    if target.is_empty() {
        format!("{}/extend", subscription(id))
    } else {
        format!("{}/extend?target={}", subscription(id), encode(target))
    }
}

/// A subscription's page after its next renewal was changed (`withdrawn`: the change undone).
pub fn subscription_next_term(id: SubscriptionId, withdrawn: bool) -> String {
    format!("{}?notice={}", subscription(id), if withdrawn { "next-term-withdrawn" } else { "next-term" })
}

/// A subscription's invoice details: PO number, notes and PO documents (R-INV-5).
pub fn invoice_details(id: SubscriptionId) -> String {
    format!("{}/invoice-details", subscription(id))
}

/// The invoice details page after a change (`notice`: "saved", "attached" or "removed").
pub fn invoice_details_notice(id: SubscriptionId, notice: &str) -> String {
    format!("{}?notice={notice}", invoice_details(id))
}

/// A subscription's invoice details after its payers were changed; `at` (the change's instant)
/// makes each change's address new, so the next change reloads the list too.
pub fn subscription_payers_saved(id: SubscriptionId, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}?notice=payers&at={}", invoice_details(id), at.timestamp_millis())
}

/// Where a subscription's payers are managed (R-INV-4: also from a subscription's page).
pub fn subscription_payers(id: SubscriptionId) -> String {
    format!("{}#payers", invoice_details(id))
}

/// One PO document of a subscription (a download, not a page).
pub fn po_document(id: SubscriptionId, document: i64) -> String {
    format!("{}/documents/{document}", invoice_details(id))
}

/// Bulk renew's groups for `ids` (comma-separated).
pub fn renew(ids: &str) -> String {
    format!("{RENEW}?ids={ids}")
}

/// One order's page (`number` as "ORD-000123").
pub fn order(number: &str) -> String {
    format!("{ORDERS}/{}", encode(number))
}

/// One quote's page (`number` as "Q-2026-0001").
pub fn quote(number: &str) -> String {
    format!("{QUOTES}/{}", encode(number))
}

/// A quote's PDF (a download, not a page).
pub fn quote_pdf(number: &str) -> String {
    format!("{}/pdf", quote(number))
}

/// A quote's page right after it was sent.
pub fn quote_sent(number: &str) -> String {
    format!("{}?sent=1", quote(number))
}

/// The review of a new renewal quote for these subscriptions (`ids` as "1,2,3").
pub fn new_quote(ids: &str) -> String {
    format!("{NEW_QUOTE}?ids={ids}")
}

/// The review of a new co-term quote: `id` extended to end with `target` (R-QUOTE-2).
pub fn new_coterm_quote(id: SubscriptionId, target: SubscriptionId) -> String {
    format!("{NEW_QUOTE}?ids={id}&align={target}")
}

/// One invoice's page (`number` as "INV-000123").
pub fn invoice(number: &str) -> String {
    format!("{INVOICES}/{}", encode(number))
}

/// An invoice's page after its payers were saved (`count` of them now).
pub fn invoice_payers_saved(number: &str, count: usize) -> String {
    format!("{}?payers={count}", invoice(number))
}

/// The invoice that replaced a reissued one, on its page (R-EXT-4).
pub fn invoice_reissued(number: &str) -> String {
    format!("{}?reissued=1", invoice(number))
}

/// An invoice's PDF (a download, not a page).
pub fn invoice_pdf(number: &str) -> String {
    format!("{}/pdf", invoice(number))
}

/// Paying these invoices together (numbers comma-separated).
pub fn pay_invoices(numbers: &[String]) -> String {
    format!("{PAY_INVOICES}?numbers={}", encode(&numbers.join(",")))
}

/// The CSV export of the Subscriptions and contracts list (R-EXT-9): a download, not a page.
pub const SUBSCRIPTIONS_EXPORT: &str = "/billing/exports/subscriptions.csv";

/// The CSV export of what the list's filters (these query pairs; empty ones left out) select.
pub fn subscriptions_export(pairs: &[(&str, String)]) -> String {
    let query = pairs
        .iter()
        .filter(|(k, v)| !v.is_empty() && !matches!(*k, "page" | "per_page"))
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() { SUBSCRIPTIONS_EXPORT.to_string() } else { format!("{SUBSCRIPTIONS_EXPORT}?{query}") }
}

/// Paying all the open invoices of a customer number in one currency, oldest first ("pay
/// all", beyond the product we mirror).
pub fn pay_all(csn: &str, currency: crate::domain::money::Currency) -> String {
    format!("{PAY_INVOICES}?all={}", encode(&format!("{csn}:{}", currency.code())))
}

/// Asking for a refund of one subscription's line of an order (R-PAY-9): the review first.
pub fn refund(order_number: &str, subscription: crate::domain::ids::SubscriptionId) -> String {
    format!("{}/refund?subscription={subscription}", order(order_number))
}

/// An order's page after a refund of one of its lines made credit memo `memo`.
pub fn order_refunded(order_number: &str, memo: &str) -> String {
    format!("{}?refunded={}", order(order_number), encode(memo))
}

/// The credit memos on the Invoices and credit memos page.
pub fn credit_memos() -> String {
    format!("{INVOICES}#credit-memos")
}

/// A payment of invoices: what it paid and where it stands.
pub fn invoice_payment(id: crate::domain::ids::PaymentId) -> String {
    format!("{PAYMENTS}/{id}")
}

/// The invoices list with these query pairs (empty values are left out).
pub fn invoices_with(pairs: &[(&str, String)]) -> String {
    let query = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() { INVOICES.to_string() } else { format!("{INVOICES}?{query}") }
}

/// An order held for approval (`APR-...`).
pub fn approval(number: &str) -> String {
    format!("{APPROVALS}/{}", encode(number))
}

/// An approval request's page right after the checkout that made it.
pub fn approval_requested(number: &str) -> String {
    format!("{}?held=1", approval(number))
}

/// An order's page right after it was placed.
pub fn order_placed(number: &str) -> String {
    format!("{}?placed=1", order(number))
}

/// The subscription list with these query pairs (empty values are left out).
pub fn subscriptions_with(pairs: &[(&str, String)]) -> String {
    let query = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() { SUBSCRIPTIONS.to_string() } else { format!("{SUBSCRIPTIONS}?{query}") }
}

/// The review step of Manage auto-renew for `ids` (comma-separated), coming back to `return_to`.
pub fn auto_renew(on: bool, ids: &str, return_to: &str) -> String {
    format!("{AUTO_RENEW}?on={on}&ids={ids}&return_to={}", encode(return_to))
}

/// `back` (a path on this site) with a notice of how many subscriptions changed auto-renew.
pub fn after_auto_renew(back: &str, on: bool, changed: usize) -> String {
    let sep = if back.contains('?') { '&' } else { '?' };
    format!("{back}{sep}notice=auto-renew-{}&changed={changed}", if on { "on" } else { "off" })
}

/// The demo clock page after a move by `step` ("30d"), with what the move did.
pub fn demo_clock_moved(step: &str, report: &str) -> String {
    format!("{DEMO_CLOCK}?step={}&moved={}", encode(step), encode(report))
}

/// The page where a reset link's token chooses a new password; `origin` is the public URL.
pub fn reset_password(origin: &str, token: &str) -> String {
    format!("{}{RESET_PASSWORD}?token={}", origin.trim_end_matches('/'), encode(token))
}

/// An absolute link for mail: `origin` (the public URL) and a path from this module.
pub fn absolute(origin: &str, path: &str) -> String {
    format!("{}{path}", origin.trim_end_matches('/'))
}

/// A redirect target is kept only when it is a path on this site: it starts with one `/`, and
/// holds only visible ASCII (no whitespace or control characters, which browsers strip or which
/// cannot go into a `Location` header) and no backslash.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic() && c != '\\'))
        .map(str::to_string)
}

/// Where a user lands after sign-in, unless they were on their way somewhere: buyers on the
/// overview (R-EXT-7), admins on the subscriptions, payers on the invoices they pay (R-ROLE-6).
pub fn home(can_view_billing: bool, can_view_subscriptions: bool, can_view_invoices: bool) -> &'static str {
    if can_view_billing {
        OVERVIEW
    } else if can_view_subscriptions {
        SUBSCRIPTIONS
    } else if can_view_invoices {
        INVOICES
    } else {
        ACCOUNT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/billing/subscriptions?status=active")).as_deref(),
            Some("/billing/subscriptions?status=active")
        );
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None, "browsers strip the tab");
        assert_eq!(safe_next(Some("/billing\nSet-Cookie: x=y")), None);
        assert_eq!(safe_next(Some("/billing/subscriptions?q=%20x")).as_deref(), Some("/billing/subscriptions?q=%20x"));
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn query_values_are_percent_encoded_except_unreserved_characters_and_slashes() {
        assert_eq!(encode("/billing/subscriptions?q=a b&c"), "/billing/subscriptions%3Fq%3Da%20b%26c");
        assert_eq!(encode("Åbo 50%"), "%C3%85bo%2050%25");
        assert_eq!(
            subscriptions_with(&[("q", "x y".into()), ("csn", String::new())]),
            "/billing/subscriptions?q=x%20y"
        );
        assert_eq!(
            after_auto_renew("/billing/subscriptions?page=2", true, 3),
            "/billing/subscriptions?page=2&notice=auto-renew-on&changed=3"
        );
    }
}

/// The stylesheet's URL for this build (hashed when the build hashed it), which the server puts
/// in each request's context for the page shell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stylesheet(pub String);

/// The stylesheet's name when the build gave it no hash.
pub const PLAIN_STYLESHEET: &str = "/pkg/portal.css";
