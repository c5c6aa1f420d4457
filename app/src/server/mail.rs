//! Mail templates: one per kind the portal sends today, each with a plain-text and an HTML part
//! in the portal's look, and absolute links (from `contract::links`) to pages that exist. Every
//! mail is queued in the outbox inside the transaction of the change that causes it (see
//! `outbox`).

use chrono::NaiveDate;
use html_escape::{encode_double_quoted_attribute as escape_attr, encode_text as escape_html};

use super::documents::QuotePrint;
use super::store::records::OutgoingMail;
use crate::contract::dto::ShownDate;
use crate::contract::links;
use crate::domain::authz::Role;
use crate::domain::ids::{OrgId, SubscriptionId};
use crate::domain::locale::Locale as Lang;
use crate::domain::mail_routing::MailKind;
use crate::domain::money::Money;
use crate::domain::term::Term;
use crate::mail_text::i18n::{Locale, td_string};
use crate::words;

/// A block of a mail's body.
enum Block {
    Para(String),
    /// Rows of cells, with a header row.
    Table(Vec<String>, Vec<Vec<String>>),
    /// The one call to action: label and absolute URL.
    Action(String, String),
}

/// Renders the shared layout (header, blocks, footer) into both parts, in the reader's language.
fn render(
    kind: MailKind,
    org_id: Option<OrgId>,
    to: &str,
    lang: Lang,
    subject: String,
    blocks: Vec<Block>,
) -> OutgoingMail {
    let brand = td_string!(Locale::from(lang), brand);
    let lang = lang.code();
    let mut text = String::new();
    let mut html = format!(
        "<div lang=\"{lang}\" style=\"font-family:system-ui,Segoe UI,Roboto,sans-serif;color:#1b1f24;max-width:640px;margin:0 auto\">\
         <div style=\"font-weight:700;font-size:18px;padding:12px 0;border-bottom:3px solid #0b5cad\">{}</div>",
        escape_html(brand)
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
                        "<th scope=\"col\" style=\"text-align:left;border-bottom:1px solid #d6dae0;padding:4px\">{}</th>",
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
    text.push_str(&format!("-- \n{brand}\n"));
    html.push_str(&format!(
        "<p style=\"color:#4a5563;font-size:12px;border-top:1px solid #d6dae0;padding-top:8px\">{}</p></div>",
        escape_html(brand)
    ));
    OutgoingMail { org_id, kind, to_address: to.into(), subject, body_text: text, body_html: html, attachment: None }
}

/// Items of an order (or of one held for approval): product, seats, term, amount.
fn items_table(lang: Lang, lines: &[ItemLine]) -> Block {
    let l = Locale::from(lang);
    let head = vec![
        td_string!(l, col_product).to_string(),
        td_string!(l, col_seats).to_string(),
        td_string!(l, col_term).to_string(),
        td_string!(l, col_amount).to_string(),
    ];
    let rows = lines
        .iter()
        .map(|line| {
            vec![
                line.product_name.clone(),
                lang.integer(line.seats),
                words::term(page_words(lang), line.term),
                amount(lang, line.amount),
            ]
        })
        .collect();
    Block::Table(head, rows)
}

/// A date as mails write it: "9 June 2025", "9 juin 2025", "9. Juni 2025".
fn long_date(lang: Lang, date: NaiveDate) -> String {
    lang.date_long(date)
}

/// An amount with its currency as the reader writes it: "1 234,56 €".
fn amount(lang: Lang, money: Money) -> String {
    lang.money(money)
}

/// The pages' words (terms, "Renews on ..."), shared with the mails.
fn page_words(lang: Lang) -> crate::i18n::Locale {
    crate::i18n::Locale::from(lang)
}

/// One line of an auto-renew confirmation.
pub struct AutoRenewLine {
    pub id: SubscriptionId,
    pub product_name: String,
    /// The date it shows after the change.
    pub resulting: ShownDate,
    /// Turned on after its term ended: renewed at once (R-SUB-4).
    pub renews_now: bool,
}

/// Auto-renew was turned on or off (R-EXT-1, R-MAIL-1).
pub fn auto_renew_changed(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    on: bool,
    lines: &[AutoRenewLine],
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let subject = match (on, lines) {
        (true, [one]) => td_string!(l, auto_renew_on_subject_single, id = one.id),
        (false, [one]) => td_string!(l, auto_renew_off_subject_single, id = one.id),
        (true, _) => td_string!(l, auto_renew_on_subject_multi, count = lines.len()),
        (false, _) => td_string!(l, auto_renew_off_subject_multi, count = lines.len()),
    };
    let (intro, mut consequence) = if on {
        (td_string!(l, auto_renew_on_intro), td_string!(l, auto_renew_on_consequence).to_string())
    } else {
        (td_string!(l, auto_renew_off_intro), td_string!(l, auto_renew_off_consequence).to_string())
    };
    if lines.iter().any(|line| line.renews_now) {
        consequence = format!("{consequence} {}", td_string!(l, auto_renew_on_late));
    }
    let rows = lines
        .iter()
        .map(|line| {
            vec![
                line.product_name.clone(),
                line.id.to_string(),
                if line.renews_now {
                    words::renews_now(page_words(lang), line.resulting.date, true)
                } else {
                    words::shown_date_long(page_words(lang), line.resulting)
                },
            ]
        })
        .collect();
    let head = vec![
        td_string!(l, col_product).to_string(),
        td_string!(l, col_subscription).to_string(),
        td_string!(l, col_date).to_string(),
    ];
    render(
        MailKind::AutoRenewChanged,
        Some(org_id),
        to,
        lang,
        subject,
        vec![
            Block::Para(intro.into()),
            Block::Table(head, rows),
            Block::Para(consequence),
            Block::Action(td_string!(l, manage_subscriptions).into(), links::absolute(base_url, links::SUBSCRIPTIONS)),
        ],
    )
}

/// The password-reset link (R-AUTH-2), valid for 30 minutes.
pub fn password_reset(to: &str, lang: Lang, link: &str) -> OutgoingMail {
    let l = Locale::from(lang);
    render(
        MailKind::PasswordReset,
        None,
        to,
        lang,
        td_string!(l, reset_subject).into(),
        vec![
            Block::Para(td_string!(l, reset_asked).into()),
            Block::Action(td_string!(l, reset_action).into(), link.into()),
            Block::Para(td_string!(l, reset_ignore).into()),
        ],
    )
}

/// An invitation to join an organisation with a role: who invited, what the role does, and a
/// link that works once, for 7 days (R-ROLE-6 for payers; R-MAIL-3).
pub fn invitation(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    role: Role,
    org: &str,
    inviter: &str,
    link: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let subject = match role {
        Role::Payer => td_string!(l, invitation_subject, org = org),
        _ => td_string!(l, invitation_subject_user, org = org),
    };
    let (body, what) = match role {
        Role::Payer => {
            (td_string!(l, invitation_body, inviter = inviter, org = org), td_string!(l, invitation_payer).to_string())
        }
        Role::SecondaryAdmin | Role::PrimaryAdmin => (
            td_string!(l, invitation_body_user, inviter = inviter, org = org),
            td_string!(l, invitation_admin).to_string(),
        ),
        Role::User | Role::Buyer => (
            td_string!(l, invitation_body_user, inviter = inviter, org = org),
            td_string!(l, invitation_user).to_string(),
        ),
    };
    render(
        MailKind::Invitation,
        Some(org_id),
        to,
        lang,
        subject,
        vec![
            Block::Para(body),
            Block::Para(what),
            Block::Action(td_string!(l, invitation_action).into(), link.into()),
            Block::Para(td_string!(l, invitation_ignore).into()),
        ],
    )
}

/// A change in User management, as the admins read it (R-MAIL-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Invited { email: String, role: Role },
    Joined { name: String, email: String, role: Role },
    Removed { name: String, email: String },
    AdminGranted { name: String },
    AdminRevoked { name: String },
    PrimaryAdmin { name: String },
}

