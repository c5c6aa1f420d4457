//! Mail templates: one per kind the portal sends today, each with a plain-text and an HTML part
//! in the portal's look, and absolute links (from `contract::links`) to pages that exist. Every
//! mail is queued in the outbox inside the transaction of the change that causes it (see
//! `outbox`). Kinds whose pages are not built yet (quotes, overdue invoices, customer details,
//! invitations, user management) get their template with their page.

use chrono::NaiveDate;
use html_escape::{encode_double_quoted_attribute as escape_attr, encode_text as escape_html};

use super::store::records::OutgoingMail;
use crate::contract::dto::ShownDate;
use crate::contract::links;
use crate::domain::ids::{OrgId, SubscriptionId};
use crate::domain::mail_routing::MailKind;
use crate::domain::money::Money;
use crate::domain::time::format_date;

/// "Renews on 10 Jun 2025" / "Expires on 9 Jun 2025" (R-SUB-2).
pub fn shown_date(shown: ShownDate) -> String {
    format!("{} {}", crate::domain::auto_renew::shown_date_label(shown.auto_renew), format_date(shown.date))
}

/// A block of a mail's body.
enum Block {
    Para(String),
    /// Rows of cells, with a header row.
    Table(Vec<&'static str>, Vec<Vec<String>>),
    /// The one call to action: label and absolute URL.
    Action(String, String),
}

/// Renders the shared layout (header, blocks, footer) into both parts.
fn render(kind: MailKind, org_id: Option<OrgId>, to: &str, subject: String, blocks: Vec<Block>) -> OutgoingMail {
    let mut text = String::new();
    let mut html = String::from(
        "<div style=\"font-family:system-ui,Segoe UI,Roboto,sans-serif;color:#1b1f24;max-width:640px;margin:0 auto\">\
         <div style=\"font-weight:700;font-size:18px;padding:12px 0;border-bottom:3px solid #0b5cad\">Billing and orders</div>",
    );
    for block in blocks {
        match block {
            Block::Para(p) => {
                text.push_str(&p);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape_html(&p)));
            }
            Block::Table(head, rows) => {
                html.push_str("<table style=\"border-collapse:collapse;width:100%\"><thead><tr>");
                for h in &head {
                    html.push_str(&format!(
                        "<th style=\"text-align:left;border-bottom:1px solid #d6dae0;padding:4px\">{}</th>",
                        escape_html(h)
                    ));
                }
                html.push_str("</tr></thead><tbody>");
                for row in rows {
                    text.push_str("- ");
                    text.push_str(&row.join(" | "));
                    text.push('\n');
                    html.push_str("<tr>");
                    for cell in row {
                        html.push_str(&format!(
                            "<td style=\"padding:4px;border-bottom:1px solid #eef0f3\">{}</td>",
                            escape_html(&cell)
                        ));
                    }
                    html.push_str("</tr>");
                }
                html.push_str("</tbody></table>");
                text.push('\n');
            }
            Block::Action(label, url) => {
                text.push_str(&format!("{label}: {url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{}\" style=\"display:inline-block;background:#0b5cad;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none\">{}</a></p>",
                    escape_attr(&url),
                    escape_html(&label)
                ));
            }
        }
    }
    text.push_str("-- \nBilling and orders\n");
    html.push_str("<p style=\"color:#4a5563;font-size:12px;border-top:1px solid #d6dae0;padding-top:8px\">Billing and orders</p></div>");
    OutgoingMail { org_id, kind, to_address: to.into(), subject, body_text: text, body_html: html }
}

/// One line of an auto-renew confirmation.
pub struct AutoRenewLine {
    pub id: SubscriptionId,
    pub product_name: String,
    /// The date it shows after the change.
    pub resulting: ShownDate,
}

/// Auto-renew was turned on or off (R-EXT-1, R-MAIL-1).
pub fn auto_renew_changed(org_id: OrgId, to: &str, on: bool, lines: &[AutoRenewLine], base_url: &str) -> OutgoingMail {
    let state = if on { "on" } else { "off" };
    let subject = match lines.len() {
        1 => format!("Auto-renew turned {state} for subscription {}", lines[0].id),
        n => format!("Auto-renew turned {state} for {n} subscriptions"),
    };
    let consequence = if on {
        "These subscriptions will renew automatically on their renewal dates. We will remind you before each charge."
    } else {
        "These subscriptions will not be charged on their renewal dates; they expire instead. You can turn auto-renew on again until their terms end."
    };
    let rows = lines
        .iter()
        .map(|l| vec![l.product_name.clone(), format!("subscription {}", l.id), shown_date(l.resulting)])
        .collect();
    render(
        MailKind::AutoRenewChanged,
        Some(org_id),
        to,
        subject,
        vec![
            Block::Para(format!("Auto-renew was turned {state} for:")),
            Block::Table(vec!["Product", "Subscription", "Date"], rows),
            Block::Para(consequence.into()),
            Block::Action("Manage your subscriptions".into(), links::absolute(base_url, links::SUBSCRIPTIONS)),
        ],
    )
}

