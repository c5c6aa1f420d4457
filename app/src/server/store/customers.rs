//! Customer details of the organisation's customer numbers (R-CUST-1..3, R-EXT-6), and what they
//! were before each change, so a document prints the details of the day it was issued.

use chrono::{DateTime, Utc};

use super::records::CustomerAccountRecord;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::customer::CustomerDetails;
use crate::domain::ids::{CustomerAccountId, OrgId, UserId};

type Row = (CustomerAccountId, String, String, String, String, String, String, String, String, bool, i64);

const COLUMNS: &str = "SELECT ca.id, ca.csn, ca.company_name, ca.address_line1, ca.address_line2, ca.postal_code, \
     ca.city, ca.region, ca.country, ca.tax_exempt, \
     (SELECT COUNT(*) FROM subscriptions s WHERE s.customer_account_id = ca.id) \
     FROM customer_accounts ca ";

fn record(r: Row) -> CustomerAccountRecord {
    let (id, csn, company_name, address_line1, address_line2, postal_code, city, region, country, tax_exempt, subs) = r;
    CustomerAccountRecord {
        id,
        csn,
        details: CustomerDetails { company_name, address_line1, address_line2, postal_code, city, region, country },
        tax_exempt,
        subscriptions: subs,
    }
}

impl Tx {
    /// The organisation's customer numbers with their details, by CSN.
    pub async fn customer_accounts(&mut self, org: OrgId) -> StoreResult<Vec<CustomerAccountRecord>> {
        let sql = format!("{COLUMNS}WHERE ca.org_id = $1 ORDER BY ca.csn");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql).bind(org).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(record).collect())
    }

    /// One customer number of the organisation; `lock` holds its row until commit (PostgreSQL).
    pub async fn customer_account(
        &mut self,
        org: OrgId,
        csn: &str,
        lock: bool,
    ) -> StoreResult<Option<CustomerAccountRecord>> {
        let lock = if lock && self.is_postgres() { " FOR UPDATE OF ca" } else { "" };
        let sql = format!("{COLUMNS}WHERE ca.org_id = $1 AND ca.csn = $2{lock}");
        let row = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql).bind(org).bind(csn).fetch_optional(&mut *c).await?);
        Ok(row.map(record))
    }

    /// Replaces a customer number's details, keeping the ones it had until `now`.
    pub async fn change_customer_details(
        &mut self,
        account: CustomerAccountId,
        details: &CustomerDetails,
        by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let keep = "INSERT INTO customer_details_history (customer_account_id, company_name, address_line1, \
                    address_line2, postal_code, city, region, country, valid_until, changed_by) \
                    SELECT id, company_name, address_line1, address_line2, postal_code, city, region, country, $2, $3 \
                    FROM customer_accounts WHERE id = $1";
        let change = "UPDATE customer_accounts SET company_name = $2, address_line1 = $3, address_line2 = $4, \
                      postal_code = $5, city = $6, region = $7, country = $8, updated_at = $9 WHERE id = $1";
        on_tx!(self, |c| {
            sqlx::query(keep).bind(account).bind(secs(now)).bind(by).execute(&mut *c).await?;
            sqlx::query(change)
                .bind(account)
                .bind(&details.company_name)
                .bind(&details.address_line1)
                .bind(&details.address_line2)
                .bind(&details.postal_code)
                .bind(&details.city)
                .bind(&details.region)
                .bind(&details.country)
                .bind(secs(now))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// A customer number's details as they are now.
    pub async fn customer_details(&mut self, account: CustomerAccountId) -> StoreResult<Option<CustomerDetails>> {
        let sql = format!("SELECT {DETAILS} FROM customer_accounts WHERE id = $1");
        let row = on_tx!(self, |c| sqlx::query_as::<_, Details>(&sql).bind(account).fetch_optional(&mut *c).await?);
        Ok(row.map(details))
    }

    /// The details a customer number had at `at`: those kept from the first change after it,
    /// or the current ones when it has not changed since.
    pub async fn customer_details_at(
        &mut self,
        account: CustomerAccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<CustomerDetails>> {
        let sql = format!(
            "SELECT {DETAILS} FROM customer_details_history WHERE customer_account_id = $1 AND valid_until > $2 \
             ORDER BY valid_until, id LIMIT 1"
        );
        let kept = on_tx!(self, |c| sqlx::query_as::<_, Details>(&sql)
            .bind(account)
            .bind(secs(at))
            .fetch_optional(&mut *c)
            .await?);
        match kept {
            Some(row) => Ok(Some(details(row))),
            None => self.customer_details(account).await,
        }
    }
}

const DETAILS: &str = "company_name, address_line1, address_line2, postal_code, city, region, country";
type Details = (String, String, String, String, String, String, String);

fn details(r: Details) -> CustomerDetails {
    let (company_name, address_line1, address_line2, postal_code, city, region, country) = r;
    CustomerDetails { company_name, address_line1, address_line2, postal_code, city, region, country }
}
