//! Quotes: an organisation's quotes, one by number, its lines and its recipients. Drafts are
//! never shown: a quote is the organisation's once it was sent.

use chrono::{DateTime, Utc};

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};
use crate::domain::quote::{QuoteOrigin, QuoteStatus};
use crate::domain::term::Term;

/// Columns of [`QuoteRecord`].
const QUOTE: &str = "SELECT q.id, q.org_id, q.number, q.kind, q.origin, q.status, ca.csn, q.currency, \
     q.subtotal_minor, q.discount_minor, q.tax_minor, q.total_minor, q.partner_csn, q.partner_name, \
     q.customer_name, q.customer_address, q.expires_at, q.created_at, \
     COALESCE(q.order_id, (SELECT o.id FROM orders o WHERE o.quote_id = q.id ORDER BY o.id LIMIT 1)) AS order_id, \
     COALESCE((SELECT s.time_zone FROM quote_lines ql JOIN subscriptions s ON s.id = ql.subscription_id \
               WHERE ql.quote_id = q.id ORDER BY ql.id LIMIT 1), \
              (SELECT s.time_zone FROM subscriptions s WHERE s.customer_account_id = q.customer_account_id \
               ORDER BY s.id LIMIT 1), 'UTC') AS time_zone \
     FROM quotes q JOIN customer_accounts ca ON ca.id = q.customer_account_id \
     WHERE q.status <> 'draft' ";

#[derive(sqlx::FromRow)]
struct QuoteRow {
    id: QuoteId,
    org_id: OrgId,
    number: String,
    kind: String,
    origin: QuoteOrigin,
    status: QuoteStatus,
    csn: String,
    currency: Currency,
    subtotal_minor: i64,
    discount_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    partner_csn: Option<String>,
    partner_name: Option<String>,
    customer_name: String,
    customer_address: String,
    expires_at: i64,
    created_at: i64,
    order_id: Option<OrderId>,
    time_zone: String,
}

impl TryFrom<QuoteRow> for QuoteRecord {
    type Error = StoreError;

    fn try_from(r: QuoteRow) -> StoreResult<QuoteRecord> {
        let what = format!("quote {}", r.id);
        let bad = |field: &str, v: &str| StoreError::Corrupt(format!("{what}: {field} {v:?}"));
        let money = |minor| Money::from_minor(minor, r.currency);
        Ok(QuoteRecord {
            time_zone: crate::domain::time::parse_tz(&r.time_zone).ok_or_else(|| bad("time zone", &r.time_zone))?,
            subtotal: money(r.subtotal_minor),
            discount: money(r.discount_minor),
            tax: money(r.tax_minor),
            total: money(r.total_minor),
            expires_at: instant(r.expires_at, &what)?,
            created_at: instant(r.created_at, &what)?,
            id: r.id,
            origin: r.origin,
            status: r.status,
            org_id: r.org_id,
            number: r.number,
            kind: r.kind,
            csn: r.csn,
            currency: r.currency,
            partner_csn: r.partner_csn,
            partner_name: r.partner_name,
            customer_name: r.customer_name,
            customer_address: r.customer_address,
            order_id: r.order_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct QuoteLineRow {
    subscription_id: Option<SubscriptionId>,
    product_name: String,
    seats: i64,
    term: Term,
    currency: Currency,
    unit_price_minor: i64,
    discount_minor: i64,
    amount_minor: i64,
    promotion: Option<String>,
    period_start: Option<i64>,
    period_end: Option<i64>,
}

impl Tx {
    /// The organisation's quotes (sent or later), in no particular order: the page orders them.
    pub async fn quotes_in_org(&mut self, org: OrgId) -> StoreResult<Vec<QuoteRecord>> {
        let sql = format!("{QUOTE}AND q.org_id = $1");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql).bind(org).fetch_all(&mut *c).await?);
        rows.into_iter().map(QuoteRecord::try_from).collect()
    }

    /// One of the organisation's quotes by its number; another organisation's is not found.
    pub async fn quote_by_number(&mut self, org: OrgId, number: &str) -> StoreResult<Option<QuoteRecord>> {
        let sql = format!("{QUOTE}AND q.org_id = $1 AND q.number = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql)
            .bind(org)
            .bind(number)
            .fetch_optional(&mut *c)
            .await?);
        row.map(QuoteRecord::try_from).transpose()
    }

    /// A quote's lines, in the order they were written.
    pub async fn quote_lines(&mut self, quote: QuoteId) -> StoreResult<Vec<QuoteLineRecord>> {
        let sql = "SELECT ql.subscription_id, p.name AS product_name, ql.seats, ql.term, q.currency, \
                   ql.unit_price_minor, ql.discount_minor, ql.amount_minor, ql.promotion, ql.period_start, ql.period_end \
                   FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id JOIN products p ON p.id = ql.product_id \
                   WHERE ql.quote_id = $1 ORDER BY ql.id";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, QuoteLineRow>(sql).bind(quote).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|r| {
                let what = format!("quote {quote} line");
                let money = |minor| Money::from_minor(minor, r.currency);
                Ok(QuoteLineRecord {
                    unit_price: money(r.unit_price_minor),
                    discount: money(r.discount_minor),
                    amount: money(r.amount_minor),
                    period_start: r.period_start.map(|s| instant(s, &what)).transpose()?,
                    period_end: r.period_end.map(|s| instant(s, &what)).transpose()?,
                    subscription_id: r.subscription_id,
                    product_name: r.product_name,
                    seats: r.seats,
                    term: r.term,
                    promotion: r.promotion,
                })
            })
            .collect()
    }

    /// Marks a sent quote accepted, in the transaction that writes its order. False if it was
    /// accepted (or replaced, or had expired) meanwhile: the caller rolls back.
    pub async fn accept_quote(&mut self, quote: QuoteId, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE quotes SET status = 'accepted', accepted_at = $1 \
                   WHERE id = $2 AND status = 'sent' AND expires_at > $1";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(quote).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Who a quote was sent to, alphabetically.
    pub async fn quote_recipients(&mut self, quote: QuoteId) -> StoreResult<Vec<String>> {
        let sql = "SELECT email FROM quote_recipients WHERE quote_id = $1 ORDER BY email";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(quote).fetch_all(&mut *c).await?))
    }
}