/// The password-reset link (R-AUTH-2), valid for 30 minutes.
pub fn password_reset(to: &str, link: &str) -> OutgoingMail {
    render(
        MailKind::PasswordReset,
        None,
        to,
        "Reset your Billing and orders password".into(),
        vec![
            Block::Para("Someone asked to reset the password of your Billing and orders account.".into()),
            Block::Action("Choose a new password (the link works once, for 30 minutes)".into(), link.into()),
            Block::Para("If it was not you, ignore this mail: your password stays as it is.".into()),
        ],
    )
}

/// One line of an order or a quote.
pub struct ItemLine {
    pub product_name: String,
    pub seats: i64,
    pub term: String,
    pub amount: Money,
}

fn item_rows(lines: &[ItemLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| vec![l.product_name.clone(), l.seats.to_string(), l.term.clone(), l.amount.to_string()])
        .collect()
}

/// Order confirmation with its order number (R-MAIL-1, R-MAIL-2).
pub fn order_confirmation(
    org_id: OrgId,
    to: &str,
    order_number: &str,
    lines: &[ItemLine],
    tax: Money,
    total: Money,
    base_url: &str,
) -> OutgoingMail {
    render(
        MailKind::OrderConfirmation,
        Some(org_id),
        to,
        format!("Order confirmation {order_number}"),
        vec![
            Block::Para(format!("Thank you for your order. Your order number is {order_number}.")),
            Block::Table(vec!["Product", "Seats", "Term", "Amount"], item_rows(lines)),
            Block::Para(format!("Tax: {tax}. Total: {total}.")),
            Block::Action("See your orders".into(), links::absolute(base_url, links::SUBSCRIPTIONS)),
        ],
    )
}

/// Reminder before an automatic renewal is charged, with date and price (R-MAIL-6, R-EXT-8).
pub fn renewal_reminder(
    org_id: OrgId,
    to: &str,
    product: &str,
    subscription_id: SubscriptionId,
    renewal: NaiveDate,
    price: Money,
    base_url: &str,
) -> OutgoingMail {
    render(
        MailKind::RenewalReminder,
        Some(org_id),
        to,
        format!("{product} renews on {}", format_date(renewal)),
        vec![
            Block::Para(format!(
                "Subscription {subscription_id} ({product}) renews automatically on {} for {price}, charged to the payment method on file.",
                format_date(renewal)
            )),
            Block::Para(
                "To change seats, term or payment method, or to stop the renewal, do it before that date.".into(),
            ),
            Block::Action(
                "Review the subscription".into(),
                links::absolute(base_url, &links::subscription(subscription_id)),
            ),
        ],
    )
}

/// The subscription expires (auto-renew off) on a date; it can be renewed until another.
pub fn expiry_notice(
    org_id: OrgId,
    to: &str,
    product: &str,
    subscription_id: SubscriptionId,
    expiry: NaiveDate,
    renew_until: NaiveDate,
    base_url: &str,
) -> OutgoingMail {
    render(
        MailKind::ExpiryNotice,
        Some(org_id),
        to,
        format!("{product} expires on {}", format_date(expiry)),
        vec![
            Block::Para(format!(
                "Subscription {subscription_id} ({product}) expires on {} because auto-renew is off. You can still renew it until {}.",
                format_date(expiry),
                format_date(renew_until)
            )),
            Block::Action(
                "Renew or turn auto-renew on".into(),
                links::absolute(base_url, &links::subscription(subscription_id)),
            ),
        ],
    )
}

