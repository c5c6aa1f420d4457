//! Users, their roles, sessions, sign-in failures and password-reset tokens.

use chrono::{DateTime, Utc};

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::authz::Role;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::locale::Locale;
use crate::domain::mail_routing::Recipient;
use crate::domain::throttle::Failures;

impl Tx {
    pub async fn user_credentials(&mut self, email: &str) -> StoreResult<Option<UserCredentials>> {
        let sql = "SELECT id, password_hash FROM users WHERE email = $1";
        let row =
            on_tx!(self, |c| sqlx::query_as::<_, (UserId, String)>(sql).bind(email).fetch_optional(&mut *c).await?);
        Ok(row.map(|(id, password_hash)| UserCredentials { id, password_hash }))
    }

    pub async fn user(&mut self, id: UserId) -> StoreResult<Option<User>> {
        let sql = "SELECT id, email, display_name FROM users WHERE id = $1";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, User>(sql).bind(id).fetch_optional(&mut *c).await?))
    }

    /// The organisations a user belongs to, lowest id first.
    pub async fn user_orgs(&mut self, user: UserId) -> StoreResult<Vec<OrgId>> {
        let sql = "SELECT DISTINCT org_id FROM memberships WHERE user_id = $1 ORDER BY org_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, OrgId>(sql).bind(user).fetch_all(&mut *c).await?))
    }

    pub async fn roles(&mut self, user: UserId, org: OrgId) -> StoreResult<Vec<Role>> {
        let sql = "SELECT role FROM memberships WHERE user_id = $1 AND org_id = $2 ORDER BY role";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, Role>(sql).bind(user).bind(org).fetch_all(&mut *c).await?))
    }

    pub async fn org_name(&mut self, org: OrgId) -> StoreResult<Option<String>> {
        let sql = "SELECT name FROM organisations WHERE id = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(org).fetch_optional(&mut *c).await?))
    }

    /// The users holding `role` in an organisation, each with the language mail to them is
    /// written in (their choice, else the organisation's default).
    pub async fn recipients_with_role(&mut self, org: OrgId, role: Role) -> StoreResult<Vec<Recipient>> {
        let sql = "SELECT u.email, COALESCE(u.locale, o.default_locale) FROM users u \
                   JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.org_id \
                   WHERE m.org_id = $1 AND m.role = $2 ORDER BY u.email";
        let rows = on_tx!(self, |c| sqlx::query_as::<_, (String, Locale)>(sql)
            .bind(org)
            .bind(role)
            .fetch_all(&mut *c)
            .await?);
        Ok(rows.into_iter().map(|(address, lang)| Recipient { address, lang }).collect())
    }

    /// The organisation's default language, for mail to people who chose none.
    pub async fn org_language(&mut self, org: OrgId) -> StoreResult<Locale> {
        let sql = "SELECT default_locale FROM organisations WHERE id = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, Locale>(sql).bind(org).fetch_one(&mut *c).await?))
    }

    pub async fn set_org_language(&mut self, org: OrgId, lang: Locale) -> StoreResult<()> {
        let sql = "UPDATE organisations SET default_locale = $1 WHERE id = $2";
        on_tx!(self, |c| sqlx::query(sql).bind(lang).bind(org).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn insert_session(&mut self, s: &NewSession<'_>) -> StoreResult<()> {
        let sql =
            "INSERT INTO sessions (token_hash, user_id, org_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(s.token_hash)
            .bind(s.user_id)
            .bind(s.org_id)
            .bind(secs(s.created_at))
            .bind(secs(s.expires_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn session(&mut self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>> {
        let sql = "SELECT user_id, org_id FROM sessions WHERE token_hash = $1 AND expires_at > $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, Session>(sql)
            .bind(token_hash)
            .bind(secs(now))
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        let sql = "DELETE FROM sessions WHERE token_hash = $1";
        on_tx!(self, |c| sqlx::query(sql).bind(token_hash).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Ends every session of a user (password change or reset).
    pub async fn delete_user_sessions(&mut self, user: UserId) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE user_id = $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(user).execute(&mut *c).await?.rows_affected()))
    }

    /// Ends every session of a user but the one with `keep` (a password change).
    pub async fn delete_other_sessions(&mut self, user: UserId, keep: &str) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(user).bind(keep).execute(&mut *c).await?.rows_affected()))
    }

    pub async fn set_display_name(&mut self, user: UserId, name: &str) -> StoreResult<()> {
        let sql = "UPDATE users SET display_name = $2 WHERE id = $1";
        on_tx!(self, |c| {
            sqlx::query(sql).bind(user).bind(name).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn delete_expired_sessions(&mut self, now: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "DELETE FROM sessions WHERE expires_at <= $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).execute(&mut *c).await?.rows_affected()))
    }

    /// Serialises transactions about one key until commit: a PostgreSQL advisory lock. On SQLite
    /// a write transaction (`BEGIN IMMEDIATE`) is already exclusive.
    pub async fn serialize_on(&mut self, key: &str) -> StoreResult<()> {
        if let Tx::Postgres(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(key).execute(&mut **t).await?;
        }
        Ok(())
    }

    pub async fn record_login_failure(
        &mut self,
        account_key: &str,
        address: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO login_failures (account_key, address, at) VALUES ($1, $2, $3)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(account_key)
            .bind(address)
            .bind(secs(at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Failed sign-ins since `since`, for the account and for the address: how many, and when
    /// the last one was.
    pub async fn login_failures_since(
        &mut self,
        account_key: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<(Failures, Failures)> {
        let by_account = "SELECT COUNT(*), MAX(at) FROM login_failures WHERE account_key = $1 AND at >= $2";
        let by_address = "SELECT COUNT(*), MAX(at) FROM login_failures WHERE address = $1 AND at >= $2";
        Ok(on_tx!(self, |c| {
            let a = sqlx::query_as::<_, (i64, Option<i64>)>(by_account)
                .bind(account_key)
                .bind(secs(since))
                .fetch_one(&mut *c)
                .await?;
            let b = sqlx::query_as::<_, (i64, Option<i64>)>(by_address)
                .bind(address)
                .bind(secs(since))
                .fetch_one(&mut *c)
                .await?;
            (Failures { count: a.0, last_at: a.1 }, Failures { count: b.0, last_at: b.1 })
        }))
    }

    /// Forgets failures older than `before`: they no longer count against anyone.
    pub async fn delete_login_failures_before(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "DELETE FROM login_failures WHERE at < $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(secs(before)).execute(&mut *c).await?.rows_affected()))
    }

    pub async fn clear_login_failures(&mut self, account_key: &str) -> StoreResult<()> {
        let sql = "DELETE FROM login_failures WHERE account_key = $1";
        on_tx!(self, |c| sqlx::query(sql).bind(account_key).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Queues a "forgot password" request, whether or not the address has an account.
    pub async fn insert_reset_request(&mut self, email: &str, locale: Locale, at: DateTime<Utc>) -> StoreResult<()> {
        let sql = "INSERT INTO password_reset_requests (email, locale, requested_at) VALUES ($1, $2, $3)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(email)
            .bind(locale)
            .bind(secs(at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Takes up to `limit` of the oldest waiting reset requests out of the queue (for good once
    /// the transaction commits; another process skips the ones this one holds).
    pub async fn take_reset_requests(&mut self, limit: i64) -> StoreResult<Vec<ResetRequest>> {
        let lock = if self.is_postgres() { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "DELETE FROM password_reset_requests WHERE id IN (\
               SELECT id FROM password_reset_requests ORDER BY id LIMIT $1{lock}) \
             RETURNING email, locale, requested_at"
        );
        let mut rows = on_tx!(self, |c| sqlx::query_as::<_, ResetRequest>(&sql).bind(limit).fetch_all(&mut *c).await?);
        rows.sort_by_key(|r| r.requested_at);
        Ok(rows)
    }

    pub async fn insert_reset_token(
        &mut self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(token_hash)
            .bind(user)
            .bind(secs(expires_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Uses a reset token: the user it belongs to, if it exists, is unused and has not expired.
    /// A token works once.
    pub async fn take_reset_token(&mut self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<UserId>> {
        let sql = "UPDATE password_reset_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
                   AND expires_at > $1 RETURNING user_id";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, UserId>(sql)
            .bind(secs(now))
            .bind(token_hash)
            .fetch_optional(&mut *c)
            .await?))
    }

    /// The user a reset token would reset, if it is unused and in time (nothing is changed).
    pub async fn reset_token_user(&mut self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<UserId>> {
        let sql =
            "SELECT user_id FROM password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, UserId>(sql)
            .bind(token_hash)
            .bind(secs(now))
            .fetch_optional(&mut *c)
            .await?))
    }

    /// Ends every unused reset link of a user.
    pub async fn void_reset_tokens(&mut self, user: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE password_reset_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL";
        on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(user).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Replaces a password hash only if it is still `known` (the one just checked): false when a
    /// reset or another change came first.
    pub async fn replace_password_hash(
        &mut self,
        user: UserId,
        known: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3 AND password_hash = $4";
        let n = on_tx!(self, |c| sqlx::query(sql)
            .bind(hash)
            .bind(secs(now))
            .bind(user)
            .bind(known)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(n == 1)
    }

    pub async fn set_password_hash(&mut self, user: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(hash)
            .bind(secs(now))
            .bind(user)
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The session a token opens (`None` for an unknown or ended one), with the language its
    /// user chose (if any).
    pub async fn session_and_locale(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<(Session, Option<Locale>)>> {
        let sql = "SELECT s.user_id, s.org_id, u.locale FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2";
        let row = on_tx!(self, |c| sqlx::query_as::<_, (UserId, OrgId, Option<Locale>)>(sql)
            .bind(token_hash)
            .bind(secs(now))
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(|(user_id, org_id, locale)| (Session { user_id, org_id }, locale)))
    }

    pub async fn set_user_locale(&mut self, user: UserId, locale: Option<Locale>) -> StoreResult<()> {
        let sql = "UPDATE users SET locale = $1 WHERE id = $2";
        on_tx!(self, |c| sqlx::query(sql).bind(locale).bind(user).execute(&mut *c).await?.rows_affected());
        Ok(())
    }
}
