//! Queries of the domain engine's jobs: renewals, payments, reminders, instalments, settings.

use super::queries::{Args, bind_all};
use super::rows::*;
use super::{StoreResult, Tx, Value as Arg, on_tx, val};

const ENGINE_COLUMNS: &str = "SELECT s.id, s.org_id, s.customer_account_id, s.product_id, p.name AS product_name, s.seats, \
     s.seats_at_renewal, s.term, s.term_at_renewal, s.currency, s.status, s.auto_renew, s.term_start_at, s.term_end_at, \
     s.time_zone, s.unpaid_since, s.payment_method_id, pm.kind AS payment_kind, pm.gateway_token, ca.country, ca.region, \
     ca.tax_exempt \
     FROM subscriptions s \
     JOIN products p ON p.id = s.product_id \
     JOIN customer_accounts ca ON ca.id = s.customer_account_id \
     LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL";

impl Tx {
    /// Subscriptions whose automatic renewal is due at `now` (R-REN-3): auto-renew on, Active,
    /// nothing owed, renewal instant reached. At most `limit`, oldest first.
    pub async fn renewals_due(&mut self, now: i64, limit: i64) -> StoreResult<Vec<EngineRow>> {
        let sql = format!(
            "{ENGINE_COLUMNS} WHERE s.auto_renew = $1 AND s.status = 'active' AND s.unpaid_since IS NULL AND s.term_end_at <= $2 \
             ORDER BY s.term_end_at, s.id LIMIT $3"
        );
        Ok(on_tx!(self, |c| sqlx::query_as::<_, EngineRow>(&sql)
            .bind(true)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Active subscriptions ending in `[from, until)`: candidates for reminders (R-EXT-8).
    pub async fn ending_between(&mut self, from: i64, until: i64) -> StoreResult<Vec<EngineRow>> {
        let sql = format!(
            "{ENGINE_COLUMNS} WHERE s.status = 'active' AND s.term_end_at >= $1 AND s.term_end_at < $2 ORDER BY s.id"
        );
        Ok(on_tx!(self, |c| sqlx::query_as::<_, EngineRow>(&sql).bind(from).bind(until).fetch_all(&mut *c).await?))
    }

    /// Subscriptions whose lifecycle process has started (R-LIFE-1): ended without renewal, or
    /// an unpaid renewal is late.
    pub async fn lifecycle_started(&mut self, now: i64) -> StoreResult<Vec<EngineRow>> {
        let sql = format!(
            "{ENGINE_COLUMNS} WHERE s.status <> 'canceled' AND ((s.term_end_at <= $1 AND s.auto_renew = $2) OR s.unpaid_since <= $1) ORDER BY s.id"
        );
        Ok(on_tx!(self, |c| sqlx::query_as::<_, EngineRow>(&sql).bind(now).bind(false).fetch_all(&mut *c).await?))
    }

    /// Subscriptions of one organisation by id, in id order; the caller checks that all were
    /// found.
    pub async fn engine_rows(&mut self, org_id: i64, ids: &[i64]) -> StoreResult<Vec<EngineRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut args = Args::default();
        let org = args.push(Arg::Int(org_id));
        let list = args.list(ids);
        let sql = format!("{ENGINE_COLUMNS} WHERE s.org_id = {org} AND s.id IN ({list}) ORDER BY s.id");
        Ok(on_tx!(self, |c| bind_all!(sqlx::query_as::<_, EngineRow>(&sql), args).fetch_all(&mut *c).await?))
    }

    /// Writes a payment for the gateway to settle; the idempotency key is unique, so a second
    /// writer of the same payment gets a unique violation.
    pub async fn insert_pending_payment(&mut self, p: &NewPayment, now: i64) -> StoreResult<i64> {
        self.insert_row(
            "payments",
            &[
                "org_id",
                "order_id",
                "subscription_id",
                "payment_method_id",
                "currency",
                "amount_minor",
                "status",
                "idempotency_key",
                "due_at",
                "created_at",
            ],
            vec![
                val(p.org_id),
                val(p.order_id),
                val(p.subscription_id),
                val(p.payment_method_id),
                val(p.currency.clone()),
                val(p.amount_minor),
                val("pending"),
                val(p.idempotency_key.clone()),
                val(p.due_at),
                val(now),
            ],
        )
        .await
    }

    pub async fn price_rows(&mut self) -> StoreResult<Vec<PriceRow>> {
        let sql = "SELECT product_id, term, currency, amount_minor, valid_from FROM prices ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, PriceRow>(sql).fetch_all(&mut *c).await?))
    }

    pub async fn promotion_rows(&mut self) -> StoreResult<Vec<PromotionRow>> {
        let sql = "SELECT code, name, product_id, term, purchase, percent_off, first_day, last_day FROM promotions ORDER BY code";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, PromotionRow>(sql).fetch_all(&mut *c).await?))
    }

