//! Refunds (R-PAY-9): a buyer asks for a refund of one subscription's line of an order (a
//! renewal, seats added or an extension) within 15 days of the order for monthly terms and 30
//! days for annual and three-year terms. What was paid for the line comes back as a credit
//! memo of the customer number (R-INV-1), which pays its invoices (R-INV-2); the subscription
//! is canceled (a renewal), shortened back (an extension) or loses the seats (seats added).
//! Once per line, whatever the double clicks: the memo is unique per order and subscription.

use chrono::{DateTime, Utc};

use crate::contract::dto::{RefundOffer, RefundOutcome, RefundReview};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::credit::{Bought, Refund, RefundEffect, RefundFacts, judge_refund_request};
use crate::domain::ids::SubscriptionId;
use crate::domain::invoice::allocate;
use crate::domain::money::Money;
use crate::domain::pricing::RefundRefusal;
use crate::domain::status::{Status, status_at};
use crate::domain::time::{expiry_instant, local_date};
use crate::server::store::records::{
    AuditAction, AuditEntry, AuditObject, LineKind, NewCreditMemo, OrderLineRecord, OrderPaid, OrderRecord,
    Subscription,
};
use crate::server::store::{Store, StoreResult, Tx};

/// An order as a refund judges it: its lines, what it received, the later orders of its
/// subscriptions and the refunds already made.
pub(crate) struct OrderFacts {
    pub order: OrderRecord,
    pub lines: Vec<OrderLineRecord>,
    paid: OrderPaid,
    later: Vec<(SubscriptionId, String)>,
    refunds: Vec<(SubscriptionId, String)>,
    /// Each line's share of what the order received.
    shares: Vec<Money>,
}

impl OrderFacts {
    pub(crate) async fn load(tx: &mut Tx, order: OrderRecord) -> StoreResult<OrderFacts> {
        let lines = tx.order_lines(order.id).await?;
        let paid = tx.order_paid(order.id).await?;
        let currency = order.total.currency();
        let weights: Vec<Money> =
            lines.iter().map(|l| Money::from_minor(l.amount.minor().saturating_add(l.tax.minor()), currency)).collect();
        let shares = allocate(Money::from_minor(paid.paid_minor, currency), &weights)
            .map_err(|e| crate::server::store::StoreError::Corrupt(format!("order {}: {e}", order.number)))?;
        Ok(OrderFacts {
            later: tx.later_orders(order.id).await?,
            refunds: tx.refunds_of_order(order.id).await?,
            lines,
            paid,
            shares,
            order,
        })
    }

    /// The credit memo a refund of the subscription's line made, if one did.
    pub(crate) fn refunded(&self, sub: SubscriptionId) -> Option<String> {
        self.refunds.iter().find(|(s, _)| *s == sub).map(|(_, n)| n.clone())
    }

    /// Whether line `index`, of subscription `sub` as it is now, can be refunded at `now`.
    pub(crate) fn judge(&self, index: usize, sub: &Subscription, now: DateTime<Utc>) -> Result<Refund, RefundRefusal> {
        let l = &self.lines[index];
        let facts = RefundFacts {
            bought: match l.kind {
                LineKind::Renewal => Bought::Renewal,
                LineKind::AddSeats => Bought::AddSeats,
                LineKind::Extension => Bought::Extension,
            },
            term: l.term,
            bought_on: local_date(self.order.created_at, sub.time_zone),
            today: local_date(now, sub.time_zone),
            period_start: l.period_start,
            line_seats: l.seats,
            seats_now: sub.seats,
            canceled: sub.status == Status::Canceled,
            later_order: self.later.iter().find(|(s, _)| *s == sub.id).map(|(_, n)| n.clone()),
            unpaid_invoice: self.paid.unpaid_invoice.clone(),
            payment_pending: self.paid.pending,
            paid: self.shares[index],
        };
        judge_refund_request(&facts)
    }

    /// The offer shown beside line `index` on the order's page, if it can be refunded now.
    pub(crate) fn offer(&self, index: usize, sub: &Subscription, now: DateTime<Utc>) -> Option<RefundOffer> {
        if self.refunded(sub.id).is_some() {
            return None;
        }
        self.judge(index, sub, now).ok().map(|r| RefundOffer { amount: r.amount, last_day: r.last_day })
    }
}

/// The order (by number) and the line of subscription `sub` on it, with the subscription as
/// it is now; another organisation's order, or a subscription not on it, is not found. With
/// `lock`, the subscription's row is locked first (PostgreSQL; SQLite's write transaction holds
/// the database): concurrent refunds of it then read what the first one wrote.
async fn find(
    tx: &mut Tx,
    actor: &Actor,
    number: &str,
    sub: SubscriptionId,
    lock: bool,
) -> Result<(OrderFacts, usize, Subscription), AppError> {
    let s = tx.subscriptions_in_org(actor.org_id, &[sub], lock).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let order = tx.order_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    let facts = OrderFacts::load(tx, order).await?;
    let index = facts.lines.iter().position(|l| l.subscription_id == Some(sub)).ok_or(AppError::NotFound)?;
    Ok((facts, index, s))
}

