//! Delivery of the mail outbox. Mails are written to `mail_outbox` in the transaction of the
//! change that causes them (so a rolled-back change sends nothing); this worker delivers them
//! afterwards, never inside a transaction:
//!
//! 1. claim due mails in a short transaction (a lease; `SKIP LOCKED` on PostgreSQL), commit;
//! 2. send each one through the transport;
//! 3. record the outcome: sent, or a retry with exponential backoff, or failed for good after
//!    [`MAX_ATTEMPTS`] (logged, and counted on `/health`).
//!
//! A worker that dies between 2 and 3 leaves its lease to run out, and the mail is sent again:
//! at most one duplicate, recognisable by its `Message-ID`, which is derived from the row.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use super::store::records::QueuedMail;
use super::store::{Store, StoreResult};
use crate::domain::ids::MailId;

/// Attempts before a mail is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claimed mail is reserved for its worker.
pub const LEASE_SECONDS: i64 = 120;
/// Mails claimed per pass.
pub const BATCH: i64 = 50;
/// Mails sent at once within a pass (the SMTP connection pool holds up to 10).
pub const SEND_CONCURRENCY: usize = 8;

/// Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... capped at one hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (30i64 << attempts.clamp(0, 7)).min(3600)
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// Production: an SMTP server (STARTTLS or TLS and credentials from the URL).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The embedded default: each message is an `.eml` file in this directory.
    Files(PathBuf),
}

impl Transport {
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://...:465` (TLS), or
    /// `smtp://127.0.0.1:2525` (plain, for local sinks).
    pub fn smtp(url: &str) -> Result<Transport, String> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map(|b| Transport::Smtp(b.build()))
            .map_err(|e| format!("invalid SMTP URL: {e}"))
    }

    async fn send(&self, message: Message, id: MailId) -> Result<(), String> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| e.to_string())?;
                // Written under a temporary name, then renamed: a reader never sees half a file.
                let tmp = dir.join(format!(".{:010}.eml.tmp", id.get()));
                tokio::fs::write(&tmp, message.formatted()).await.map_err(|e| e.to_string())?;
                tokio::fs::rename(&tmp, dir.join(format!("{:010}.eml", id.get()))).await.map_err(|e| e.to_string())
            }
        }
    }
}

/// The mailer: a transport, the sender address and the host that names Message-IDs.
#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    pub message_id_host: String,
}

impl Mailer {
    pub fn new(transport: Transport, from: &str, public_url: &str) -> Result<Mailer, String> {
        let from = from.parse::<Mailbox>().map_err(|e| format!("invalid sender address {from:?}: {e}"))?;
        let host =
            public_url.split("://").nth(1).unwrap_or("localhost").split(['/', ':']).next().unwrap_or("localhost");
        Ok(Mailer { transport, from, message_id_host: host.to_string() })
    }

    /// The stable Message-ID of an outbox row.
    pub fn message_id(&self, outbox_id: MailId) -> String {
        format!("<outbox-{outbox_id}@{}>", self.message_id_host)
    }

