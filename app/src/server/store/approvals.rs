//! Approvals: the organisation's threshold, and orders held for another buyer's approval.

use chrono::{DateTime, Utc};

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::approval::{ApprovalKind, ApprovalStatus};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::term::Term;

/// Columns of [`ApprovalRecord`]. The request's time zone is its first subscription's.
const APPROVAL: &str = "SELECT a.id, a.org_id, a.number, a.kind, a.checkout_key, a.form, ca.csn, ca.company_name, \
     a.currency, a.subtotal_minor, a.tax_minor, a.total_minor, a.threshold_currency, a.threshold_minor, \
     pm.kind AS payment_kind, pm.label AS payment_label, a.po_number, q.number AS quote_number, \
     a.requested_by, ru.display_name AS requester_name, a.requested_at, a.status, \
     du.display_name AS decider_name, a.decided_at, a.note, \
     (SELECT o.number FROM orders o WHERE o.org_id = a.org_id AND o.checkout_key = a.checkout_key) AS order_number, \
     COALESCE((SELECT s.time_zone FROM approval_lines al JOIN subscriptions s ON s.id = al.subscription_id \
               WHERE al.request_id = a.id ORDER BY al.position LIMIT 1), 'UTC') AS time_zone \
     FROM approval_requests a \
     JOIN customer_accounts ca ON ca.id = a.customer_account_id \
     JOIN payment_methods pm ON pm.id = a.payment_method_id \
     JOIN users ru ON ru.id = a.requested_by \
     LEFT JOIN users du ON du.id = a.decided_by \
     LEFT JOIN quotes q ON q.id = a.quote_id ";

#[derive(sqlx::FromRow)]
struct ApprovalRow {
    id: ApprovalId,
    org_id: OrgId,
    number: String,
    kind: ApprovalKind,
    checkout_key: String,
    form: String,
    csn: String,
    company_name: String,
    currency: Currency,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    threshold_currency: Currency,
    threshold_minor: i64,
    payment_kind: PaymentKind,
    payment_label: String,
    po_number: String,
    quote_number: Option<String>,
    requested_by: UserId,
    requester_name: String,
    requested_at: i64,
    status: ApprovalStatus,
    decider_name: Option<String>,
    decided_at: Option<i64>,
    note: String,
    order_number: Option<String>,
    time_zone: String,
}

impl TryFrom<ApprovalRow> for ApprovalRecord {
    type Error = StoreError;

