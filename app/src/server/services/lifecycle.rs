//! Lifecycle transitions (R-LIFE-1..3, R-LIFE-5): Active -> Expired -> Suspended -> Canceled on
//! the exact local days, counted from the end date of a subscription that will not renew or
//! from the instant an unpaid renewal became late, whichever is first. Idempotent, and safe to
//! run in several processes at once (each transition is written only if the state is still the
//! one read). Payments move a subscription back (services::billing), nothing else does.

use chrono::{DateTime, Utc};

use super::billing::Sub;
use crate::server::store::rows::AuditEntry;
use crate::server::store::{Store, StoreResult};

/// Moves every subscription whose lifecycle has started to the state it has at `now`. Returns
/// how many moved.
pub async fn apply(store: &Store, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let at = now.timestamp();
    let mut moved = 0;
    let mut audit = Vec::new();
    for row in tx.lifecycle_started(at).await? {
        let sub = Sub::new(&row)?;
        let (current, next) = (sub.status, sub.status_at(now));
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
