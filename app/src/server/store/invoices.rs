//! Invoices and their payments (R-INV-1, R-INV-2): listing and reading an organisation's
//! invoices (a payer's only those naming them), what each bills, what is owed per customer
//! number, and paying several at once exactly once: a payment claims its invoices (open to
//! pending) in the transaction that writes it, so two payments never pay one invoice.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::locale::Locale;
use crate::domain::mail_routing::Recipient;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentKind;
use crate::domain::term::Term;

/// Columns of [`InvoiceRecord`]; a listing adds its conditions after `WHERE i.org_id = $1`.
const INVOICE: &str = "SELECT i.id, i.org_id, i.number, i.customer_account_id, ca.csn, i.order_id, o.number AS order_number, \
     i.status, i.currency, i.subtotal_minor, i.tax_minor, i.total_minor, i.paid_minor, i.po_number, i.notes, \
     i.issued_at, i.due_at, i.voided_at, r.number AS replaces, \
     (SELECT n.number FROM invoices n WHERE n.replaces_invoice_id = i.id ORDER BY n.id LIMIT 1) AS replaced_by, \
     COALESCE((SELECT s.time_zone FROM invoice_lines il JOIN subscriptions s ON s.id = il.subscription_id \
               WHERE il.invoice_id = i.id ORDER BY il.id LIMIT 1), 'UTC') AS time_zone \
     FROM invoices i JOIN customer_accounts ca ON ca.id = i.customer_account_id \
     LEFT JOIN orders o ON o.id = i.order_id LEFT JOIN invoices r ON r.id = i.replaces_invoice_id ";

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: InvoiceId,
    org_id: OrgId,
    number: String,
    customer_account_id: CustomerAccountId,
    csn: String,
    order_id: Option<OrderId>,
    order_number: Option<String>,
    status: InvoiceStatus,
    currency: Currency,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    paid_minor: i64,
    po_number: String,
    notes: String,
    issued_at: i64,
    due_at: i64,
    voided_at: Option<i64>,
    replaces: Option<String>,
    replaced_by: Option<String>,
    time_zone: String,
}

impl TryFrom<InvoiceRow> for InvoiceRecord {
    type Error = StoreError;

    fn try_from(r: InvoiceRow) -> StoreResult<InvoiceRecord> {
        let what = format!("invoice {}", r.id);
        let money = |minor| Money::from_minor(minor, r.currency);
        Ok(InvoiceRecord {
            time_zone: crate::domain::time::parse_tz(&r.time_zone)
                .ok_or_else(|| StoreError::Corrupt(format!("{what}: time zone {:?}", r.time_zone)))?,
            issued_at: instant(r.issued_at, &what)?,
            due_at: instant(r.due_at, &what)?,
            voided_at: r.voided_at.map(|t| instant(t, &what)).transpose()?,
            subtotal: money(r.subtotal_minor),
            tax: money(r.tax_minor),
            total: money(r.total_minor),
            paid: money(r.paid_minor),
            id: r.id,
            org_id: r.org_id,
            number: r.number,
            customer_account_id: r.customer_account_id,
            csn: r.csn,
            order_id: r.order_id,
            order_number: r.order_number,
            status: r.status,
            po_number: r.po_number,
            notes: r.notes,
            replaces: r.replaces,
            replaced_by: r.replaced_by,
        })
    }
}

/// `AND EXISTS (payer)`: the invoice names `payer` among its payers.
fn push_payer<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, payer: Option<&'a str>)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(p) = payer {
        q.push(" AND EXISTS (SELECT 1 FROM invoice_payers ip WHERE ip.invoice_id = i.id AND ip.email = ");
        q.push_bind(p.to_lowercase()).push(")");
    }
}

type PaymentRow = (PaymentId, OrgId, String, Option<PaymentKind>, Option<String>, Currency, i64, Option<String>, i64);