    /// Starts the next term of a subscription whose renewal instant was `old_end`, applying the
    /// seats and term chosen for the renewal. False if another process renewed it first.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_next_term(
        &mut self,
        id: i64,
        old_end: i64,
        new_end: i64,
        seats: i64,
        term: &str,
        unpaid_since: Option<i64>,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET term_start_at = term_end_at, term_end_at = $1, seats = $2, term = $3, \
                   seats_at_renewal = NULL, term_at_renewal = NULL, unpaid_since = $4, updated_at = $5 \
                   WHERE id = $6 AND term_end_at = $7 AND auto_renew = $8 AND status = 'active'";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(new_end)
            .bind(seats)
            .bind(term)
            .bind(unpaid_since)
            .bind(now)
            .bind(id)
            .bind(old_end)
            .bind(true)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Marks a due renewal that cannot be priced or paid: its lifecycle starts at its end date
    /// (R-LIFE-1). False if another process handled it first.
    pub async fn start_next_term_failed(&mut self, id: i64, term_end_at: i64, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET unpaid_since = term_end_at, updated_at = $1 \
                   WHERE id = $2 AND term_end_at = $3 AND unpaid_since IS NULL";
        Ok(on_tx!(self, |c| sqlx::query(sql)
            .bind(now)
            .bind(id)
            .bind(term_end_at)
            .execute(&mut *c)
            .await?
            .rows_affected())
            == 1)
    }

    /// Records that a subscription owes a late renewal payment from `since` (or nothing, `None`).
    pub async fn set_unpaid_since(&mut self, id: i64, since: Option<i64>, now: i64) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET unpaid_since = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(since).bind(now).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Sets a subscription's status outright (reactivation after a payment, R-LIFE-3).
    pub async fn set_status(&mut self, id: i64, status: &str, now: i64) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET status = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(status).bind(now).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Payments still waiting for a final answer from the gateway.
    pub async fn open_payments(&mut self, limit: i64) -> StoreResult<Vec<OpenPaymentRow>> {
        let sql = "SELECT py.id, py.org_id, py.subscription_id, py.order_id, py.currency, py.amount_minor, py.status, \
                   py.idempotency_key, COALESCE(py.due_at, py.created_at) AS due_at, pm.kind AS payment_kind, COALESCE(pm.gateway_token, '') AS gateway_token \
                   FROM payments py JOIN payment_methods pm ON pm.id = py.payment_method_id \
                   WHERE py.status IN ('pending', 'unknown') ORDER BY py.id LIMIT $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, OpenPaymentRow>(sql).bind(limit).fetch_all(&mut *c).await?))
    }

