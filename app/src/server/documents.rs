//! The portal's business documents as PDF (quotes and invoices; credit memos next):
//! what each prints, in the reader's language, laid out by `server::pdf`.

use chrono::NaiveDate;

use crate::contract::links;
use crate::domain::ids::SubscriptionId;
use crate::domain::locale::Locale as Lang;
use crate::domain::money::Money;
use crate::domain::term::Term;
use crate::server::pdf;
use crate::server::store::records::Attachment;

/// A quote as its PDF and mail show it.
pub struct QuotePrint<'a> {
    pub number: &'a str,
    pub created_on: NaiveDate,
    pub last_day: NaiveDate,
    pub customer_name: &'a str,
    pub customer_address: &'a str,
    pub csn: &'a str,
    /// The partner's name and CSN (partner quotes).
    pub partner: Option<(String, Option<String>)>,
    pub lines: Vec<PrintLine>,
    pub list: Money,
    pub discount: Money,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
}

pub struct PrintLine {
    pub product_name: String,
    pub subscription_id: Option<SubscriptionId>,
    pub seats: i64,
    pub term: Term,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub net: Money,
    pub promotion: Option<String>,
}

/// A quote's PDF in `lang`: number, dates, customer, lines, totals and where to accept it
/// (R-QUOTE-7, R-QUOTE-8).
pub fn quote_pdf(lang: Lang, q: &QuotePrint<'_>, base_url: &str) -> Attachment {
    use crate::i18n::td_string;
    let l = crate::i18n::Locale::from(lang);
    let title = td_string!(l, quotes.detail_title, number = q.number);
    let mut facts = vec![
        (td_string!(l, quotes.col_created).to_string(), lang.date_long(q.created_on)),
        (td_string!(l, quotes.col_expires).to_string(), lang.date_long(q.last_day)),
        (td_string!(l, quotes.customer).to_string(), format!("{}, {}", q.customer_name, q.customer_address)),
        (td_string!(l, detail.csn).to_string(), q.csn.to_string()),
    ];
    if let Some((name, csn)) = &q.partner {
        let with_csn = match csn {
            Some(c) => format!("{name} ({})", td_string!(l, quotes.partner_csn, csn = c)),
            None => name.clone(),
        };
        facts.push((td_string!(l, quotes.partner).to_string(), with_csn));
    }
    let mut totals = Vec::new();
    if !q.discount.is_zero() {
        totals.push((td_string!(l, quotes.list_total).to_string(), lang.money(q.list)));
        totals.push((td_string!(l, quotes.discounts).to_string(), format!("-{}", lang.money(q.discount))));
    }
    totals.push((td_string!(l, quotes.subtotal).to_string(), lang.money(q.subtotal)));
    totals.push((td_string!(l, quotes.tax).to_string(), lang.money(q.tax)));
    totals.push((td_string!(l, quotes.total).to_string(), lang.money(q.total)));
    let blocks = vec![
        pdf::Block::Title(title.clone()),
        pdf::Block::Facts(facts),
        lines_table(lang, &q.lines, td_string!(l, quotes.new_subscription).to_string()),
        pdf::Block::Totals(totals),
        pdf::Block::Para(td_string!(l, quotes.valid_until, date = lang.date_long(q.last_day))),
        pdf::Block::Para(format!(
            "{}: {}",
            td_string!(l, quotes.accept_title),
            links::absolute(base_url, &links::quote(q.number))
        )),
    ];
    Attachment {
        file_name: format!("{}.pdf", q.number),
        content_type: "application/pdf".into(),
        bytes: pdf::render(&pdf::Meta { title, lang: lang.code() }, &blocks),
    }
}

/// An invoice as its PDF prints it (R-INV-1, R-INV-3).
pub struct InvoicePrint {
    pub number: String,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub customer_name: String,
    pub customer_address: String,
    pub csn: String,
    pub po_number: String,
    pub notes: String,
    pub payers: Vec<String>,
    pub lines: Vec<PrintLine>,
    pub subtotal: Money,
    pub tax: Money,
    pub total: Money,
    pub paid: Money,
    pub open: Money,
    /// The invoice it replaces (R-EXT-4).
    pub replaces: Option<String>,
}