/// A user-management notice to every admin (R-MAIL-3): what changed and who changed it. Buyers
/// who are not admins do not get it.
pub fn user_management(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    change: &UserChange,
    by: &str,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let role = |r: Role| words::role(page_words(lang), r);
    let line = match change {
        UserChange::Invited { email, role: r } => td_string!(l, users_invited, email = email, role = role(*r)),
        UserChange::Joined { name, email, role: r } => {
            td_string!(l, users_joined, name = name, email = email, role = role(*r))
        }
        UserChange::Removed { name, email } => td_string!(l, users_removed, name = name, email = email),
        UserChange::AdminGranted { name } => td_string!(l, users_admin_granted, name = name),
        UserChange::AdminRevoked { name } => td_string!(l, users_admin_revoked, name = name),
        UserChange::PrimaryAdmin { name } => td_string!(l, users_primary_admin, name = name),
    };
    render(
        MailKind::UserManagementNotice,
        Some(org_id),
        to,
        lang,
        td_string!(l, users_subject, change = line.clone()),
        vec![
            Block::Para(line),
            Block::Para(td_string!(l, users_by, by = by)),
            Block::Action(td_string!(l, users_action).into(), links::absolute(base_url, links::USERS)),
        ],
    )
}

/// A customer number's company name or address was changed: to every buyer (R-MAIL-5), with
/// the new details and who changed them.
#[allow(clippy::too_many_arguments)]
pub fn customer_details_changed(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    csn: &str,
    by: &str,
    company_name: &str,
    address: &str,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    render(
        MailKind::CustomerDetailsChanged,
        Some(org_id),
        to,
        lang,
        td_string!(l, customer_details_subject, csn = csn),
        vec![
            Block::Para(td_string!(l, customer_details_intro, by = by, csn = csn)),
            Block::Table(
                vec![td_string!(l, customer_details_company).into(), td_string!(l, customer_details_address).into()],
                vec![vec![company_name.to_string(), address.to_string()]],
            ),
            Block::Para(td_string!(l, customer_details_applies).into()),
            Block::Action(
                td_string!(l, customer_details_action).into(),
                links::absolute(base_url, links::CUSTOMER_DETAILS),
            ),
        ],
    )
}