    pub async fn open_payment(&mut self, id: i64) -> StoreResult<Option<OpenPaymentRow>> {
        let sql = "SELECT py.id, py.org_id, py.subscription_id, py.order_id, py.currency, py.amount_minor, py.status, \
                   py.idempotency_key, COALESCE(py.due_at, py.created_at) AS due_at, pm.kind AS payment_kind, COALESCE(pm.gateway_token, '') AS gateway_token \
                   FROM payments py JOIN payment_methods pm ON pm.id = py.payment_method_id \
                   WHERE py.id = $1 AND py.status IN ('pending', 'unknown')";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, OpenPaymentRow>(sql).bind(id).fetch_optional(&mut *c).await?))
    }

    /// Writes a payment's outcome if it is still open; false if another process already did.
    pub async fn settle_payment(
        &mut self,
        id: i64,
        status: &str,
        reference: Option<&str>,
        failure: Option<&str>,
        settled_at: Option<i64>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE payments SET status = $1, gateway_reference = $2, failure = $3, settled_at = $4 \
                   WHERE id = $5 AND status IN ('pending', 'unknown')";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(status)
            .bind(reference)
            .bind(failure)
            .bind(settled_at)
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Records a reminder as written; false if it was written before (by this or another process).
    pub async fn mark_reminder(
        &mut self,
        subscription_id: i64,
        term_end_at: i64,
        days: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO reminders_sent (subscription_id, term_end_at, days_before, sent_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(subscription_id)
            .bind(term_end_at)
            .bind(days)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Instalments due at `now` that have not been charged yet (R-PAY-8).
    pub async fn due_scheduled_charges(&mut self, now: i64, limit: i64) -> StoreResult<Vec<ScheduledChargeRow>> {
        let sql = "SELECT sc.id, sc.org_id, sc.subscription_id, sc.order_id, sc.due_on, sc.currency, sc.amount_minor, sc.tax_minor, \
                   s.payment_method_id, pm.kind AS payment_kind \
                   FROM scheduled_charges sc JOIN subscriptions s ON s.id = sc.subscription_id \
                   LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id \
                   WHERE sc.payment_id IS NULL AND sc.invoiced_at IS NULL AND sc.due_at <= $1 ORDER BY sc.due_at, sc.id LIMIT $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, ScheduledChargeRow>(sql)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?))
    }

    /// Links an instalment to its payment; false if another process charged it first.
    pub async fn claim_scheduled_charge(&mut self, id: i64, payment_id: i64) -> StoreResult<bool> {
        let sql = "UPDATE scheduled_charges SET payment_id = $1 WHERE id = $2 AND payment_id IS NULL";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(payment_id).bind(id).execute(&mut *c).await?.rows_affected()) == 1)
    }

    /// Marks an instalment as invoiced; false if another process issued its invoice first.
    pub async fn claim_scheduled_invoice(&mut self, id: i64, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE scheduled_charges SET invoiced_at = $1 WHERE id = $2 AND payment_id IS NULL AND invoiced_at IS NULL";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(now).bind(id).execute(&mut *c).await?.rows_affected()) == 1)
    }

    /// The simulated gateway's record of a charge.
    pub async fn gateway_charge(&mut self, key: &str) -> StoreResult<Option<GatewayChargeRow>> {
        let sql =
            "SELECT idempotency_key, outcome, reference, settles_at FROM gateway_charges WHERE idempotency_key = $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, GatewayChargeRow>(sql).bind(key).fetch_optional(&mut *c).await?))
    }

    /// Records a simulated charge unless one with the same key exists (idempotency); true if
    /// this call recorded it.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_gateway_charge(
        &mut self,
        key: &str,
        token: &str,
        currency: &str,
        amount_minor: i64,
        outcome: &str,
        reference: &str,
        now: i64,
        settles_at: i64,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO gateway_charges (idempotency_key, token, currency, amount_minor, outcome, reference, created_at, settles_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(key)
            .bind(token)
            .bind(currency)
            .bind(amount_minor)
            .bind(outcome)
            .bind(reference)
            .bind(now)
            .bind(settles_at)
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

    pub async fn setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let sql = "SELECT value FROM settings WHERE key = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(key).fetch_optional(&mut *c).await?))
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
        let sql =
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(key).bind(value).execute(&mut *c).await?;
        });
        Ok(())
    }
}
