//! The queries. Each is one portable SQL text run through [`on_tx!`] on either backend.

use super::rows::*;
use super::{StoreError, StoreResult, Tx, on_tx};

use Value as Arg;

/// Collects bind values and hands out their `$n` placeholders.
#[derive(Default)]
pub(super) struct Args(pub(super) Vec<Value>);

impl Args {
    /// Returns the placeholder for `a`; a NULL is written into the SQL as a literal, because an
    /// untyped bound NULL is refused by PostgreSQL for columns of another type.
    pub(super) fn push(&mut self, a: Value) -> String {
        if let Value::Null = a {
            return "NULL".into();
        }
        self.0.push(a);
        format!("${}", self.0.len())
    }

    fn values(&mut self, values: Vec<Value>) -> String {
        values.into_iter().map(|v| self.push(v)).collect::<Vec<_>>().join(", ")
    }

    /// `$a, $b, ...` for a list of ids.
    pub(super) fn list(&mut self, ids: &[i64]) -> String {
        ids.iter().map(|id| self.push(Arg::Int(*id))).collect::<Vec<_>>().join(", ")
    }
}

/// Binds `args` onto a query or query_as, on whichever backend the macro expanded it for.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in &$args.0 {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Bool(v) => q.bind(*v),
                Arg::Null => unreachable!("NULL is never bound, see Args::push"),
            };
        }
        q
    }};
}
pub(super) use bind_all;

const SUBSCRIPTION_COLUMNS: &str = "s.id, s.org_id, p.name AS product_name, s.contract_number, ca.csn, \
     ca.company_name, s.seats, s.seats_at_renewal, s.term, s.term_at_renewal, s.status, s.auto_renew, \
     s.started_at, s.term_start_at, s.term_end_at, s.time_zone, s.currency, s.partner_csn, \
     s.reseller_name, s.reseller_email, pm.kind AS payment_kind, pm.label AS payment_label, s.unpaid_since";

const SUBSCRIPTION_FROM: &str = "FROM subscriptions s \
     JOIN products p ON p.id = s.product_id \
     JOIN customer_accounts ca ON ca.id = s.customer_account_id \
     LEFT JOIN payment_methods pm ON pm.id = s.payment_method_id AND pm.removed_at IS NULL";

