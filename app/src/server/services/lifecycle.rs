//! Lifecycle transitions (R-LIFE-1..3, R-LIFE-5): Active -> Expired -> Suspended -> Canceled on
//! the exact local days, counted from the end date of a subscription that will not renew or
//! from the instant an unpaid renewal became late, whichever is first. Idempotent, and safe to
//! run in several processes at once (each transition is written only if the state is still the
//! one read). Payments move a subscription back (services::billing), nothing else does.

use chrono::{DateTime, Utc};

use crate::domain::status::{lifecycle_start, status_from, Status};
use crate::domain::term::Term;
use crate::domain::time::parse_tz;
use crate::server::store::rows::AuditEntry;
use crate::server::store::{Store, StoreError, StoreResult};

/// Moves every subscription whose lifecycle has started to the state it has at `now`. Returns
/// how many moved.
pub async fn apply(store: &Store, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let at = now.timestamp();
    let mut moved = 0;
    let mut audit = Vec::new();
    for row in tx.lifecycle_started(at).await? {
        let bad = |what: &str| StoreError::Corrupt(format!("subscription {}: {what}", row.id));
        let term = Term::parse(&row.term).ok_or_else(|| bad("term"))?;
        let tz = parse_tz(&row.time_zone).ok_or_else(|| bad("time zone"))?;
        let current = Status::parse(&row.status).ok_or_else(|| bad("status"))?;
        let end = DateTime::from_timestamp(row.term_end_at, 0).ok_or_else(|| bad("term end"))?;
        let unpaid = row.unpaid_since.and_then(|s| DateTime::from_timestamp(s, 0));
        let next = status_from(lifecycle_start(end, row.auto_renew, unpaid), term, tz, now);
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