fn outcome(effect: RefundEffect, sub: &Subscription) -> RefundOutcome {
    let last_day = |end| local_date(expiry_instant(end), sub.time_zone);
    match effect {
        RefundEffect::Cancel { end } => RefundOutcome::Canceled { last_day: last_day(end) },
        RefundEffect::Shorten { end } => RefundOutcome::Shortened { last_day: last_day(end) },
        RefundEffect::RemoveSeats { seats } => RefundOutcome::SeatsRemoved { seats },
    }
}

fn refused(r: RefundRefusal) -> AppError {
    AppError::Conflict(Problem::Refund(r))
}

/// What a refund of the subscription's line of the order would give back and do, or why it
/// cannot be made now (R-PAY-9).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn review(
    store: &Store,
    actor: &Actor,
    order: &str,
    sub: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<RefundReview, AppError> {
    authorize(actor, Action::RequestRefund, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let (facts, index, s) = find(&mut tx, actor, order, sub, false).await?;
    if let Some(memo) = facts.refunded(sub) {
        return Err(refused(RefundRefusal::Refunded(memo)));
    }
    let refund = facts.judge(index, &s, now).map_err(refused)?;
    Ok(RefundReview {
        order_number: facts.order.number.clone(),
        subscription_id: sub,
        product_name: facts.lines[index].product_name.clone(),
        offer: RefundOffer { amount: refund.amount, last_day: refund.last_day },
        outcome: outcome(refund.effect, &s),
    })
}

/// Refunds the subscription's line of the order (R-PAY-9): a credit memo for what was paid
/// for it, and the subscription canceled, shortened or with fewer seats; its instalments still
/// to come are dropped. A second click answers with the memo the first made. Returns the
/// memo's number.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn refund(
    store: &Store,
    actor: &Actor,
    order: &str,
    sub: SubscriptionId,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    authorize(actor, Action::RequestRefund, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let (facts, index, s) = find(&mut tx, actor, order, sub, true).await?;
    if let Some(memo) = facts.refunded(sub) {
        return Ok(memo);
    }
    let refund = facts.judge(index, &s, now).map_err(refused)?;
    let o = &facts.order;
    let number = format!("CM-{}-{}", o.id, sub);
    let memo = NewCreditMemo {
        org_id: o.org_id,
        number: &number,
        customer_account_id: o.customer_account_id,
        amount: refund.amount,
        order_id: o.id,
        subscription_id: sub,
        issued_at: now,
        issued_on: local_date(now, s.time_zone),
        created_by: actor.user_id,
    };
    match tx.insert_credit_memo(&memo).await {
        Ok(_) => {}
        Err(e) if e.is_unique_violation() => {
            // A concurrent click wrote it first (PostgreSQL); its memo is the answer.
            drop(tx);
            let mut tx = store.begin_read().await?;
            let (facts, _, _) = find(&mut tx, actor, order, sub, false).await?;
            return facts.refunded(sub).ok_or(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    }
    let became = match refund.effect {
        RefundEffect::Cancel { end } => {
            tx.cancel_for_refund(sub, end, now).await?;
            format!("canceled, term ends {}", local_date(expiry_instant(end), s.time_zone))
        }
        RefundEffect::Shorten { end } => {
            tx.shorten_for_refund(sub, end, now).await?;
            let status = status_at(end, s.auto_renew, s.unpaid_since, s.term, s.time_zone, now);
            if status != s.status {
                tx.set_status(sub, status, now).await?;
            }
            format!("term ends {} again", local_date(expiry_instant(end), s.time_zone))
        }
        RefundEffect::RemoveSeats { seats } => {
            if !tx.remove_seats_for_refund(sub, seats, now).await? {
                return Err(refused(RefundRefusal::SeatsGone));
            }
            format!("{seats} seats taken off")
        }
    };
    // Fewer seats, or canceled: the assignments follow (R-LIFE-6).
    tx.fit_seat_assignments(sub).await?;
    let dropped = tx.drop_instalments(o.id, sub).await?;
    let entry = AuditEntry {
        org_id: o.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::Refunded,
        object: AuditObject::Subscription(sub),
        detail: format!(
            "{}: {} credited as {number}; {became}{}",
            o.number,
            refund.amount,
            if dropped > 0 { format!("; {dropped} instalments dropped") } else { String::new() }
        ),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(number)
}
