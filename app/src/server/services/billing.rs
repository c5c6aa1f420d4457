//! Automatic renewals, their payments and instalments (R-REN-3, R-REN-5, R-PAY-7, R-PAY-8,
//! R-LIFE-5), priced with the domain's rules.
//!
//! A renewal happens in two steps so that no gateway call runs inside a transaction:
//! 1. one transaction starts the next term (only if the term end is still the one read: two
//!    processes cannot both renew), writes the order, and either issues a Net 30 invoice or
//!    writes a pending payment with the idempotency key `renewal:{id}:{renewal instant}`;
//! 2. the payment is settled through the gateway with that key. A repeated or concurrent
//!    settle uses the same key, so the gateway charges once; a timeout leaves the payment
//!    "unknown" and the next run looks it up.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::buyer_contacts;
use crate::domain::eligibility::method_allowed;
use crate::domain::mail_routing::{Contacts, MailKind, recipients};
use crate::domain::money::{Currency, Money, UsdRates};
use crate::domain::payment::PaymentKind;
use crate::domain::pricing::{
    Instalment, LinePrice, ListPrice, PriceList, Promotion, Purchase, Span, Totals, best_promotion, instalments,
    price_line, totals,
};
use crate::domain::renewal::{invoice_due_date, overdue_from};
use crate::domain::status::{Status, status_at};
use crate::domain::tax::{TaxAddress, rate_for};
use crate::domain::term::Term;
use crate::domain::time::{local_date, parse_tz, start_of_day, term_end};
use crate::server::gateway::{ChargeOutcome, ChargeRequest, PaymentGateway};
use crate::server::mail::{self, ItemLine};
use crate::server::store::rows::{AuditEntry, EngineRow, NewPayment, PriceRow, PromotionRow, ScheduledChargeRow};
use crate::server::store::{Store, StoreError, StoreResult, Tx, val as v};

/// Price lists, promotions and conversion rates: everything pricing reads besides the
/// subscription itself.
#[derive(Debug, Clone)]
pub struct Book {
    pub prices: PriceList,
    pub promotions: Vec<Promotion>,
    pub rates: UsdRates,
}

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

fn parse_day(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt(format!("date {text:?}")))
}

impl Book {
    pub async fn load(tx: &mut Tx, rates: &UsdRates) -> StoreResult<Book> {
        let prices = tx.price_rows().await?.into_iter().map(list_price).collect::<StoreResult<Vec<_>>>()?;
        let promotions = tx.promotion_rows().await?.into_iter().map(promotion).collect::<StoreResult<Vec<_>>>()?;
        Ok(Book { prices: PriceList(prices), promotions, rates: rates.clone() })
    }
}

fn list_price(r: PriceRow) -> StoreResult<ListPrice> {
    let currency = Currency::parse(&r.currency).ok_or_else(|| corrupt(format!("price currency {:?}", r.currency)))?;
    Ok(ListPrice {
        product_id: r.product_id,
        term: Term::parse(&r.term).ok_or_else(|| corrupt(format!("price term {:?}", r.term)))?,
        amount: Money::from_minor(r.amount_minor, currency),
        valid_from: DateTime::from_timestamp(r.valid_from, 0).ok_or_else(|| corrupt("price date".into()))?.date_naive(),
    })
}

fn promotion(r: PromotionRow) -> StoreResult<Promotion> {
    let purchase = match r.purchase.as_str() {
        "new" => Purchase::New,
        "renewal" => Purchase::Renewal,
        "add_seats" => Purchase::AddSeats,
        "extension" => Purchase::Extension,
        other => return Err(corrupt(format!("promotion purchase {other:?}"))),
    };
    let term = match &r.term {
        Some(t) => Some(Term::parse(t).ok_or_else(|| corrupt(format!("promotion term {t:?}")))?),
        None => None,
    };
    Ok(Promotion {
        code: r.code,
        name: r.name,
        product_id: r.product_id,
        term,
        purchase,
        percent_off: r.percent_off.parse::<Decimal>().map_err(|_| corrupt("promotion percentage".into()))?,
        first_day: parse_day(&r.first_day)?,
        last_day: parse_day(&r.last_day)?,
    })
}