/// One line of an order or a quote.
pub struct ItemLine {
    pub product_name: String,
    pub seats: i64,
    pub term: Term,
    pub amount: Money,
}

/// Order confirmation with its order number (R-MAIL-1, R-MAIL-2).
#[allow(clippy::too_many_arguments)]
pub fn order_confirmation(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    order_number: &str,
    lines: &[ItemLine],
    tax: Money,
    total: Money,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    render(
        MailKind::OrderConfirmation,
        Some(org_id),
        to,
        lang,
        td_string!(l, order_subject, number = order_number),
        vec![
            Block::Para(td_string!(l, order_thanks, number = order_number)),
            items_table(lang, lines),
            Block::Para(td_string!(l, order_totals, tax = amount(lang, tax), total = amount(lang, total))),
            Block::Action(td_string!(l, order_action).into(), links::absolute(base_url, &links::order(order_number))),
        ],
    )
}

/// Reminder before an automatic renewal is charged, with date and price (R-MAIL-6, R-EXT-8).
#[allow(clippy::too_many_arguments)]
pub fn renewal_reminder(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    product: &str,
    subscription_id: SubscriptionId,
    renewal: NaiveDate,
    price: Money,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let date = long_date(lang, renewal);
    render(
        MailKind::RenewalReminder,
        Some(org_id),
        to,
        lang,
        td_string!(l, reminder_subject, product = product, date = &date),
        vec![
            Block::Para(td_string!(
                l,
                reminder_body,
                id = subscription_id,
                product = product,
                date = &date,
                price = amount(lang, price)
            )),
            Block::Para(td_string!(l, reminder_change).into()),
            Block::Action(
                td_string!(l, reminder_action).into(),
                links::absolute(base_url, &links::subscription(subscription_id)),
            ),
        ],
    )
}

/// The subscription expires (auto-renew off) on a date; it can be renewed until another.
#[allow(clippy::too_many_arguments)]
pub fn expiry_notice(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    product: &str,
    subscription_id: SubscriptionId,
    why: ExpiryReason,
    expiry: NaiveDate,
    renew_until: NaiveDate,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let date = long_date(lang, expiry);
    let until = long_date(lang, renew_until);
    let body = match why {
        ExpiryReason::AutoRenewOff => {
            td_string!(l, expiry_body, id = subscription_id, product = product, date = &date, until = &until)
        }
        ExpiryReason::OverOnlineLimit => {
            td_string!(l, expiry_body_over_limit, id = subscription_id, product = product, date = &date, until = &until)
        }
        ExpiryReason::CannotRenew => {
            td_string!(
                l,
                expiry_body_cannot_renew,
                id = subscription_id,
                product = product,
                date = &date,
                until = &until
            )
        }
    };
    render(
        MailKind::ExpiryNotice,
        Some(org_id),
        to,
        lang,
        td_string!(l, expiry_subject, product = product, date = &date),
        vec![
            Block::Para(body),
            Block::Action(
                td_string!(l, expiry_action).into(),
                links::absolute(base_url, &links::subscription(subscription_id)),
            ),
        ],
    )
}

