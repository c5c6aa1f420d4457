//! Manage auto-renew for one subscription or up to 100 at once (R-BULK-1, R-SUB-4, R-EXT-1).
//!
//! All or nothing: if any selected subscription cannot change, nothing changes and every such
//! subscription is reported with its reason (docs/decisions.md). Subscriptions that already have
//! the requested setting are left as they are and reported as unchanged.

use chrono::{DateTime, Utc};

use crate::contract::dto::*;
use crate::contract::error::AppError;
use crate::contract::problem::{Problem, Refused};
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::auto_renew::{Verdict, judge};
use crate::domain::ids::{IdempotencyKey, SubscriptionId};
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::selection::BulkSelection;
use crate::domain::status::Status;
use crate::server::internal;
use crate::server::mail::{self, AutoRenewLine};
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject, Subscription};
use crate::server::store::{Store, Tx};

use super::checkout::load;

fn item(s: &Subscription, on: bool, now: DateTime<Utc>) -> AutoRenewPreviewItem {
    let outcome = match judge(&s.facts(), on, now) {
        Ok(Verdict::Changes) => PreviewOutcome::Changes,
        Ok(Verdict::Unchanged) => PreviewOutcome::Unchanged,
        Ok(Verdict::RenewsNow) => PreviewOutcome::RenewsNow,
        Err(why) => PreviewOutcome::Ineligible(why),
    };
    AutoRenewPreviewItem {
        id: s.id,
        product_name: s.product_name.clone(),
        csn: s.csn.clone(),
        current: s.shown(s.auto_renew),
        resulting: s.shown(on),
        outcome,
    }
}

/// The review step: what each selected subscription would show after the change.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, on, count = selection.len()))]
pub async fn preview(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    on: bool,
    now: DateTime<Utc>,
) -> Result<AutoRenewPreview, AppError> {
    authorize(actor, Action::ChangeAutoRenew, actor.org_id)?;
    let mut tx = store.begin_read().await?;
    let items = load(&mut tx, actor, selection.ids(), false).await?.iter().map(|s| item(s, on, now)).collect();
    Ok(AutoRenewPreview { on, items, idempotency_key: IdempotencyKey::new().as_str().to_string() })
}

/// Applies the change in one transaction, with its audit entries and the buyers' confirmation
/// mails. The same idempotency key answers with the first request's outcome and changes nothing.
/// A subscription turned on after its term ended (R-SUB-4) is made Active again with auto-renew
/// on, which makes its renewal due: the caller runs the engine after commit, which renews it
/// from its old end date and charges it (a decline puts it back on its lifecycle); if the
/// process stops first, the engine's next pass does it. Its id is in `renewed_now`.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id, on, count = selection.len()))]
pub async fn change(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    on: bool,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<AutoRenewOutcome, AppError> {
    authorize(actor, Action::ChangeAutoRenew, actor.org_id)?;
    let action = format!("auto_renew:{}:{}", if on { "on" } else { "off" }, selection.to_param());
    let mut tx = store.begin_write().await?;
    if let Some(done) = replay(&mut tx, actor, key, &action).await? {
        return Ok(done);
    }
    let subs = load(&mut tx, actor, selection.ids(), true).await?;
    let mut changed = Vec::new();
    let mut unchanged = Vec::new();
    let mut late = Vec::new();
    let mut refused = Vec::new();
    for s in &subs {
        match judge(&s.facts(), on, now) {
            Ok(Verdict::Changes) => changed.push(s),
            Ok(Verdict::RenewsNow) => {
                changed.push(s);
                late.push(s.id);
            }
            Ok(Verdict::Unchanged) => unchanged.push(s.id),
            Err(reason) => refused.push(Refused { id: s.id, product_name: s.product_name.clone(), reason }),
        }
    }
    if !refused.is_empty() {
        return Err(AppError::validation("ids", Problem::AutoRenewRefused { on, refused }));
    }
    let ids: Vec<SubscriptionId> = changed.iter().map(|s| s.id).collect();
    tx.set_auto_renew(actor.org_id, &ids, on, now).await?;
    for s in changed.iter().filter(|s| late.contains(&s.id)) {
        tx.move_status(s.id, s.status, Status::Active, now).await?;
    }
    let audit: Vec<AuditEntry> = changed
        .iter()
        .map(|s| AuditEntry {
            org_id: actor.org_id,
            actor: Some(actor.user_id),
            action: if on { AuditAction::AutoRenewOn } else { AuditAction::AutoRenewOff },
            object: AuditObject::Subscription(s.id),
            detail: if late.contains(&s.id) {
                format!("{} -> renews now, late (was {})", audit_date(s.shown(!on)), s.status.code())
            } else {
                format!("{} -> {}", audit_date(s.shown(!on)), audit_date(s.shown(on)))
            },
            at: now,
        })
        .collect();
    tx.insert_audit(&audit).await?;
    if !changed.is_empty() {
        let lines: Vec<AutoRenewLine> = changed
            .iter()
            .map(|s| AutoRenewLine {
                id: s.id,
                product_name: s.product_name.clone(),
                resulting: s.shown(on),
                renews_now: late.contains(&s.id),
            })
            .collect();
        // Every buyer of the organisation is told (R-EXT-1, R-MAIL-1); admins are not (R-MAIL-3).
        let contacts = super::buyer_contacts(&mut tx, actor.org_id).await?;
        for to in recipients(MailKind::AutoRenewChanged, &contacts) {
            tx.queue_mail(&mail::auto_renew_changed(actor.org_id, &to.address, to.lang, on, &lines, base_url), now)
                .await?;
        }
    }
    let outcome = AutoRenewOutcome { on, changed: ids, unchanged, renewed_now: late };
    let response = serde_json::to_string(&outcome).map_err(internal("encoding an auto-renew outcome"))?;
    match tx.save_idempotent_response(actor.user_id, key.as_str(), &action, &response, now).await {
        Ok(()) => {}
        Err(e) if e.is_unique_violation() => {
            // A concurrent request with the same key committed first: answer with its outcome.
            drop(tx);
            let mut tx = store.begin_read().await?;
            return replay(&mut tx, actor, key, &action).await?.ok_or(AppError::Internal);
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(outcome)
}

/// A shown date in the audit trail, in no one's language: "expires 2025-06-09".
fn audit_date(shown: ShownDate) -> String {
    format!("{} {}", if shown.auto_renew { "renews" } else { "expires" }, shown.date)
}

async fn replay(
    tx: &mut Tx,
    actor: &Actor,
    key: &IdempotencyKey,
    action: &str,
) -> Result<Option<AutoRenewOutcome>, AppError> {
    match tx.idempotent_response(actor.user_id, key.as_str()).await? {
        None => Ok(None),
        Some((stored_action, response)) if stored_action == action => {
            Ok(Some(serde_json::from_str(&response).map_err(internal("decoding a stored auto-renew outcome"))?))
        }
        Some(_) => Err(AppError::Conflict(Problem::FormReused)),
    }
}
