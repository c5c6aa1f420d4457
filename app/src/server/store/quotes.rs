//! Quotes: an organisation's quotes, one by number, its lines and its recipients. Drafts are
//! never shown: a quote is the organisation's once it was sent.

use chrono::{DateTime, Utc};

use super::records::*;
use super::{StoreError, StoreResult, Tx, instant, on_tx, secs};
use crate::domain::ids::*;
use crate::domain::money::{Currency, Money};
use crate::domain::quote::{QuoteKind, QuoteOrigin, QuoteStatus};
use crate::domain::term::Term;

/// Columns of [`QuoteRecord`].
const QUOTE: &str = "SELECT q.id, q.org_id, q.number, q.kind, q.origin, q.status, ca.csn, q.currency, \
     q.subtotal_minor, q.discount_minor, q.tax_minor, q.total_minor, q.partner_csn, q.partner_name, \
     q.customer_name, q.customer_address, q.expires_at, q.created_at, \
     COALESCE(q.order_id, (SELECT o.id FROM orders o WHERE o.quote_id = q.id ORDER BY o.id LIMIT 1)) AS order_id, \
     COALESCE((SELECT s.time_zone FROM quote_lines ql JOIN subscriptions s ON s.id = ql.subscription_id \
               WHERE ql.quote_id = q.id ORDER BY ql.id LIMIT 1), \
              (SELECT s.time_zone FROM subscriptions s WHERE s.customer_account_id = q.customer_account_id \
               ORDER BY s.id LIMIT 1), 'UTC') AS time_zone, \
     EXISTS (SELECT 1 FROM quote_lines ql JOIN subscriptions s ON s.id = ql.subscription_id \
             WHERE ql.quote_id = q.id AND ql.period_start IS NOT NULL AND s.term_end_at <> ql.period_start) \
       AS renewed_since \
     FROM quotes q JOIN customer_accounts ca ON ca.id = q.customer_account_id \
     WHERE q.status <> 'draft' ";

#[derive(sqlx::FromRow)]
struct QuoteRow {
    id: QuoteId,
    org_id: OrgId,
    number: String,
    kind: String,
    origin: QuoteOrigin,
    status: QuoteStatus,
    csn: String,
    currency: Currency,
    subtotal_minor: i64,
    discount_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    partner_csn: Option<String>,
    partner_name: Option<String>,
    customer_name: String,
    customer_address: String,
    expires_at: i64,
    created_at: i64,
    order_id: Option<OrderId>,
    time_zone: String,
    renewed_since: bool,
}

impl TryFrom<QuoteRow> for QuoteRecord {
    type Error = StoreError;

    fn try_from(r: QuoteRow) -> StoreResult<QuoteRecord> {
        let what = format!("quote {}", r.id);
        let bad = |field: &str, v: &str| StoreError::Corrupt(format!("{what}: {field} {v:?}"));
        let money = |minor| Money::from_minor(minor, r.currency);
        Ok(QuoteRecord {
            time_zone: crate::domain::time::parse_tz(&r.time_zone).ok_or_else(|| bad("time zone", &r.time_zone))?,
            subtotal: money(r.subtotal_minor),
            discount: money(r.discount_minor),
            tax: money(r.tax_minor),
            total: money(r.total_minor),
            expires_at: instant(r.expires_at, &what)?,
            created_at: instant(r.created_at, &what)?,
            id: r.id,
            origin: r.origin,
            status: r.status,
            org_id: r.org_id,
            number: r.number,
            kind: QuoteKind::parse(&r.kind).ok_or_else(|| bad("kind", &r.kind))?,
            csn: r.csn,
            currency: r.currency,
            partner_csn: r.partner_csn,
            partner_name: r.partner_name,
            customer_name: r.customer_name,
            customer_address: r.customer_address,
            order_id: r.order_id,
            renewed_since: r.renewed_since,
        })
    }
}

#[derive(sqlx::FromRow)]
struct QuoteLineRow {
    subscription_id: Option<SubscriptionId>,
    product_name: String,
    seats: i64,
    term: Term,
    currency: Currency,
    unit_price_minor: i64,
    discount_minor: i64,
    amount_minor: i64,
    promotion: Option<String>,
    period_start: Option<i64>,
    period_end: Option<i64>,
}