/// Why a subscription is about to expire, as its expiry notice says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryReason {
    /// Auto-renew is off (R-SUB-4).
    AutoRenewOff,
    /// Auto-renew is on, but the renewal is over the 25,000 USD a card or PayPal may pay (R-PAY-2).
    OverOnlineLimit,
    /// Auto-renew is on, but the renewal cannot be priced or paid automatically.
    CannotRenew,
}

/// An invoice for its payers (R-MAIL-4, R-INV-3): number, amount and due date, its PDF, and a
/// link to its page under Invoices and credit memos (sign-in first when needed).
#[allow(clippy::too_many_arguments)]
pub fn invoice(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    number: &str,
    total: Money,
    due: NaiveDate,
    pdf: super::store::records::Attachment,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let (total, due) = (amount(lang, total), long_date(lang, due));
    let mut mail = render(
        MailKind::InvoiceToPayers,
        Some(org_id),
        to,
        lang,
        td_string!(l, invoice_subject, number = number, amount = &total, date = &due),
        vec![
            Block::Para(td_string!(l, invoice_body, number = number, amount = &total, date = &due)),
            Block::Para(td_string!(l, invoice_attached, file = &pdf.file_name)),
            Block::Action(td_string!(l, invoice_action).into(), links::absolute(base_url, &links::invoice(number))),
        ],
    );
    mail.attachment = Some(pdf);
    mail
}

/// An invoice past its due date, to its payers and the buyers (R-MAIL-1, R-MAIL-4): what is
/// owed since when, what follows if it stays unpaid, and a link to pay it.
pub fn overdue_invoice(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    number: &str,
    open: Money,
    due: NaiveDate,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let (open, due) = (amount(lang, open), long_date(lang, due));
    let pay = links::pay_invoices(&[number.to_string()]);
    render(
        MailKind::OverdueInvoice,
        Some(org_id),
        to,
        lang,
        td_string!(l, overdue_subject, number = number, amount = &open),
        vec![
            Block::Para(td_string!(l, overdue_body, number = number, amount = &open, date = &due)),
            Block::Para(td_string!(l, overdue_consequence).into()),
            Block::Action(td_string!(l, overdue_action).into(), links::absolute(base_url, &pay)),
        ],
    )
}

/// A renewal (or instalment) charge was declined, to the buyers: what failed and why, what
/// follows, and a link to the subscription to renew it another way.
#[allow(clippy::too_many_arguments)]
pub fn payment_failed(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    product: &str,
    subscription_id: SubscriptionId,
    charged: Money,
    reason: crate::domain::payment::DeclineReason,
    base_url: &str,
) -> OutgoingMail {
    use crate::domain::payment::DeclineReason;
    let l = Locale::from(lang);
    let why = match reason {
        DeclineReason::Declined => td_string!(l, decline_declined),
        DeclineReason::InsufficientFunds => td_string!(l, decline_insufficient_funds),
    };
    render(
        MailKind::PaymentFailed,
        Some(org_id),
        to,
        lang,
        td_string!(l, payment_failed_subject, product = product),
        vec![
            Block::Para(td_string!(
                l,
                payment_failed_body,
                amount = amount(lang, charged),
                product = product,
                id = subscription_id,
                reason = why
            )),
            Block::Para(td_string!(l, payment_failed_next).into()),
            Block::Action(
                td_string!(l, payment_failed_action).into(),
                links::absolute(base_url, &links::subscription(subscription_id)),
            ),
        ],
    )
}