/// A subscription row parsed for the engine.
pub struct Sub<'a> {
    pub row: &'a EngineRow,
    pub term: Term,
    pub tz: Tz,
    pub currency: Currency,
    pub term_end: DateTime<Utc>,
    pub unpaid_since: Option<DateTime<Utc>>,
    pub status: Status,
    pub payment: Option<PaymentKind>,
}

impl<'a> Sub<'a> {
    pub fn new(row: &'a EngineRow) -> StoreResult<Sub<'a>> {
        let bad = |what: &str| corrupt(format!("subscription {}: {what}", row.id));
        Ok(Sub {
            row,
            term: Term::parse(&row.term).ok_or_else(|| bad("term"))?,
            tz: parse_tz(&row.time_zone).ok_or_else(|| bad("time zone"))?,
            currency: Currency::parse(&row.currency).ok_or_else(|| bad("currency"))?,
            term_end: DateTime::from_timestamp(row.term_end_at, 0).ok_or_else(|| bad("term end"))?,
            unpaid_since: match row.unpaid_since {
                Some(t) => Some(DateTime::from_timestamp(t, 0).ok_or_else(|| bad("unpaid since"))?),
                None => None,
            },
            status: Status::parse(&row.status).ok_or_else(|| bad("status"))?,
            payment: match &row.payment_kind {
                Some(k) => Some(PaymentKind::parse(k).ok_or_else(|| bad("payment kind"))?),
                None => None,
            },
        })
    }

    /// The local renewal date: the first day after the term.
    pub fn renewal_day(&self) -> NaiveDate {
        local_date(self.term_end, self.tz)
    }

    /// The state it has at `now` with the facts as they are (R-LIFE-1..5).
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        status_at(self.term_end, self.row.auto_renew, self.unpaid_since, self.term, self.tz, now)
    }
}

/// The price of a subscription's next term, as the renewal will charge it.
#[derive(Debug, Clone)]
pub struct PricedRenewal {
    pub term: Term,
    pub seats: u32,
    pub line: LinePrice,
    pub totals: Totals,
    pub promotion: Option<String>,
    pub renewal_day: NaiveDate,
    pub new_end: DateTime<Utc>,
    /// When the total falls due, with each part's tax (R-PAY-8): net and tax are split
    /// separately, so the parts add up exactly to both.
    pub schedule: Vec<Instalment>,
}

/// Prices the next term of `sub` on its renewal date: the seats and term chosen for the
/// renewal, the price list of that day, the best renewal promotion (R-QUOTE-5), tax from the
/// customer's address (R-CUST-3), and instalments (R-PAY-8). `Err` says, for a person, why it
/// cannot be priced or paid that way.
pub fn price_renewal(book: &Book, sub: &Sub) -> Result<PricedRenewal, String> {
    let row = sub.row;
    let term = match &row.term_at_renewal {
        Some(t) => Term::parse(t).ok_or("the term chosen for the renewal is unknown")?,
        None => sub.term,
    };
    let seats = u32::try_from(row.seats_at_renewal.unwrap_or(row.seats)).map_err(|_| "the seat count is invalid")?;
    let day = sub.renewal_day();
    let unit = book
        .prices
        .price(row.product_id, term, sub.currency, day)
        .ok_or_else(|| format!("{} has no {} price in {}", row.product_name, term.label(), sub.currency.code()))?;
    let promo = best_promotion(&book.promotions, row.product_id, term, Purchase::Renewal, day);
    let line = price_line(unit, term, seats, Span { whole_terms: 1, days: 0 }, promo).map_err(|e| e.to_string())?;
    let rate =
        rate_for(&TaxAddress { country: row.country.clone(), region: row.region.clone(), tax_exempt: row.tax_exempt })
            .map_err(|e| e.to_string())?;
    let totals = totals(sub.currency, &[line], rate).map_err(|e| e.to_string())?;
    if let Some(kind) = sub.payment {
        method_allowed(kind, totals.subtotal, &book.rates).map_err(|e| e.to_string())?;
    }
    Ok(PricedRenewal {
        term,
        seats,
        line,
        totals,
        promotion: promo.map(|p| p.name.clone()),
        renewal_day: day,
        new_end: term_end(day, term, sub.tz),
        schedule: instalments(&totals, term, day).map_err(|e| e.to_string())?,
    })
}

