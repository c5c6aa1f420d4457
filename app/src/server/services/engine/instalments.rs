//! Instalments of 3-year terms (R-PAY-8): charged on their due dates, or invoiced Net 30 for
//! customers who pay by invoice. Each exactly once, whichever process gets there first.

use chrono::{DateTime, Utc};

use super::invoices::{Issue, issue_invoice};
use super::payments::settle;
use crate::domain::payment::PaymentKind;
use crate::domain::pricing::Instalment;
use crate::domain::renewal::{invoice_due_date, overdue_from};
use crate::server::gateway::PaymentGateway;
use crate::server::store::records::{NewPayment, ScheduledCharge};
use crate::server::store::{Store, StoreResult, Tx};

/// Charges the instalments that have fallen due. Returns how many were charged or invoiced.
#[tracing::instrument(skip_all)]
pub async fn charge_instalments(
    store: &Store,
    gateway: &dyn PaymentGateway,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<usize> {
    let due = {
        let mut tx = store.begin_read().await?;
        tx.due_scheduled_charges(now, 500).await?
    };
    let mut charged = 0;
    for c in due {
        let mut tx = store.begin_write().await?;
        if c.payment_kind == Some(PaymentKind::Invoice) {
            if invoice_instalment(&mut tx, &c, now, base_url).await? {
                tx.commit().await?;
                charged += 1;
            }
            continue;
        }
        let payment = NewPayment {
            org_id: c.org_id,
            order_id: c.order_id,
            subscription_id: Some(c.subscription_id),
            payment_method_id: c.payment_method_id,
            amount: c.total,
            idempotency_key: format!("instalment:{}", c.id),
            due_at: now,
        };
        let payment = match tx.insert_pending_payment(&payment, now).await {
            Ok(id) => id,
            // Another process wrote this instalment's payment first.
            Err(e) if e.is_unique_violation() => continue,
            Err(e) => return Err(e),
        };
        if !tx.claim_scheduled_charge(c.id, payment).await? {
            continue;
        }
        tx.commit().await?;
        settle(store, gateway, payment, now, base_url).await?;
        charged += 1;
    }
    Ok(charged)
}

/// An instalment of a customer paying by invoice: a Net 30 invoice issued on its due date.
async fn invoice_instalment(tx: &mut Tx, c: &ScheduledCharge, now: DateTime<Utc>, base_url: &str) -> StoreResult<bool> {
    let Some(sub) = tx.subscriptions_in_org(c.org_id, &[c.subscription_id], false).await?.into_iter().next() else {
        return Ok(false);
    };
    if !tx.claim_scheduled_invoice(c.id, now).await? {
        return Ok(false);
    }
    let number = format!("INV-{}-{}", sub.id, c.due_on.format("%Y%m%d"));
    let due_day = invoice_due_date(c.due_on);
    let part = Instalment { due: c.due_on, total: c.total, tax: c.tax };
    issue_invoice(
        tx,
        &sub,
        &Issue { order: c.order_id, number: &number, part, due_day, only: Some(sub.id) },
        now,
        base_url,
    )
    .await?;
    let late_from = overdue_from(due_day, sub.time_zone);
    let since = sub.unpaid_since.map_or(late_from, |s| s.min(late_from));
    tx.set_unpaid_since(sub.id, Some(since), now).await?;
    Ok(true)
}
