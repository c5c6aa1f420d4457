//! Manage auto-renew for one subscription or up to 100 at once (R-BULK-1, R-SUB-4, R-EXT-1).
//!
//! All or nothing: if any selected subscription cannot change, nothing changes and every such
//! subscription is reported with its reason (docs/decisions.md). Subscriptions that already have
//! the requested setting are left as they are and reported as unchanged.

use chrono::{DateTime, Utc};

use super::subscriptions::Parsed;
use crate::api::dto::*;
use crate::api::error::AppError;
use crate::domain::authz::{Action, Actor, authorize};
use crate::domain::auto_renew::{Verdict, judge};
use crate::domain::mail_routing::{MailKind, recipients};
use crate::domain::selection::BulkSelection;
use crate::server::context::internal;
use crate::server::mail::{self, AutoRenewLine};
use crate::server::store::rows::AuditEntry;
use crate::server::store::{Store, Tx};

/// An idempotency key as the confirm form sends it: a UUID.
pub fn parse_key(key: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(key.trim())
        .map(|u| u.to_string())
        .map_err(|_| AppError::validation("idempotency_key", "This form has expired. Reload the page and try again."))
}

async fn load(tx: &mut Tx, actor: &Actor, selection: &BulkSelection, lock: bool) -> Result<Vec<Parsed>, AppError> {
    let rows = tx.subscriptions_in_org(actor.org_id, selection.ids(), lock).await.map_err(internal)?;
    if rows.len() != selection.len() {
        // Some id is unknown or belongs to another organisation: not found, nothing changes.
        return Err(AppError::NotFound);
    }
    let mut parsed = rows.into_iter().map(Parsed::new).collect::<Result<Vec<_>, _>>().map_err(internal)?;
    // Keep the order the user selected them in.
    parsed.sort_by_key(|p| selection.ids().iter().position(|id| *id == p.row.id));
    Ok(parsed)
}

fn item(p: &Parsed, on: bool, now: DateTime<Utc>) -> AutoRenewPreviewItem {
    let outcome = match judge(&p.facts(), on, now) {
        Ok(Verdict::Changes) => PreviewOutcome::Changes,
        Ok(Verdict::Unchanged) => PreviewOutcome::Unchanged,
        Err(why) => PreviewOutcome::Ineligible(why.message()),
    };
    AutoRenewPreviewItem {
        id: p.row.id,
        product_name: p.row.product_name.clone(),
        csn: p.row.csn.clone(),
        current: p.date_phrase(p.row.auto_renew),
        resulting: p.date_phrase(on),
        outcome,
    }
}

/// The review step: what each selected subscription would show after the change.
pub async fn preview(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    on: bool,
    now: DateTime<Utc>,
) -> Result<AutoRenewPreview, AppError> {
    authorize(actor, Action::ChangeAutoRenew, actor.org_id)?;
    let mut tx = store.begin_read().await.map_err(internal)?;
    let items = load(&mut tx, actor, selection, false).await?.iter().map(|p| item(p, on, now)).collect();
    Ok(AutoRenewPreview { on, items, idempotency_key: uuid::Uuid::new_v4().to_string() })
}

/// Applies the change in one transaction, with its audit entries and the buyers' confirmation
/// mails. The same idempotency key answers with the first request's outcome and changes nothing.
pub async fn change(
    store: &Store,
    actor: &Actor,
    selection: &BulkSelection,
    on: bool,
    key: &str,
    now: DateTime<Utc>,
    base_url: &str,
) -> Result<AutoRenewOutcome, AppError> {
    authorize(actor, Action::ChangeAutoRenew, actor.org_id)?;
    let key = parse_key(key)?;
    let action = format!("auto_renew:{}:{}", if on { "on" } else { "off" }, selection.to_param());
    let mut tx = store.begin_write().await.map_err(internal)?;
    if let Some(done) = replay(&mut tx, actor, &key, &action).await? {
        return Ok(done);
    }
    let subs = load(&mut tx, actor, selection, true).await?;
    let mut changed = Vec::new();
    let mut unchanged = Vec::new();
    let mut refused = Vec::new();
    for p in &subs {
        match judge(&p.facts(), on, now) {
            Ok(Verdict::Changes) => changed.push(p),
            Ok(Verdict::Unchanged) => unchanged.push(p.row.id),
            Err(why) => refused.push(format!("{} ({}): {}", p.row.product_name, p.row.id, why.message())),
        }
    }
    if !refused.is_empty() {
        let message = format!(
            "Nothing was changed: {} of the selected subscriptions cannot have auto-renew turned {}. Remove them and try again. {}",
            refused.len(),
            if on { "on" } else { "off" },
            refused.join(" ")
        );
        return Err(AppError::validation("ids", message));
    }
    let ids: Vec<i64> = changed.iter().map(|p| p.row.id).collect();
    let at = now.timestamp();
    tx.set_auto_renew(actor.org_id, &ids, on, at).await.map_err(internal)?;
    let audit: Vec<AuditEntry> = changed
        .iter()
        .map(|p| AuditEntry {
            org_id: actor.org_id,
            actor_user_id: Some(actor.user_id),
            action: if on { "auto_renew.on" } else { "auto_renew.off" }.into(),
            object_type: "subscription".into(),
            object_id: p.row.id,
            detail: format!("{} -> {}", p.date_phrase(!on), p.date_phrase(on)),
            at,
        })
        .collect();
    tx.insert_audit(&audit).await.map_err(internal)?;
    if !changed.is_empty() {
        let lines: Vec<AutoRenewLine> = changed
            .iter()
            .map(|p| AutoRenewLine {
                id: p.row.id,
                product_name: p.row.product_name.clone(),
                resulting: p.date_phrase(on),
            })
            .collect();
        // Every buyer of the organisation is told (R-EXT-1, R-MAIL-1); admins are not (R-MAIL-3).
        let contacts = super::buyer_contacts(&mut tx, actor.org_id).await.map_err(internal)?;
        for to in recipients(MailKind::AutoRenewChanged, &contacts) {
            tx.queue_mail(&mail::auto_renew_changed(actor.org_id, &to, on, &lines, base_url), at)
                .await
                .map_err(internal)?;
        }
    }
    let outcome = AutoRenewOutcome { on, changed: ids, unchanged };
    let response = serde_json::to_string(&outcome).map_err(internal)?;
    match tx.save_idempotent_response(actor.user_id, &key, &action, &response, at).await {
        Ok(()) => {}
        Err(e) if e.is_unique_violation() => {
            // A concurrent request with the same key committed first: answer with its outcome.
            drop(tx);
            let mut tx = store.begin_read().await.map_err(internal)?;
            return replay(&mut tx, actor, &key, &action).await?.ok_or(AppError::Internal);
        }
        Err(e) => return Err(internal(e)),
    }
    tx.commit().await.map_err(internal)?;
    Ok(outcome)
}

async fn replay(tx: &mut Tx, actor: &Actor, key: &str, action: &str) -> Result<Option<AutoRenewOutcome>, AppError> {
    match tx.idempotent_response(actor.user_id, key).await.map_err(internal)? {
        None => Ok(None),
        Some((stored_action, response)) if stored_action == action => {
            Ok(Some(serde_json::from_str(&response).map_err(internal)?))
        }
        Some(_) => Err(AppError::Conflict(
            "This form was already used for another change. Reload the page and try again.".into(),
        )),
    }
}