fn audit(org_id: i64, action: &str, id: i64, detail: String, at: i64) -> AuditEntry {
    AuditEntry {
        org_id,
        actor_user_id: None,
        action: action.into(),
        object_type: "subscription".into(),
        object_id: id,
        detail,
        at,
    }
}

/// What one run of the renewal job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RenewalReport {
    pub renewed: usize,
    pub invoiced: usize,
    pub failed: usize,
}

/// Renews every subscription whose automatic renewal is due at `now`, then settles the new
/// payments. Safe to run twice and in several processes at once.
pub async fn renew_due(
    store: &Store,
    gateway: &dyn PaymentGateway,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<RenewalReport> {
    let mut report = RenewalReport::default();
    let at = now.timestamp();
    let book = {
        let mut tx = store.begin_read().await?;
        Book::load(&mut tx, rates).await?
    };
    loop {
        let due = {
            let mut tx = store.begin_read().await?;
            tx.renewals_due(at, 100).await?
        };
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for row in &due {
            let sub = Sub::new(row)?;
            let mut tx = store.begin_write().await?;
            match price_renewal(&book, &sub) {
                Err(problem) => {
                    // It cannot renew: the process starts at its end date (R-LIFE-1) and the
                    // buyer can still renew it by hand within the window.
                    if tx.start_next_term_failed(row.id, row.term_end_at, at).await? {
                        tx.insert_audit(&[audit(row.org_id, "renewal.failed", row.id, problem, at)]).await?;
                        report.failed += 1;
                        progressed = true;
                    }
                    tx.commit().await?;
                }
                Ok(priced) => {
                    let payment = renew_one(&mut tx, &sub, &priced, at, base_url).await?;
                    tx.commit().await?;
                    match payment {
                        Renewed::No => {}
                        Renewed::Invoiced => {
                            report.invoiced += 1;
                            progressed = true;
                        }
                        Renewed::Charging(id) => {
                            report.renewed += 1;
                            progressed = true;
                            settle(store, gateway, id, now).await?;
                        }
                    }
                }
            }
        }
        if !progressed {
            break;
        }
    }
    Ok(report)
}

enum Renewed {
    /// Another process renewed it first.
    No,
    Invoiced,
    Charging(i64),
}

async fn renew_one(tx: &mut Tx, sub: &Sub<'_>, p: &PricedRenewal, at: i64, base_url: &str) -> StoreResult<Renewed> {
    let row = sub.row;
    let by_invoice = sub.payment == Some(PaymentKind::Invoice);
    let renewal_at = row.term_end_at;
    // Net 30: the invoice is issued on the renewal date and the lifecycle counts from the day
    // after its due date (R-REN-5, R-LIFE-5).
    let due_day = invoice_due_date(p.renewal_day);
    let late_from = by_invoice.then(|| overdue_from(due_day, sub.tz).timestamp());
    if !tx
        .start_next_term(row.id, renewal_at, p.new_end.timestamp(), i64::from(p.seats), p.term.code(), late_from, at)
        .await?
    {
        return Ok(Renewed::No);
    }
    let stamp = p.renewal_day.format("%Y%m%d");
    let number = format!("ORD-{}-{stamp}", row.id);
    let t = p.totals;
    let order = tx
        .insert_row(
            "orders",
            &[
                "org_id",
                "number",
                "customer_account_id",
                "kind",
                "currency",
                "subtotal_minor",
                "tax_minor",
                "total_minor",
                "payment_method_id",
                "created_at",
            ],
            vec![
                v(row.org_id),
                v(number.clone()),
                v(row.customer_account_id),
                v("renewal"),
                v(row.currency.clone()),
                v(t.subtotal.minor()),
                v(t.tax.minor()),
                v(t.total.minor()),
                v(row.payment_method_id),
                v(at),
            ],
        )
        .await?;
    tx.insert_row(
        "order_lines",
        &[
            "order_id",
            "subscription_id",
            "product_id",
            "seats",
            "term",
            "period_start_at",
            "period_end_at",
            "amount_minor",
        ],
        vec![
            v(order),
            v(row.id),
            v(row.product_id),
            v(i64::from(p.seats)),
            v(p.term.code()),
            v(renewal_at),
            v(p.new_end.timestamp()),
            v(p.line.net.minor()),
        ],
    )
    .await?;
    // Later instalments (R-PAY-8) wait in the schedule.
    for c in p.schedule.iter().skip(1) {
        tx.insert_row(
            "scheduled_charges",
            &["org_id", "subscription_id", "order_id", "due_on", "due_at", "currency", "amount_minor", "tax_minor"],
            vec![
                v(row.org_id),
                v(row.id),
                v(order),
                v(c.due.to_string()),
                v(start_of_day(c.due, sub.tz).timestamp()),
                v(row.currency.clone()),
                v(c.total.minor()),
                v(c.tax.minor()),
            ],
        )
        .await?;
    }
    let first = p.schedule[0];
    let contacts = buyer_contacts(tx, row.org_id).await?;
    let line = ItemLine {
        product_name: row.product_name.clone(),
        seats: i64::from(p.seats),
        term: p.term.label().into(),
        amount: p.line.net,
    };
    for to in recipients(MailKind::OrderConfirmation, &contacts) {
        tx.queue_mail(
            &mail::order_confirmation(row.org_id, &to, &number, std::slice::from_ref(&line), t.tax, t.total, base_url),
            at,
        )
        .await?;
    }
    let detail = format!(
        "{number}: {} x {} {}, total {}{}",
        p.seats,
        row.product_name,
        p.term.label(),
        t.total,
        p.promotion.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    );
    tx.insert_audit(&[audit(row.org_id, "renewal.ordered", row.id, detail, at)]).await?;
    if by_invoice {
        issue_invoice(tx, sub, order, &format!("INV-{}-{stamp}", row.id), first, due_day, at, base_url).await?;
        return Ok(Renewed::Invoiced);
    }
    let payment = NewPayment {
        org_id: row.org_id,
        order_id: order,
        subscription_id: row.id,
        payment_method_id: row.payment_method_id,
        currency: row.currency.clone(),
        amount_minor: first.total.minor(),
        idempotency_key: format!("renewal:{}:{renewal_at}", row.id),
        due_at: renewal_at,
    };
    Ok(Renewed::Charging(tx.insert_pending_payment(&payment, at).await?))
}

/// Issues a Net 30 invoice for one instalment (or the whole renewal) with the subscription's
/// invoice details (R-INV-5), and mails it to its payers (R-MAIL-4, R-INV-3).
#[allow(clippy::too_many_arguments)]
async fn issue_invoice(
    tx: &mut Tx,
    sub: &Sub<'_>,
    order: i64,
    number: &str,
    part: Instalment,
    due_day: NaiveDate,
    at: i64,
    base_url: &str,
) -> StoreResult<()> {
    let row = sub.row;
    let details = tx.invoice_details(row.id).await?;
    let (po, notes) = details.map(|d| (d.po_number, d.notes)).unwrap_or_default();
    let (amount, tax) = (part.total, part.tax);
    let subtotal = amount.checked_sub(tax).map_err(|e| corrupt(e.to_string()))?;
    let invoice = tx
        .insert_row(
            "invoices",
            &[
                "org_id",
                "number",
                "customer_account_id",
                "order_id",
                "currency",
                "subtotal_minor",
                "tax_minor",
                "total_minor",
                "status",
                "po_number",
                "notes",
                "issued_at",
                "due_at",
            ],
            vec![
                v(row.org_id),
                v(number),
                v(row.customer_account_id),
                v(order),
                v(row.currency.clone()),
                v(subtotal.minor()),
                v(tax.minor()),
                v(amount.minor()),
                v("open"),
                v(po),
                v(notes),
                v(at),
                v(overdue_from(due_day, sub.tz).timestamp()),
            ],
        )
        .await?;
    let payers = tx.subscription_payers(row.id).await?;
    for p in &payers {
        tx.insert_link("invoice_payers", &["invoice_id", "email"], vec![v(invoice), v(p.clone())]).await?;
    }
    let contacts = Contacts { payers, ..buyer_contacts(tx, row.org_id).await? };
    for to in recipients(MailKind::InvoiceToPayers, &contacts) {
        tx.queue_mail(&mail::invoice(row.org_id, &to, number, amount, due_day, base_url), at).await?;
    }
    Ok(())
}

/// Asks the gateway about one open payment (charging it if the gateway never saw its key) and
/// writes the outcome. Success reactivates the subscription (R-LIFE-3); a decline starts its
/// lifecycle from the instant the payment was owed (R-LIFE-5). Returns the payment's status.
pub async fn settle(
    store: &Store,
    gateway: &dyn PaymentGateway,
    payment_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<String>> {
    let open = {
        let mut tx = store.begin_read().await?;
        tx.open_payment(payment_id).await?
    };
    let Some(p) = open else { return Ok(None) };
    let kind = PaymentKind::parse(&p.payment_kind).ok_or_else(|| corrupt(format!("payment {} kind", p.id)))?;
    let currency = Currency::parse(&p.currency).ok_or_else(|| corrupt(format!("payment {} currency", p.id)))?;
    let outcome = match gateway.lookup(p.idempotency_key.clone(), now).await {
        Some(o) => o,
        None => {
            let req = ChargeRequest {
                idempotency_key: p.idempotency_key.clone(),
                kind,
                token: p.gateway_token.clone(),
                amount: Money::from_minor(p.amount_minor, currency),
                at: now,
            };
            gateway.charge(req).await
        }
    };
    let at = now.timestamp();
    let mut tx = store.begin_write().await?;
    let status = match &outcome {
        ChargeOutcome::Unknown => {
            tx.settle_payment(p.id, "unknown", None, None, None).await?;
            "unknown"
        }
        ChargeOutcome::Pending { reference } => {
            tx.settle_payment(p.id, "pending", Some(reference), None, None).await?;
            "pending"
        }
        ChargeOutcome::Succeeded { reference } => {
            if tx.settle_payment(p.id, "succeeded", Some(reference), None, Some(at)).await? {
                if let Some(sub) = p.subscription_id {
                    reactivate(&mut tx, sub, p.org_id, now).await?;
                }
            }
            "succeeded"
        }
        ChargeOutcome::Declined { reason } => {
            if tx.settle_payment(p.id, "failed", None, Some(reason), Some(at)).await? {
                if let Some(sub) = p.subscription_id {
                    tx.set_unpaid_since(sub, Some(p.due_at), at).await?;
                    tx.insert_audit(&[audit(
                        p.org_id,
                        "payment.failed",
                        sub,
                        format!("{reason}; payment is due since the renewal date"),
                        at,
                    )])
                    .await?;
                }
            }
            "failed"
        }
    };
    tx.commit().await?;
    Ok(Some(status.into()))
}

/// After a payment: nothing is owed any more, and the state is what the end date alone gives.
async fn reactivate(tx: &mut Tx, sub: i64, org_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    let at = now.timestamp();
    tx.set_unpaid_since(sub, None, at).await?;
    let Some(row) = tx.engine_rows(org_id, &[sub]).await?.into_iter().next() else { return Ok(()) };
    let s = Sub::new(&row)?;
    let (current, next) = (s.status, s.status_at(now));
    if next != current && current != Status::Canceled {
        tx.set_status(sub, next.code(), at).await?;
        tx.insert_audit(&[audit(
            org_id,
            "status.reactivated",
            sub,
            format!("{} -> {} after payment", current.label(), next.label()),
            at,
        )])
        .await?;
    }
    Ok(())
}

/// Settles every open payment (pending bank transfers, unknown answers, payments whose
/// process stopped before asking the gateway). Returns how many became final.
pub async fn settle_open(store: &Store, gateway: &dyn PaymentGateway, now: DateTime<Utc>) -> StoreResult<usize> {
    let open = {
        let mut tx = store.begin_read().await?;
        tx.open_payments(500).await?
    };
    let mut settled = 0;
    for p in open {
        if matches!(settle(store, gateway, p.id, now).await?.as_deref(), Some("succeeded" | "failed")) {
            settled += 1;
        }
    }
    Ok(settled)
}

/// Charges the instalments that have fallen due (R-PAY-8), once each.
pub async fn charge_instalments(
    store: &Store,
    gateway: &dyn PaymentGateway,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<usize> {
    let at = now.timestamp();
    let due = {
        let mut tx = store.begin_read().await?;
        tx.due_scheduled_charges(at, 500).await?
    };
    let mut charged = 0;
    for c in due {
        let mut tx = store.begin_write().await?;
        if c.payment_kind.as_deref() == Some(PaymentKind::Invoice.code()) {
            if invoice_instalment(&mut tx, &c, now, base_url).await? {
                tx.commit().await?;
                charged += 1;
            }
            continue;
        }
        let payment = NewPayment {
            org_id: c.org_id,
            order_id: c.order_id,
            subscription_id: c.subscription_id,
            payment_method_id: c.payment_method_id,
            currency: c.currency.clone(),
            amount_minor: c.amount_minor,
            idempotency_key: format!("instalment:{}", c.id),
            due_at: at,
        };
        let payment = match tx.insert_pending_payment(&payment, at).await {
            Ok(id) => id,
            // Another process wrote this instalment's payment first.
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e),
        };
        if !tx.claim_scheduled_charge(c.id, payment).await? {
            continue;
        }
        tx.commit().await?;
        settle(store, gateway, payment, now).await?;
        charged += 1;
    }
    Ok(charged)
}

/// An instalment of a customer paying by invoice: a Net 30 invoice issued on its due date.
async fn invoice_instalment(
    tx: &mut Tx,
    c: &ScheduledChargeRow,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<bool> {
    let at = now.timestamp();
    let Some(row) = tx.engine_rows(c.org_id, &[c.subscription_id]).await?.into_iter().next() else { return Ok(false) };
    let sub = Sub::new(&row)?;
    let currency = Currency::parse(&c.currency).ok_or_else(|| corrupt(format!("instalment {} currency", c.id)))?;
    let day = parse_day(&c.due_on)?;
    let number = format!("INV-{}-{}", row.id, day.format("%Y%m%d"));
    let part = Instalment {
        due: day,
        total: Money::from_minor(c.amount_minor, currency),
        tax: Money::from_minor(c.tax_minor, currency),
    };
    let due_day = invoice_due_date(day);
    if !tx.claim_scheduled_invoice(c.id, at).await? {
        return Ok(false);
    }
    issue_invoice(tx, &sub, c.order_id, &number, part, due_day, at, base_url).await?;
    let late_from = overdue_from(due_day, sub.tz).timestamp();
    let since = row.unpaid_since.map_or(late_from, |s| s.min(late_from));
    tx.set_unpaid_since(row.id, Some(since), at).await?;
    Ok(true)
}
