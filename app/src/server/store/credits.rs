//! Credit memos (R-INV-1, R-INV-2) and refunds (R-PAY-9): the memos a user sees, the credit a
//! customer number has left per currency, drawing on it to pay invoices (never below zero,
//! whatever runs at once), and what a refund reads and changes on an order and a subscription.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};

/// Columns of [`CreditMemoRecord`]; a listing adds its conditions after `WHERE`.
const MEMO: &str = "SELECT cm.id, cm.number, cm.customer_account_id, ca.csn, cm.currency, cm.amount_minor, \
     cm.remaining_minor, cm.issued_at, cm.issued_on, o.number AS order_number, cm.subscription_id \
     FROM credit_memos cm JOIN customer_accounts ca ON ca.id = cm.customer_account_id \
     LEFT JOIN orders o ON o.id = cm.order_id ";

type MemoRow = (
    CreditMemoId,
    String,
    CustomerAccountId,
    String,
    Currency,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<SubscriptionId>,
);

fn memo(r: MemoRow) -> StoreResult<CreditMemoRecord> {
    let (id, number, customer_account_id, csn, currency, amount, remaining, issued_at, issued_on, order, sub) = r;
    let what = format!("credit memo {id}");
    Ok(CreditMemoRecord {
        id,
        number,
        customer_account_id,
        csn,
        amount: Money::from_minor(amount, currency),
        remaining: Money::from_minor(remaining, currency),
        issued_at: instant(issued_at, &what)?,
        issued_on: NaiveDate::parse_from_str(&issued_on, "%Y-%m-%d")
            .map_err(|_| StoreError::Corrupt(format!("{what}: day {issued_on:?}")))?,
        order_number: order,
        subscription_id: sub,
    })
}

/// `AND` the memo is of a customer number on which `payer` is named on an invoice: a payer sees
/// the credit of the customers they pay for (R-ROLE-6).
fn push_payer<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, payer: Option<&'a str>)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(p) = payer {
        q.push(
            " AND EXISTS (SELECT 1 FROM invoices i JOIN invoice_payers ip ON ip.invoice_id = i.id \
             WHERE i.customer_account_id = cm.customer_account_id AND ip.email = ",
        );
        q.push_bind(p.to_lowercase()).push(")");
    }
}