impl Tx {
    /// The organisation's quotes (sent or later), in no particular order: the page orders them.
    pub async fn quotes_in_org(&mut self, org: OrgId) -> StoreResult<Vec<QuoteRecord>> {
        let sql = format!("{QUOTE}AND q.org_id = $1");
        let rows = on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql).bind(org).fetch_all(&mut *c).await?);
        rows.into_iter().map(QuoteRecord::try_from).collect()
    }

    /// One of the organisation's quotes by its number; another organisation's is not found.
    pub async fn quote_by_number(&mut self, org: OrgId, number: &str) -> StoreResult<Option<QuoteRecord>> {
        let sql = format!("{QUOTE}AND q.org_id = $1 AND q.number = $2");
        let row = on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql)
            .bind(org)
            .bind(number)
            .fetch_optional(&mut *c)
            .await?);
        row.map(QuoteRecord::try_from).transpose()
    }

    /// A quote's lines, in the order they were written.
    pub async fn quote_lines(&mut self, quote: QuoteId) -> StoreResult<Vec<QuoteLineRecord>> {
        let sql = "SELECT ql.subscription_id, p.name AS product_name, ql.seats, ql.term, q.currency, \
                   ql.unit_price_minor, ql.discount_minor, ql.amount_minor, ql.promotion, ql.period_start, ql.period_end \
                   FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id JOIN products p ON p.id = ql.product_id \
                   WHERE ql.quote_id = $1 ORDER BY ql.id";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, QuoteLineRow>(sql).bind(quote).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|r| {
                let what = format!("quote {quote} line");
                let money = |minor| Money::from_minor(minor, r.currency);
                Ok(QuoteLineRecord {
                    unit_price: money(r.unit_price_minor),
                    discount: money(r.discount_minor),
                    amount: money(r.amount_minor),
                    period_start: r.period_start.map(|s| instant(s, &what)).transpose()?,
                    period_end: r.period_end.map(|s| instant(s, &what)).transpose()?,
                    subscription_id: r.subscription_id,
                    product_name: r.product_name,
                    seats: r.seats,
                    term: r.term,
                    promotion: r.promotion,
                })
            })
            .collect()
    }

    /// Marks a sent quote accepted, in the transaction that writes its order. False if it was
    /// accepted (or replaced, or had expired) meanwhile: the caller rolls back.
    pub async fn accept_quote(&mut self, quote: QuoteId, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE quotes SET status = 'accepted', accepted_at = $1 \
                   WHERE id = $2 AND status = 'sent' AND expires_at > $1";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(quote).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Who a quote was sent to, alphabetically.
    pub async fn quote_recipients(&mut self, quote: QuoteId) -> StoreResult<Vec<String>> {
        let sql = "SELECT email FROM quote_recipients WHERE quote_id = $1 ORDER BY email";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(quote).fetch_all(&mut *c).await?))
    }
}

impl Tx {
    /// Writes a sent quote and gives it its number (`Q-` and the id, six digits at least). A
    /// second quote with the same creation key is a unique violation.
    pub async fn insert_quote(&mut self, q: &NewQuote<'_>) -> StoreResult<(QuoteId, String)> {
        let sql = "INSERT INTO quotes (org_id, number, customer_account_id, kind, origin, status, currency, \
                   subtotal_minor, discount_minor, tax_minor, total_minor, partner_csn, customer_name, customer_address, \
                   expires_at, created_by, created_at, sent_at, creation_key, mailed_at) \
                   VALUES ($1, $2, $3, $4, $5, 'sent', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $16) \
                   RETURNING id";
        let number_sql = "UPDATE quotes SET number = $1 WHERE id = $2";
        // Unique until the number replaces it in the same transaction.
        let placeholder = format!("new:{}:{}", q.created_at.timestamp_micros(), uuid::Uuid::new_v4());
        Ok(on_tx!(self, |c| {
            let id = sqlx::query_scalar::<_, QuoteId>(sql)
                .bind(q.org_id)
                .bind(&placeholder)
                .bind(q.customer_account_id)
                .bind(q.kind.code())
                .bind(q.origin)
                .bind(q.currency)
                .bind(q.subtotal.minor())
                .bind(q.discount.minor())
                .bind(q.tax.minor())
                .bind(q.total.minor())
                .bind(q.partner_csn)
                .bind(q.customer_name)
                .bind(q.customer_address)
                .bind(secs(q.expires_at))
                .bind(q.created_by)
                .bind(secs(q.created_at))
                .bind(q.creation_key)
                .fetch_one(&mut *c)
                .await?;
            let number = format!("Q-{:06}", id.get());
            sqlx::query(number_sql).bind(&number).bind(id).execute(&mut *c).await?;
            (id, number)
        }))
    }