/// An invoice for its payers (R-MAIL-4, R-INV-3). Payers cannot open subscriptions (R-ROLE-6),
/// and the Invoices page comes with the invoices issue: until then the mail links to sign-in.
pub fn invoice(
    org_id: OrgId,
    to: &str,
    number: &str,
    subscription_id: SubscriptionId,
    amount: Money,
    due: NaiveDate,
    base_url: &str,
) -> OutgoingMail {
    render(
        MailKind::InvoiceToPayers,
        Some(org_id),
        to,
        format!("Invoice {number}: {amount}, due {}", format_date(due)),
        vec![
            Block::Para(format!(
                "Invoice {number} for {amount}, for subscription {subscription_id}, is due on {}.",
                format_date(due)
            )),
            Block::Action("Sign in to Billing and orders".into(), links::absolute(base_url, links::SIGN_IN)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    const BASE: &str = "https://billing.example.com";
    const ORG: OrgId = OrgId(1);
    const SUB: SubscriptionId = SubscriptionId(7);
    /// The kinds the portal sends today; each must have a template.
    const SENT_TODAY: [MailKind; 6] = [
        MailKind::OrderConfirmation,
        MailKind::RenewalReminder,
        MailKind::ExpiryNotice,
        MailKind::AutoRenewChanged,
        MailKind::InvoiceToPayers,
        MailKind::PasswordReset,
    ];

    fn expires(date: NaiveDate) -> ShownDate {
        ShownDate { auto_renew: false, date }
    }

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Eur)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn lines() -> Vec<ItemLine> {
        vec![ItemLine { product_name: "Vectora CAD".into(), seats: 3, term: "1 year".into(), amount: eur(560_280) }]
    }

    /// Every template: a subject, both parts, an absolute link in both, and the right kind.
    #[test]
    fn every_kind_renders_both_parts_with_an_absolute_link() {
        let mails = [
            (
                MailKind::OrderConfirmation,
                order_confirmation(ORG, "b@x.example", "ORD-1001", &lines(), eur(134_467), eur(694_747), BASE),
            ),
            (
                MailKind::RenewalReminder,
                renewal_reminder(ORG, "b@x.example", "Vectora CAD", SUB, d(2027, 6, 10), eur(186_760), BASE),
            ),
            (
                MailKind::ExpiryNotice,
                expiry_notice(ORG, "b@x.example", "Vectora CAD", SUB, d(2027, 6, 9), d(2027, 7, 24), BASE),
            ),
            (
                MailKind::AutoRenewChanged,
                auto_renew_changed(
                    ORG,
                    "b@x.example",
                    false,
                    &[AutoRenewLine { id: SUB, product_name: "Vectora CAD".into(), resulting: expires(d(2027, 6, 9)) }],
                    BASE,
                ),
            ),
            (
                MailKind::InvoiceToPayers,
                invoice(ORG, "p@x.example", "INV-3001", SUB, eur(694_747), d(2027, 1, 22), BASE),
            ),
            (MailKind::PasswordReset, password_reset("b@x.example", &format!("{BASE}/reset-password?token=abc"))),
        ];
        assert_eq!(mails.len(), SENT_TODAY.len());
        assert!(SENT_TODAY.iter().all(|k| mails.iter().any(|(kind, _)| kind == k)));
        for (kind, m) in &mails {
            assert_eq!(m.kind, *kind);
            assert!(!m.subject.is_empty());
            assert!(m.body_text.contains(&format!("{BASE}/")), "{kind:?} text link");
            assert!(m.body_html.contains(&format!("href=\"{BASE}/")), "{kind:?} html link");
            assert!(m.body_html.starts_with("<div") && m.body_html.contains("Billing and orders"));
            // Every link leads to a page that exists (a server test opens each of links::PAGES).
            for url in m.body_text.split_whitespace().filter_map(|w| w.strip_prefix(BASE)) {
                let path = url.split('?').next().unwrap_or_default();
                let known = links::PAGES.contains(&path)
                    || path.strip_prefix("/billing/subscriptions/").is_some_and(|id| id.parse::<i64>().is_ok());
                assert!(known, "{kind:?} links to {path}, which is not a page");
            }
        }
    }

    #[test]
    fn the_order_confirmation_carries_the_order_number() {
        // R-MAIL-2
        let m = order_confirmation(ORG, "b@x.example", "ORD-1001", &lines(), eur(134_467), eur(694_747), BASE);
        assert_eq!(m.subject, "Order confirmation ORD-1001");
        assert!(m.body_text.contains("Your order number is ORD-1001") && m.body_text.contains("Total: 6,947.47 EUR"));
    }

    #[test]
    fn the_renewal_reminder_names_date_and_price() {
        // R-MAIL-6
        let m = renewal_reminder(ORG, "b@x.example", "Vectora CAD", SUB, d(2027, 6, 10), eur(186_760), BASE);
        assert!(m.body_text.contains("renews automatically on 10 Jun 2027 for 1,867.60 EUR"));
    }

    #[test]
    fn user_content_is_escaped_in_html() {
        let lines = [AutoRenewLine {
            id: SubscriptionId(8),
            product_name: "A <b> & C".into(),
            resulting: expires(d(2025, 7, 1)),
        }];
        let m = auto_renew_changed(ORG, "b@x.example", false, &lines, BASE);
        assert!(m.body_html.contains("A &lt;b&gt; &amp; C") && !m.body_html.contains("<b>"));
        assert!(m.body_text.contains("A <b> & C"));
    }
}
