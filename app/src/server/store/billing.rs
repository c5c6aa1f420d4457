//! Orders, invoices, payments, instalments, the simulated gateway's ledger, price lists and
//! promotions.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::pricing::{ListPrice, PriceList, Promotion, Purchase};
use crate::domain::term::Term;

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

fn day(text: &str, what: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt(format!("{what}: date {text:?}")))
}

/// A payment that waits for the gateway's final answer (`PaymentStatus::Pending`, `Unknown`),
/// written as the partial index `payments_open` is, so PostgreSQL uses it in every plan.
const OPEN: &str = "py.status IN ('pending', 'unknown')";

/// Columns of [`OpenPayment`].
const OPEN_PAYMENT: &str = "SELECT py.id, py.org_id, py.subscription_id, py.order_id, py.currency, py.amount_minor, \
     py.idempotency_key, COALESCE(py.due_at, py.created_at) AS due_at, COALESCE(py.kind, pm.kind) AS kind, \
     COALESCE(pm.gateway_token, '') AS gateway_token \
     FROM payments py LEFT JOIN payment_methods pm ON pm.id = py.payment_method_id ";

type OpenPaymentRow =
    (PaymentId, OrgId, Option<SubscriptionId>, Option<OrderId>, Currency, i64, String, i64, PaymentKind, String);

fn open_payment(r: OpenPaymentRow) -> StoreResult<OpenPayment> {
    let (id, org_id, subscription_id, order_id, currency, amount_minor, idempotency_key, due_at, kind, gateway_token) =
        r;
    Ok(OpenPayment {
        id,
        org_id,
        subscription_id,
        order_id,
        amount: Money::from_minor(amount_minor, currency),
        idempotency_key,
        due_at: instant(due_at, &format!("payment {id}"))?,
        kind,
        gateway_token,
    })
}

type ScheduledChargeRow = (
    ScheduledChargeId,
    OrgId,
    SubscriptionId,
    OrderId,
    String,
    Currency,
    i64,
    i64,
    Option<PaymentMethodId>,
    Option<PaymentKind>,
);

type GatewayChargeRow = (String, String, Currency, i64, String, String, i64, i64);

fn gateway_charge(r: GatewayChargeRow) -> StoreResult<GatewayCharge> {
    let (idempotency_key, token, currency, amount_minor, outcome, reference, created_at, settles_at) = r;
    let what = format!("gateway charge {idempotency_key}");
    Ok(GatewayCharge {
        outcome: SimulatedOutcome::parse(&outcome).ok_or_else(|| corrupt(format!("{what}: outcome {outcome:?}")))?,
        amount: Money::from_minor(amount_minor, currency),
        created_at: instant(created_at, &what)?,
        settles_at: instant(settles_at, &what)?,
        idempotency_key,
        token,
        reference,
    })
}

