//! The cart, checkout orders and the orders pages: cart lines per user, orders placed from
//! them, subscriptions held by an order while its charge is under way, and payment methods on
//! file.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::term::Term;

/// Columns of [`OrderRecord`].
const ORDER: &str = "SELECT o.id, o.org_id, o.number, o.status, o.customer_account_id, ca.csn, o.currency, \
     o.subtotal_minor, o.tax_minor, o.total_minor, o.payment_method_id, pm.kind, pm.label, o.po_number, o.created_at, \
     (SELECT COUNT(*) FROM order_lines ol WHERE ol.order_id = o.id) AS line_count, \
     (SELECT py.status FROM payments py WHERE py.order_id = o.id ORDER BY py.id DESC LIMIT 1) AS payment_status, \
     (SELECT py.failure FROM payments py WHERE py.order_id = o.id ORDER BY py.id DESC LIMIT 1) AS payment_failure, \
     (SELECT i.number FROM invoices i WHERE i.order_id = o.id ORDER BY i.id LIMIT 1) AS invoice_number \
     FROM orders o JOIN customer_accounts ca ON ca.id = o.customer_account_id \
     LEFT JOIN payment_methods pm ON pm.id = o.payment_method_id ";

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: OrderId,
    org_id: OrgId,
    number: String,
    status: String,
    customer_account_id: CustomerAccountId,
    csn: String,
    currency: Currency,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    payment_method_id: Option<PaymentMethodId>,
    kind: Option<PaymentKind>,
    label: Option<String>,
    po_number: String,
    created_at: i64,
    line_count: i64,
    payment_status: Option<String>,
    payment_failure: Option<String>,
    invoice_number: Option<String>,
}

impl TryFrom<OrderRow> for OrderRecord {
    type Error = StoreError;

    fn try_from(r: OrderRow) -> StoreResult<OrderRecord> {
        let what = format!("order {}", r.id);
        let bad = |field: &str, v: &str| StoreError::Corrupt(format!("{what}: {field} {v:?}"));
        let money = |minor| Money::from_minor(minor, r.currency);
        Ok(OrderRecord {
            status: OrderStatus::parse(&r.status).ok_or_else(|| bad("status", &r.status))?,
            payment_status: match r.payment_status.as_deref() {
                None => None,
                Some(code) => Some(PaymentStatus::parse(code).ok_or_else(|| bad("payment status", code))?),
            },
            created_at: instant(r.created_at, &what)?,
            subtotal: money(r.subtotal_minor),
            tax: money(r.tax_minor),
            total: money(r.total_minor),
            id: r.id,
            org_id: r.org_id,
            number: r.number,
            customer_account_id: r.customer_account_id,
            csn: r.csn,
            payment_method_id: r.payment_method_id,
            payment_kind: r.kind,
            payment_label: r.label,
            po_number: r.po_number,
            line_count: r.line_count,
            payment_failure: r.payment_failure,
            invoice_number: r.invoice_number,
        })
    }
}

type LineRow = (Option<SubscriptionId>, String, i64, Term, i64, i64, Currency, i64, i64, i64, i64, String);

/// `CASE id WHEN $1 THEN CAST($2 AS ty) ... END`: one value per subscription in one
/// statement. The casts give PostgreSQL the parameters' types (SQLite takes them as they are).
fn push_case<'a, DB, T>(q: &mut QueryBuilder<'a, DB>, values: impl Iterator<Item = (SubscriptionId, T)>, ty: &str)
where
    DB: sqlx::Database,
    T: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB> + Send,
    SubscriptionId: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push("CASE id");
    for (id, value) in values {
        q.push(" WHEN ").push_bind(id).push(" THEN CAST(").push_bind(value).push(format!(" AS {ty})"));
    }
    q.push(" END");
}

impl Tx {
    // ---- the cart ----------------------------------------------------------------------------

