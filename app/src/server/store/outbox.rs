//! The mail outbox: written in the transaction of the change that causes a mail, delivered by
//! the worker (server::outbox) with leases and retries.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::records::*;
use super::{StoreResult, Tx, on_tx, secs};
use crate::domain::ids::MailId;
use crate::domain::mail_routing::MailKind;

impl Tx {
    pub async fn queue_mail(&mut self, mail: &OutgoingMail, now: DateTime<Utc>) -> StoreResult<MailId> {
        let sql = "INSERT INTO mail_outbox (org_id, kind, to_address, subject, body_text, body_html, created_at, \
                   next_attempt_at, attachment_name, attachment_type, attachment) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10) RETURNING id";
        let file = mail.attachment.as_ref();
        Ok(on_tx!(self, |c| sqlx::query_scalar::<_, MailId>(sql)
            .bind(mail.org_id)
            .bind(mail.kind)
            .bind(&mail.to_address)
            .bind(&mail.subject)
            .bind(&mail.body_text)
            .bind(&mail.body_html)
            .bind(secs(now))
            .bind(file.map(|f| f.file_name.as_str()))
            .bind(file.map(|f| f.content_type.as_str()))
            .bind(file.map(|f| f.bytes.as_slice()))
            .fetch_one(&mut *c)
            .await?))
    }

    /// Claims up to `limit` mails that are due: marks them leased until `lease_until` so that no
    /// other worker takes them meanwhile. On PostgreSQL rows locked by another worker's claim are
    /// skipped (`SKIP LOCKED`); on SQLite the write transaction is exclusive. A mail whose lease
    /// ran out (its worker died) is due again.
    pub async fn claim_due_mails(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<QueuedMail>> {
        let lock = if self.is_postgres() { " FOR UPDATE SKIP LOCKED" } else { "" };
        let claim = format!(
            "UPDATE mail_outbox SET claimed_until = $1 WHERE id IN (\
               SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2 \
               AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3{lock}) \
             RETURNING id, kind, to_address, subject, body_text, body_html, attempts, attachment_name, attachment_type, attachment"
        );
        let mut rows = on_tx!(self, |c| sqlx::query_as::<_, QueuedMail>(&claim)
            .bind(secs(lease_until))
            .bind(secs(now))
            .bind(limit)
            .fetch_all(&mut *c)
            .await?);
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Records a delivery. The body of a mail that carries a secret (a reset or invitation
    /// link) is blanked: the link lives in the recipient's mailbox, not in our database.
    pub async fn mark_mail_sent(&mut self, id: MailId, now: DateTime<Utc>) -> StoreResult<()> {
        // The attachment (a quote's PDF) is in the recipient's mailbox now, and can be made
        // again from its quote: the database need not keep a copy.
        let sql = "UPDATE mail_outbox SET sent_at = $1, claimed_until = NULL, attempts = attempts + 1, attachment = NULL \
                   WHERE id = $2";
        on_tx!(self, |c| sqlx::query(sql).bind(secs(now)).bind(id).execute(&mut *c).await?.rows_affected());
        self.blank_secret_body(id).await
    }

    async fn blank_secret_body(&mut self, id: MailId) -> StoreResult<()> {
        let secret: Vec<MailKind> = MailKind::ALL.into_iter().filter(|k| k.carries_secret()).collect();
        on_tx!(self, |c| {
            let mut q = QueryBuilder::new("UPDATE mail_outbox SET body_text = '', body_html = '' WHERE id = ");
            q.push_bind(id).push(" AND kind IN (");
            let mut list = q.separated(", ");
            for kind in &secret {
                list.push_bind(*kind);
            }
            q.push(")");
            q.build().execute(&mut *c).await?.rows_affected()
        });
        Ok(())
    }

    /// Forgets mail delivered or failed for good before `cutoff` (the retention period).
    pub async fn delete_mail_done_before(&mut self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "DELETE FROM mail_outbox WHERE sent_at < $1 OR failed_at < $1";
        Ok(on_tx!(self, |c| sqlx::query(sql).bind(secs(cutoff)).execute(&mut *c).await?.rows_affected()))
    }

    /// Records a failed attempt: due again at `retry_at`, or failed for good when `retry_at` is
    /// `None`.
    pub async fn mark_mail_attempt_failed(
        &mut self,
        id: MailId,
        error: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<()> {
        let sql = match retry_at {
            Some(_) => {
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
                        claimed_until = NULL WHERE id = $3"
            }
            None => {
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1, failed_at = $2, \
                     claimed_until = NULL WHERE id = $3"
            }
        };
        let at = secs(retry_at.unwrap_or(now));
        on_tx!(self, |c| sqlx::query(sql).bind(error).bind(at).bind(id).execute(&mut *c).await?.rows_affected());
        if retry_at.is_none() {
            // Failed for good: nobody will send this link again.
            self.blank_secret_body(id).await?;
        }
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

    /// Queued mails of one kind to one address, oldest first (tests).
    pub async fn outbox_for(&mut self, to_address: &str, kind: MailKind) -> StoreResult<Vec<MailCopy>> {
        let sql = "SELECT id, subject, body_text FROM mail_outbox WHERE to_address = $1 AND kind = $2 ORDER BY id";
        Ok(on_tx!(self, |c| sqlx::query_as::<_, MailCopy>(sql).bind(to_address).bind(kind).fetch_all(&mut *c).await?))
    }
}