impl Tx {
    /// Writes an open invoice, the lines it bills and who pays it.
    pub async fn insert_invoice(
        &mut self,
        i: &NewInvoice<'_>,
        lines: &[NewInvoiceLine],
        payers: &[String],
    ) -> StoreResult<InvoiceId> {
        let sql = "INSERT INTO invoices (org_id, number, customer_account_id, order_id, currency, subtotal_minor, \
                   tax_minor, total_minor, status, po_number, notes, issued_at, due_at, replaces_invoice_id, issued_on) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12, $13, $14) RETURNING id";
        let line_sql = "INSERT INTO invoice_lines (invoice_id, subscription_id, product_name, seats, term, \
                        period_start_at, period_end_at, amount_minor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let payer_sql = "INSERT INTO invoice_payers (invoice_id, email) VALUES ($1, $2)";
        Ok(on_tx!(self, |c| {
            let id = sqlx::query_scalar::<_, InvoiceId>(sql)
                .bind(i.org_id)
                .bind(i.number)
                .bind(i.customer_account_id)
                .bind(i.order_id)
                .bind(i.total.currency())
                .bind(i.subtotal.minor())
                .bind(i.tax.minor())
                .bind(i.total.minor())
                .bind(i.po_number)
                .bind(i.notes)
                .bind(secs(i.issued_at))
                .bind(secs(i.due_at))
                .bind(i.replaces)
                .bind(i.issued_on.to_string())
                .fetch_one(&mut *c)
                .await?;
            for l in lines {
                sqlx::query(line_sql)
                    .bind(id)
                    .bind(l.subscription_id)
                    .bind(&l.product_name)
                    .bind(l.seats)
                    .bind(l.term)
                    .bind(secs(l.period_start))
                    .bind(secs(l.period_end))
                    .bind(l.amount.minor())
                    .execute(&mut *c)
                    .await?;
            }
            for p in payers {
                sqlx::query(payer_sql).bind(id).bind(p.to_lowercase()).execute(&mut *c).await?;
            }
            id
        }))
    }

