//! The audit log, stored answers of idempotent requests, and settings.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::ids::UserId;

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