    /// The subscriptions in a user's cart, in the order they were added.
    pub async fn cart_ids(&mut self, user: UserId, org: OrgId) -> StoreResult<Vec<SubscriptionId>> {
        let sql = "SELECT subscription_id FROM cart_lines WHERE user_id = $1 AND org_id = $2 \
                   ORDER BY added_at, subscription_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, SubscriptionId>(sql)
            .bind(user)
            .bind(org)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Puts subscriptions in a user's cart; those already there stay as they are.
    pub async fn add_to_cart(
        &mut self,
        user: UserId,
        org: OrgId,
        ids: &[SubscriptionId],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO cart_lines (user_id, org_id, subscription_id, added_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT DO NOTHING";
        on_tx!(self, |c| {
            for id in ids {
                sqlx::query(sql).bind(user).bind(org).bind(*id).bind(secs(now)).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Takes subscriptions out of one user's cart, or (`user` `None`) out of every cart of the
    /// organisation (they were renewed).
    pub async fn remove_from_carts(
        &mut self,
        user: Option<UserId>,
        org: OrgId,
        ids: &[SubscriptionId],
    ) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(on_tx!(self, |c| {
            let mut q = QueryBuilder::new("DELETE FROM cart_lines WHERE org_id = ");
            q.push_bind(org);
            if let Some(user) = user {
                q.push(" AND user_id = ").push_bind(user);
            }
            q.push(" AND subscription_id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *c).await?.rows_affected()
        }))
    }

    // ---- payment methods ---------------------------------------------------------------------

    /// The payment methods on file for a customer account (not removed), oldest first.
    pub async fn payment_methods_of(&mut self, account: CustomerAccountId) -> StoreResult<Vec<PaymentMethodRecord>> {
        let sql = "SELECT id, customer_account_id, kind, label FROM payment_methods \
                   WHERE customer_account_id = $1 AND removed_at IS NULL ORDER BY id";
        let rows =
            on_tx!(self, |c| sqlx::query_as::<_, (PaymentMethodId, CustomerAccountId, PaymentKind, String)>(sql)
                .bind(account)
                .fetch_all(&mut *c)
                .await?);
        Ok(rows
            .into_iter()
            .map(|(id, customer_account_id, kind, label)| PaymentMethodRecord { id, customer_account_id, kind, label })
            .collect())
    }

    /// Whether a customer account already pays a subscription (not canceled) by invoice: an
    /// approved invoice account (R-PAY-3).
    pub async fn pays_by_invoice(&mut self, account: CustomerAccountId) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM subscriptions s JOIN payment_methods pm ON pm.id = s.payment_method_id \
                   WHERE s.customer_account_id = $1 AND pm.kind = $2 AND s.status <> 'canceled'";
        let n = on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(account)
            .bind(PaymentKind::Invoice)
            .fetch_one(&mut *c)
            .await?);
        Ok(n > 0)
    }

    // ---- checkout orders ---------------------------------------------------------------------

    /// Writes a checkout's order and gives it its number (`ORD-` and the id, six digits at
    /// least). A second order with the same checkout key is a unique violation.
    pub async fn insert_checkout_order(&mut self, o: &NewCheckoutOrder<'_>) -> StoreResult<(OrderId, String)> {
        let sql = "INSERT INTO orders (org_id, number, customer_account_id, kind, currency, subtotal_minor, tax_minor, \
                   total_minor, payment_method_id, created_by, created_at, status, checkout_key, po_number, quote_id) \
                   VALUES ($1, $2, $3, $14, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $15) RETURNING id";
        let number_sql = "UPDATE orders SET number = $1 WHERE id = $2";
        let placeholder = format!("checkout:{}", o.checkout_key);
        Ok(on_tx!(self, |c| {
            let id = sqlx::query_scalar::<_, OrderId>(sql)
                .bind(o.org_id)
                .bind(&placeholder)
                .bind(o.customer_account_id)
                .bind(o.total.currency())
                .bind(o.subtotal.minor())
                .bind(o.tax.minor())
                .bind(o.total.minor())
                .bind(o.payment_method_id)
                .bind(o.created_by)
                .bind(secs(o.created_at))
                .bind(o.status.code())
                .bind(o.checkout_key)
                .bind(o.po_number)
                .bind(o.kind.order_kind())
                .bind(o.quote_id)
                .fetch_one(&mut *c)
                .await?;
            let number = format!("ORD-{:06}", id.get());
            sqlx::query(number_sql).bind(&number).bind(id).execute(&mut *c).await?;
            (id, number)
        }))
    }

    /// The order a checkout key placed, if any, in the organisation.
    pub async fn order_by_checkout_key(&mut self, org: OrgId, key: &str) -> StoreResult<Option<OrderRecord>> {
        let sql = format!("{ORDER}WHERE o.org_id = $1 AND o.checkout_key = $2");
        let row =
            on_tx!(self, |c| sqlx::query_as::<_, OrderRow>(&sql).bind(org).bind(key).fetch_optional(&mut *c).await?);
        row.map(OrderRecord::try_from).transpose()
    }

    /// One order by its number, in the organisation (`None` for another organisation's).
    pub async fn order_by_number(&mut self, org: OrgId, number: &str) -> StoreResult<Option<OrderRecord>> {
        let sql = format!("{ORDER}WHERE o.org_id = $1 AND o.number = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, OrderRow>(&sql)
            .bind(org)
            .bind(number)
            .fetch_optional(&mut *c)
            .await?);
        row.map(OrderRecord::try_from).transpose()
    }

    pub async fn order(&mut self, id: OrderId) -> StoreResult<Option<OrderRecord>> {
        let sql = format!("{ORDER}WHERE o.id = $1");
        let row = on_tx!(self, |c| sqlx::query_as::<_, OrderRow>(&sql).bind(id).fetch_optional(&mut *c).await?);
        row.map(OrderRecord::try_from).transpose()
    }

    /// A page of the organisation's placed orders, newest first, and how many there are.
    pub async fn orders_in_org(&mut self, org: OrgId, limit: i64, offset: i64) -> StoreResult<(Vec<OrderRecord>, i64)> {
        let sql = format!(
            "{ORDER}WHERE o.org_id = $1 AND o.status = 'placed' ORDER BY o.created_at DESC, o.id DESC LIMIT $2 OFFSET $3"
        );
        let count = "SELECT COUNT(*) FROM orders WHERE org_id = $1 AND status = 'placed'";
        let (rows, total) = on_tx!(self, |c| {
            let rows =
                sqlx::query_as::<_, OrderRow>(&sql).bind(org).bind(limit).bind(offset).fetch_all(&mut *c).await?;
            let total = sqlx::query_scalar::<_, i64>(count).bind(org).fetch_one(&mut *c).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(OrderRecord::try_from).collect::<StoreResult<_>>()?, total))
    }

    /// An order's lines, in the order they were written.
    pub async fn order_lines(&mut self, order: OrderId) -> StoreResult<Vec<OrderLineRecord>> {
        let sql = "SELECT ol.subscription_id, ol.product_name, ol.seats, ol.term, ol.period_start_at, ol.period_end_at, \
                   o.currency, ol.list_minor, ol.discount_minor, ol.amount_minor, ol.tax_minor, ol.kind \
                   FROM order_lines ol JOIN orders o ON o.id = ol.order_id WHERE ol.order_id = $1 ORDER BY ol.id";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, LineRow>(sql).bind(order).fetch_all(&mut *c).await?);
        let what = format!("order {order}");
        rows.into_iter()
            .map(
                |(
                    subscription_id,
                    product_name,
                    seats,
                    term,
                    start,
                    end,
                    currency,
                    list,
                    discount,
                    amount,
                    tax,
                    kind,
                )| {
                    Ok(OrderLineRecord {
                        kind: LineKind::parse(&kind)
                            .ok_or_else(|| StoreError::Corrupt(format!("{what}: line kind {kind:?}")))?,
                        subscription_id,
                        product_name,
                        seats,
                        term,
                        period_start: instant(start, &what)?,
                        period_end: instant(end, &what)?,
                        list: Money::from_minor(list, currency),
                        discount: Money::from_minor(discount, currency),
                        amount: Money::from_minor(amount, currency),
                        tax: Money::from_minor(tax, currency),
                    })
                },
            )
            .collect()
    }

    /// Holds subscriptions for an order (each with the term end the order was priced on), so
    /// nothing else renews or changes them meanwhile: one statement for the whole order. False
    /// (and the caller rolls back) if any of them moved, is held, unpaid or canceled.
    pub async fn hold_for_order(
        &mut self,
        subs: &[(SubscriptionId, DateTime<Utc>)],
        order: OrderId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if subs.is_empty() {
            return Ok(true);
        }
        let n = on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE subscriptions SET pending_order_id = ");
            q.push_bind(order).push(", updated_at = ").push_bind(secs(now));
            q.push(" WHERE pending_order_id IS NULL AND unpaid_since IS NULL AND status <> 'canceled' AND id IN (");
            let mut list = q.separated(", ");
            for (id, _) in subs {
                list.push_bind(*id);
            }
            q.push(") AND term_end_at = ");
            push_case(&mut q, subs.iter().map(|(id, end)| (*id, secs(*end))), "BIGINT");
            q.build().execute(&mut *c).await?.rows_affected()
        });
        Ok(n == subs.len() as u64)
    }

    /// Adds the seats an order line bought to the subscription's current term and releases it
    /// from the order. False if the order no longer holds it.
    pub async fn add_seats(
        &mut self,
        id: SubscriptionId,
        order: OrderId,
        seats: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET seats = seats + $1, pending_order_id = NULL, updated_at = $2 \
                   WHERE id = $3 AND pending_order_id = $4";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(seats)
            .bind(secs(now))
            .bind(id)
            .bind(order)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Extends the subscription's current term to `end` (co-term alignment) and releases it from
    /// the order. False if the order no longer holds it.
    pub async fn extend_term(
        &mut self,
        id: SubscriptionId,
        order: OrderId,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET term_end_at = $1, pending_order_id = NULL, updated_at = $2 \
                   WHERE id = $3 AND pending_order_id = $4";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(secs(end))
            .bind(secs(now))
            .bind(id)
            .bind(order)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Active subscriptions of a customer number in a currency whose term ends after `after`
    /// and no later than `until`, soonest first: what another subscription may align with.
    pub async fn alignable(
        &mut self,
        account: CustomerAccountId,
        currency: Currency,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<(SubscriptionId, String, i64)>> {
        let sql = "SELECT s.id, p.name, s.term_end_at FROM subscriptions s JOIN products p ON p.id = s.product_id \
                   WHERE s.customer_account_id = $1 AND s.currency = $2 AND s.status = 'active' \
                   AND s.term_end_at > $3 AND s.term_end_at <= $4 ORDER BY s.term_end_at, s.id LIMIT $5";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (SubscriptionId, String, i64)>(sql)
            .bind(account)
            .bind(currency)
            .bind(secs(after))
            .bind(secs(until))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Marks a charging order as placed; false if it was placed or withdrawn already.
    pub async fn mark_order_placed(&mut self, order: OrderId) -> StoreResult<bool> {
        let sql = "UPDATE orders SET status = 'placed' WHERE id = $1 AND status = 'charging'";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(order).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Starts the terms an order's renewal lines bought, in one statement: each subscription
    /// is released by the order, runs to its new end with the seats and term bought, pays with
    /// the order's method, and is Active (a late renewal reactivates, R-LIFE-3). Answers the ids
    /// it renewed: those the order still held.
    pub async fn apply_renewals(
        &mut self,
        order: OrderId,
        lines: &[AppliedRenewal],
        payment_method_id: PaymentMethodId,
        unpaid_since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<SubscriptionId>> {
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let held: Vec<SubscriptionId> = on_tx!(self, |c| sqlx::query_scalar(
            "SELECT id FROM subscriptions WHERE pending_order_id = $1 ORDER BY id"
        )
        .bind(order)
        .fetch_all(&mut *c)
        .await?);
        let lines: Vec<&AppliedRenewal> = lines.iter().filter(|l| held.contains(&l.id)).collect();
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE subscriptions SET term_start_at = ");
            push_case(&mut q, lines.iter().map(|l| (l.id, secs(l.term_start))), "BIGINT");
            q.push(", term_end_at = ");
            push_case(&mut q, lines.iter().map(|l| (l.id, secs(l.term_end))), "BIGINT");
            q.push(", seats = ");
            push_case(&mut q, lines.iter().map(|l| (l.id, l.seats)), "BIGINT");
            q.push(", term = ");
            push_case(&mut q, lines.iter().map(|l| (l.id, l.term.code())), "TEXT");
            q.push(", seats_at_renewal = NULL, term_at_renewal = NULL, unpaid_since = ");
            q.push_bind(unpaid_since.map(secs)).push(", pending_order_id = NULL, payment_method_id = ");
            q.push_bind(payment_method_id).push(", status = 'active', updated_at = ").push_bind(secs(now));
            q.push(" WHERE pending_order_id = ").push_bind(order).push(" AND id IN (");
            let mut list = q.separated(", ");
            for l in &lines {
                list.push_bind(l.id);
            }
            q.push(")");
            q.build().execute(&mut *c).await?;
        });
        Ok(lines.iter().map(|l| l.id).collect())
    }

    /// Withdraws a charging order whose charge was declined: its subscriptions are released,
    /// its lines, instalments and the order itself deleted; the failed payment stays on record
    /// without its order. False if the order is not charging any more.
    pub async fn withdraw_order(&mut self, order: OrderId) -> StoreResult<bool> {
        let statements = [
            // A quote it was accepting is active again (R-QUOTE-7): nothing was bought.
            "UPDATE quotes SET status = 'sent', accepted_at = NULL WHERE id = (SELECT quote_id FROM orders WHERE id = $1)",
            "UPDATE subscriptions SET pending_order_id = NULL WHERE pending_order_id = $1",
            "DELETE FROM scheduled_charges WHERE order_id = $1",
            "UPDATE payments SET order_id = NULL WHERE order_id = $1",
            "DELETE FROM order_lines WHERE order_id = $1",
        ];
        let delete = "DELETE FROM orders WHERE id = $1 AND status = 'charging'";
        Ok(on_tx!(self, |c| {
            let charging: i64 = sqlx::query_scalar(GUARD).bind(order).fetch_one(&mut *c).await?;
            if charging == 0 {
                false
            } else {
                for sql in statements {
                    sqlx::query(sql).bind(order).execute(&mut *c).await?;
                }
                sqlx::query(delete).bind(order).execute(&mut *c).await?.rows_affected() == 1
            }
        }))
    }

    /// Checkout orders still charging since before `before`: their process stopped between
    /// the order and the gateway's answer.
    pub async fn stale_charging_orders(&mut self, before: DateTime<Utc>) -> StoreResult<Vec<OrderId>> {
        let sql = "SELECT id FROM orders WHERE status = 'charging' AND created_at < $1 ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, OrderId>(sql).bind(secs(before)).fetch_all(&mut *c).await?))
    }

    /// Why the organisation's payment with this idempotency key failed, if it did.
    pub async fn checkout_failure(&mut self, org: OrgId, key: &str) -> StoreResult<Option<String>> {
        let sql = "SELECT COALESCE(failure, '') FROM payments WHERE idempotency_key = $1 AND org_id = $2 \
                   AND status = 'failed'";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(key).bind(org).fetch_optional(&mut *c).await?))
    }

    /// The purchase time zone of an order's first subscription: its dates are read there.
    pub async fn order_time_zone(&mut self, order: OrderId) -> StoreResult<Option<chrono_tz::Tz>> {
        let sql = "SELECT s.time_zone FROM order_lines ol JOIN subscriptions s ON s.id = ol.subscription_id \
                   WHERE ol.order_id = $1 ORDER BY ol.id LIMIT 1";
        let zone = on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(order).fetch_optional(&mut *c).await?);
        Ok(zone.and_then(|z| crate::domain::time::parse_tz(&z)))
    }

    /// The checkout order's payment (one per order).
    pub async fn order_payment_id(&mut self, order: OrderId) -> StoreResult<Option<PaymentId>> {
        let sql = "SELECT id FROM payments WHERE order_id = $1 ORDER BY id DESC LIMIT 1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, PaymentId>(sql).bind(order).fetch_optional(&mut *c).await?))
    }
}

/// Whether the order is still charging (the guard of [`Tx::withdraw_order`]).
const GUARD: &str = "SELECT COUNT(*) FROM orders WHERE id = $1 AND status = 'charging'";