    /// A page of invoices, soonest due first, and how many the listing holds in all.
    pub async fn invoices_in_org(
        &mut self,
        org: OrgId,
        l: &InvoiceListing<'_>,
    ) -> StoreResult<(Vec<InvoiceRecord>, i64)> {
        fn conditions<'a, DB: sqlx::Database>(q: &mut QueryBuilder<'a, DB>, org: OrgId, l: &InvoiceListing<'a>)
        where
            String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
            OrgId: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
        {
            q.push("WHERE i.org_id = ").push_bind(org);
            q.push(" AND i.status IN (");
            let mut list = q.separated(", ");
            for s in l.statuses {
                list.push_bind(s.code().to_string());
            }
            q.push(")");
            if let Some(csn) = l.csn {
                q.push(" AND ca.csn = ").push_bind(csn.to_string());
            }
            if let Some(from) = l.issued_from {
                q.push(" AND i.issued_on >= ").push_bind(from.to_string());
            }
            if let Some(to) = l.issued_to {
                q.push(" AND i.issued_on <= ").push_bind(to.to_string());
            }
            push_payer(q, l.payer);
        }
        if l.statuses.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let (rows, total) = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(INVOICE);
            conditions(&mut q, org, l);
            q.push(" ORDER BY i.due_at, i.id LIMIT ").push_bind(l.limit).push(" OFFSET ").push_bind(l.offset);
            let rows = q.build_query_as::<InvoiceRow>().fetch_all(&mut *c).await?;
            let mut q = QueryBuilder::new(
                "SELECT COUNT(*) FROM invoices i JOIN customer_accounts ca ON ca.id = i.customer_account_id ",
            );
            conditions(&mut q, org, l);
            let total: i64 = q.build_query_scalar().fetch_one(&mut *c).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(InvoiceRecord::try_from).collect::<StoreResult<_>>()?, total))
    }

    /// What is owed per customer number and currency on the open and pending invoices the
    /// user sees, and the part that is late at `now`.
    pub async fn invoice_balances(
        &mut self,
        org: OrgId,
        payer: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<InvoiceBalance>> {
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(
                "SELECT ca.csn, i.currency, CAST(SUM(i.total_minor - i.paid_minor) AS BIGINT), \
                 CAST(SUM(CASE WHEN i.status = 'open' AND i.due_at <= ",
            );
            q.push_bind(secs(now));
            q.push(
                " THEN i.total_minor - i.paid_minor ELSE 0 END) AS BIGINT), COUNT(*) \
                 FROM invoices i JOIN customer_accounts ca ON ca.id = i.customer_account_id \
                 WHERE i.status IN ('open', 'pending') AND i.org_id = ",
            );
            q.push_bind(org);
            push_payer(&mut q, payer);
            q.push(" GROUP BY ca.csn, i.currency ORDER BY ca.csn, i.currency");
            q.build_query_as::<(String, Currency, i64, i64, i64)>().fetch_all(&mut *c).await?
        });
        Ok(rows
            .into_iter()
            .map(|(csn, currency, owed, overdue, invoices)| InvoiceBalance {
                csn,
                owed: Money::from_minor(owed, currency),
                overdue: Money::from_minor(overdue, currency),
                invoices,
            })
            .collect())
    }

    /// The customer numbers the user's invoices bill, in order.
    pub async fn invoiced_customer_numbers(&mut self, org: OrgId, payer: Option<&str>) -> StoreResult<Vec<String>> {
        Ok(on_tx!(self, |c| {
            let mut q = QueryBuilder::new(
                "SELECT DISTINCT ca.csn FROM invoices i JOIN customer_accounts ca ON ca.id = i.customer_account_id \
                 WHERE i.org_id = ",
            );
            q.push_bind(org);
            push_payer(&mut q, payer);
            q.push(" ORDER BY ca.csn");
            q.build_query_scalar::<String>().fetch_all(&mut *c).await?
        }))
    }

    /// One invoice of the organisation by number (for a payer, only one naming them).
    pub async fn invoice_by_number(
        &mut self,
        org: OrgId,
        number: &str,
        payer: Option<&str>,
    ) -> StoreResult<Option<InvoiceRecord>> {
        Ok(self.invoices_by_numbers(org, &[number.to_string()], payer).await?.into_iter().next())
    }

    /// The organisation's invoices with these numbers (for a payer, only those naming them),
    /// in the order asked; numbers it does not find are left out.
    pub async fn invoices_by_numbers(
        &mut self,
        org: OrgId,
        numbers: &[String],
        payer: Option<&str>,
    ) -> StoreResult<Vec<InvoiceRecord>> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(INVOICE);
            q.push("WHERE i.org_id = ").push_bind(org).push(" AND i.number IN (");
            let mut list = q.separated(", ");
            for n in numbers {
                list.push_bind(n.clone());
            }
            q.push(")");
            push_payer(&mut q, payer);
            q.build_query_as::<InvoiceRow>().fetch_all(&mut *c).await?
        });
        let mut found: Vec<InvoiceRecord> =
            rows.into_iter().map(InvoiceRecord::try_from).collect::<StoreResult<_>>()?;
        found.sort_by_key(|i| numbers.iter().position(|n| *n == i.number));
        Ok(found)
    }

    /// The lines an invoice bills, in order.
    pub async fn invoice_lines(&mut self, id: InvoiceId) -> StoreResult<Vec<NewInvoiceLine>> {
        let sql = "SELECT il.subscription_id, il.product_name, il.seats, il.term, il.period_start_at, il.period_end_at, \
                   il.amount_minor, i.currency FROM invoice_lines il JOIN invoices i ON i.id = il.invoice_id \
                   WHERE il.invoice_id = $1 ORDER BY il.id";
        type Row = (Option<SubscriptionId>, String, i64, Term, i64, i64, i64, Currency);
        let rows = on_tx!(self, |c| sqlx::query_as::<_, Row>(sql).bind(id).fetch_all(&mut *c).await?);
        let what = format!("invoice {id}");
        rows.into_iter()
            .map(|(subscription_id, product_name, seats, term, start, end, amount, currency)| {
                Ok(NewInvoiceLine {
                    subscription_id,
                    product_name,
                    seats,
                    term,
                    period_start: instant(start, &what)?,
                    period_end: instant(end, &what)?,
                    amount: Money::from_minor(amount, currency),
                })
            })
            .collect()
    }

    /// The payer addresses of an invoice, alphabetically.
    pub async fn invoice_payers(&mut self, id: InvoiceId) -> StoreResult<Vec<String>> {
        let sql = "SELECT email FROM invoice_payers WHERE invoice_id = $1 ORDER BY email";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(id).fetch_all(&mut *c).await?))
    }

    /// The payers of an invoice with the language mail to them is written in (theirs if they
    /// have an account and chose one, else the organisation's default).
    pub async fn invoice_payer_recipients(&mut self, id: InvoiceId) -> StoreResult<Vec<Recipient>> {
        let sql = "SELECT p.email, COALESCE((SELECT u.locale FROM users u WHERE u.email = p.email), o.default_locale) \
                   FROM invoice_payers p JOIN invoices i ON i.id = p.invoice_id \
                   JOIN organisations o ON o.id = i.org_id WHERE p.invoice_id = $1 ORDER BY p.email";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, Locale)>(sql).bind(id).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(|(address, lang)| Recipient { address, lang }).collect())
    }

    /// The subscriptions an invoice bills, in order.
    pub async fn subscriptions_of_invoice(&mut self, id: InvoiceId) -> StoreResult<Vec<SubscriptionId>> {
        let sql = "SELECT DISTINCT subscription_id FROM invoice_lines WHERE invoice_id = $1 \
                   AND subscription_id IS NOT NULL ORDER BY subscription_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, SubscriptionId>(sql).bind(id).fetch_all(&mut *c).await?))
    }

    /// Voids an open invoice with nothing paid on it, to be replaced (R-EXT-4); false when it
    /// is no longer so (paid, being paid, voided meanwhile: a second click of Reissue).
    pub async fn void_invoice(&mut self, id: InvoiceId, at: DateTime<Utc>) -> StoreResult<bool> {
        let sql =
            "UPDATE invoices SET status = 'void', voided_at = $2 WHERE id = $1 AND status = 'open' AND paid_minor = 0";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(id).bind(secs(at)).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Open invoices late at `now` whose notice for their stage has not gone out: stage 0 once
    /// late, stage 1 from `week_late` (a week after). At most `limit`, oldest first.
    pub async fn invoices_owing_notice(
        &mut self,
        now: DateTime<Utc>,
        week_late: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<(InvoiceId, OrgId, String, DateTime<Utc>)>> {
        let sql = "SELECT i.id, i.org_id, i.number, i.due_at FROM invoices i WHERE i.status = 'open' AND i.due_at <= $1 \
                   AND NOT EXISTS (SELECT 1 FROM invoice_notices n WHERE n.invoice_id = i.id AND n.stage = 1) \
                   AND (i.due_at <= $2 OR NOT EXISTS (SELECT 1 FROM invoice_notices n WHERE n.invoice_id = i.id)) \
                   ORDER BY i.due_at, i.id LIMIT $3";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (InvoiceId, OrgId, String, i64)>(sql)
            .bind(secs(now))
            .bind(secs(week_late))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter()
            .map(|(id, org, n, due)| Ok((id, org, n.clone(), instant(due, &format!("invoice {n}"))?)))
            .collect()
    }

    /// Records an invoice's notice of `stage` (and the earlier ones, not to be sent late);
    /// false when another engine recorded it first.
    pub async fn record_invoice_notice(&mut self, id: InvoiceId, stage: i64, at: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "INSERT INTO invoice_notices (invoice_id, stage, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        Ok(on_tx!(self, |c| {
            let n = sqlx::query(sql).bind(id).bind(stage).bind(secs(at)).execute(&mut *c).await?.rows_affected();
            for earlier in 0..stage {
                sqlx::query(sql).bind(id).bind(earlier).bind(secs(at)).execute(&mut *c).await?;
            }
            n == 1
        }))
    }

    /// Numbers of the open invoices that bill a subscription, oldest first.
    pub async fn open_invoices_of_subscription(&mut self, sub: SubscriptionId) -> StoreResult<Vec<String>> {
        let sql = "SELECT i.number FROM invoices i WHERE i.status = 'open' AND EXISTS \
                   (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id AND l.subscription_id = $1) ORDER BY i.id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(sub).fetch_all(&mut *c).await?))
    }

    /// Makes `payers` (lower-cased) the invoice's payers.
    pub async fn replace_invoice_payers(&mut self, id: InvoiceId, payers: &[String]) -> StoreResult<()> {
        let delete = "DELETE FROM invoice_payers WHERE invoice_id = $1";
        let insert = "INSERT INTO invoice_payers (invoice_id, email) VALUES ($1, $2)";
        on_tx!(self, |c| {
            sqlx::query(delete).bind(id).execute(&mut *c).await?;
            for p in payers {
                sqlx::query(insert).bind(id).bind(p.to_lowercase()).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Makes `payers` (lower-cased) the subscription's payers: those its next invoices go to.
    pub async fn replace_subscription_payers(&mut self, id: SubscriptionId, payers: &[String]) -> StoreResult<()> {
        let delete = "DELETE FROM subscription_payers WHERE subscription_id = $1";
        let insert = "INSERT INTO subscription_payers (subscription_id, email) VALUES ($1, $2)";
        on_tx!(self, |c| {
            sqlx::query(delete).bind(id).execute(&mut *c).await?;
            for p in payers {
                sqlx::query(insert).bind(id).bind(p.to_lowercase()).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    /// Moves these invoices from open to pending (a payment now pays them): all or none. False
    /// if any of them is no longer open (paid, being paid, or voided meanwhile).
    pub async fn claim_invoices(&mut self, ids: &[InvoiceId]) -> StoreResult<bool> {
        if ids.is_empty() {
            return Ok(false);
        }
        let n = on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE invoices SET status = 'pending' WHERE status = 'open' AND id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *c).await?.rows_affected()
        });
        Ok(n == ids.len() as u64)
    }

    /// Writes a pending payment of invoices and what it pays on each. The idempotency key is
    /// unique: a second writer of the same payment gets a unique violation.
    pub async fn insert_invoice_payment(
        &mut self,
        p: &NewInvoicePayment,
        now: DateTime<Utc>,
    ) -> StoreResult<PaymentId> {
        let sql = "INSERT INTO payments (org_id, payment_method_id, kind, currency, amount_minor, status, \
                   idempotency_key, due_at, created_at, created_by) \
                   VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7, $8) RETURNING id";
        let alloc = "INSERT INTO payment_allocations (payment_id, invoice_id, amount_minor) VALUES ($1, $2, $3)";
        Ok(on_tx!(self, |c| {
            let id = sqlx::query_scalar::<_, PaymentId>(sql)
                .bind(p.org_id)
                .bind(p.payment_method_id)
                .bind(p.kind)
                .bind(p.amount.currency())
                .bind(p.amount.minor())
                .bind(&p.idempotency_key)
                .bind(secs(now))
                .bind(p.created_by)
                .fetch_one(&mut *c)
                .await?;
            for (invoice, amount) in &p.allocations {
                sqlx::query(alloc).bind(id).bind(*invoice).bind(amount.minor()).execute(&mut *c).await?;
            }
            id
        }))
    }

    /// A payment of invoices of the organisation, by id or by its idempotency key.
    pub async fn invoice_payment(
        &mut self,
        org: OrgId,
        id: Option<PaymentId>,
        key: Option<&str>,
    ) -> StoreResult<Option<InvoicePaymentRecord>> {
        let sql = "SELECT py.id, py.org_id, py.status, COALESCE(py.kind, pm.kind), pm.label, py.currency, \
                   py.amount_minor, py.failure, py.created_at FROM payments py \
                   LEFT JOIN payment_methods pm ON pm.id = py.payment_method_id \
                   WHERE py.org_id = $1 AND (py.id = $2 OR py.idempotency_key = $3) \
                   AND EXISTS (SELECT 1 FROM payment_allocations pa WHERE pa.payment_id = py.id)";
        let extra = "SELECT settled_at, created_by FROM payments WHERE id = $1";
        let allocs = "SELECT i.number, i.currency, pa.amount_minor FROM payment_allocations pa \
                      JOIN invoices i ON i.id = pa.invoice_id WHERE pa.payment_id = $1 ORDER BY i.due_at, i.id";
        let found = on_tx!(self, |c| {
            let row = sqlx::query_as::<_, PaymentRow>(sql)
                .bind(org)
                .bind(id.unwrap_or(PaymentId(-1)))
                .bind(key.unwrap_or(""))
                .fetch_optional(&mut *c)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    let (settled_at, created_by) = sqlx::query_as::<_, (Option<i64>, Option<UserId>)>(extra)
                        .bind(row.0)
                        .fetch_one(&mut *c)
                        .await?;
                    let allocations =
                        sqlx::query_as::<_, (String, Currency, i64)>(allocs).bind(row.0).fetch_all(&mut *c).await?;
                    Some((row, settled_at, created_by, allocations))
                }
            }
        });
        let Some((
            (id, org_id, status, kind, label, currency, amount, failure, created_at),
            settled_at,
            created_by,
            allocations,
        )) = found
        else {
            return Ok(None);
        };
        let what = format!("payment {id}");
        Ok(Some(InvoicePaymentRecord {
            id,
            org_id,
            status: PaymentStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("{what}: status {status:?}")))?,
            kind: kind.ok_or_else(|| StoreError::Corrupt(format!("{what}: no payment kind")))?,
            method_label: label,
            amount: Money::from_minor(amount, currency),
            failure,
            created_at: instant(created_at, &what)?,
            settled_at: settled_at.map(|t| instant(t, &what)).transpose()?,
            created_by,
            allocations: allocations.into_iter().map(|(n, cur, minor)| (n, Money::from_minor(minor, cur))).collect(),
        }))
    }

    /// The payments that paid (or are paying) an invoice, oldest first.
    pub async fn payments_of_invoice(&mut self, invoice: InvoiceId) -> StoreResult<Vec<PaymentId>> {
        let sql = "SELECT pa.payment_id FROM payment_allocations pa WHERE pa.invoice_id = $1 ORDER BY pa.payment_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, PaymentId>(sql).bind(invoice).fetch_all(&mut *c).await?))
    }

    /// Writes the gateway's final answer on the invoices a payment pays: paid (what it paid
    /// added) on success, open again on a decline. Returns those invoices (with what the
    /// payment put on each) and the subscriptions they bill.
    pub async fn settle_invoices(
        &mut self,
        payment: PaymentId,
        succeeded: bool,
    ) -> StoreResult<(Vec<(InvoiceId, String, i64)>, Vec<SubscriptionId>)> {
        let invoices = "SELECT i.id, i.number, pa.amount_minor FROM payment_allocations pa \
                        JOIN invoices i ON i.id = pa.invoice_id WHERE pa.payment_id = $1 ORDER BY i.id";
        let paid = "UPDATE invoices SET status = CASE WHEN paid_minor + (SELECT pa.amount_minor FROM payment_allocations pa \
                    WHERE pa.payment_id = $1 AND pa.invoice_id = invoices.id) >= total_minor THEN 'paid' ELSE 'open' END, \
                    paid_minor = paid_minor + (SELECT pa.amount_minor FROM payment_allocations pa \
                    WHERE pa.payment_id = $1 AND pa.invoice_id = invoices.id) \
                    WHERE status = 'pending' AND id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = $1)";
        let reopened = "UPDATE invoices SET status = 'open' WHERE status = 'pending' \
                        AND id IN (SELECT invoice_id FROM payment_allocations WHERE payment_id = $1)";
        let subs = "SELECT DISTINCT il.subscription_id FROM invoice_lines il JOIN payment_allocations pa \
                    ON pa.invoice_id = il.invoice_id WHERE pa.payment_id = $1 AND il.subscription_id IS NOT NULL \
                    ORDER BY il.subscription_id";
        Ok(on_tx!(self, |c| {
            sqlx::query(if succeeded { paid } else { reopened }).bind(payment).execute(&mut *c).await?;
            let invoices =
                sqlx::query_as::<_, (InvoiceId, String, i64)>(invoices).bind(payment).fetch_all(&mut *c).await?;
            (invoices, sqlx::query_scalar::<_, SubscriptionId>(subs).bind(payment).fetch_all(&mut *c).await?)
        }))
    }

    /// Whether a payment pays invoices (its answer is written on them, not on an order).
    pub async fn pays_invoices(&mut self, payment: PaymentId) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM payment_allocations WHERE payment_id = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).bind(payment).fetch_one(&mut *c).await?) > 0)
    }

    /// The instant the earliest invoice still unpaid for a subscription became (or becomes)
    /// late: where its lifecycle counts from once the others are paid (R-LIFE-1).
    pub async fn earliest_unpaid_invoice(&mut self, sub: SubscriptionId) -> StoreResult<Option<DateTime<Utc>>> {
        let sql = "SELECT MIN(i.due_at) FROM invoices i JOIN invoice_lines il ON il.invoice_id = i.id \
                   WHERE il.subscription_id = $1 AND i.status IN ('open', 'pending')";
        let at = on_tx!(self, |c| sqlx::query_scalar::<_, Option<i64>>(sql).bind(sub).fetch_one(&mut *c).await?);
        at.map(|t| instant(t, &format!("invoices of subscription {sub}"))).transpose()
    }
}