/// Escapes LIKE wildcards so a search for "50%" finds "50%".
fn like_pattern(term: &str) -> String {
    let escaped = term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Tx {
    // ---- users, sessions, sign-in ------------------------------------------------------------

    pub async fn user_auth_by_email(&mut self, email: &str) -> StoreResult<Option<UserAuthRow>> {
        let sql = "SELECT id, password_hash FROM users WHERE email = $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, UserAuthRow>(sql).bind(email).fetch_optional(&mut *c).await?))
    }

    pub async fn user(&mut self, user_id: i64) -> StoreResult<Option<UserRow>> {
        let sql = "SELECT id, email, display_name FROM users WHERE id = $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, UserRow>(sql).bind(user_id).fetch_optional(&mut *c).await?))
    }

    /// The organisations a user belongs to, lowest id first.
    pub async fn user_orgs(&mut self, user_id: i64) -> StoreResult<Vec<i64>> {
        let sql = "SELECT DISTINCT org_id FROM memberships WHERE user_id = $1 ORDER BY org_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).bind(user_id).fetch_all(&mut *c).await?))
    }

    pub async fn roles(&mut self, user_id: i64, org_id: i64) -> StoreResult<Vec<String>> {
        let sql = "SELECT role FROM memberships WHERE user_id = $1 AND org_id = $2 ORDER BY role";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(user_id).bind(org_id).fetch_all(&mut *c).await?))
    }

    pub async fn org_name(&mut self, org_id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT name FROM organisations WHERE id = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(org_id).fetch_optional(&mut *c).await?))
    }

    /// E-mail addresses of the users holding `role` in an organisation.
    pub async fn emails_with_role(&mut self, org_id: i64, role: &str) -> StoreResult<Vec<String>> {
        let sql = "SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id \
                   WHERE m.org_id = $1 AND m.role = $2 ORDER BY u.email";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(org_id).bind(role).fetch_all(&mut *c).await?))
    }

    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        org_id: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql =
            "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(token_hash)
            .bind(user_id)
            .bind(org_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn session(&mut self, token_hash: &str, now: i64) -> StoreResult<Option<SessionRow>> {
        let sql = "SELECT user_id, org_id FROM sessions WHERE token_hash = $1 AND expires_at > $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, SessionRow>(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        on_tx!(self, |c| sqlx::query(sql).bind(token_hash).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Ends every session of a user (password change or reset).
    pub async fn delete_user_sessions(&mut self, user_id: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE user_id = $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(user_id).execute(&mut *c).await?.rows_affected()))
    }

    pub async fn delete_expired_sessions(&mut self, now: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE expires_at <= $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(now).execute(&mut *c).await?.rows_affected()))
    }

    /// Serialises transactions about one key until commit: a PostgreSQL advisory lock. On SQLite
    /// a write transaction (`BEGIN IMMEDIATE`) is already exclusive.
    pub async fn serialize_on(&mut self, key: &str) -> StoreResult<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(key).execute(&mut **t).await?;
        }
        Ok(())
    }

    pub async fn record_login_failure(&mut self, account_key: &str, address: &str, now: i64) -> StoreResult<()> {
        let sql = "INSERT INTO login_failures (account_key, address, at) VALUES ($1, $2, $3)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(account_key)
            .bind(address)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Failed sign-ins since `since`, for the account and for the address.
    pub async fn login_failures_since(
        &mut self,
        account_key: &str,
        address: &str,
        since: i64,
    ) -> StoreResult<(i64, i64)> {
        let by_account = "SELECT COUNT(*) FROM login_failures WHERE account_key = $1 AND at >= $2";
        let by_address = "SELECT COUNT(*) FROM login_failures WHERE address = $1 AND at >= $2";
        Ok(on_tx!(self, |c| {
            let a = sqlx::query_scalar::<_, i64>(by_account).bind(account_key).bind(since).fetch_one(&mut *c).await?;
            let b = sqlx::query_scalar::<_, i64>(by_address).bind(address).bind(since).fetch_one(&mut *c).await?;
            (a, b)
        }))
    }

    pub async fn insert_reset_token(&mut self, token_hash: &str, user_id: i64, expires_at: i64) -> StoreResult<()> {
        let sql = "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(token_hash)
            .bind(user_id)
            .bind(expires_at)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Uses a reset token: the user it belongs to, if it exists, is unused and has not expired.
    /// A token works once.
    pub async fn take_reset_token(&mut self, token_hash: &str, now: i64) -> StoreResult<Option<i64>> {
        let sql = "UPDATE password_reset_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(now)
            .bind(token_hash)
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn set_password_hash(&mut self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        let sql = "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3";
        on_tx!(self, |c| sqlx::query(sql).bind(hash).bind(now).bind(user_id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Forgets failures older than `before`: they no longer count against anyone.
    pub async fn delete_login_failures_before(&mut self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM login_failures WHERE at < $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(before).execute(&mut *c).await?.rows_affected()))
    }

    pub async fn clear_login_failures(&mut self, account_key: &str) -> StoreResult<()> {
        let sql = "DELETE FROM login_failures WHERE account_key = $1";
        on_tx!(self, |c| sqlx::query(sql).bind(account_key).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    // ---- subscriptions -----------------------------------------------------------------------

    /// One page of the Subscriptions and contracts list, and the number of rows matching in all.
    pub async fn list_subscriptions(&mut self, f: &SubscriptionFilter) -> StoreResult<(Vec<SubscriptionRow>, i64)> {
        let mut args = Args::default();
        let mut sql_where = format!("WHERE s.org_id = {}", args.push(Arg::Int(f.org_id)));
        let mut text_filter = |column: &str, value: &Option<String>, args: &mut Args| {
            if let Some(v) = value {
                sql_where.push_str(&format!(" AND {column} = {}", args.push(Arg::Text(v.clone()))));
            }
        };
        text_filter("s.status", &f.status, &mut args);
        text_filter("ca.csn", &f.csn, &mut args);
        text_filter("s.currency", &f.currency, &mut args);
        text_filter("s.term", &f.term, &mut args);
        if let Some(on) = f.auto_renew {
            sql_where.push_str(&format!(" AND s.auto_renew = {}", args.push(Arg::Bool(on))));
        }
        if let Some(term) = &f.search {
            let p = args.push(Arg::Text(like_pattern(term)));
            sql_where.push_str(&format!(
                " AND (LOWER(p.name) LIKE {p} ESCAPE '\\' OR CAST(s.id AS TEXT) LIKE {p} ESCAPE '\\' \
                 OR LOWER(s.contract_number) LIKE {p} ESCAPE '\\' OR ca.csn LIKE {p} ESCAPE '\\')"
            ));
        }
        let count_sql = format!("SELECT COUNT(*) {SUBSCRIPTION_FROM} {sql_where}");
        let count_args = Args(args.0.clone());
        let dir = if f.descending { "DESC" } else { "ASC" };
        let limit = args.push(Arg::Int(f.limit));
        let offset = args.push(Arg::Int(f.offset));
        let page_sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} {SUBSCRIPTION_FROM} {sql_where} ORDER BY {} {dir}, s.id {dir} LIMIT {limit} OFFSET {offset}",
            f.sort.column()
        );
        Ok(on_tx!(self, |c| {
            let total = bind_all!(sqlx::query_scalar::<_, i64>(&count_sql), count_args).fetch_one(&mut *c).await?;
            let rows = bind_all!(sqlx::query_as::<_, SubscriptionRow>(&page_sql), args).fetch_all(&mut *c).await?;
            (rows, total)
        }))
    }

    /// One subscription, whatever its organisation (authorization decides what the caller sees).
    pub async fn subscription(&mut self, id: i64) -> StoreResult<Option<SubscriptionRow>> {
        let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} {SUBSCRIPTION_FROM} WHERE s.id = $1");
        Ok(on_tx!(self, |c| sqlx::query_as::<_, SubscriptionRow>(&sql).bind(id).fetch_optional(&mut *c).await?))
    }

    /// The subscriptions with these ids in one organisation; with `lock`, locked for update on
    /// PostgreSQL (for a change; a preview reads without locks). Ids of other organisations are
    /// simply not returned.
    pub async fn subscriptions_in_org(
        &mut self,
        org_id: i64,
        ids: &[i64],
        lock: bool,
    ) -> StoreResult<Vec<SubscriptionRow>> {
        let mut args = Args::default();
        let org = args.push(Arg::Int(org_id));
        let list = args.list(ids);
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} {SUBSCRIPTION_FROM} WHERE s.org_id = {org} AND s.id IN ({list}) ORDER BY s.id{}",
            if lock { self.for_update() } else { "" }
        );
        Ok(on_tx!(self, |c| bind_all!(sqlx::query_as::<_, SubscriptionRow>(&sql), args).fetch_all(&mut *c).await?))
    }

    pub async fn set_auto_renew(&mut self, org_id: i64, ids: &[i64], on: bool, now: i64) -> StoreResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut args = Args::default();
        let on = args.push(Arg::Bool(on));
        let now = args.push(Arg::Int(now));
        let org = args.push(Arg::Int(org_id));
        let list = args.list(ids);
        let sql = format!(
            "UPDATE subscriptions SET auto_renew = {on}, updated_at = {now} WHERE org_id = {org} AND id IN ({list})"
        );
        Ok(on_tx!(self, |c| bind_all!(sqlx::query(&sql), args).execute(&mut *c).await?.rows_affected()))
    }

    /// Subscriptions whose term ended by `now` without renewal and that are not canceled yet: the
    /// candidates for a lifecycle transition (R-LIFE-1..3).
    /// Moves a subscription from status `from` to `to`; false if it is no longer in `from`
    /// (another process moved it first).
    pub async fn move_status(&mut self, id: i64, from: &str, to: &str, now: i64) -> StoreResult<bool> {
        let sql = "UPDATE subscriptions SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4";
        Ok(on_tx!(self, |c| sqlx::query(sql)
            .bind(to)
            .bind(now)
            .bind(id)
            .bind(from)
            .execute(&mut *c)
            .await?
            .rows_affected())
            == 1)
    }

    /// Distinct CSNs and currencies of an organisation's subscriptions (the list's filter choices).
    pub async fn subscription_facets(&mut self, org_id: i64) -> StoreResult<(Vec<String>, Vec<String>)> {
        let csns = "SELECT csn FROM customer_accounts WHERE org_id = $1 ORDER BY csn";
        let currencies = "SELECT DISTINCT currency FROM subscriptions WHERE org_id = $1 ORDER BY currency";
        Ok(on_tx!(self, |c| {
            let a = sqlx::query_scalar::<_, String>(csns).bind(org_id).fetch_all(&mut *c).await?;
            let b = sqlx::query_scalar::<_, String>(currencies).bind(org_id).fetch_all(&mut *c).await?;
            (a, b)
        }))
    }

    pub async fn invoice_details(&mut self, subscription_id: i64) -> StoreResult<Option<InvoiceDetailsRow>> {
        let sql = "SELECT po_number, notes FROM invoice_details WHERE subscription_id = $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, InvoiceDetailsRow>(sql)
            .bind(subscription_id)
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn po_documents(&mut self, subscription_id: i64) -> StoreResult<Vec<DocumentRow>> {
        let sql = "SELECT id, file_name FROM po_documents WHERE subscription_id = $1 ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, DocumentRow>(sql).bind(subscription_id).fetch_all(&mut *c).await?))
    }

    pub async fn subscription_payers(&mut self, subscription_id: i64) -> StoreResult<Vec<String>> {
        let sql = "SELECT email FROM subscription_payers WHERE subscription_id = $1 ORDER BY email";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(subscription_id).fetch_all(&mut *c).await?))
    }

    // ---- audit log, outbox, idempotency ------------------------------------------------------

    pub async fn insert_audit(&mut self, entries: &[AuditEntry]) -> StoreResult<()> {
        // 7 values per row; chunks keep far below SQLite's limit on bound variables.
        for chunk in entries.chunks(500) {
            let mut args = Args::default();
            let values = chunk
                .iter()
                .map(|e| {
                    let v = [
                        args.push(Arg::Int(e.org_id)),
                        args.push(e.actor_user_id.into()),
                        args.push(Arg::Text(e.action.clone())),
                        args.push(Arg::Text(e.object_type.clone())),
                        args.push(Arg::Int(e.object_id)),
                        args.push(Arg::Text(e.detail.clone())),
                        args.push(Arg::Int(e.at)),
                    ];
                    format!("({})", v.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO audit_log (org_id, actor_user_id, action, object_type, object_id, detail, at) VALUES {values}"
            );
            on_tx!(self, |c| bind_all!(sqlx::query(&sql), args).execute(&mut *c).await?.rows_affected());
        }
        Ok(())
    }

    /// Audit entries about one object, newest first.
    pub async fn audit_for(&mut self, object_type: &str, object_id: i64) -> StoreResult<Vec<(String, String, i64)>> {
        let sql = "SELECT action, detail, at FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY at DESC, id DESC";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (String, String, i64)>(sql)
            .bind(object_type)
            .bind(object_id)
            .fetch_all(&mut *c)
            .await?))
    }

    pub async fn queue_mail(&mut self, mail: &OutgoingMail, now: i64) -> StoreResult<i64> {
        let sql = "INSERT INTO mail_outbox (org_id, kind, to_address, subject, body_text, body_html, created_at, next_attempt_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(mail.org_id)
            .bind(&mail.kind)
            .bind(&mail.to_address)
            .bind(&mail.subject)
            .bind(&mail.body_text)
            .bind(&mail.body_html)
            .bind(now)
            .fetch_one(&mut *c)
            .await?))
    }

    /// Claims up to `limit` mails that are due: marks them leased until `lease_until` so that no
    /// other worker takes them meanwhile. On PostgreSQL rows locked by another worker's claim are
    /// skipped (`SKIP LOCKED`); on SQLite the write transaction is exclusive. A mail whose lease
    /// ran out (its worker died) is due again.
    pub async fn claim_due_mails(&mut self, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        let lock = if self.is_postgres() { " FOR UPDATE SKIP LOCKED" } else { "" };
        let claim = format!(
            "UPDATE mail_outbox SET claimed_until = $1 WHERE id IN (\
               SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
               AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3{lock}) \
             RETURNING id, kind, to_address, subject, body_text, body_html, attempts"
        );
        let mut rows = on_tx!(self, |c| sqlx::query_as::<_, OutboxRow>(&claim)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    pub async fn mark_mail_sent(&mut self, id: i64, now: i64) -> StoreResult<()> {
        let sql = "UPDATE mail_outbox SET sent_at = $1, claimed_until = NULL, attempts = attempts + 1 WHERE id = $2";
        on_tx!(self, |c| sqlx::query(sql).bind(now).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Records a failed attempt: due again at `retry_at`, or failed for good when `retry_at` is
    /// `None`.
    pub async fn mark_mail_attempt_failed(
        &mut self,
        id: i64,
        error: &str,
        now: i64,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        let sql = match retry_at {
            Some(_) => {
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL WHERE id = $3"
            }
            None => {
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, failed_at = $2, claimed_until = NULL WHERE id = $3"
            }
        };
        let at = retry_at.unwrap_or(now);
        on_tx!(self, |c| sqlx::query(sql).bind(error).bind(at).bind(id).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// (waiting, failed) mails: what an operator watches.
    pub async fn mail_counts(&mut self) -> StoreResult<(i64, i64)> {
        let waiting = "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL";
        let failed = "SELECT COUNT(*) FROM mail_outbox WHERE failed_at IS NOT NULL";
        Ok(on_tx!(self, |c| {
            let w = sqlx::query_scalar::<_, i64>(waiting).fetch_one(&mut *c).await?;
            let f = sqlx::query_scalar::<_, i64>(failed).fetch_one(&mut *c).await?;
            (w, f)
        }))
    }

    /// Queued mails of one kind to one address (tests).
    pub async fn outbox_for(&mut self, to_address: &str, kind: &str) -> StoreResult<Vec<(i64, String, String)>> {
        let sql = "SELECT id, subject, body_text FROM mail_outbox WHERE to_address = $1 AND kind = $2 ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (i64, String, String)>(sql)
            .bind(to_address)
            .bind(kind)
            .fetch_all(&mut *c)
            .await?))
    }

    /// The stored answer of an earlier request with this key, and the action it was for.
    pub async fn idempotent_response(&mut self, user_id: i64, key: &str) -> StoreResult<Option<(String, String)>> {
        let sql = "SELECT action, response FROM idempotency_keys WHERE user_id = $1 AND key = $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (String, String)>(sql)
            .bind(user_id)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn save_idempotent_response(
        &mut self,
        user_id: i64,
        key: &str,
        action: &str,
        response: &str,
        now: i64,
    ) -> StoreResult<()> {
        let sql =
            "INSERT INTO idempotency_keys (user_id, key, action, response, created_at) VALUES ($1, $2, $3, $4, $5)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(user_id)
            .bind(key)
            .bind(action)
            .bind(response)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    // ---- demo data and other bulk loading ----------------------------------------------------

    pub async fn count_organisations(&mut self) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations")
            .fetch_one(&mut *c)
            .await?))
    }

    /// Inserts one row into `table` and returns its id. `columns` and `table` are compile-time
    /// names from the seed code, never user input.
    pub async fn insert_row(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        values: Vec<Value>,
    ) -> StoreResult<i64> {
        if columns.len() != values.len() {
            return Err(StoreError::Corrupt(format!("{table}: {} columns, {} values", columns.len(), values.len())));
        }
        let mut args = Args::default();
        let placeholders = args.values(values);
        let sql = format!("INSERT INTO {table} ({}) VALUES ({placeholders}) RETURNING id", columns.join(", "));
        Ok(on_tx!(self, |c| bind_all!(sqlx::query_scalar::<_, i64>(&sql), args).fetch_one(&mut *c).await?))
    }

    /// Inserts a row into a table without an `id` column (link tables).
    pub async fn insert_link(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        values: Vec<Value>,
    ) -> StoreResult<()> {
        let mut args = Args::default();
        let placeholders = args.values(values);
        let sql = format!("INSERT INTO {table} ({}) VALUES ({placeholders})", columns.join(", "));
        on_tx!(self, |c| bind_all!(sqlx::query(&sql), args).execute(&mut *c).await?.rows_affected());
        Ok(())
    }
}

/// A value for [`Tx::insert_row`]: `val(x)` for anything that converts.
pub fn val<T: Into<Value>>(x: T) -> Value {
    x.into()
}

/// A value for [`Tx::insert_row`].
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
    Null,
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