impl Tx {
    pub async fn insert_order(&mut self, o: &NewOrder<'_>) -> StoreResult<OrderId> {
        let sql = "INSERT INTO orders (org_id, number, customer_account_id, kind, currency, subtotal_minor, tax_minor, \
                   total_minor, payment_method_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, OrderId>(sql)
            .bind(o.org_id)
            .bind(o.number)
            .bind(o.customer_account_id)
            .bind(o.kind.code())
            .bind(o.total.currency())
            .bind(o.subtotal.minor())
            .bind(o.tax.minor())
            .bind(o.total.minor())
            .bind(o.payment_method_id)
            .bind(secs(o.created_at))
            .fetch_one(&mut *c)
            .await?))
    }

    pub async fn insert_order_line(&mut self, l: &NewOrderLine) -> StoreResult<()> {
        let sql = "INSERT INTO order_lines (order_id, subscription_id, product_id, seats, term, period_start_at, \
                   period_end_at, amount_minor, list_minor, discount_minor, tax_minor, product_name, kind) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(l.order_id)
            .bind(l.subscription_id)
            .bind(l.product_id)
            .bind(l.seats)
            .bind(l.term)
            .bind(secs(l.period_start))
            .bind(secs(l.period_end))
            .bind(l.amount.minor())
            .bind(l.list.minor())
            .bind(l.discount.minor())
            .bind(l.tax.minor())
            .bind(&l.product_name)
            .bind(l.kind.code())
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The lines of one order, in one statement per 500 lines.
    pub async fn insert_order_lines(&mut self, lines: &[NewOrderLine]) -> StoreResult<()> {
        for chunk in lines.chunks(500) {
            on_tx!(self, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO order_lines (order_id, subscription_id, product_id, seats, term, period_start_at, \
                     period_end_at, amount_minor, list_minor, discount_minor, tax_minor, product_name, kind) ",
                );
                q.push_values(chunk, |mut b, l| {
                    b.push_bind(l.order_id)
                        .push_bind(l.subscription_id)
                        .push_bind(l.product_id)
                        .push_bind(l.seats)
                        .push_bind(l.term)
                        .push_bind(secs(l.period_start))
                        .push_bind(secs(l.period_end))
                        .push_bind(l.amount.minor())
                        .push_bind(l.list.minor())
                        .push_bind(l.discount.minor())
                        .push_bind(l.tax.minor())
                        .push_bind(l.product_name.clone())
                        .push_bind(l.kind.code());
                });
                q.build().execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    pub async fn insert_scheduled_charge(&mut self, s: &NewScheduledCharge) -> StoreResult<()> {
        let sql = "INSERT INTO scheduled_charges (org_id, subscription_id, order_id, due_on, due_at, currency, \
                   amount_minor, tax_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(s.org_id)
            .bind(s.subscription_id)
            .bind(s.order_id)
            .bind(s.due_on.to_string())
            .bind(secs(s.due_at))
            .bind(s.total.currency())
            .bind(s.total.minor())
            .bind(s.tax.minor())
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Writes a payment for the gateway to settle; the idempotency key is unique, so a second
    /// writer of the same payment gets a unique violation.
    pub async fn insert_pending_payment(&mut self, p: &NewPayment, now: DateTime<Utc>) -> StoreResult<PaymentId> {
        let sql = "INSERT INTO payments (org_id, order_id, subscription_id, payment_method_id, currency, amount_minor, \
                   status, idempotency_key, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, PaymentId>(sql)
            .bind(p.org_id)
            .bind(p.order_id)
            .bind(p.subscription_id)
            .bind(p.payment_method_id)
            .bind(p.amount.currency())
            .bind(p.amount.minor())
            .bind(PaymentStatus::Pending.code())
            .bind(&p.idempotency_key)
            .bind(secs(p.due_at))
            .bind(secs(now))
            .fetch_one(&mut *c)
            .await?))
    }

    /// Payments still waiting for a final answer from the gateway.
    pub async fn open_payments(&mut self, limit: i64) -> StoreResult<Vec<OpenPayment>> {
        let sql = format!("{OPEN_PAYMENT}WHERE {OPEN} ORDER BY py.id LIMIT $1");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, OpenPaymentRow>(&sql).bind(limit).fetch_all(&mut *c).await?);
        rows.into_iter().map(open_payment).collect()
    }

    pub async fn open_payment(&mut self, id: PaymentId) -> StoreResult<Option<OpenPayment>> {
        let sql = format!("{OPEN_PAYMENT}WHERE py.id = $1 AND {OPEN}");
        let row = on_tx!(self, |c| sqlx::query_as::<_, OpenPaymentRow>(&sql).bind(id).fetch_optional(&mut *c).await?);
        row.map(open_payment).transpose()
    }

    /// Writes a payment's outcome if it is still open; false if another process already did.
    pub async fn settle_payment(&mut self, id: PaymentId, s: &PaymentSettlement<'_>) -> StoreResult<bool> {
        let sql = "UPDATE payments SET status = $1, gateway_reference = $2, failure = $3, settled_at = $4 \
                   WHERE id = $5 AND status IN ('pending', 'unknown')";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(s.status.code())
            .bind(s.reference)
            .bind(s.failure)
            .bind(s.settled_at.map(secs))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Instalments due at `now` that have not been charged yet (R-PAY-8).
    pub async fn due_scheduled_charges(&mut self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<ScheduledCharge>> {
        let sql = "SELECT sc.id, sc.org_id, sc.subscription_id, sc.order_id, sc.due_on, sc.currency, sc.amount_minor, \
                   sc.tax_minor, s.payment_method_id, pm.kind \
                   FROM scheduled_charges sc JOIN subscriptions s ON s.id = sc.subscription_id \
                   LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id \
                   WHERE sc.payment_id IS NULL AND sc.invoiced_at IS NULL AND sc.due_at <= $1 \
                   ORDER BY sc.due_at, sc.id LIMIT $2";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, ScheduledChargeRow>(sql)
            .bind(secs(now))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(id, org_id, subscription_id, order_id, due_on, currency, amount, tax, payment_method_id, kind)| {
                Ok(ScheduledCharge {
                    due_on: day(&due_on, &format!("instalment {id}"))?,
                    id,
                    org_id,
                    subscription_id,
                    order_id,
                    total: Money::from_minor(amount, currency),
                    tax: Money::from_minor(tax, currency),
                    payment_method_id,
                    payment_kind: kind,
                })
            })
            .collect()
    }

    /// Links an instalment to its payment; false if another process charged it first.
    pub async fn claim_scheduled_charge(&mut self, id: ScheduledChargeId, payment: PaymentId) -> StoreResult<bool> {
        let sql = "UPDATE scheduled_charges SET payment_id = $1 WHERE id = $2 AND payment_id IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(payment).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Marks an instalment as invoiced; false if another process issued its invoice first.
    pub async fn claim_scheduled_invoice(&mut self, id: ScheduledChargeId, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE scheduled_charges SET invoiced_at = $1 WHERE id = $2 AND payment_id IS NULL \
                   AND invoiced_at IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// The simulated gateway's record of a charge.
    pub async fn gateway_charge(&mut self, key: &str) -> StoreResult<Option<GatewayCharge>> {
        let sql = "SELECT idempotency_key, token, currency, amount_minor, outcome, reference, created_at, settles_at \
                   FROM gateway_charges WHERE idempotency_key = $1";
        let row =
            on_tx!(self, |c| sqlx::query_as::<_, GatewayChargeRow>(sql).bind(key).fetch_optional(&mut *c).await?);
        row.map(gateway_charge).transpose()
    }

    /// Records a simulated charge unless one with the same key exists (idempotency); true if
    /// this call recorded it.
    pub async fn insert_gateway_charge(&mut self, g: &GatewayCharge) -> StoreResult<bool> {
        let sql = "INSERT INTO gateway_charges (idempotency_key, token, currency, amount_minor, outcome, reference, \
                   created_at, settles_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(&g.idempotency_key)
            .bind(&g.token)
            .bind(g.amount.currency())
            .bind(g.amount.minor())
            .bind(g.outcome.code())
            .bind(&g.reference)
            .bind(secs(g.created_at))
            .bind(secs(g.settles_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// How many charges the simulated gateway holds for keys starting with `prefix` (tests).
    pub async fn count_gateway_charges(&mut self, prefix: &str) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM gateway_charges WHERE idempotency_key LIKE $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).bind(format!("{prefix}%")).fetch_one(&mut *c).await?))
    }

    /// Every price of every product, as one list (the domain picks the one for a day).
    pub async fn price_list(&mut self) -> StoreResult<PriceList> {
        let sql = "SELECT product_id, term, currency, amount_minor, valid_from FROM prices ORDER BY id";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (ProductId, Term, Currency, i64, i64)>(sql)
            .fetch_all(&mut *c)
            .await?);
        let prices = rows
            .into_iter()
            .map(|(product_id, term, currency, amount, valid_from)| {
                Ok(ListPrice {
                    product_id,
                    term,
                    amount: Money::from_minor(amount, currency),
                    valid_from: instant(valid_from, &format!("price of product {product_id}"))?.date_naive(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(PriceList(prices))
    }

    pub async fn promotions(&mut self) -> StoreResult<Vec<Promotion>> {
        let sql = "SELECT code, name, product_id, term, purchase, percent_off, first_day, last_day FROM promotions \
                   ORDER BY code";
        type PromotionRow = (String, String, Option<ProductId>, Option<Term>, String, String, String, String);
        let rows = on_tx!(self, |c| sqlx::query_as::<_, PromotionRow>(sql).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|(code, name, product_id, term, purchase, percent_off, first_day, last_day)| {
                let what = format!("promotion {code}");
                Ok(Promotion {
                    purchase: Purchase::parse(&purchase)
                        .ok_or_else(|| corrupt(format!("{what}: purchase {purchase:?}")))?,
                    percent_off: percent_off
                        .parse::<Decimal>()
                        .map_err(|_| corrupt(format!("{what}: percentage {percent_off:?}")))?,
                    first_day: day(&first_day, &what)?,
                    last_day: day(&last_day, &what)?,
                    code,
                    name,
                    product_id,
                    term,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_payment_condition_names_the_open_statuses() {
        let open: Vec<_> =
            [PaymentStatus::Pending, PaymentStatus::Unknown, PaymentStatus::Succeeded, PaymentStatus::Failed]
                .into_iter()
                .filter(|s| OPEN.contains(&format!("'{}'", s.code())))
                .collect();
        assert_eq!(open, [PaymentStatus::Pending, PaymentStatus::Unknown]);
    }
}