    /// Writes a quote's lines (one statement) and its recipients.
    pub async fn insert_quote_lines(
        &mut self,
        quote: QuoteId,
        lines: &[NewQuoteLine],
        recipients: &[String],
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO quote_lines (quote_id, subscription_id, product_id, seats, term, unit_price_minor, \
                 discount_minor, amount_minor, promotion, period_start, period_end) ",
            );
            q.push_values(lines, |mut b, l| {
                b.push_bind(quote)
                    .push_bind(l.subscription_id)
                    .push_bind(l.product_id)
                    .push_bind(l.seats)
                    .push_bind(l.term)
                    .push_bind(l.unit_price.minor())
                    .push_bind(l.discount.minor())
                    .push_bind(l.amount.minor())
                    .push_bind(l.promotion.clone())
                    .push_bind(secs(l.period_start))
                    .push_bind(secs(l.period_end));
            });
            q.build().execute(&mut *c).await?;
            if !recipients.is_empty() {
                let mut r = sqlx::QueryBuilder::new("INSERT INTO quote_recipients (quote_id, email) ");
                r.push_values(recipients, |mut b, to| {
                    b.push_bind(quote).push_bind(to.clone());
                });
                r.build().execute(&mut *c).await?;
            }
            0u64
        });
        Ok(())
    }

    /// The quote a send form's key made, if any, in the organisation.
    pub async fn quote_by_creation_key(&mut self, org: OrgId, key: &str) -> StoreResult<Option<QuoteRecord>> {
        let sql = format!("{QUOTE}AND q.org_id = $1 AND q.creation_key = $2");
        let row =
            on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql).bind(org).bind(key).fetch_optional(&mut *c).await?);
        row.map(QuoteRecord::try_from).transpose()
    }

    /// How many self-service quotes `user` made since `since`.
    pub async fn self_service_quotes_since(&mut self, user: UserId, since: DateTime<Utc>) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM quotes WHERE created_by = $1 AND origin = 'self_service' AND created_at >= $2";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).bind(user).bind(secs(since)).fetch_one(&mut *c).await?))
    }

    /// Whether a sent quote that has not expired at `now` renews `sub`'s term ending `term_end`.
    pub async fn active_quote_renews(
        &mut self,
        sub: SubscriptionId,
        term_end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM quote_lines ql JOIN quotes q ON q.id = ql.quote_id \
                   WHERE ql.subscription_id = $1 AND ql.period_start = $2 AND q.kind = 'renewal' \
                     AND q.status = 'sent' AND q.expires_at > $3";
        let n = on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(sub)
            .bind(secs(term_end))
            .bind(secs(now))
            .fetch_one(&mut *c)
            .await?);
        Ok(n > 0)
    }

    /// Claims the engine's renewal quote of `sub`'s term ending `term_end` (R-QUOTE-6): true
    /// for the first caller only, whichever process; the claim is kept, so a term whose quote
    /// could not be made is not tried again every pass.
    pub async fn claim_generated_quote(
        &mut self,
        sub: SubscriptionId,
        term_end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO generated_quotes (subscription_id, term_end, created_at) VALUES ($1, $2, $3) \
                   ON CONFLICT DO NOTHING";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(sub)
            .bind(secs(term_end))
            .bind(secs(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    /// Records which quote a claimed generation made.
    pub async fn set_generated_quote(
        &mut self,
        sub: SubscriptionId,
        term_end: DateTime<Utc>,
        quote: QuoteId,
    ) -> StoreResult<()> {
        let sql = "UPDATE generated_quotes SET quote_id = $1 WHERE subscription_id = $2 AND term_end = $3";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(quote)
            .bind(sub)
            .bind(secs(term_end))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// How many quotes the engine made, and how many claims it wrote (tests).
    pub async fn generated_quote_count(&mut self) -> StoreResult<(i64, i64)> {
        let made = "SELECT COUNT(*) FROM quotes WHERE origin = 'automatic'";
        let claims = "SELECT COUNT(*) FROM generated_quotes";
        Ok(on_tx!(self, |c| {
            let m = sqlx::query_scalar::<_, i64>(made).fetch_one(&mut *c).await?;
            let k = sqlx::query_scalar::<_, i64>(claims).fetch_one(&mut *c).await?;
            (m, k)
        }))
    }

    // ---- the human check ----------------------------------------------------------------------

    /// Keeps the answer of a check asked of `user`, valid until `expires_at`.
    pub async fn insert_human_check(
        &mut self,
        nonce: &str,
        user: UserId,
        answer: i64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO human_checks (nonce, user_id, answer, expires_at) VALUES ($1, $2, $3, $4)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(nonce)
            .bind(user)
            .bind(answer)
            .bind(secs(expires_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Answers a check: right, it is used up at once (it passes once); wrong, one attempt of
    /// `max_attempts` is counted. Another user's, an expired, used or exhausted check is void.
    pub async fn answer_human_check(
        &mut self,
        nonce: &str,
        user: UserId,
        answer: Option<i64>,
        max_attempts: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<CheckOutcome> {
        let live = "nonce = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > $3 AND attempts < $4";
        let pass = format!("UPDATE human_checks SET used_at = $3 WHERE {live} AND answer = $5");
        let miss = format!("UPDATE human_checks SET attempts = attempts + 1 WHERE {live}");
        let n = on_tx!(self, |c| {
            let passed = match answer {
                Some(a) => sqlx::query(&pass)
                    .bind(nonce)
                    .bind(user)
                    .bind(secs(now))
                    .bind(max_attempts)
                    .bind(a)
                    .execute(&mut *c)
                    .await?
                    .rows_affected(),
                None => 0,
            };
            if passed == 1 {
                2
            } else {
                sqlx::query(&miss)
                    .bind(nonce)
                    .bind(user)
                    .bind(secs(now))
                    .bind(max_attempts)
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
            }
        });
        Ok(match n {
            2 => CheckOutcome::Passed,
            1 => CheckOutcome::Wrong,
            _ => CheckOutcome::Void,
        })
    }

    /// Forgets checks that can no longer be answered.
    pub async fn delete_human_checks_before(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "DELETE FROM human_checks WHERE expires_at < $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(secs(before)).execute(&mut *c).await?.rows_affected()))
    }

    /// The organisation's members, as a quote's recipients are chosen from: name, address and
    /// the language their mail is written in (their choice, else the organisation's), by name.
    pub async fn org_members(&mut self, org: OrgId) -> StoreResult<Vec<Member>> {
        let sql = "SELECT DISTINCT u.display_name, u.email, COALESCE(u.locale, o.default_locale) AS lang \
                   FROM users u JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.org_id \
                   WHERE m.org_id = $1 ORDER BY u.display_name, u.email";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, String, crate::domain::locale::Locale)>(sql)
            .bind(org)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows.into_iter().map(|(name, email, lang)| Member { name, email, lang }).collect())
    }

    /// A customer number's company name and its address on one line, as a quote prints it: the
    /// details it has now.
    pub async fn customer_on_quote(&mut self, account: CustomerAccountId) -> StoreResult<Option<(String, String)>> {
        Ok(self.customer_details(account).await?.map(|d| {
            let line = crate::domain::customer::one_line(&d);
            (d.company_name, line)
        }))
    }

    /// Active quotes whose mail was never queued (they arrived from a partner), oldest first.
    pub async fn quotes_to_mail(&mut self, now: DateTime<Utc>, limit: i64) -> StoreResult<Vec<QuoteRecord>> {
        let sql = format!(
            "{QUOTE}AND q.status = 'sent' AND q.mailed_at IS NULL AND q.expires_at > $1 ORDER BY q.id LIMIT $2"
        );
        let rows = on_tx!(self, |c| sqlx::query_as::<_, QuoteRow>(&sql)
            .bind(secs(now))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.into_iter().map(QuoteRecord::try_from).collect()
    }

    /// Claims a quote's mail: true for the first caller only.
    pub async fn mark_quote_mailed(&mut self, quote: QuoteId, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "UPDATE quotes SET mailed_at = $1 WHERE id = $2 AND mailed_at IS NULL";
        let n = on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(quote).execute(&mut *c).await?.rows_affected());
        Ok(n == 1)
    }
}
