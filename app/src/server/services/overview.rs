//! The Billing and orders overview (R-EXT-7), the buyers' landing page: the payments and
//! expirations due in the next 90 days, the spending of the last 5 months and this month split
//! into due, payment error and paid (one chart per currency, drawn on the server), and, beyond the
//! product we mirror, a renewal calendar of the next 12 months. Buyers only: it is billing
//! (R-ROLE-5). "Today" is the UTC day; each date shown is the local day of its subscription.

use chrono::{DateTime, NaiveTime, Utc};

use crate::contract::dto::{DueItem, DueKind, OverviewPage, SpendingChart};
use crate::contract::error::AppError;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::money::UsdRates;
use crate::domain::overview::{
    SpendingState, horizon_end, renewal_calendar, spending_chart, spending_currencies, spending_months,
    spending_summary, within_horizon,
};
use crate::domain::status::Status;
use crate::domain::time::{expiry_instant, local_date};
use crate::server::services::engine::pricing::{Book, renewal_totals};
use crate::server::store::Store;
use crate::server::store::records::SpendingRecord;

/// At most this many invoices are listed as due (the Invoices page lists them all).
pub const MAX_DUE_INVOICES: i64 = 100;

/// One record's amounts by state: what is paid, and the rest as due or, after a failed
/// payment, as a payment error.
fn split(r: &SpendingRecord) -> Vec<(SpendingState, crate::domain::money::Money)> {
    let rest = r.total.checked_sub(r.paid).unwrap_or(r.total);
    let state = if r.failed { SpendingState::PaymentError } else { SpendingState::Due };
    [(SpendingState::Paid, r.paid), (state, rest)].into_iter().filter(|(_, m)| m.minor() > 0).collect()
}

#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(
    store: &Store,
    actor: &Actor,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<OverviewPage, AppError> {
    authorize(actor, Action::ViewBillingDetails, actor.org_id)?;
    let today = now.date_naive();
    let until = horizon_end(today);
    let mut tx = store.begin_read().await?;

    // Due in the next 90 days: invoices (overdue ones first, they are due already) and the
    // subscriptions renewing or expiring.
    let end_of_horizon = until.and_time(NaiveTime::MIN).and_utc() + chrono::Duration::days(2);
    let mut due: Vec<DueItem> = Vec::new();
    for i in tx.invoices_due_by(actor.org_id, end_of_horizon, MAX_DUE_INVOICES).await? {
        let day = local_date(expiry_instant(i.due_at), i.time_zone);
        if day <= until {
            due.push(DueItem {
                day,
                amount: Some(i.open),
                kind: DueKind::Invoice { number: i.number, overdue: day < today },
            });
        }
    }
    let subs = tx.assignable_subscriptions(actor.org_id).await?;
    let book = Book::load(&mut tx, rates).await?;
    for s in &subs {
        let (shown, _) = s.shown_now();
        if !within_horizon(today, shown.date) {
            continue;
        }
        let kind = if shown.auto_renew && s.status == Status::Active {
            DueKind::Renewal { id: s.id, product_name: s.product_name.clone() }
        } else {
            DueKind::Expiry { id: s.id, product_name: s.product_name.clone(), status: s.status }
        };
        let amount = match &kind {
            DueKind::Renewal { .. } => renewal_totals(&book, s).ok().map(|(_, t)| t.total),
            _ => None,
        };
        due.push(DueItem { day: shown.date, amount, kind });
    }
    due.sort_by_key(|d| (d.day, matches!(d.kind, DueKind::Invoice { .. })));

    // Spending of the last 5 months and this one.
    let first_month = spending_months(today)[0];
    let since = first_month.and_time(NaiveTime::MIN).and_utc() - chrono::Duration::days(1);
    let items: Vec<_> = tx
        .spending_since(actor.org_id, since)
        .await?
        .iter()
        .flat_map(|r| split(r).into_iter().map(move |(state, amount)| (r.at.date_naive(), amount, state)))
        .collect();
    let mut spending = Vec::new();
    for currency in spending_currencies(today, items.iter().copied()) {
        let months = spending_summary(today, currency, items.iter().copied()).map_err(|_| AppError::Internal)?;
        let layout = spending_chart(currency, &months).map_err(|_| AppError::Internal)?;
        spending.push(SpendingChart { currency, months, layout });
    }

    // The renewal calendar: what renews automatically in each of the next 12 months.
    let renewing = subs
        .iter()
        .filter(|s| s.auto_renew && s.status == Status::Active)
        .filter_map(|s| renewal_totals(&book, s).ok().map(|(_, t)| (s.renewal_day(), t.total)));
    let calendar = renewal_calendar(today, renewing).map_err(|_| AppError::Internal)?;
    Ok(OverviewPage { today, horizon_end: until, due, spending, calendar })
}
