//! Changes that take effect at the next renewal (R-SUB-3, R-PRICE-3): fewer seats or another
//! term, kept on the subscription (`seats_at_renewal`, `term_at_renewal`) until the renewal job
//! or a renewal in the cart applies them, withdrawable until then. Both renewals price from
//! these columns, so what the subscription page shows is what the renewal buys.

use chrono::{DateTime, Utc};

use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::ids::SubscriptionId;
use crate::domain::next_term::{NextTermChange, NextTermFacts, NextTermRefusal, can_change_next_term, judge_next_term};
use crate::domain::pricing::PriceList;
use crate::domain::term::Term;
use crate::domain::time::local_date;
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject, Subscription};
use crate::server::store::{Store, Tx};

pub fn facts(s: &Subscription) -> NextTermFacts {
    NextTermFacts {
        status: s.status,
        term_end: s.term_end,
        term: s.term,
        seats: u32::try_from(s.seats).unwrap_or(0),
        time_zone: s.time_zone,
        unpaid: s.unpaid_since.is_some(),
        in_order: s.pending_order_id.is_some(),
    }
}

/// The terms the product is sold with in the subscription's currency on the day the next term
/// would be priced: its renewal date, or today for a late renewal.
pub fn sold_terms(prices: &PriceList, s: &Subscription, now: DateTime<Utc>) -> Vec<Term> {
    let day = s.renewal_day().max(local_date(now, s.time_zone));
    Term::ALL.into_iter().filter(|t| prices.price(s.product_id, *t, s.currency, day).is_some()).collect()
}

async fn load(tx: &mut Tx, actor: &Actor, id: SubscriptionId) -> Result<Subscription, AppError> {
    tx.subscriptions_in_org(actor.org_id, &[id], true).await?.pop().ok_or(AppError::NotFound)
}

fn refused(field: &str, why: NextTermRefusal) -> AppError {
    AppError::validation(field, Problem::NextTermRefused(why))
}

fn describe(s: &Subscription, seats: Option<i64>, term: Option<Term>) -> String {
    let seats = seats.unwrap_or(s.seats);
    let term = term.unwrap_or(s.term);
    format!(
        "next renewal: {} -> {} seats, {} -> {}",
        s.seats_at_renewal.unwrap_or(s.seats),
        seats,
        s.term_at_renewal.unwrap_or(s.term).code(),
        term.code()
    )
}

async fn save(
    mut tx: Tx,
    actor: &Actor,
    s: &Subscription,
    change: NextTermChange,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let seats = change.seats.map(i64::from);
    if !tx.set_next_term(s.id, seats, change.term, now).await? {
        // An order renewing it was placed after it was read: that order's terms are final.
        return Err(refused("seats", NextTermRefusal::InOrder));
    }
    tx.insert_audit(&[AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::NextTermChanged,
        object: AuditObject::Subscription(s.id),
        detail: describe(s, seats, change.term),
        at: now,
    }])
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the seats and term the next renewal buys; asking for the current seats and term
/// withdraws what was pending. Only buyers (R-REN-1); nothing changes when refused.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %id))]
pub async fn change(
    store: &Store,
    actor: &Actor,
    id: SubscriptionId,
    seats: i64,
    term: &str,
    now: DateTime<Utc>,
) -> Result<NextTermChange, AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    let term = Term::parse(term).ok_or_else(|| AppError::validation("term", Problem::NotListed))?;
    let mut tx = store.begin_write().await?;
    let s = load(&mut tx, actor, id).await?;
    let prices = tx.price_list().await?;
    let sold = sold_terms(&prices, &s, now).contains(&term);
    let change = judge_next_term(&facts(&s), seats, term, sold, now).map_err(|why| {
        let field = if matches!(why, NextTermRefusal::TermNotSold(_)) { "term" } else { "seats" };
        refused(field, why)
    })?;
    save(tx, actor, &s, change, now).await?;
    Ok(change)
}

/// Withdraws the pending change: the next renewal buys the current seats and term again.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, subscription = %id))]
pub async fn withdraw(store: &Store, actor: &Actor, id: SubscriptionId, now: DateTime<Utc>) -> Result<(), AppError> {
    authorize(actor, Action::ChangeSubscription, actor.org_id)?;
    let mut tx = store.begin_write().await?;
    let s = load(&mut tx, actor, id).await?;
    can_change_next_term(&facts(&s), now).map_err(|why| refused("seats", why))?;
    if s.seats_at_renewal.is_none() && s.term_at_renewal.is_none() {
        return Err(refused("seats", NextTermRefusal::NothingPending));
    }
    save(tx, actor, &s, NextTermChange::default(), now).await
}