/// An invoice's PDF in `lang`: number, dates, customer and payer number, PO number and notes,
/// lines, tax, total, what was paid and is still due, and where to pay it.
pub fn invoice_pdf(lang: Lang, i: &InvoicePrint, base_url: &str) -> Attachment {
    use crate::i18n::td_string;
    let l = crate::i18n::Locale::from(lang);
    let title = td_string!(l, invoices.detail_title, number = &i.number);
    let mut facts = vec![
        (td_string!(l, invoices.col_issued).to_string(), lang.date_long(i.issued_on)),
        (td_string!(l, invoices.col_due).to_string(), lang.date_long(i.due_on)),
        (td_string!(l, quotes.customer).to_string(), format!("{}, {}", i.customer_name, i.customer_address)),
        (td_string!(l, invoices.col_payer_number).to_string(), i.csn.clone()),
    ];
    if !i.po_number.is_empty() {
        facts.push((td_string!(l, invoices.col_po).to_string(), i.po_number.clone()));
    }
    if !i.notes.is_empty() {
        facts.push((td_string!(l, invoices.notes).to_string(), i.notes.clone()));
    }
    if !i.payers.is_empty() {
        facts.push((td_string!(l, invoices.payers).to_string(), i.payers.join(", ")));
    }
    if let Some(r) = &i.replaces {
        facts.push((td_string!(l, invoices.replaces).to_string(), r.clone()));
    }
    let totals = vec![
        (td_string!(l, quotes.subtotal).to_string(), lang.money(i.subtotal)),
        (td_string!(l, quotes.tax).to_string(), lang.money(i.tax)),
        (td_string!(l, invoices.col_total).to_string(), lang.money(i.total)),
        (td_string!(l, invoices.paid_so_far).to_string(), lang.money(i.paid)),
        (td_string!(l, invoices.col_open).to_string(), lang.money(i.open)),
    ];
    let blocks = vec![
        pdf::Block::Title(title.clone()),
        pdf::Block::Facts(facts),
        lines_table(lang, &i.lines, "-".to_string()),
        pdf::Block::Totals(totals),
        pdf::Block::Para(format!(
            "{}: {}",
            td_string!(l, invoices.pay_title),
            links::absolute(base_url, &links::invoice(&i.number))
        )),
    ];
    Attachment {
        file_name: format!("{}.pdf", i.number),
        content_type: "application/pdf".into(),
        bytes: pdf::render(&pdf::Meta { title, lang: lang.code() }, &blocks),
    }
}

/// The lines of a quote or an invoice as one table: product (with its promotion), subscription
/// (`no_subscription` for a new one), users, term, period and amount.
fn lines_table(lang: Lang, lines: &[PrintLine], no_subscription: String) -> pdf::Block {
    use crate::i18n::td_string;
    let l = crate::i18n::Locale::from(lang);
    let rows = lines
        .iter()
        .map(|line| {
            let product = match &line.promotion {
                Some(p) => format!("{} ({p})", line.product_name),
                None => line.product_name.clone(),
            };
            vec![
                product,
                line.subscription_id.map_or_else(|| no_subscription.clone(), |id| id.to_string()),
                lang.integer(line.seats),
                crate::words::term(l, line.term),
                line.period.map_or_else(
                    || "-".to_string(),
                    |(from, to)| format!("{} - {}", lang.date_short(from), lang.date_short(to)),
                ),
                lang.money(line.net),
            ]
        })
        .collect();
    pdf::Block::Table {
        head: vec![
            td_string!(l, quotes.col_product).to_string(),
            td_string!(l, quotes.col_subscription).to_string(),
            td_string!(l, quotes.col_seats).to_string(),
            td_string!(l, quotes.col_term).to_string(),
            td_string!(l, quotes.col_period).to_string(),
            td_string!(l, quotes.col_amount).to_string(),
        ],
        rows,
        widths: vec![3.4, 1.2, 0.8, 1.0, 2.2, 1.6],
        amounts: vec![false, false, true, false, false, true],
    }
}