/// A quote for one recipient (R-QUOTE-7): its number, expiry date and total including
/// discounts, its lines, the "Buy" link to its page (sign-in first when needed), and its PDF.
pub fn quote(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    q: &QuotePrint<'_>,
    pdf: super::store::records::Attachment,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let (total, date) = (amount(lang, q.total), long_date(lang, q.last_day));
    let head = vec![
        td_string!(l, col_product).to_string(),
        td_string!(l, col_subscription).to_string(),
        td_string!(l, col_seats).to_string(),
        td_string!(l, col_term).to_string(),
        td_string!(l, col_amount).to_string(),
    ];
    let rows = q
        .lines
        .iter()
        .map(|line| {
            vec![
                line.product_name.clone(),
                line.subscription_id.map(|id| id.to_string()).unwrap_or_default(),
                lang.integer(line.seats),
                words::term(page_words(lang), line.term),
                amount(lang, line.net),
            ]
        })
        .collect();
    let mut mail = render(
        MailKind::Quote,
        Some(org_id),
        to,
        lang,
        td_string!(l, quote_subject, number = q.number, amount = &total, date = &date),
        vec![
            Block::Para(td_string!(
                l,
                quote_body,
                company = q.customer_name,
                number = q.number,
                amount = &total,
                date = &date
            )),
            Block::Table(head, rows),
            Block::Para(td_string!(l, quote_attached, file = &pdf.file_name)),
            Block::Action(td_string!(l, quote_action).into(), links::absolute(base_url, &links::quote(q.number))),
        ],
    );
    mail.attachment = Some(pdf);
    mail
}

/// To each buyer but the one who asked: an order above the organisation's approval threshold
/// waits for their approval (issue 12, beyond the product we mirror).
#[allow(clippy::too_many_arguments)]
pub fn approval_requested(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    number: &str,
    requester: &str,
    lines: &[ItemLine],
    total: Money,
    threshold: Money,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let (total, threshold) = (amount(lang, total), amount(lang, threshold));
    render(
        MailKind::ApprovalRequested,
        Some(org_id),
        to,
        lang,
        td_string!(l, approval_subject, number = number, amount = &total),
        vec![
            Block::Para(td_string!(l, approval_body, name = requester, amount = &total, threshold = &threshold)),
            items_table(lang, lines),
            Block::Para(td_string!(l, approval_nothing_yet).to_string()),
            Block::Action(td_string!(l, approval_action).into(), links::absolute(base_url, &links::approval(number))),
        ],
    )
}

/// What became of an approval request, as its mail to the buyer who asked says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Rejected,
    /// Someone tried to approve it, but the order could no longer be placed as asked.
    Outdated,
}

/// To the buyer who asked: another buyer approved their order (placed with it), rejected it,
/// or found it could no longer be placed.
#[allow(clippy::too_many_arguments)]
pub fn approval_decided(
    org_id: OrgId,
    to: &str,
    lang: Lang,
    number: &str,
    outcome: Outcome,
    by: &str,
    note: &str,
    base_url: &str,
) -> OutgoingMail {
    let l = Locale::from(lang);
    let (subject, body) = match outcome {
        Outcome::Approved => {
            (td_string!(l, approved_subject, number = number), td_string!(l, approved_body, number = number, name = by))
        }
        Outcome::Rejected => {
            (td_string!(l, rejected_subject, number = number), td_string!(l, rejected_body, number = number, name = by))
        }
        Outcome::Outdated => {
            (td_string!(l, outdated_subject, number = number), td_string!(l, outdated_body, number = number, name = by))
        }
    };
    let mut blocks = vec![Block::Para(body)];
    if !note.is_empty() {
        blocks.push(Block::Para(td_string!(l, rejected_note, note = note)));
    }
    blocks
        .push(Block::Action(td_string!(l, decided_action).into(), links::absolute(base_url, &links::approval(number))));
    render(MailKind::ApprovalDecided, Some(org_id), to, lang, subject, blocks)
}

/// What the sample mails of [`samples`] name: made-up references in the templates' unit test,
/// a demo database's real ones in the server test that follows every link as its recipient.
pub struct SampleRefs {
    pub org: OrgId,
    pub subscription: SubscriptionId,
    pub order: String,
    pub quote: String,
    pub invoice: String,
    pub approval: String,
}

/// The kinds the portal sends today; [`samples`] renders one of each.
pub const SENT_TODAY: [MailKind; 14] = [
    MailKind::UserManagementNotice,
    MailKind::CustomerDetailsChanged,
    MailKind::ApprovalRequested,
    MailKind::OverdueInvoice,
    MailKind::PaymentFailed,
    MailKind::ApprovalDecided,
    MailKind::Quote,
    MailKind::OrderConfirmation,
    MailKind::RenewalReminder,
    MailKind::ExpiryNotice,
    MailKind::AutoRenewChanged,
    MailKind::InvoiceToPayers,
    MailKind::PasswordReset,
    MailKind::Invitation,
];

