//! Subscriptions: the list, one, a selection, auto-renew, lifecycle and renewal updates, and
//! what belongs to a subscription (invoice details, PO documents, payers, reminders).

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::locale::Locale;
use crate::domain::mail_routing::Recipient;
use crate::domain::money::Currency;
use crate::domain::payment::PaymentKind;
use crate::domain::status::Status;
use crate::domain::tax::TaxAddress;
use crate::domain::term::Term;
use crate::domain::time::parse_tz;

/// Every column of [`Subscription`], from [`FROM`].
const COLUMNS: &str = "SELECT s.id, s.org_id, s.customer_account_id, s.product_id, p.name AS product_name, \
     s.contract_number, ca.csn, ca.company_name, s.seats, s.seats_at_renewal, s.term, s.term_at_renewal, s.status, \
     s.auto_renew, s.started_at, s.term_start_at, s.term_end_at, s.time_zone, s.currency, s.partner_csn, \
     s.reseller_name, s.reseller_email, s.payment_method_id, pm.kind AS payment_kind, pm.label AS payment_label, \
     pm.gateway_token, s.unpaid_since, ca.country, ca.region, ca.tax_exempt, s.pending_order_id, p.licence_type ";

const FROM: &str = "FROM subscriptions s \
     JOIN products p ON p.id = s.product_id \
     JOIN customer_accounts ca ON ca.id = s.customer_account_id \
     LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL ";

/// A subscription as the database returns it; decoded into [`Subscription`] right away.
#[derive(sqlx::FromRow)]
struct Row {
    id: SubscriptionId,
    org_id: OrgId,
    customer_account_id: CustomerAccountId,
    product_id: ProductId,
    product_name: String,
    contract_number: String,
    csn: String,
    company_name: String,
    seats: i64,
    seats_at_renewal: Option<i64>,
    term: Term,
    term_at_renewal: Option<Term>,
    status: Status,
    auto_renew: bool,
    started_at: i64,
    term_start_at: i64,
    term_end_at: i64,
    time_zone: String,
    currency: Currency,
    partner_csn: Option<String>,
    reseller_name: Option<String>,
    reseller_email: Option<String>,
    payment_method_id: Option<PaymentMethodId>,
    payment_kind: Option<PaymentKind>,
    payment_label: Option<String>,
    gateway_token: Option<String>,
    unpaid_since: Option<i64>,
    country: String,
    region: String,
    tax_exempt: bool,
    pending_order_id: Option<OrderId>,
    licence_type: String,
}

impl TryFrom<Row> for Subscription {
    type Error = StoreError;

    fn try_from(r: Row) -> StoreResult<Subscription> {
        let what = format!("subscription {}", r.id);
        Ok(Subscription {
            time_zone: parse_tz(&r.time_zone)
                .ok_or_else(|| StoreError::Corrupt(format!("{what}: time zone {:?}", r.time_zone)))?,
            started_at: instant(r.started_at, &what)?,
            term_start: instant(r.term_start_at, &what)?,
            term_end: instant(r.term_end_at, &what)?,
            unpaid_since: r.unpaid_since.map(|t| instant(t, &what)).transpose()?,
            id: r.id,
            org_id: r.org_id,
            customer_account_id: r.customer_account_id,
            product_id: r.product_id,
            product_name: r.product_name,
            contract_number: r.contract_number,
            csn: r.csn,
            company_name: r.company_name,
            seats: r.seats,
            seats_at_renewal: r.seats_at_renewal,
            term: r.term,
            term_at_renewal: r.term_at_renewal,
            status: r.status,
            auto_renew: r.auto_renew,
            currency: r.currency,
            partner_csn: r.partner_csn,
            reseller_name: r.reseller_name,
            reseller_email: r.reseller_email,
            payment_method_id: r.payment_method_id,
            payment_kind: r.payment_kind,
            payment_label: r.payment_label,
            gateway_token: r.gateway_token,
            tax_address: TaxAddress { country: r.country, region: r.region, tax_exempt: r.tax_exempt },
            pending_order_id: r.pending_order_id,
            licence_type: r.licence_type,
        })
    }
}

fn decode(rows: Vec<Row>) -> StoreResult<Vec<Subscription>> {
    rows.into_iter().map(Subscription::try_from).collect()
}

