//! What the Billing and orders overview reads (R-EXT-7): what was bought in a period and how
//! much of it is paid, and the invoices falling due.

use chrono::{DateTime, Utc};

use super::records::{DueInvoice, SpendingRecord};
use super::{StoreError, StoreResult, Tx, on_tx, secs};
use crate::domain::ids::OrgId;
use crate::domain::money::{Currency, Money};
use crate::domain::time::parse_tz;

/// Orders placed since `$2` and invoices issued since then that belong to no order (instalments):
/// when, what they came to, what is paid of it, and whether a payment of it failed.
const SPENDING: &str = "SELECT o.created_at, o.currency, o.total_minor, \
     CAST(COALESCE((SELECT SUM(i.paid_minor) FROM invoices i WHERE i.order_id = o.id AND i.status <> 'void'), 0) \
        + COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.order_id = o.id AND p.invoice_id IS NULL \
             AND p.status = 'succeeded' \
             AND NOT EXISTS (SELECT 1 FROM payment_allocations a WHERE a.payment_id = p.id)), 0) AS BIGINT), \
     (SELECT COUNT(*) FROM payments p WHERE p.status = 'failed' AND (p.order_id = o.id \
        OR p.invoice_id IN (SELECT i.id FROM invoices i WHERE i.order_id = o.id) \
        OR p.id IN (SELECT a.payment_id FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id \
                    WHERE i.order_id = o.id))) \
     FROM orders o WHERE o.org_id = $1 AND o.status = 'placed' AND o.created_at >= $2 \
     UNION ALL \
     SELECT i.issued_at, i.currency, i.total_minor, i.paid_minor, \
     (SELECT COUNT(*) FROM payments p WHERE p.status = 'failed' AND (p.invoice_id = i.id \
        OR p.id IN (SELECT a.payment_id FROM payment_allocations a WHERE a.invoice_id = i.id))) \
     FROM invoices i WHERE i.org_id = $1 AND i.order_id IS NULL AND i.status <> 'void' AND i.issued_at >= $2";

impl Tx {
    /// What the organisation bought since `since` (R-EXT-7), oldest first.
    pub async fn spending_since(&mut self, org: OrgId, since: DateTime<Utc>) -> StoreResult<Vec<SpendingRecord>> {
        let sql = format!("SELECT * FROM ({SPENDING}) spent ORDER BY 1");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (i64, Currency, i64, i64, i64)>(&sql)
            .bind(org)
            .bind(secs(since))
            .fetch_all(&mut *c)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(at, currency, total, paid, failed)| SpendingRecord {
                at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
                total: Money::from_minor(total, currency),
                paid: Money::from_minor(paid.clamp(0, total.max(0)), currency),
                failed: failed > 0,
            })
            .collect())
    }

    /// Open and pending invoices due by `until` (overdue ones too), soonest first, at most `limit`.
    pub async fn invoices_due_by(
        &mut self,
        org: OrgId,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<DueInvoice>> {
        let sql = "SELECT i.number, i.due_at, i.currency, i.total_minor - i.paid_minor, \
                   COALESCE((SELECT s.time_zone FROM invoice_lines il JOIN subscriptions s ON s.id = il.subscription_id \
                             WHERE il.invoice_id = i.id ORDER BY il.id LIMIT 1), 'UTC') FROM invoices i \
                   WHERE i.org_id = $1 AND i.status IN ('open', 'pending') AND i.due_at <= $2 \
                   ORDER BY i.due_at, i.id LIMIT $3";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, i64, Currency, i64, String)>(sql)
            .bind(org)
            .bind(secs(until))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(number, due_at, currency, open, tz)| {
                Ok(DueInvoice {
                    number,
                    due_at: DateTime::from_timestamp(due_at, 0).unwrap_or_default(),
                    open: Money::from_minor(open, currency),
                    time_zone: parse_tz(&tz).ok_or_else(|| StoreError::Corrupt(format!("time zone {tz:?}")))?,
                })
            })
            .collect()
    }
}
