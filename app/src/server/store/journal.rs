//! The audit log, stored answers of idempotent requests, and settings.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::ids::{OrgId, UserId};

impl Tx {
    pub async fn insert_audit(&mut self, entries: &[AuditEntry]) -> StoreResult<()> {
        // 7 values per row; chunks keep far below SQLite's limit on bound variables.
        for chunk in entries.chunks(500) {
            on_tx!(self, |c| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO audit_log (org_id, actor_user_id, action, object_type, object_id, detail, at) ",
                );
                q.push_values(chunk, |mut row, e| {
                    let (object_type, object_id) = e.object.parts();
                    row.push_bind(e.org_id)
                        .push_bind(e.actor)
                        .push_bind(e.action.code())
                        .push_bind(object_type)
                        .push_bind(object_id)
                        .push_bind(e.detail.clone())
                        .push_bind(secs(e.at));
                });
                q.build().execute(&mut *c).await?.rows_affected()
            });
        }
        Ok(())
    }

    /// Audit entries about one object, newest first.
    pub async fn audit_for(&mut self, object: AuditObject) -> StoreResult<Vec<AuditLine>> {
        let (object_type, object_id) = object.parts();
        let sql = "SELECT action, detail, at FROM audit_log WHERE object_type = $1 AND object_id = $2 \
                   ORDER BY at DESC, id DESC";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, AuditLine>(sql)
            .bind(object_type)
            .bind(object_id)
            .fetch_all(&mut *c)
            .await?))
    }

    /// The stored answer of an earlier request with this key, and the action it was for.
    pub async fn idempotent_response(&mut self, user: UserId, key: &str) -> StoreResult<Option<(String, String)>> {
        let sql = "SELECT action, response FROM idempotency_keys WHERE user_id = $1 AND key = $2";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, (String, String)>(sql)
            .bind(user)
            .bind(key)
            .fetch_optional(&mut *c)
            .await?))
    }

    pub async fn save_idempotent_response(
        &mut self,
        user: UserId,
        key: &str,
        action: &str,
        response: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let sql =
            "INSERT INTO idempotency_keys (user_id, key, action, response, created_at) VALUES ($1, $2, $3, $4, $5)";
        on_tx!(self, |c| sqlx::query(sql)
            .bind(user)
            .bind(key)
            .bind(action)
            .bind(response)
            .bind(secs(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn setting(&mut self, key: &str) -> StoreResult<Option<String>> {
        let sql = "SELECT value FROM settings WHERE key = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, String>(sql).bind(key).fetch_optional(&mut *c).await?))
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> StoreResult<()> {
        let sql =
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        on_tx!(self, |c| sqlx::query(sql).bind(key).bind(value).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn count_organisations(&mut self) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM organisations";
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await?))
    }
}

/// Columns of an [`AuditRecord`]: the entry, who made it, and what its object is called.
const AUDIT_ROW: &str = "SELECT a.id, a.at, u.display_name, u.email, a.action, a.object_type, a.object_id, \
     CASE a.object_type \
       WHEN 'invoice' THEN (SELECT i.number FROM invoices i WHERE i.id = a.object_id) \
       WHEN 'customer_account' THEN (SELECT ca.csn FROM customer_accounts ca WHERE ca.id = a.object_id) \
       WHEN 'user' THEN (SELECT x.email FROM users x WHERE x.id = a.object_id) \
       WHEN 'payment_method' THEN (SELECT pm.label FROM payment_methods pm WHERE pm.id = a.object_id) \
       ELSE NULL END AS object_label, a.detail \
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id ";

type AuditRow = (i64, i64, Option<String>, Option<String>, String, String, i64, Option<String>, String);

fn audit_record(r: AuditRow) -> AuditRecord {
    let (id, at, actor_name, actor_email, action, object_type, object_id, object_label, detail) = r;
    AuditRecord {
        id,
        at: DateTime::from_timestamp(at, 0).unwrap_or_default(),
        actor_name,
        actor_email,
        action,
        object_type,
        object_id,
        object_label,
        detail,
    }
}

/// The conditions of an audit listing after `WHERE a.org_id = `: its kinds, subscription and user.
macro_rules! push_audit_filter {
    ($q:expr, $org:expr, $f:expr) => {{
        let (q, f) = (&mut $q, $f);
        q.push("WHERE a.org_id = ").push_bind($org).push(" AND (");
        let mut kinds = q.separated(" OR ");
        for k in &f.kinds {
            kinds.push("a.action LIKE ").push_bind_unseparated(format!("{}.%", k.code()));
        }
        if f.kinds.is_empty() {
            kinds.push("1 = 0");
        }
        q.push(")");
        if let Some(sub) = f.subscription {
            q.push(" AND a.object_type = 'subscription' AND a.object_id = ").push_bind(sub.get());
        }
        if let Some(user) = f.user {
            q.push(" AND (a.actor_user_id = ").push_bind(user.get());
            q.push(" OR (a.object_type = 'user' AND a.object_id = ").push_bind(user.get()).push("))");
        }
    }};
}

impl Tx {
    /// One page of the organisation's audit trail, newest first, and how many entries match.
    pub async fn audit_page(
        &mut self,
        org: OrgId,
        f: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<AuditRecord>, i64)> {
        let (rows, total) = on_tx!(self, |c| {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audit_log a ");
            push_audit_filter!(count, org, f);
            let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
            let mut page = QueryBuilder::new(AUDIT_ROW);
            push_audit_filter!(page, org, f);
            page.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            let rows: Vec<AuditRow> = page.build_query_as().fetch_all(&mut *c).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(audit_record).collect(), total))
    }

    /// Every entry the filter selects, newest first, sent one by one to `to` as the database
    /// streams them (the CSV export); stops early once `to` is closed.
    pub async fn send_audit(
        &mut self,
        org: OrgId,
        f: &AuditFilter,
        to: &tokio::sync::mpsc::Sender<StoreResult<AuditRecord>>,
    ) -> StoreResult<()> {
        use futures_util::TryStreamExt;
        on_tx!(self, |c| {
            let mut q = QueryBuilder::new(AUDIT_ROW);
            push_audit_filter!(q, org, f);
            q.push(" ORDER BY a.at DESC, a.id DESC");
            let mut rows = q.build_query_as::<AuditRow>().fetch(&mut *c);
            while let Some(row) = rows.try_next().await? {
                if to.send(Ok(audit_record(row))).await.is_err() {
                    break;
                }
            }
        });
        Ok(())
    }
}