/// Lifecycle order of the status codes (Active, Expired, Suspended, Canceled), for sorting. The
/// index `subscriptions_org_relevance` (migration 0018) is on this very expression: change both.
const STATUS_RANK: &str = "CASE s.status WHEN 'active' THEN 0 WHEN 'expired' THEN 1 WHEN 'suspended' THEN 2 ELSE 3 END";

impl SortKey {
    /// `ORDER BY` for this key and direction; the id breaks ties, so pages never overlap.
    /// `reversed`: the exact opposite order (the list reads a page near the end backwards).
    fn order_by(self, descending: bool, reversed: bool) -> String {
        let terms: [(&str, bool); 3] = match self {
            // Active first whatever the direction; the direction applies to the dates within.
            SortKey::Relevance => [(STATUS_RANK, false), ("s.term_end_at", descending), ("s.id", descending)],
            SortKey::Date => [("s.term_end_at", descending), ("s.id", descending), ("", false)],
            SortKey::Product => [("p.name", descending), ("s.id", descending), ("", false)],
            SortKey::Id => [("s.id", descending), ("", false), ("", false)],
            SortKey::Csn => [("ca.csn", descending), ("s.id", descending), ("", false)],
            SortKey::Seats => [("s.seats", descending), ("s.id", descending), ("", false)],
            SortKey::Status => [(STATUS_RANK, descending), ("s.id", descending), ("", false)],
        };
        terms
            .iter()
            .filter(|(term, _)| !term.is_empty())
            .map(|(term, desc)| format!("{term} {}", if *desc != reversed { "DESC" } else { "ASC" }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The join the order needs beyond `subscriptions s` (the list's filter needs none).
    fn join(self) -> &'static str {
        match self {
            SortKey::Product => "JOIN products p ON p.id = s.product_id ",
            SortKey::Csn => "JOIN customer_accounts ca ON ca.id = s.customer_account_id ",
            _ => "",
        }
    }
}

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
fn like_pattern(term: &str) -> String {
    let escaped = term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Appends `(id, id, ...)` binding each id.
macro_rules! push_id_list {
    ($q:expr, $ids:expr) => {{
        let q = &mut $q;
        q.push("(");
        let mut list = q.separated(", ");
        for id in $ids {
            list.push_bind(*id);
        }
        q.push(")");
    }};
}

/// What a search term matches, looked up before the list's query: the products whose names
/// and the organisation's customer numbers that contain it. Bound as id lists, each arm of the
/// search can be answered from an index (`subscriptions_org_product`, `subscriptions_org_account`
/// and, on PostgreSQL with `pg_trgm`, the contract numbers' trigram index), which the planner
/// cannot do for subqueries inside an `OR`: searched at 50,000 subscriptions, the organisation's
/// every row was read and each tested against all four arms.
struct SearchMatches {
    /// The term as a `LIKE` pattern (lower case, wildcards escaped).
    pattern: String,
    products: Vec<ProductId>,
    accounts: Vec<CustomerAccountId>,
    /// Whether the term can be part of an id at all: ids are written in decimal digits only.
    by_id: bool,
}

/// Appends the list's `WHERE` clause for `f` to `q`, on either backend, with the search's
/// matches `m` ([`SearchMatches`], looked up for `f.search`). It names columns of
/// `subscriptions s` only (customer numbers through a subquery), so the count and the choice of
/// a page's rows need no join and can be answered from the indexes.
macro_rules! push_list_filter {
    ($q:expr, $f:expr, $m:expr) => {{
        let (q, f, m): (_, &SubscriptionFilter, &Option<SearchMatches>) = (&mut $q, $f, $m);
        q.push(" WHERE s.org_id = ").push_bind(f.org_id);
        if let Some(v) = f.status {
            q.push(" AND s.status = ").push_bind(v);
        }
        if let Some(v) = &f.csn {
            q.push(" AND s.customer_account_id IN (SELECT id FROM customer_accounts WHERE csn = ").push_bind(v.clone());
            q.push(")");
        }
        if let Some(v) = f.currency {
            q.push(" AND s.currency = ").push_bind(v);
        }
        if let Some(v) = f.term {
            q.push(" AND s.term = ").push_bind(v);
        }
        if let Some(on) = f.auto_renew {
            q.push(" AND s.auto_renew = ").push_bind(on);
        }
        if let Some(m) = m {
            q.push(" AND (LOWER(s.contract_number) LIKE ").push_bind(m.pattern.clone()).push(" ESCAPE '\\'");
            if !m.products.is_empty() {
                q.push(" OR s.product_id IN ");
                push_id_list!(*q, &m.products);
            }
            if !m.accounts.is_empty() {
                q.push(" OR s.customer_account_id IN ");
                push_id_list!(*q, &m.accounts);
            }
            if m.by_id {
                q.push(" OR CAST(s.id AS TEXT) LIKE ").push_bind(m.pattern.clone()).push(" ESCAPE '\\'");
            }
            q.push(")");
        }
    }};
}

#[derive(Debug, PartialEq, Eq)]
enum Pick {
    FromTheStart,
    FromTheEnd,
}

/// Which rows of `total` a page of `limit` from `offset` is, counted from whichever end is
/// nearer: `(limit, offset, from)`.
fn page_window(limit: i64, offset: i64, total: i64) -> (i64, i64, Pick) {
    if offset > total / 2 && offset < total {
        let end = (offset + limit).min(total);
        (end - offset, total - end, Pick::FromTheEnd)
    } else {
        (limit, offset, Pick::FromTheStart)
    }
}

impl Tx {
    /// What `f.search` matches beyond the subscription's own columns ([`SearchMatches`]); `None`
    /// without a search.
    async fn search_matches(&mut self, f: &SubscriptionFilter) -> StoreResult<Option<SearchMatches>> {
        let Some(term) = &f.search else { return Ok(None) };
        let pattern = like_pattern(term);
        let (products, accounts) = on_tx!(self, |c| {
            let products: Vec<ProductId> =
                sqlx::query_scalar("SELECT id FROM products WHERE LOWER(name) LIKE $1 ESCAPE '\\' ORDER BY id")
                    .bind(&pattern)
                    .fetch_all(&mut *c)
                    .await?;
            let accounts: Vec<CustomerAccountId> = sqlx::query_scalar(
                "SELECT id FROM customer_accounts WHERE org_id = $1 AND LOWER(csn) LIKE $2 ESCAPE '\\' ORDER BY id",
            )
            .bind(f.org_id)
            .bind(&pattern)
            .fetch_all(&mut *c)
            .await?;
            (products, accounts)
        });
        let by_id = term.chars().all(|c| c.is_ascii_digit());
        Ok(Some(SearchMatches { pattern, products, accounts, by_id }))
    }

    /// Every subscription the list's filter selects, in the list's order (its limit and offset
    /// left aside), sent one by one to `to` as the database streams them: memory holds what
    /// the channel holds, however many match. Stops early once `to` is closed.
    pub async fn send_subscriptions(
        &mut self,
        f: &SubscriptionFilter,
        to: &tokio::sync::mpsc::Sender<StoreResult<Subscription>>,
    ) -> StoreResult<()> {
        use futures_util::TryStreamExt;
        let order = f.sort.order_by(f.descending, false);
        let matches = self.search_matches(f).await?;
        on_tx!(self, |c| {
            let mut q = QueryBuilder::new(format!("{COLUMNS}{FROM}"));
            push_list_filter!(q, f, &matches);
            q.push(format!(" ORDER BY {order}"));
            let mut rows = q.build_query_as::<Row>().fetch(&mut *c);
            while let Some(row) = rows.try_next().await? {
                if to.send(Subscription::try_from(row)).await.is_err() {
                    break;
                }
            }
        });
        Ok(())
    }

    /// One page of the Subscriptions and contracts list, and the number of rows matching in all.
    /// The page's ids are chosen first, from `subscriptions` alone (an index walk for the
    /// default order and the date order), and only those rows are joined and read: a deep page
    /// skips ids, not joined rows. A page in the second half is counted from the end, in the
    /// reverse order, so the last page costs what the first does.
    pub async fn list_subscriptions(&mut self, f: &SubscriptionFilter) -> StoreResult<(Vec<Subscription>, i64)> {
        let order = f.sort.order_by(f.descending, false);
        let join = f.sort.join();
        let on_postgres = matches!(self, Tx::Postgres(_));
        let by_product_on_postgres = f.sort == SortKey::Product && on_postgres;
        let matches = self.search_matches(f).await?;
        // A search is planned for its values on PostgreSQL, not once for any: after five runs of
        // a prepared statement PostgreSQL may keep a generic plan, which cannot know that the
        // term's product is one of six or that its pattern is rare. Searched at 50,000
        // subscriptions, the count's generic plan took 23 ms and its own plan 7 ms. Without a
        // search the generic plans are the good ones, and planning each call would cost more.
        let prepared_once = matches.is_none() || !on_postgres;
        let (rows, total) = on_tx!(self, |c| {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM subscriptions s");
            push_list_filter!(count, f, &matches);
            let total: i64 = count.build_query_scalar().persistent(prepared_once).fetch_one(&mut *c).await?;
            let (limit, offset, pick) = page_window(f.limit, f.offset, total);
            let reversed = pick == Pick::FromTheEnd;
            let mut page = QueryBuilder::new(format!("{COLUMNS}{FROM} WHERE s.id IN ("));
            if by_product_on_postgres {
                // The product's name lives in another table, so no index gives this order. On
                // PostgreSQL the products are walked in name order and, within each, the
                // organisation's subscriptions by id (index `subscriptions_org_product`), at
                // most as many of each as the page reaches; an incremental sort on the id
                // within each name then stops after the page. At 50,000 subscriptions: 0.2 ms
                // for the first page instead of 43 (every row joined and sorted), 34 ms for
                // the middle one. SQLite has no `LATERAL`; the demo's sizes need none.
                let dir = if f.descending != reversed { "DESC" } else { "ASC" };
                page.push(format!(
                    "SELECT x.id FROM (SELECT id, name FROM products ORDER BY name {dir}) p \
                     CROSS JOIN LATERAL (SELECT s.id FROM subscriptions s"
                ));
                push_list_filter!(page, f, &matches);
                page.push(format!(" AND s.product_id = p.id ORDER BY s.id {dir} LIMIT ")).push_bind(limit + offset);
                page.push(format!(") x ORDER BY p.name {dir}, x.id {dir}"));
            } else {
                let pick = f.sort.order_by(f.descending, reversed);
                page.push(format!("SELECT s.id FROM subscriptions s {join}"));
                push_list_filter!(page, f, &matches);
                page.push(format!(" ORDER BY {pick}"));
            }
            page.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            page.push(format!(") ORDER BY {order}"));
            let rows: Vec<Row> = page.build_query_as().persistent(prepared_once).fetch_all(&mut *c).await?;
            (rows, total)
        });
        Ok((decode(rows)?, total))
    }

    /// One subscription, whatever its organisation (authorization decides what the caller sees).
    pub async fn subscription(&mut self, id: SubscriptionId) -> StoreResult<Option<Subscription>> {
        let sql = format!("{COLUMNS}{FROM}WHERE s.id = $1");
        let row = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql).bind(id).fetch_optional(&mut *c).await?);
        row.map(Subscription::try_from).transpose()
    }

    /// The subscriptions with these ids in one organisation, in id order; with `lock`, locked
    /// for update on PostgreSQL (for a change; a preview reads without locks). Ids of other
    /// organisations are simply not returned.
    pub async fn subscriptions_in_org(
        &mut self,
        org: OrgId,
        ids: &[SubscriptionId],
        lock: bool,
    ) -> StoreResult<Vec<Subscription>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let lock = if lock { self.for_update() } else { "" };
        let rows = on_tx!(self, |c| {
            let mut q = QueryBuilder::new(format!("{COLUMNS}{FROM}WHERE s.org_id = "));
            q.push_bind(org).push(" AND s.id IN ");
            push_id_list!(q, ids);
            q.push(" ORDER BY s.id").push(lock);
            q.build_query_as::<Row>().fetch_all(&mut *c).await?
        });
        decode(rows)
    }

    /// The organisation's subscriptions whose seats can be held (all but canceled, R-LIFE-6),
    /// by product and id.
    pub async fn assignable_subscriptions(&mut self, org: OrgId) -> StoreResult<Vec<Subscription>> {
        let sql = format!("{COLUMNS}{FROM}WHERE s.org_id = $1 AND s.status <> $2 ORDER BY p.name, s.id");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql)
            .bind(org)
            .bind(Status::Canceled)
            .fetch_all(&mut *c)
            .await?);
        decode(rows)
    }

    pub async fn set_auto_renew(
        &mut self,
        org: OrgId,
        ids: &[SubscriptionId],
        on: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE subscriptions SET auto_renew = ");
            q.push_bind(on).push(", updated_at = ").push_bind(secs(now));
            q.push(" WHERE org_id = ").push_bind(org).push(" AND id IN ");
            push_id_list!(q, ids);
            q.build().execute(&mut *c).await?.rows_affected()
        }))
    }

    /// Sets the seats and term the next renewal buys (`None`: as now, R-SUB-3). False if an
    /// order renewing it is being paid (its seats and term are final).
    pub async fn set_next_term(
        &mut self,
        id: SubscriptionId,
        seats: Option<i64>,
        term: Option<Term>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET seats_at_renewal = $1, term_at_renewal = $2, updated_at = $3 \
                   WHERE id = $4 AND pending_order_id IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(seats)
            .bind(term)
            .bind(secs(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Moves a subscription from status `from` to `to`; false if it is no longer in `from`
    /// (another process moved it first).
    pub async fn move_status(
        &mut self,
        id: SubscriptionId,
        from: Status,
        to: Status,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(to)
            .bind(secs(now))
            .bind(id)
            .bind(from)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Distinct CSNs and currencies of an organisation's subscriptions (the list's filter choices).
    pub async fn subscription_facets(&mut self, org: OrgId) -> StoreResult<(Vec<String>, Vec<Currency>)> {
        let csns = "SELECT csn FROM customer_accounts WHERE org_id = $1 ORDER BY csn";
        // Each currency found by one probe of `subscriptions_org_currency` (a loose index scan),
        // not by reading every subscription of the organisation.
        let currencies = "WITH RECURSIVE c(currency) AS ( \
               SELECT MIN(currency) FROM subscriptions WHERE org_id = $1 \
               UNION ALL SELECT (SELECT MIN(currency) FROM subscriptions WHERE org_id = $1 AND currency > c.currency) \
               FROM c WHERE c.currency IS NOT NULL) \
             SELECT currency FROM c WHERE currency IS NOT NULL ORDER BY currency";
        Ok(on_tx!(self, |c| {
            let a = sqlx::query_scalar::<_, String>(csns).bind(org).fetch_all(&mut *c).await?;
            let b = sqlx::query_scalar::<_, Currency>(currencies).bind(org).fetch_all(&mut *c).await?;
            (a, b)
        }))
    }

    pub async fn invoice_details(&mut self, id: SubscriptionId) -> StoreResult<Option<InvoiceDetails>> {
        let sql = "SELECT po_number, notes FROM invoice_details WHERE subscription_id = $1";
        let row = on_tx!(self, |c| sqlx::query_as::<_, (String, String)>(sql).bind(id).fetch_optional(&mut *c).await?);
        Ok(row.map(|(po_number, notes)| InvoiceDetails { po_number, notes }))
    }

    /// Writes a subscription's PO number and notes for its next invoices (R-INV-5).
    pub async fn save_invoice_details(
        &mut self,
        id: SubscriptionId,
        details: &InvoiceDetails,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO invoice_details (subscription_id, po_number, notes, updated_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (subscription_id) DO UPDATE SET po_number = excluded.po_number, \
                   notes = excluded.notes, updated_at = excluded.updated_at";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(&details.po_number)
            .bind(&details.notes)
            .bind(secs(at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The PO documents on a subscription, oldest first, with who attached them.
    pub async fn po_documents(&mut self, id: SubscriptionId) -> StoreResult<Vec<PoDocument>> {
        let sql = format!("{PO_DOCUMENT} WHERE d.subscription_id = $1 ORDER BY d.id");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, PoDocumentRow>(&sql).bind(id).fetch_all(&mut *c).await?);
        rows.into_iter().map(PoDocument::try_from).collect()
    }

    /// One PO document of a subscription.
    pub async fn po_document(&mut self, id: SubscriptionId, document: i64) -> StoreResult<Option<PoDocument>> {
        let sql = format!("{PO_DOCUMENT} WHERE d.subscription_id = $1 AND d.id = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, PoDocumentRow>(&sql)
            .bind(id)
            .bind(document)
            .fetch_optional(&mut *c)
            .await?);
        row.map(PoDocument::try_from).transpose()
    }

    pub async fn insert_po_document(&mut self, d: &NewPoDocument<'_>) -> StoreResult<i64> {
        let sql = "INSERT INTO po_documents (org_id, subscription_id, file_name, content_type, size_bytes, sha256, \
                   storage_key, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(d.org_id)
            .bind(d.subscription_id)
            .bind(d.file_name)
            .bind(d.content_type)
            .bind(d.size_bytes)
            .bind(d.sha256)
            .bind(d.storage_key)
            .bind(d.uploaded_by)
            .bind(secs(d.uploaded_at))
            .fetch_one(&mut *c)
            .await?))
    }

    /// Takes a PO document's record off; whether there was one.
    pub async fn delete_po_document(&mut self, id: SubscriptionId, document: i64) -> StoreResult<bool> {
        let sql = "DELETE FROM po_documents WHERE subscription_id = $1 AND id = $2";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(id).bind(document).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// The payers of a subscription's invoices, each with the language mail to them is written
    /// in: theirs if they have an account and chose one, else the organisation's default.
    pub async fn subscription_payers(&mut self, id: SubscriptionId) -> StoreResult<Vec<Recipient>> {
        let sql = "SELECT p.email, COALESCE((SELECT u.locale FROM users u WHERE u.email = p.email), o.default_locale) \
                   FROM subscription_payers p JOIN subscriptions s ON s.id = p.subscription_id \
                   JOIN organisations o ON o.id = s.org_id WHERE p.subscription_id = $1 ORDER BY p.email";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, Locale)>(sql).bind(id).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(|(address, lang)| Recipient { address, lang }).collect())
    }

    // ---- the engine's queries ----------------------------------------------------------------

    /// Subscriptions whose automatic renewal is due at `now` (R-REN-3): auto-renew on, Active,
    /// nothing owed, renewal instant reached. At most `limit`, oldest first.
    pub async fn renewals_due(&mut self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Subscription>> {
        // Fixed codes are written into the text, so PostgreSQL matches the partial index
        // `subscriptions_due` in every plan.
        let sql = format!(
            "{COLUMNS}{FROM}WHERE s.auto_renew = $1 AND s.status = '{active}' AND s.unpaid_since IS NULL \
             AND s.pending_order_id IS NULL AND s.term_end_at <= $2 ORDER BY s.term_end_at, s.id LIMIT $3",
            active = Status::Active.code()
        );
        let rows = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql)
            .bind(true)
            .bind(secs(now))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        decode(rows)
    }

    /// Active subscriptions ending in `[from, until)`: candidates for reminders (R-EXT-8).
    pub async fn ending_between(
        &mut self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{COLUMNS}{FROM}WHERE s.status = '{active}' AND s.term_end_at >= $1 AND s.term_end_at < $2 ORDER BY s.id",
            active = Status::Active.code()
        );
        let rows = on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql)
            .bind(secs(from))
            .bind(secs(until))
            .fetch_all(&mut *c)
            .await?);
        decode(rows)
    }

    /// Subscriptions whose lifecycle process has started (R-LIFE-1): ended without renewal, or
    /// an unpaid renewal is late. One held by an order still being paid waits for that order:
    /// it is renewed or released, and only then can it expire.
    pub async fn lifecycle_started(&mut self, now: DateTime<Utc>) -> StoreResult<Vec<Subscription>> {
        let sql = format!(
            "{COLUMNS}{FROM}WHERE s.status <> '{canceled}' AND s.pending_order_id IS NULL \
             AND ((s.term_end_at <= $1 AND s.auto_renew = $2) OR s.unpaid_since <= $1) ORDER BY s.id",
            canceled = Status::Canceled.code()
        );
        let rows =
            on_tx!(self, |c| sqlx::query_as::<_, Row>(&sql).bind(secs(now)).bind(false).fetch_all(&mut *c).await?);
        decode(rows)
    }

    /// Starts the next term of a subscription whose renewal instant was `t.old_end`, with the
    /// seats and term chosen for the renewal. False if another process renewed it first.
    pub async fn start_next_term(&mut self, t: &NextTerm, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET term_start_at = term_end_at, term_end_at = $1, seats = $2, term = $3, \
                   seats_at_renewal = NULL, term_at_renewal = NULL, unpaid_since = $4, updated_at = $5 \
                   WHERE id = $6 AND term_end_at = $7 AND auto_renew = $8 AND status = $9 AND pending_order_id IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(secs(t.new_end))
            .bind(t.seats)
            .bind(t.term)
            .bind(t.unpaid_since.map(secs))
            .bind(secs(now))
            .bind(t.id)
            .bind(secs(t.old_end))
            .bind(true)
            .bind(Status::Active)
            .execute(&mut *c)
            .await?
            .rows_affected());
        if n == 1 {
            // Seats reduced at this renewal (R-SUB-3): the latest assignments are freed.
            self.fit_seat_assignments(t.id).await?;
        }
        Ok(n == 1)
    }

    /// Marks a due renewal that cannot be priced or paid: its lifecycle starts at its end date
    /// (R-LIFE-1). False if another process handled it first.
    pub async fn start_next_term_failed(
        &mut self,
        id: SubscriptionId,
        term_end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET unpaid_since = term_end_at, updated_at = $1 \
                   WHERE id = $2 AND term_end_at = $3 AND unpaid_since IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(secs(now))
            .bind(id)
            .bind(secs(term_end))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Records that a subscription owes a late renewal payment from `since` (or nothing, `None`).
    pub async fn set_unpaid_since(
        &mut self,
        id: SubscriptionId,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET unpaid_since = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(since.map(secs))
            .bind(secs(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Sets a subscription's status outright (reactivation after a payment, R-LIFE-3).
    pub async fn set_status(&mut self, id: SubscriptionId, status: Status, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE subscriptions SET status = $1, updated_at = $2 WHERE id = $3";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(status)
            .bind(secs(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Records a reminder as written; false if it was written before (by this or another process).
    pub async fn mark_reminder(
        &mut self,
        id: SubscriptionId,
        term_end: DateTime<Utc>,
        days_before: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO reminders_sent (subscription_id, term_end_at, days_before, sent_at) \
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(id)
            .bind(secs(term_end))
            .bind(days_before)
            .bind(secs(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }
}

const PO_DOCUMENT: &str = "SELECT d.id, d.subscription_id, d.file_name, d.content_type, d.size_bytes, d.sha256, \
     d.storage_key, u.email AS uploaded_by, d.uploaded_at FROM po_documents d LEFT JOIN users u ON u.id = d.uploaded_by";

#[derive(sqlx::FromRow)]
struct PoDocumentRow {
    id: i64,
    subscription_id: SubscriptionId,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    storage_key: String,
    uploaded_by: Option<String>,
    uploaded_at: i64,
}

impl TryFrom<PoDocumentRow> for PoDocument {
    type Error = StoreError;

    fn try_from(r: PoDocumentRow) -> StoreResult<PoDocument> {
        Ok(PoDocument {
            uploaded_at: instant(r.uploaded_at, &format!("po document {}", r.id))?,
            id: r.id,
            subscription_id: r.subscription_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            storage_key: r.storage_key,
            uploaded_by: r.uploaded_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_the_middle_is_read_from_the_end() {
        // 100 rows, 25 a page: the first two pages from the start, the last two from the end.
        assert_eq!(page_window(25, 0, 100), (25, 0, Pick::FromTheStart));
        assert_eq!(page_window(25, 50, 100), (25, 50, Pick::FromTheStart));
        assert_eq!(page_window(25, 51, 100), (25, 24, Pick::FromTheEnd));
        assert_eq!(page_window(25, 75, 100), (25, 0, Pick::FromTheEnd));
        // A short last page: only the rows there are.
        assert_eq!(page_window(25, 100, 110), (10, 0, Pick::FromTheEnd));
        assert_eq!(page_window(25, 75, 110), (25, 10, Pick::FromTheEnd));
        // Past the end, or nothing at all: asked as it is (an empty page).
        assert_eq!(page_window(25, 200, 110), (25, 200, Pick::FromTheStart));
        assert_eq!(page_window(25, 0, 0), (25, 0, Pick::FromTheStart));
    }

    #[test]
    fn the_reverse_order_flips_every_term() {
        assert_eq!(SortKey::Seats.order_by(true, false), "s.seats DESC, s.id DESC");
        assert_eq!(SortKey::Seats.order_by(true, true), "s.seats ASC, s.id ASC");
        let relevance = SortKey::Relevance.order_by(false, false);
        assert_eq!(relevance, format!("{STATUS_RANK} ASC, s.term_end_at ASC, s.id ASC"));
        assert_eq!(
            SortKey::Relevance.order_by(false, true),
            format!("{STATUS_RANK} DESC, s.term_end_at DESC, s.id DESC")
        );
        assert_eq!(SortKey::Id.order_by(false, true), "s.id DESC");
    }
}
