//! Payment methods on file (R-PAY-5, R-PAY-6): the page's list, cards added and edited, methods
//! removed, and subscriptions switched to another method (R-BULK-5).

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::payment::PaymentKind;
use crate::domain::status::Status;

const METHOD_COLUMNS: &str = "SELECT pm.id, pm.customer_account_id, ca.csn, ca.company_name, pm.kind, pm.label, \
     pm.card_brand, pm.card_last4, pm.card_exp_month, pm.card_exp_year, pm.billing_name, pm.billing_address \
     FROM payment_methods pm JOIN customer_accounts ca ON ca.id = pm.customer_account_id \
     WHERE pm.org_id = $1 AND pm.removed_at IS NULL";

type MethodRow = (
    PaymentMethodId,
    CustomerAccountId,
    String,
    String,
    PaymentKind,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

type UseRow = (SubscriptionId, CustomerAccountId, String, Option<PaymentMethodId>, bool, Status);

fn method_use((id, customer_account_id, product_name, payment_method_id, auto_renew, status): UseRow) -> MethodUse {
    MethodUse { id, customer_account_id, product_name, payment_method_id, auto_renew, status }
}

fn method(r: MethodRow) -> MethodOnFile {
    let (id, customer_account_id, csn, company_name, kind, label, brand, last4, month, year, billing_name, address) = r;
    let card = match (brand, last4, month, year) {
        (Some(brand), Some(last4), Some(month), Some(year)) => {
            Some(CardOnFile { brand, last4, exp_month: month as u32, exp_year: year as i32 })
        }
        _ => None,
    };
    MethodOnFile {
        id,
        customer_account_id,
        csn,
        company_name,
        kind,
        label,
        card,
        billing_name,
        billing_address: address,
    }
}

impl Tx {
    /// The organisation's payment methods on file (not removed), by customer number, oldest
    /// first.
    pub async fn methods_of_org(&mut self, org: OrgId) -> StoreResult<Vec<MethodOnFile>> {
        let sql = format!("{METHOD_COLUMNS} ORDER BY ca.csn, pm.id");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, MethodRow>(&sql).bind(org).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(method).collect())
    }

    /// One payment method on file of the organisation; `None` if removed, unknown or another
    /// organisation's. `lock`: held until the transaction ends (PostgreSQL; SQLite's write
    /// transaction holds the whole database).
    pub async fn method_in_org(
        &mut self,
        org: OrgId,
        id: PaymentMethodId,
        lock: bool,
    ) -> StoreResult<Option<MethodOnFile>> {
        let lock = if lock && self.is_postgres() { " FOR UPDATE OF pm" } else { "" };
        let sql = format!("{METHOD_COLUMNS} AND pm.id = $2{lock}");
        let row =
            on_tx!(self, |c| sqlx::query_as::<_, MethodRow>(&sql).bind(org).bind(id).fetch_optional(&mut *c).await?);
        Ok(row.map(method))
    }

    /// The organisation's subscriptions that are not canceled, with the method each pays with
    /// (none when it was removed), by id.
    pub async fn method_uses(&mut self, org: OrgId) -> StoreResult<Vec<MethodUse>> {
        let sql = "SELECT s.id, s.customer_account_id, p.name, pm.id, s.auto_renew, s.status FROM subscriptions s \
                   JOIN products p ON p.id = s.product_id \
                   LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL \
                   WHERE s.org_id = $1 AND s.status <> $2 ORDER BY s.id";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, UseRow>(sql)
            .bind(org)
            .bind(Status::Canceled)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows.into_iter().map(method_use).collect())
    }

    /// The subscriptions (not canceled) paying with a method, locked for a change (PostgreSQL),
    /// so a removal and a change of auto-renew on one of them happen one after the other.
    pub async fn subscriptions_using(&mut self, method: PaymentMethodId) -> StoreResult<Vec<MethodUse>> {
        let lock = if self.is_postgres() { " FOR UPDATE OF s" } else { "" };
        let sql = format!(
            "SELECT s.id, s.customer_account_id, p.name, s.payment_method_id, s.auto_renew, s.status \
             FROM subscriptions s JOIN products p ON p.id = s.product_id \
             WHERE s.payment_method_id = $1 AND s.status <> $2 ORDER BY s.id{lock}"
        );
        let rows = on_tx!(self, |c| sqlx::query_as::<_, UseRow>(&sql)
            .bind(method)
            .bind(Status::Canceled)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows.into_iter().map(method_use).collect())
    }

    /// Puts a card on file; only its token, brand, last four digits and expiry are kept.
    pub async fn insert_card(&mut self, card: &NewCard<'_>) -> StoreResult<PaymentMethodId> {
        let sql = "INSERT INTO payment_methods (org_id, customer_account_id, kind, label, gateway_token, card_brand, \
                   card_last4, card_exp_month, card_exp_year, billing_name, billing_address, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, PaymentMethodId>(sql)
            .bind(card.org_id)
            .bind(card.customer_account_id)
            .bind(PaymentKind::Card)
            .bind(card.label)
            .bind(card.token)
            .bind(&card.card.brand)
            .bind(&card.card.last4)
            .bind(i64::from(card.card.exp_month))
            .bind(i64::from(card.card.exp_year))
            .bind(card.billing_name)
            .bind(card.billing_address)
            .bind(secs(card.at))
            .fetch_one(&mut *c)
            .await?))
    }

    /// Changes a card's billing name, address and expiry; nothing else (R-EXT-5: the customer
    /// details stay as they are).
    pub async fn update_card(
        &mut self,
        id: PaymentMethodId,
        billing_name: &str,
        billing_address: &str,
        exp_month: u32,
        exp_year: i32,
    ) -> StoreResult<()> {
        let sql = "UPDATE payment_methods SET billing_name = $1, billing_address = $2, card_exp_month = $3, \
                   card_exp_year = $4 WHERE id = $5 AND kind = $6";
        on_tx!(self, |c| {
            sqlx::query(sql)
                .bind(billing_name)
                .bind(billing_address)
                .bind(i64::from(exp_month))
                .bind(i64::from(exp_year))
                .bind(id)
                .bind(PaymentKind::Card)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// Removes a method: it is kept for the orders and payments that name it, but no longer on
    /// file, and the subscriptions that still named it have none (they are renewed with one
    /// chosen then, R-PAY-6).
    pub async fn remove_method(&mut self, id: PaymentMethodId, at: DateTime<Utc>) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE payment_methods SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(secs(at))
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE subscriptions SET payment_method_id = NULL, updated_at = $1 WHERE payment_method_id = $2",
            )
            .bind(secs(at))
            .bind(id)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Gives subscriptions of the organisation another payment method.
    pub async fn set_payment_method(
        &mut self,
        org: OrgId,
        ids: &[SubscriptionId],
        method: PaymentMethodId,
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE subscriptions SET payment_method_id = ");
            q.push_bind(method).push(", updated_at = ").push_bind(secs(at));
            q.push(" WHERE org_id = ").push_bind(org).push(" AND id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *c).await?.rows_affected()
        }))
    }

    /// A customer number of the organisation: its account and company name.
    pub async fn customer_account_by_csn(
        &mut self,
        org: OrgId,
        csn: &str,
    ) -> StoreResult<Option<(CustomerAccountId, String)>> {
        let sql = "SELECT id, company_name FROM customer_accounts WHERE org_id = $1 AND csn = $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (CustomerAccountId, String)>(sql)
            .bind(org)
            .bind(csn)
            .fetch_optional(&mut *c)
            .await?))
    }

    /// The organisation's customer numbers: account, CSN and company name, by CSN.
    pub async fn customer_accounts_of_org(
        &mut self,
        org: OrgId,
    ) -> StoreResult<Vec<(CustomerAccountId, String, String)>> {
        let sql = "SELECT id, csn, company_name FROM customer_accounts WHERE org_id = $1 ORDER BY csn";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (CustomerAccountId, String, String)>(sql)
            .bind(org)
            .fetch_all(&mut *c)
            .await?))
    }
}