impl Tx {
    /// The organisation's credit memos the user sees, newest first, at most `limit`.
    pub async fn credit_memos_in_org(
        &mut self,
        org: OrgId,
        payer: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<CreditMemoRecord>> {
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(MEMO);
            q.push("WHERE cm.org_id = ").push_bind(org);
            push_payer(&mut q, payer);
            q.push(" ORDER BY cm.issued_at DESC, cm.id DESC LIMIT ").push_bind(limit);
            q.build_query_as::<MemoRow>().fetch_all(&mut *c).await?
        });
        rows.into_iter().map(memo).collect()
    }

    /// The credit left per customer number and currency on the memos the user sees (only
    /// where some is left).
    pub async fn credit_balances(&mut self, org: OrgId, payer: Option<&str>) -> StoreResult<Vec<(String, Money)>> {
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(
                "SELECT ca.csn, cm.currency, CAST(SUM(cm.remaining_minor) AS BIGINT) FROM credit_memos cm \
                 JOIN customer_accounts ca ON ca.id = cm.customer_account_id WHERE cm.remaining_minor > 0 \
                 AND cm.org_id = ",
            );
            q.push_bind(org);
            push_payer(&mut q, payer);
            q.push(" GROUP BY ca.csn, cm.currency ORDER BY ca.csn, cm.currency");
            q.build_query_as::<(String, Currency, i64)>().fetch_all(&mut *c).await?
        });
        Ok(rows.into_iter().map(|(csn, cur, left)| (csn, Money::from_minor(left, cur))).collect())
    }

    /// The memos of a customer number in a currency with credit left, oldest first: what a
    /// payment with credit draws on, in that order.
    pub async fn credit_left(
        &mut self,
        account: CustomerAccountId,
        currency: Currency,
    ) -> StoreResult<Vec<CreditMemoRecord>> {
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(MEMO);
            q.push("WHERE cm.customer_account_id = ").push_bind(account);
            q.push(" AND cm.currency = ").push_bind(currency);
            q.push(" AND cm.remaining_minor > 0 ORDER BY cm.issued_at, cm.id");
            q.build_query_as::<MemoRow>().fetch_all(&mut *c).await?
        });
        rows.into_iter().map(memo).collect()
    }

    /// Takes `amount` off what a memo has left and records that `payment` used it; false (and
    /// nothing taken) if the memo no longer has that much (another payment drew on it first).
    pub async fn draw_credit(&mut self, memo: CreditMemoId, payment: PaymentId, amount: Money) -> StoreResult<bool> {
        let draw = "UPDATE credit_memos SET remaining_minor = remaining_minor - $1 \
                    WHERE id = $2 AND currency = $3 AND remaining_minor >= $1";
        let used = "INSERT INTO credit_memo_uses (payment_id, credit_memo_id, amount_minor) VALUES ($1, $2, $3)";
        Ok(on_tx!(self, |c| {
            let n = sqlx::query(draw)
                .bind(amount.minor())
                .bind(memo)
                .bind(amount.currency())
                .execute(&mut *c)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query(used).bind(payment).bind(memo).bind(amount.minor()).execute(&mut *c).await?;
            }
            n == 1
        }))
    }

    /// The numbers of the memos a payment drew on, in order.
    pub async fn credit_memos_of_payment(&mut self, payment: PaymentId) -> StoreResult<Vec<String>> {
        let sql = "SELECT cm.number FROM credit_memo_uses u JOIN credit_memos cm ON cm.id = u.credit_memo_id \
                   WHERE u.payment_id = $1 ORDER BY cm.issued_at, cm.id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(payment).fetch_all(&mut *c).await?))
    }

    /// Writes a refund's credit memo; a second one for the same order and subscription is a
    /// unique violation.
    pub async fn insert_credit_memo(&mut self, m: &NewCreditMemo<'_>) -> StoreResult<CreditMemoId> {
        let sql = "INSERT INTO credit_memos (org_id, number, customer_account_id, currency, amount_minor, \
                   remaining_minor, issued_at, issued_on, order_id, subscription_id, reason, created_by) \
                   VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, 'refund', $10) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, CreditMemoId>(sql)
            .bind(m.org_id)
            .bind(m.number)
            .bind(m.customer_account_id)
            .bind(m.amount.currency())
            .bind(m.amount.minor())
            .bind(secs(m.issued_at))
            .bind(m.issued_on.to_string())
            .bind(m.order_id)
            .bind(m.subscription_id)
            .bind(m.created_by)
            .fetch_one(&mut *c)
            .await?))
    }

    /// The credit memos refunds of an order's lines made, per subscription.
    pub async fn refunds_of_order(&mut self, order: OrderId) -> StoreResult<Vec<(SubscriptionId, String)>> {
        let sql = "SELECT subscription_id, number FROM credit_memos WHERE order_id = $1 \
                   AND subscription_id IS NOT NULL ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (SubscriptionId, String)>(sql).bind(order).fetch_all(&mut *c).await?))
    }

    /// What an order has received (its own payments that succeeded, and what was paid on its
    /// invoices that are not voided), whether any payment of it is on its way, and an invoice
    /// of it still open.
    pub async fn order_paid(&mut self, order: OrderId) -> StoreResult<OrderPaid> {
        let paid = "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payments WHERE order_id = $1 \
                    AND status = 'succeeded' AND NOT EXISTS \
                    (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = payments.id)";
        let invoiced = "SELECT CAST(COALESCE(SUM(paid_minor), 0) AS BIGINT) FROM invoices \
                        WHERE order_id = $1 AND status <> 'void'";
        let pending = "SELECT (SELECT COUNT(*) FROM payments WHERE order_id = $1 AND status IN ('pending', 'unknown')) \
                       + (SELECT COUNT(*) FROM invoices WHERE order_id = $1 AND status = 'pending')";
        let open = "SELECT number FROM invoices WHERE order_id = $1 AND status = 'open' ORDER BY due_at, id LIMIT 1";
        Ok(on_tx!(self, |c| {
            let a: i64 = sqlx::query_scalar(paid).bind(order).fetch_one(&mut *c).await?;
            let b: i64 = sqlx::query_scalar(invoiced).bind(order).fetch_one(&mut *c).await?;
            let p: i64 = sqlx::query_scalar(pending).bind(order).fetch_one(&mut *c).await?;
            let o: Option<String> = sqlx::query_scalar(open).bind(order).fetch_optional(&mut *c).await?;
            OrderPaid { paid_minor: a + b, pending: p > 0, unpaid_invoice: o }
        }))
    }

    /// Per subscription of the order, the newest later order that changed it and is not
    /// refunded: that one would have to be refunded first.
    pub async fn later_orders(&mut self, order: OrderId) -> StoreResult<Vec<(SubscriptionId, String)>> {
        let sql = "SELECT mine.subscription_id, o.number FROM order_lines mine \
                   JOIN order_lines ol ON ol.subscription_id = mine.subscription_id \
                   JOIN orders o ON o.id = ol.order_id \
                   WHERE mine.order_id = $1 AND o.id > $1 AND o.status = 'placed' AND NOT EXISTS \
                   (SELECT 1 FROM credit_memos cm WHERE cm.order_id = o.id AND cm.subscription_id = ol.subscription_id) \
                   ORDER BY mine.subscription_id, o.id DESC";
        let rows =
            on_tx!(self, |c| sqlx::query_as::<_, (SubscriptionId, String)>(sql).bind(order).fetch_all(&mut *c).await?);
        let mut out: Vec<(SubscriptionId, String)> = Vec::new();
        for (sub, number) in rows {
            if out.last().is_none_or(|(s, _)| *s != sub) {
                out.push((sub, number));
            }
        }
        Ok(out)
    }

    /// A refunded renewal (R-PAY-9): the term ends at `end`, where the renewal began, and the
    /// subscription is canceled, with auto-renew off and nothing owed or changed for a next term.
    pub async fn cancel_for_refund(
        &mut self,
        id: SubscriptionId,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET term_end_at = $1, status = 'canceled', auto_renew = $2, \
                   seats_at_renewal = NULL, term_at_renewal = NULL, unpaid_since = NULL, updated_at = $3 WHERE id = $4";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(secs(end)).bind(false).bind(secs(now)).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// A refunded extension: the term ends where it ended before.
    pub async fn shorten_for_refund(
        &mut self,
        id: SubscriptionId,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET term_end_at = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(secs(end)).bind(secs(now)).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Refunded seats are taken off; false if that would leave none.
    pub async fn remove_seats_for_refund(
        &mut self,
        id: SubscriptionId,
        seats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET seats = seats - $1, updated_at = $2 WHERE id = $3 AND seats > $1";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(seats)
            .bind(secs(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// The instalments of an order still to be charged or invoiced for a subscription are
    /// dropped (its refunded term will not be billed again, R-PAY-8). Returns how many.
    pub async fn drop_instalments(&mut self, order: OrderId, id: SubscriptionId) -> StoreResult<u64> {
        let sql = "DELETE FROM scheduled_charges WHERE order_id = $1 AND subscription_id = $2 \
                   AND payment_id IS NULL AND invoiced_at IS NULL";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(order).bind(id).execute(&mut *c).await?.rows_affected()))
    }
}