    fn try_from(r: ApprovalRow) -> StoreResult<ApprovalRecord> {
        let what = format!("approval request {}", r.id);
        let money = |minor| Money::from_minor(minor, r.currency);
        Ok(ApprovalRecord {
            time_zone: crate::domain::time::parse_tz(&r.time_zone)
                .ok_or_else(|| StoreError::Corrupt(format!("{what}: time zone {:?}", r.time_zone)))?,
            subtotal: money(r.subtotal_minor),
            tax: money(r.tax_minor),
            total: money(r.total_minor),
            threshold: Money::from_minor(r.threshold_minor, r.threshold_currency),
            requested_at: instant(r.requested_at, &what)?,
            decided_at: r.decided_at.map(|t| instant(t, &what)).transpose()?,
            id: r.id,
            org_id: r.org_id,
            number: r.number,
            kind: r.kind,
            checkout_key: r.checkout_key,
            form: r.form,
            csn: r.csn,
            company_name: r.company_name,
            payment_kind: r.payment_kind,
            payment_label: r.payment_label,
            po_number: r.po_number,
            quote_number: r.quote_number,
            requested_by: r.requested_by,
            requester_name: r.requester_name,
            status: r.status,
            decider_name: r.decider_name,
            note: r.note,
            order_number: r.order_number,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ApprovalLineRow {
    subscription_id: SubscriptionId,
    product_name: String,
    seats: i64,
    term: Term,
    period_start: i64,
    period_end: i64,
    amount_minor: i64,
    currency: Currency,
}

impl Tx {
    /// The organisation's approval threshold, if it set one.
    pub async fn approval_threshold(&mut self, org: OrgId) -> StoreResult<Option<ThresholdRecord>> {
        let sql = "SELECT t.currency, t.amount_minor, u.display_name, t.set_at FROM approval_thresholds t \
                   JOIN users u ON u.id = t.set_by WHERE t.org_id = $1";
        let row = on_tx!(self, |c| sqlx::query_as::<_, (Currency, i64, String, i64)>(sql)
            .bind(org)
            .fetch_optional(&mut *c)
            .await?);
        row.map(|(currency, minor, set_by_name, at)| {
            Ok(ThresholdRecord {
                amount: Money::from_minor(minor, currency),
                set_by_name,
                set_at: instant(at, &format!("approval threshold of organisation {org}"))?,
            })
        })
        .transpose()
    }

    /// Sets (or replaces) the organisation's approval threshold.
    pub async fn set_approval_threshold(
        &mut self,
        org: OrgId,
        amount: Money,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO approval_thresholds (org_id, currency, amount_minor, set_by, set_at) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE SET currency = excluded.currency, \
                   amount_minor = excluded.amount_minor, set_by = excluded.set_by, set_at = excluded.set_at";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(org)
            .bind(amount.currency())
            .bind(amount.minor())
            .bind(by)
            .bind(secs(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Removes the organisation's approval threshold; false if it had none.
    pub async fn remove_approval_threshold(&mut self, org: OrgId) -> StoreResult<bool> {
        let sql = "DELETE FROM approval_thresholds WHERE org_id = $1";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(org).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Writes a pending request and gives it its number (`APR-` and the id, six digits at
    /// least). A second request with the same checkout key is a unique violation.
    pub async fn insert_approval(&mut self, a: &NewApproval<'_>) -> StoreResult<(ApprovalId, String)> {
        let sql = "INSERT INTO approval_requests (org_id, number, kind, checkout_key, form, customer_account_id, \
                   currency, subtotal_minor, tax_minor, total_minor, threshold_currency, threshold_minor, \
                   payment_method_id, po_number, quote_id, requested_by, requested_at, status) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'pending') \
                   RETURNING id";
        let number_sql = "UPDATE approval_requests SET number = $1 WHERE id = $2";
        // Unique until the number replaces it in the same transaction.
        let placeholder = format!("new:{}:{}", a.requested_at.timestamp_micros(), uuid::Uuid::new_v4());
        Ok(on_tx!(self, |c| {
            let id = sqlx::query_scalar::<_, ApprovalId>(sql)
                .bind(a.org_id)
                .bind(&placeholder)
                .bind(a.kind)
                .bind(a.checkout_key)
                .bind(a.form)
                .bind(a.customer_account_id)
                .bind(a.total.currency())
                .bind(a.subtotal.minor())
                .bind(a.tax.minor())
                .bind(a.total.minor())
                .bind(a.threshold.currency())
                .bind(a.threshold.minor())
                .bind(a.payment_method_id)
                .bind(a.po_number)
                .bind(a.quote_id)
                .bind(a.requested_by)
                .bind(secs(a.requested_at))
                .fetch_one(&mut *c)
                .await?;
            let number = format!("APR-{:06}", id.get());
            sqlx::query(number_sql).bind(&number).bind(id).execute(&mut *c).await?;
            (id, number)
        }))
    }

    /// Writes a request's lines, in order (one statement).
    pub async fn insert_approval_lines(&mut self, request: ApprovalId, lines: &[NewApprovalLine]) -> StoreResult<()> {
        // 9 values per row; chunks keep far below SQLite's limit on bound variables.
        for (n, chunk) in lines.chunks(100).enumerate() {
            on_tx!(self, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO approval_lines (request_id, position, subscription_id, product_name, seats, term, \
                     period_start, period_end, amount_minor) ",
                );
                q.push_values(chunk.iter().enumerate(), |mut b, (i, l)| {
                    b.push_bind(request)
                        .push_bind((n * 100 + i) as i64)
                        .push_bind(l.subscription_id)
                        .push_bind(l.product_name.clone())
                        .push_bind(l.seats)
                        .push_bind(l.term)
                        .push_bind(secs(l.period_start))
                        .push_bind(secs(l.period_end))
                        .push_bind(l.amount.minor());
                });
                q.build().execute(&mut *c).await?.rows_affected()
            });
        }
        Ok(())
    }

    /// The request a checkout key made in the organisation, if any.
    pub async fn approval_by_key(&mut self, org: OrgId, key: &str) -> StoreResult<Option<ApprovalRecord>> {
        let sql = format!("{APPROVAL}WHERE a.org_id = $1 AND a.checkout_key = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, ApprovalRow>(&sql)
            .bind(org)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?);
        row.map(ApprovalRecord::try_from).transpose()
    }

    /// One of the organisation's requests by its number; another organisation's is not found.
    pub async fn approval_by_number(&mut self, org: OrgId, number: &str) -> StoreResult<Option<ApprovalRecord>> {
        let sql = format!("{APPROVAL}WHERE a.org_id = $1 AND a.number = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, ApprovalRow>(&sql)
            .bind(org)
            .bind(number)
            .fetch_optional(&mut *c)
            .await?);
        row.map(ApprovalRecord::try_from).transpose()
    }

    /// The organisation's requests: the pending ones first, then the newest, at most `limit`.
    pub async fn approvals_in_org(&mut self, org: OrgId, limit: i64) -> StoreResult<Vec<ApprovalRecord>> {
        let sql = format!(
            "{APPROVAL}WHERE a.org_id = $1 \
             ORDER BY CASE WHEN a.status = 'pending' THEN 0 ELSE 1 END, a.requested_at DESC, a.id DESC LIMIT $2"
        );
        let rows =
            on_tx!(self, |c| sqlx::query_as::<_, ApprovalRow>(&sql).bind(org).bind(limit).fetch_all(&mut *c).await?);
        rows.into_iter().map(ApprovalRecord::try_from).collect()
    }

    /// A request's lines, in order.
    pub async fn approval_lines(&mut self, request: ApprovalId) -> StoreResult<Vec<ApprovalLineRecord>> {
        let sql = "SELECT al.subscription_id, al.product_name, al.seats, al.term, al.period_start, al.period_end, \
                   al.amount_minor, a.currency FROM approval_lines al JOIN approval_requests a ON a.id = al.request_id \
                   WHERE al.request_id = $1 ORDER BY al.position";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, ApprovalLineRow>(sql).bind(request).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|r| {
                let what = format!("approval request {request} line");
                Ok(ApprovalLineRecord {
                    period_start: instant(r.period_start, &what)?,
                    period_end: instant(r.period_end, &what)?,
                    amount: Money::from_minor(r.amount_minor, r.currency),
                    subscription_id: r.subscription_id,
                    product_name: r.product_name,
                    seats: r.seats,
                    term: r.term,
                })
            })
            .collect()
    }

    /// Decides a pending request: false if it was decided meanwhile (the caller rolls back or
    /// answers with what happened instead).
    pub async fn decide_approval(
        &mut self,
        request: ApprovalId,
        status: ApprovalStatus,
        by: UserId,
        note: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE approval_requests SET status = $1, decided_by = $2, decided_at = $3, note = $4 \
                   WHERE id = $5 AND status = 'pending'";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(status)
            .bind(by)
            .bind(secs(now))
            .bind(note)
            .bind(request)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }
}
