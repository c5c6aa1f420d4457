//! Settling payments through the gateway (R-PAY-7): once per idempotency key, whatever runs
//! it. Success reactivates the subscription (R-LIFE-3); a decline starts its lifecycle from the
//! instant the payment was owed (R-LIFE-5).

use chrono::{DateTime, Utc};

use super::audit;
use crate::domain::ids::{InvoiceId, OrgId, PaymentId, SubscriptionId};
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::money::Money;
use crate::domain::status::Status;
use crate::server::gateway::{ChargeOutcome, ChargeRequest, PaymentGateway};
use crate::server::store::records::{
    AuditAction, AuditEntry, AuditObject, OpenPayment, PaymentSettlement, PaymentStatus,
};
use crate::server::store::{Store, StoreResult, Tx};

/// Asks the gateway about one open payment (charging it if the gateway never saw its key) and
/// writes the outcome. Returns the payment's status, or `None` if it was not open.
#[tracing::instrument(skip(store, gateway, base_url))]
pub async fn settle(
    store: &Store,
    gateway: &dyn PaymentGateway,
    payment: PaymentId,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<Option<PaymentStatus>> {
    let open = {
        let mut tx = store.begin_read().await?;
        tx.open_payment(payment).await?
    };
    let Some(p) = open else { return Ok(None) };
    let outcome = match gateway.lookup(p.idempotency_key.clone(), now).await {
        Some(o) => o,
        None => {
            let req = ChargeRequest {
                idempotency_key: p.idempotency_key.clone(),
                kind: p.kind,
                token: p.gateway_token.clone(),
                amount: p.amount,
                at: now,
            };
            gateway.charge(req).await
        }
    };
    let open = |status| PaymentSettlement { status, reference: None, failure: None, settled_at: None };
    let mut tx = store.begin_write().await?;
    let (status, settled) = match &outcome {
        ChargeOutcome::Unknown => {
            (PaymentStatus::Unknown, tx.settle_payment(p.id, &open(PaymentStatus::Unknown)).await?)
        }
        ChargeOutcome::Pending { reference } => {
            let s = PaymentSettlement { reference: Some(reference), ..open(PaymentStatus::Pending) };
            (PaymentStatus::Pending, tx.settle_payment(p.id, &s).await?)
        }
        ChargeOutcome::Succeeded { reference } => {
            let s = PaymentSettlement {
                reference: Some(reference),
                settled_at: Some(now),
                ..open(PaymentStatus::Succeeded)
            };
            let settled = tx.settle_payment(p.id, &s).await?;
            if settled && let Some(sub) = p.subscription_id {
                reactivate(&mut tx, sub, p.org_id, None, now).await?;
            }
            if settled && p.pays_invoices() {
                invoices_paid(&mut tx, &p, now).await?;
            }
            (PaymentStatus::Succeeded, settled)
        }
        ChargeOutcome::Declined { reason } => {
            let s = PaymentSettlement { failure: Some(reason), settled_at: Some(now), ..open(PaymentStatus::Failed) };
            let settled = tx.settle_payment(p.id, &s).await?;
            if settled && let Some(id) = p.subscription_id {
                tx.set_unpaid_since(id, Some(p.due_at), now).await?;
                let detail = format!("{reason}; payment is due since the renewal date");
                tx.insert_audit(&[audit(p.org_id, id, AuditAction::PaymentFailed, detail, now)]).await?;
                // The buyers are told, to renew it another way before it is suspended.
                if let Some(sub) = tx.subscription(id).await? {
                    let why = crate::domain::payment::DeclineReason::from_text(reason);
                    let contacts = crate::server::services::buyer_contacts(&mut tx, p.org_id).await?;
                    for to in recipients(MailKind::PaymentFailed, &contacts) {
                        let m = crate::server::mail::payment_failed(
                            p.org_id,
                            &to.address,
                            to.lang,
                            &sub.product_name,
                            id,
                            p.amount,
                            why,
                            base_url,
                        );
                        tx.queue_mail(&m, now).await?;
                    }
                }
            }
            if settled && p.pays_invoices() {
                // Declined: the invoices are open again, to be paid another way.
                let (invoices, _) = tx.settle_invoices(p.id, false).await?;
                tx.insert_audit(&invoice_audit(&p, &invoices, AuditAction::InvoicePaymentDeclined, now)).await?;
            }
            (PaymentStatus::Failed, settled)
        }
    };
    // A checkout's order (one charge for many subscriptions) is completed or withdrawn in the
    // same transaction as its payment's answer.
    if settled
        && p.subscription_id.is_none()
        && let Some(order) = p.order_id
    {
        crate::server::services::checkout::after_charge(&mut tx, order, status, p.due_at, now, base_url).await?;
    }
    tx.commit().await?;
    Ok(Some(status))
}

/// The invoices a payment pays are paid (what it paid on each added): each subscription they
/// bill owes only its other unpaid invoices now, and comes back to the state its dates give
/// (R-LIFE-3).
async fn invoices_paid(tx: &mut Tx, p: &OpenPayment, now: DateTime<Utc>) -> StoreResult<()> {
    let (invoices, subs) = tx.settle_invoices(p.id, true).await?;
    tx.insert_audit(&invoice_audit(p, &invoices, AuditAction::InvoicePaid, now)).await?;
    for sub in subs {
        let still_owed = tx.earliest_unpaid_invoice(sub).await?;
        reactivate(tx, sub, p.org_id, still_owed, now).await?;
    }
    Ok(())
}

/// Settles a payment of invoices with credit (R-INV-2) in the transaction that drew on the
/// credit memos: the portal's own money, so it succeeds at once and no gateway is asked.
pub async fn credit_settled(tx: &mut Tx, payment: PaymentId, now: DateTime<Utc>) -> StoreResult<()> {
    let Some(p) = tx.open_payment(payment).await? else { return Ok(()) };
    let s =
        PaymentSettlement { status: PaymentStatus::Succeeded, reference: None, failure: None, settled_at: Some(now) };
    if tx.settle_payment(p.id, &s).await? && p.pays_invoices() {
        invoices_paid(tx, &p, now).await?;
    }
    Ok(())
}

/// What the gateway's answer did to each invoice a payment pays.
fn invoice_audit(
    p: &OpenPayment,
    invoices: &[(InvoiceId, String, i64)],
    action: AuditAction,
    now: DateTime<Utc>,
) -> Vec<AuditEntry> {
    invoices
        .iter()
        .map(|(id, number, minor)| AuditEntry {
            org_id: p.org_id,
            actor: None,
            action,
            object: AuditObject::Invoice(*id),
            detail: format!("{number}: {} by payment {}", Money::from_minor(*minor, p.amount.currency()), p.id),
            at: now,
        })
        .collect()
}

/// After a payment: only `still_owed` (the earliest other unpaid invoice's late instant) is
/// owed, and the state is what the dates give.
async fn reactivate(
    tx: &mut Tx,
    id: SubscriptionId,
    org: OrgId,
    still_owed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.set_unpaid_since(id, still_owed, now).await?;
    let Some(sub) = tx.subscriptions_in_org(org, &[id], false).await?.into_iter().next() else { return Ok(()) };
    let (current, next) = (sub.status, sub.status_at(now));
    if next != current && current != Status::Canceled {
        tx.set_status(id, next, now).await?;
        let detail = format!("{} -> {} after payment", current.label(), next.label());
        tx.insert_audit(&[audit(sub.org_id, sub.id, AuditAction::Reactivated, detail, now)]).await?;
    }
    Ok(())
}

/// Settles every open payment (pending bank transfers, unknown answers, payments whose
/// process stopped before asking the gateway). Returns how many became final.
#[tracing::instrument(skip_all)]
pub async fn settle_open(
    store: &Store,
    gateway: &dyn PaymentGateway,
    now: DateTime<Utc>,
    base_url: &str,
) -> StoreResult<usize> {
    let open = {
        let mut tx = store.begin_read().await?;
        tx.open_payments(500).await?
    };
    let mut settled = 0;
    for p in open {
        if settle(store, gateway, p.id, now, base_url).await?.is_some_and(PaymentStatus::is_final) {
            settled += 1;
        }
    }
    Ok(settled)
}
