//! Automatic renewals (R-REN-3, R-REN-5, R-LIFE-5), priced with the domain's rules.
//!
//! A renewal happens in two steps so that no gateway call runs inside a transaction:
//! 1. one transaction starts the next term (only if the term end is still the one read: two
//!    processes cannot both renew), writes the order, and either issues a Net 30 invoice or
//!    writes a pending payment with the idempotency key `renewal:{id}:{renewal instant}`;
//! 2. the payment is settled through the gateway with that key (see `payments`). A repeated or
//!    concurrent settle uses the same key, so the gateway charges once.

use chrono::{DateTime, Utc};

use super::audit;
use super::invoices::{Issue, issue_invoice};
use super::payments::settle;
use super::pricing::{Book, PricedRenewal, price_renewal};
use crate::domain::ids::PaymentId;
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::money::UsdRates;
use crate::domain::payment::PaymentKind;
use crate::domain::renewal::{invoice_due_date, overdue_from};
use crate::domain::time::start_of_day;
use crate::server::gateway::PaymentGateway;
use crate::server::mail::{self, ItemLine};
use crate::server::services::buyer_contacts;
use crate::server::store::records::*;
use crate::server::store::{Store, StoreResult, Tx};

/// What one run of the renewal job did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RenewalReport {
    pub renewed: usize,
    pub invoiced: usize,
    pub failed: usize,
}

/// Renews every subscription whose automatic renewal is due at `now`, then settles the new
/// payments. Safe to run twice and in several processes at once.
#[tracing::instrument(skip_all)]
pub async fn renew_due(
    store: &Store,
    gateway: &dyn PaymentGateway,
    rates: &UsdRates,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<RenewalReport> {
    let mut report = RenewalReport::default();
    let book = {
        let mut tx = store.begin_read().await?;
        Book::load(&mut tx, rates).await?
    };
    loop {
        let due = {
            let mut tx = store.begin_read().await?;
            tx.renewals_due(now, 100).await?
        };
        if due.is_empty() {
            break;
        }
        let mut progressed = false;
        for sub in &due {
            let mut tx = store.begin_write().await?;
            match price_renewal(&book, sub) {
                Err(problem) => {
                    // It cannot renew: the process starts at its end date (R-LIFE-1) and the
                    // buyer can still renew it by hand within the window.
                    if tx.start_next_term_failed(sub.id, sub.term_end, now).await? {
                        let entry = audit(sub.org_id, sub.id, AuditAction::RenewalFailed, problem.to_string(), now);
                        tx.insert_audit(&[entry]).await?;
                        report.failed += 1;
                        progressed = true;
                    }
                    tx.commit().await?;
                }
                Ok(priced) => {
                    let renewed = renew_one(&mut tx, sub, &priced, now, base_url).await?;
                    tx.commit().await?;
                    match renewed {
                        Renewed::No => {}
                        Renewed::Invoiced => {
                            report.invoiced += 1;
                            progressed = true;
                        }
                        Renewed::Charging(id) => {
                            report.renewed += 1;
                            progressed = true;
                            settle(store, gateway, id, now, base_url).await?;
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
    Charging(PaymentId),
}

async fn renew_one(
    tx: &mut Tx,
    sub: &Subscription,
    p: &PricedRenewal,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<Renewed> {
    let by_invoice = sub.payment_kind == Some(PaymentKind::Invoice);
    // Net 30: the invoice is issued on the renewal date and the lifecycle counts from the day
    // after its due date (R-REN-5, R-LIFE-5).
    let due_day = invoice_due_date(p.renewal_day);
    let next = NextTerm {
        id: sub.id,
        old_end: sub.term_end,
        new_end: p.new_end,
        seats: i64::from(p.seats),
        term: p.term,
        unpaid_since: by_invoice.then(|| overdue_from(due_day, sub.time_zone)),
    };
    if !tx.start_next_term(&next, now).await? {
        return Ok(Renewed::No);
    }
    let stamp = p.renewal_day.format("%Y%m%d");
    let number = format!("ORD-{}-{stamp}", sub.id);
    let t = p.totals;
    let order = tx
        .insert_order(&NewOrder {
            org_id: sub.org_id,
            number: &number,
            customer_account_id: sub.customer_account_id,
            kind: OrderKind::Renewal,
            subtotal: t.subtotal,
            tax: t.tax,
            total: t.total,
            payment_method_id: sub.payment_method_id,
            created_at: now,
        })
        .await?;
    tx.insert_order_line(&NewOrderLine {
        kind: LineKind::Renewal,
        order_id: order,
        subscription_id: sub.id,
        product_id: sub.product_id,
        product_name: sub.product_name.clone(),
        seats: i64::from(p.seats),
        term: p.term,
        period_start: sub.term_end,
        period_end: p.new_end,
        list: p.line.list,
        discount: p.line.discount,
        amount: p.line.net,
        tax: t.tax,
    })
    .await?;
    // Later instalments (R-PAY-8) wait in the schedule.
    for c in p.schedule.iter().skip(1) {
        tx.insert_scheduled_charge(&NewScheduledCharge {
            org_id: sub.org_id,
            subscription_id: sub.id,
            order_id: order,
            due_on: c.due,
            due_at: start_of_day(c.due, sub.time_zone),
            total: c.total,
            tax: c.tax,
        })
        .await?;
    }
    let first = p.schedule[0];
    let contacts = buyer_contacts(tx, sub.org_id).await?;
    let line = ItemLine {
        product_name: sub.product_name.clone(),
        seats: i64::from(p.seats),
        term: p.term,
        amount: p.line.net,
    };
    for to in recipients(MailKind::OrderConfirmation, &contacts) {
        let mail = mail::order_confirmation(
            sub.org_id,
            &to.address,
            to.lang,
            &number,
            std::slice::from_ref(&line),
            t.tax,
            t.total,
            base_url,
        );
        tx.queue_mail(&mail, now).await?;
    }
    let detail = format!(
        "{number}: {} x {} {}, total {}{}",
        p.seats,
        sub.product_name,
        p.term.label(),
        t.total,
        p.promotion.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
    );
    tx.insert_audit(&[audit(sub.org_id, sub.id, AuditAction::RenewalOrdered, detail, now)]).await?;
    if by_invoice {
        let number = format!("INV-{}-{stamp}", sub.id);
        issue_invoice(tx, sub, &Issue { order, number: &number, part: first, due_day, only: None }, now, base_url)
            .await?;
        return Ok(Renewed::Invoiced);
    }
    let payment = NewPayment {
        org_id: sub.org_id,
        order_id: order,
        subscription_id: Some(sub.id),
        payment_method_id: sub.payment_method_id,
        amount: first.total,
        idempotency_key: format!("renewal:{}:{}", sub.id, sub.term_end.timestamp()),
        due_at: sub.term_end,
    };
    Ok(Renewed::Charging(tx.insert_pending_payment(&payment, now).await?))
}