const EN_SAMPLE: Lang = Lang::En;

/// One mail of every kind the portal sends ([`SENT_TODAY`]), in English, about `r`.
pub fn samples(base: &str, r: &SampleRefs) -> Vec<(MailKind, OutgoingMail)> {
    use crate::domain::money::Currency;
    let eur = |minor| Money::from_minor(minor, Currency::Eur);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a sample date");
    let expires = |date| ShownDate { auto_renew: false, date };
    let lines =
        || vec![ItemLine { product_name: "Vectora CAD".into(), seats: 3, term: Term::Annual, amount: eur(560_280) }];
    vec![
        (
            MailKind::OrderConfirmation,
            order_confirmation(r.org, "b@x.example", EN_SAMPLE, &r.order, &lines(), eur(134_467), eur(694_747), base),
        ),
        (
            MailKind::RenewalReminder,
            renewal_reminder(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                "Vectora CAD",
                r.subscription,
                d(2027, 6, 10),
                eur(186_760),
                base,
            ),
        ),
        (
            MailKind::ExpiryNotice,
            expiry_notice(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                "Vectora CAD",
                r.subscription,
                ExpiryReason::AutoRenewOff,
                d(2027, 6, 9),
                d(2027, 7, 24),
                base,
            ),
        ),
        (
            MailKind::AutoRenewChanged,
            auto_renew_changed(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                false,
                &[AutoRenewLine {
                    id: r.subscription,
                    product_name: "Vectora CAD".into(),
                    resulting: expires(d(2027, 6, 9)),
                    renews_now: false,
                }],
                base,
            ),
        ),
        (
            MailKind::InvoiceToPayers,
            invoice(
                r.org,
                "p@x.example",
                EN_SAMPLE,
                &r.invoice,
                eur(694_747),
                d(2027, 1, 22),
                sample_invoice_pdf(&r.invoice),
                base,
            ),
        ),
        (
            MailKind::OverdueInvoice,
            overdue_invoice(r.org, "p@x.example", EN_SAMPLE, &r.invoice, eur(694_747), d(2026, 11, 2), base),
        ),
        (
            MailKind::PaymentFailed,
            payment_failed(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                "Vectora CAD",
                r.subscription,
                eur(694_747),
                crate::domain::payment::DeclineReason::InsufficientFunds,
                base,
            ),
        ),
        (
            MailKind::PasswordReset,
            password_reset("b@x.example", EN_SAMPLE, &links::reset_password(base, "sample-token")),
        ),
        (MailKind::Quote, sample_quote(base, r)),
        (
            MailKind::ApprovalRequested,
            approval_requested(
                r.org,
                "b2@x.example",
                EN_SAMPLE,
                &r.approval,
                "Aino Virtanen",
                &lines(),
                eur(694_747),
                eur(500_000),
                base,
            ),
        ),
        (
            MailKind::ApprovalDecided,
            approval_decided(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                &r.approval,
                Outcome::Rejected,
                "Lina Berg",
                "Wait for Q3",
                base,
            ),
        ),
        (
            MailKind::Invitation,
            invitation(
                r.org,
                "new.payer@x.example",
                EN_SAMPLE,
                Role::Payer,
                "Aurora Design Group",
                "Aino Virtanen",
                &links::accept_invitation(base, "sample-token"),
            ),
        ),
        (
            MailKind::UserManagementNotice,
            user_management(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                &UserChange::Invited { email: "new.user@x.example".into(), role: Role::User },
                "Aino Virtanen",
                base,
            ),
        ),
        (
            MailKind::CustomerDetailsChanged,
            customer_details_changed(
                r.org,
                "b@x.example",
                EN_SAMPLE,
                "5100012345",
                "Aino Virtanen",
                "Aurora Design Group Oy",
                "Mannerheimintie 1, 00100 Helsinki, FI",
                base,
            ),
        ),
    ]
}

fn sample_invoice_pdf(number: &str) -> super::store::records::Attachment {
    super::store::records::Attachment {
        file_name: format!("{number}.pdf"),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7".to_vec(),
    }
}