    fn build(&self, row: &QueuedMail) -> Result<Message, String> {
        let to = row.to_address.parse::<Mailbox>().map_err(|e| format!("invalid recipient: {e}"))?;
        let body = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(row.body_text.clone()))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(row.body_html.clone()));
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(self.message_id(row.id)));
        match (&row.attachment_name, &row.attachment_type, &row.attachment) {
            (Some(name), Some(kind), Some(bytes)) => {
                let kind = ContentType::parse(kind).map_err(|e| format!("attachment type {kind:?}: {e}"))?;
                let file = lettre::message::Attachment::new(name.clone()).body(bytes.clone(), kind);
                builder.multipart(MultiPart::mixed().multipart(body).singlepart(file))
            }
            _ => builder.multipart(body),
        }
        .map_err(|e| e.to_string())
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Claims due mails at `now` and delivers them.
#[tracing::instrument(skip_all)]
pub async fn deliver_due(store: &Store, mailer: &Mailer, now: DateTime<Utc>) -> StoreResult<Pass> {
    let mut tx = store.begin_write().await?;
    let claimed = tx.claim_due_mails(now, now + Duration::seconds(LEASE_SECONDS), BATCH).await?;
    tx.commit().await?;
    // Send concurrently (a round trip to the SMTP server dominates), then record each outcome.
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(SEND_CONCURRENCY));
    let mut sends = tokio::task::JoinSet::new();
    for row in claimed {
        let (mailer, permits) = (mailer.clone(), permits.clone());
        sends.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore is never closed");
            let outcome = match mailer.build(&row) {
                Ok(message) => mailer.transport.send(message, row.id).await,
                Err(e) => Err(e),
            };
            (row, outcome)
        });
    }
    let mut pass = Pass::default();
    for (row, outcome) in sends.join_all().await {
        let mut tx = store.begin_write().await?;
        match outcome {
            Ok(()) => {
                tx.mark_mail_sent(row.id, now).await?;
                pass.sent += 1;
            }
            Err(error) if row.attempts + 1 >= MAX_ATTEMPTS => {
                tracing::error!(outbox_id = %row.id, kind = row.kind.code(), %error, "mail failed for good");
                tx.mark_mail_attempt_failed(row.id, &error, now, None).await?;
                pass.failed += 1;
            }
            Err(error) => {
                tracing::warn!(outbox_id = %row.id, attempt = row.attempts + 1, %error, "mail delivery failed; will retry");
                tx.mark_mail_attempt_failed(
                    row.id,
                    &error,
                    now,
                    Some(now + Duration::seconds(backoff_seconds(row.attempts))),
                )
                .await?;
                pass.retried += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(pass)
}

/// Delivered and failed mail is kept this long (to answer "did it go out?"), then deleted.
pub const RETENTION_DAYS: i64 = 90;

/// Deletes mail delivered or failed for good more than [`RETENTION_DAYS`] before `now`.
pub async fn forget_old_mail(store: &Store, now: DateTime<Utc>) -> StoreResult<u64> {
    let mut tx = store.begin_write().await?;
    let deleted = tx.delete_mail_done_before(now - Duration::days(RETENTION_DAYS)).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Every `every` until the process ends: turns waiting password-reset requests into mails
/// (links to `public_url`), delivers the outbox, and once an hour forgets old mail. Safe in
/// every server process.
pub async fn run_worker(store: Store, mailer: Mailer, public_url: String, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_cleanup: Option<DateTime<Utc>> = None;
    loop {
        tick.tick().await;
        let now = Utc::now();
        if last_cleanup.is_none_or(|at| now - at > Duration::hours(1)) {
            match forget_old_mail(&store, now).await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "old mail forgotten"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot forget old mail; will retry"),
            }
            last_cleanup = Some(now);
        }
        match super::auth::issue_reset_links(&store, &public_url).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(requests = n, "password-reset requests handled"),
            Err(e) => tracing::warn!(error = %e, "cannot handle password-reset requests; will retry"),
        }
        loop {
            match deliver_due(&store, &mailer, Utc::now()).await {
                // A full batch may mean more are due: go on at once.
                Ok(p) if (p.sent + p.retried + p.failed) as i64 == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox pass failed; will retry");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(backoff_seconds(0), 30);
        assert_eq!(backoff_seconds(1), 60);
        assert_eq!(backoff_seconds(4), 480);
        assert_eq!(backoff_seconds(7), 3600);
        assert_eq!(backoff_seconds(50), 3600);
    }

    #[test]
    fn message_ids_are_derived_from_the_outbox_row() {
        let m = Mailer::new(
            Transport::Files("/tmp".into()),
            "Billing <billing@portal.example>",
            "https://billing.example.com:8443/x",
        )
        .unwrap();
        assert_eq!(m.message_id(MailId(42)), "<outbox-42@billing.example.com>");
    }
}
