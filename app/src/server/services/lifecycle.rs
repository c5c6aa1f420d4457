//! Lifecycle transitions of subscriptions that were not renewed (R-LIFE-1..3): Active ->
//! Expired -> Suspended -> Canceled on the exact local days. Idempotent, and safe to run in
//! several processes at once (each transition is written only if the state still differs).
//! Renewals and payments (which stop the clock) come with the renewals and invoices work.

use chrono::{DateTime, Utc};

use crate::domain::status::{status_without_renewal, Status};
use crate::domain::term::Term;
use crate::domain::time::parse_tz;
use crate::server::store::rows::AuditEntry;
use crate::server::store::{Store, StoreError, StoreResult};

/// Moves every ended, unrenewed subscription to the state it has at `now`. Returns how many moved.
pub async fn apply(store: &Store, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let at = now.timestamp();
    let mut moved = 0;
    let mut audit = Vec::new();
    for row in tx.ended_unrenewed(at).await? {
        let bad = |what: &str| StoreError::Corrupt(format!("subscription {}: {what}", row.id));
        let term = Term::parse(&row.term).ok_or_else(|| bad("term"))?;
        let tz = parse_tz(&row.time_zone).ok_or_else(|| bad("time zone"))?;
        let current = Status::parse(&row.status).ok_or_else(|| bad("status"))?;
        let end = DateTime::from_timestamp(row.term_end_at, 0).ok_or_else(|| bad("term end"))?;
        let next = status_without_renewal(end, term, tz, now);
        // States only move forward without a payment or renewal.
        if next > current && tx.move_status(row.id, current.code(), next.code(), at).await? {
            audit.push(AuditEntry {
                org_id: row.org_id,
                actor_user_id: None,
                action: format!("status.{}", next.code()),
                object_type: "subscription".into(),
                object_id: row.id,
                detail: format!("{} -> {}", current.label(), next.label()),
                at,
            });
            moved += 1;
        }
    }
    tx.insert_audit(&audit).await?;
    tx.commit().await?;
    Ok(moved)
}