fn sample_quote(base: &str, r: &SampleRefs) -> OutgoingMail {
    use crate::domain::money::Currency;
    let eur = |minor| Money::from_minor(minor, Currency::Eur);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("a sample date");
    let print = QuotePrint {
        number: &r.quote,
        created_on: d(2026, 12, 1),
        last_day: d(2026, 12, 31),
        customer_name: "Cirrus Studios GmbH",
        customer_address: "Torstrasse 101, 10119 Berlin, DE",
        csn: "5150003001",
        partner: None,
        lines: Vec::new(),
        list: eur(560_280),
        discount: eur(0),
        subtotal: eur(560_280),
        tax: eur(106_453),
        total: eur(666_733),
    };
    let pdf = super::documents::quote_pdf(EN_SAMPLE, &print, base);
    quote(r.org, "x@partner.example", EN_SAMPLE, &print, pdf, base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::Currency;

    const BASE: &str = "https://billing.example.com";
    const EN: Lang = Lang::En;
    const ORG: OrgId = OrgId(1);
    const SUB: SubscriptionId = SubscriptionId(7);

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
        vec![ItemLine { product_name: "Vectora CAD".into(), seats: 3, term: Term::Annual, amount: eur(560_280) }]
    }

    /// Every template: a subject, both parts, an absolute link in both, and the right kind.
    #[test]
    fn every_kind_renders_both_parts_with_an_absolute_link() {
        let refs = SampleRefs {
            org: ORG,
            subscription: SUB,
            order: "ORD-1001".into(),
            quote: "Q-000042".into(),
            invoice: "INV-3001".into(),
            approval: "APR-000007".into(),
        };
        let mails = samples(BASE, &refs);
        assert_eq!(mails.len(), SENT_TODAY.len());
        assert!(SENT_TODAY.iter().all(|k| mails.iter().any(|(kind, _)| kind == k)));
        for (kind, m) in &mails {
            assert_eq!(m.kind, *kind);
            assert!(!m.subject.is_empty());
            assert!(m.body_text.contains(&format!("{BASE}/")), "{kind:?} text link");
            assert!(m.body_html.contains(&format!("href=\"{BASE}/")), "{kind:?} html link");
            assert!(m.body_html.starts_with("<div lang=\"en\"") && m.body_html.contains("Billing and orders"));
            // Every link leads to a page that exists (a server test opens each of links::PAGES).
            for url in m.body_text.split_whitespace().filter_map(|w| w.strip_prefix(BASE)) {
                let path = url.split('?').next().unwrap_or_default();
                let known = links::PAGES.contains(&path)
                    || path.strip_prefix("/billing/subscriptions/").is_some_and(|id| id.parse::<i64>().is_ok())
                    || path.strip_prefix("/billing/orders/").is_some_and(|n| n.starts_with("ORD-"))
                    || path.strip_prefix("/billing/quotes/").is_some_and(|n| n.starts_with("Q-"))
                    || path.strip_prefix("/billing/approvals/").is_some_and(|n| n.starts_with("APR-"))
                    || path.strip_prefix("/billing/invoices/").is_some_and(|n| n.starts_with("INV-"));
                assert!(known, "{kind:?} links to {path}, which is not a page");
            }
        }
    }

    fn quote_mail(lang: Lang) -> OutgoingMail {
        let print = QuotePrint {
            number: "Q-000042",
            created_on: d(2026, 12, 1),
            last_day: d(2026, 12, 31),
            customer_name: "Cirrus Studios GmbH",
            customer_address: "Torstrasse 101, 10119 Berlin, DE",
            csn: "5150003001",
            partner: None,
            lines: vec![crate::server::documents::PrintLine {
                product_name: "Vectora CAD".into(),
                subscription_id: Some(SUB),
                seats: 3,
                term: Term::Annual,
                period: Some((d(2027, 1, 10), d(2028, 1, 9))),
                net: eur(560_280),
                promotion: Some("Winter renewal 5 %".into()),
            }],
            list: eur(589_770),
            discount: eur(29_490),
            subtotal: eur(560_280),
            tax: eur(106_453),
            total: eur(666_733),
        };
        let pdf = crate::server::documents::quote_pdf(lang, &print, BASE);
        quote(ORG, "x@partner.example", lang, &print, pdf, BASE)
    }

    #[test]
    fn the_quote_mail_carries_number_expiry_total_the_buy_link_and_the_pdf() {
        // R-QUOTE-7: the quote number, the quote's expiry date and the total including
        // discounts, and "Buy" to accept it; the PDF says the same.
        let m = quote_mail(EN);
        assert_eq!(m.subject, "Quote Q-000042: €6,667.33, valid until 31 December 2026");
        assert!(
            m.body_text.contains("€6,667.33 including discounts and tax. It can be accepted until 31 December 2026.")
        );
        assert!(m.body_text.contains(&format!("Buy: {BASE}/billing/quotes/Q-000042")), "{}", m.body_text);
        let file = m.attachment.expect("the PDF");
        assert_eq!((file.file_name.as_str(), file.content_type.as_str()), ("Q-000042.pdf", "application/pdf"));
        let doc = lopdf::Document::load_mem(&file.bytes).expect("a readable PDF");
        let text = doc.extract_text(&[1]).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        for part in ["Quote Q-000042", "31 December 2026", "€6,667.33", "Cirrus Studios GmbH", "Winter renewal 5 %"] {
            assert!(text.contains(part), "{part:?} not in {text}");
        }
        // In German, with German dates and amounts.
        let m = quote_mail(Lang::De);
        assert_eq!(m.subject, "Angebot Q-000042: 6.667,33\u{a0}€, gültig bis 31. Dezember 2026");
        let doc = lopdf::Document::load_mem(&m.attachment.unwrap().bytes).unwrap();
        let text = doc.extract_text(&[1]).unwrap();
        assert!(text.contains("Angebot Q-000042") && text.contains("31. Dezember 2026"), "{text}");
    }

    #[test]
    fn the_order_confirmation_carries_the_order_number() {
        // R-MAIL-2
        let m = order_confirmation(ORG, "b@x.example", EN, "ORD-1001", &lines(), eur(134_467), eur(694_747), BASE);
        assert_eq!(m.subject, "Order confirmation ORD-1001");
        assert!(m.body_text.contains("Your order number is ORD-1001") && m.body_text.contains("Total: €6,947.47"));
    }

    #[test]
    fn the_renewal_reminder_names_date_and_price() {
        // R-MAIL-6
        let m = renewal_reminder(ORG, "b@x.example", EN, "Vectora CAD", SUB, d(2027, 6, 10), eur(186_760), BASE);
        assert!(m.body_text.contains("renews automatically on 10 June 2027 for €1,867.60"), "{}", m.body_text);
    }

    #[test]
    fn user_content_is_escaped_in_html() {
        let lines = [AutoRenewLine {
            id: SubscriptionId(8),
            product_name: "A <b> & C".into(),
            resulting: expires(d(2025, 7, 1)),
            renews_now: false,
        }];
        let m = auto_renew_changed(ORG, "b@x.example", EN, false, &lines, BASE);
        assert!(m.body_html.contains("A &lt;b&gt; &amp; C") && !m.body_html.contains("<b>"));
        assert!(m.body_text.contains("A <b> & C"));
    }

    #[test]
    fn mail_reads_in_the_recipients_language() {
        // Subject and both parts in the language, with that language's dates and amounts.
        let m = renewal_reminder(ORG, "b@x.example", Lang::Sv, "Vectora CAD", SUB, d(2027, 6, 10), eur(186_760), BASE);
        assert!(m.subject.contains("10 juni 2027"), "{}", m.subject);
        assert!(m.body_text.contains("1\u{a0}867,60\u{a0}€"), "{}", m.body_text);
        assert!(m.body_html.starts_with("<div lang=\"sv\"") && m.body_html.contains("Fakturering och beställningar"));
        let m = password_reset("b@x.example", Lang::Sv, &format!("{BASE}/reset-password?token=abc"));
        assert_eq!(m.subject, "Återställ ditt lösenord för Fakturering och beställningar");
        let lines = [AutoRenewLine {
            id: SUB,
            product_name: "Vectora CAD".into(),
            resulting: expires(d(2027, 6, 9)),
            renews_now: false,
        }];
        let m = auto_renew_changed(ORG, "b@x.example", Lang::Fr, false, &lines, BASE);
        assert!(m.body_text.contains("9 juin 2027"), "{}", m.body_text);
        let m = auto_renew_changed(ORG, "b@x.example", Lang::De, false, &lines, BASE);
        assert!(m.body_text.contains("9. Juni 2027"), "{}", m.body_text);
    }
}
