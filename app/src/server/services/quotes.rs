//! The Quotes pages (R-QUOTE-7): the organisation's quotes, active ones first, and one quote
//! with its lines, promotions (R-QUOTE-5), tax, total, the customer as printed on it (R-QUOTE-8)
//! and its recipients. Buyers only: quotes are prices and billing (R-REN-1, R-ROLE-5).

use chrono::{DateTime, Utc};

use crate::contract::dto::{QuoteAcceptance, QuoteDetail, QuoteLineView, QuoteSummary, QuotesPage};
use crate::contract::error::AppError;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::money::UsdRates;
use crate::domain::quote::{list_order, status_at};
use crate::domain::time::{expiry_instant, local_date};
use crate::server::store::Store;
use crate::server::store::records::QuoteRecord;

fn summary(q: &QuoteRecord, now: DateTime<Utc>) -> QuoteSummary {
    let status = status_at(q.status, q.expires_at, now);
    QuoteSummary {
        number: q.number.clone(),
        kind: q.kind,
        origin: q.origin,
        partner_name: q.partner_name.clone(),
        csn: q.csn.clone(),
        created_on: local_date(q.created_at, q.time_zone),
        // It can be accepted until the instant before `expires_at`: its last day.
        expires_on: local_date(expiry_instant(q.expires_at), q.time_zone),
        total: q.total,
        status,
        outdated: status == crate::domain::quote::QuoteStatus::Active && q.renewed_since,
    }
}

/// The organisation's quotes: active ones first, soonest expiry on top, then the rest newest
/// first (R-QUOTE-7).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn quotes(store: &Store, actor: &Actor, now: DateTime<Utc>) -> Result<QuotesPage, AppError> {
    authorize(actor, Action::ViewQuotes, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let mut rows: Vec<(QuoteSummary, &QuoteRecord)> = Vec::new();
    let records = tx.quotes_in_org(actor.org_id).await?;
    for q in &records {
        rows.push((summary(q, now), q));
    }
    rows.sort_by(|(a, qa), (b, qb)| {
        list_order((a.status, qa.expires_at, qa.created_at), (b.status, qb.expires_at, qb.created_at))
            .then_with(|| a.number.cmp(&b.number))
    });
    Ok(QuotesPage { rows: rows.into_iter().map(|(s, _)| s).collect() })
}

/// One of the organisation's quotes by number; another organisation's is not found.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn quote(
    store: &Store,
    actor: &Actor,
    number: &str,
    rates: &UsdRates,
    now: DateTime<Utc>,
) -> Result<QuoteDetail, AppError> {
    authorize(actor, Action::ViewQuotes, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let q = tx.quote_by_number(actor.org_id, number.trim()).await?.ok_or(AppError::NotFound)?;
    let lines = tx.quote_lines(q.id).await?;
    let recipients = tx.quote_recipients(q.id).await?;
    let acceptance = match super::checkout::quote_checkout(&mut tx, actor, &q, &lines, rates, now).await? {
        Ok(checkout) => QuoteAcceptance::Open(checkout),
        Err(why) => QuoteAcceptance::Refused(why),
    };
    let order_number = match q.order_id {
        Some(id) => tx.order(id).await?.map(|o| o.number),
        None => None,
    };
    let tz = q.time_zone;
    let list = q.subtotal.checked_add(q.discount).map_err(|_| AppError::Internal)?;
    Ok(QuoteDetail {
        summary: summary(&q, now),
        partner_csn: q.partner_csn.clone(),
        customer_name: q.customer_name.clone(),
        customer_address: q.customer_address.clone(),
        lines: lines
            .into_iter()
            .map(|l| QuoteLineView {
                subscription_id: l.subscription_id,
                product_name: l.product_name,
                seats: l.seats,
                term: l.term,
                unit_price: l.unit_price,
                discount: l.discount,
                net: l.amount,
                promotion: l.promotion,
                period_start: l.period_start.map(|s| local_date(s, tz)),
                period_last_day: l.period_end.map(|e| local_date(expiry_instant(e), tz)),
            })
            .collect(),
        list,
        discount: q.discount,
        subtotal: q.subtotal,
        tax: q.tax,
        recipients,
        order_number,
        acceptance,
    })
}
