//! Lifecycle transitions (R-LIFE-1..3, R-LIFE-5): Active -> Expired -> Suspended -> Canceled on
//! the exact local days, counted from the end date of a subscription that will not renew or
//! from the instant an unpaid renewal became late, whichever is first. Idempotent, and safe to
//! run in several processes at once (each transition is written only if the state is still the
//! one read). Payments move a subscription back (`payments`), nothing else does.

use chrono::{DateTime, Utc};

use super::audit;
use crate::server::store::records::AuditAction;
use crate::server::store::{Store, StoreResult};

/// Moves every subscription whose lifecycle has started to the state it has at `now`. Returns
/// how many moved.
#[tracing::instrument(skip_all)]
pub async fn apply(store: &Store, now: DateTime<Utc>) -> StoreResult<usize> {
    let mut tx = store.begin_write().await?;
    let mut entries = Vec::new();
    for sub in tx.lifecycle_started(now).await? {
        let (current, next) = (sub.status, sub.status_at(now));
        // States only move forward without a payment or renewal.
        if next > current && tx.move_status(sub.id, current, next, now).await? {
            // Canceled: product assignments are removed (R-LIFE-6); suspended keeps them.
            tx.fit_seat_assignments(sub.id).await?;
            let detail = format!("{} -> {}", current.label(), next.label());
            entries.push(audit(sub.org_id, sub.id, AuditAction::Moved(next), detail, now));
        }
    }
    tx.insert_audit(&entries).await?;
    tx.commit().await?;
    Ok(entries.len())
}
