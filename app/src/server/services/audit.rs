//! The audit trail (issue 14, beyond the product we mirror): every billing and user-management
//! change the portal records, with who made it, when, what it was (its kind and action), what it
//! was about, and the change itself (before and after, as recorded). Buyers see all of it;
//! admins who are not buyers the user-management entries only (R-ROLE-5). Filterable by
//! subscription, user and kind, newest first, 50 a page, and exportable as CSV.

use tokio::sync::mpsc;

use crate::contract::dto::{AuditPage, AuditQuery, AuditRow, AuditUser};
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::audit::AuditKind;
use crate::domain::authz::{Action, Actor, authorize, sees_billing_audit};
use crate::domain::ids::{SubscriptionId, UserId};
use crate::domain::locale::Locale;
use crate::i18n::td_string;
use crate::server::services::exports::{Chunk, ROWS_AHEAD, neutralised, spawn_csv};
use crate::server::store::records::{AuditFilter, AuditRecord};
use crate::server::store::{Store, StoreResult};

/// Entries on one page.
pub const PER_PAGE: i64 = 50;
/// The file's name as the browser saves it.
pub const FILE_NAME: &str = "audit-trail.csv";

fn field<T: std::str::FromStr>(text: &Option<String>, name: &str) -> Result<Option<T>, AppError> {
    match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| AppError::validation(name, Problem::NotListed)),
    }
}

/// The filter a query asks for, within what the actor may see.
fn filter(actor: &Actor, q: &AuditQuery) -> Result<AuditFilter, AppError> {
    authorize(actor, Action::ViewAudit, actor.org_id)?;
    let visible = AuditKind::visible(sees_billing_audit(&actor.roles));
    let kinds = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => visible,
        Some(code) => {
            let kind = AuditKind::parse(code)
                .filter(|k| visible.contains(k))
                .ok_or_else(|| AppError::validation("kind", Problem::NotListed))?;
            vec![kind]
        }
    };
    Ok(AuditFilter {
        kinds,
        subscription: field::<SubscriptionId>(&q.subscription, "subscription")?,
        user: field::<UserId>(&q.user, "user")?,
    })
}

fn row(r: AuditRecord) -> AuditRow {
    AuditRow {
        at: r.at,
        kind: AuditKind::of_action(&r.action),
        action: r.action,
        actor: r.actor_name.map(|name| AuditUser { name, email: r.actor_email.unwrap_or_default() }),
        object_type: r.object_type,
        object_id: r.object_id,
        object_label: r.object_label,
        detail: r.detail,
    }
}

/// One page of the trail, newest first, with the choices of its filters.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn page(store: &Store, actor: &Actor, q: &AuditQuery) -> Result<AuditPage, AppError> {
    let f = filter(actor, q)?;
    let page = field::<i64>(&q.page, "page")?.unwrap_or(1);
    if page < 1 {
        return Err(AppError::validation("page", Problem::PageFromOne));
    }
    let offset = (page - 1).checked_mul(PER_PAGE).ok_or_else(|| AppError::validation("page", Problem::NotListed))?;
    let mut tx = store.begin_read().await?;
    let (rows, total) = tx.audit_page(actor.org_id, &f, PER_PAGE, offset).await?;
    let users = tx.members(actor.org_id).await?.into_iter().map(|m| (m.id, m.name)).collect();
    Ok(AuditPage {
        rows: rows.into_iter().map(row).collect(),
        total,
        page,
        per_page: PER_PAGE,
        kinds: AuditKind::visible(sees_billing_audit(&actor.roles)),
        users,
    })
}

fn header(l: crate::i18n::Locale) -> Vec<String> {
    [
        td_string!(l, audit.col_when),
        td_string!(l, audit.col_who),
        td_string!(l, audit.col_kind),
        td_string!(l, audit.col_action),
        td_string!(l, audit.col_object),
        td_string!(l, audit.col_change),
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

fn record(l: crate::i18n::Locale, r: &AuditRecord) -> Vec<String> {
    let text = |t: &str| neutralised(t).into_owned();
    let who = match (&r.actor_name, &r.actor_email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        _ => td_string!(l, audit.portal).to_string(),
    };
    let kind = AuditKind::of_action(&r.action).map(|k| crate::words::audit_kind(l, k)).unwrap_or_default();
    [
        r.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        text(&who),
        kind,
        r.action.clone(),
        text(&crate::words::audit_object(l, &r.object_type, r.object_id, r.object_label.as_deref())),
        text(&r.detail),
    ]
    .to_vec()
}

/// The entries the filters select, all of them, as CSV in `lang` (UTF-8 with a byte-order mark,
/// formulas neutralised), streamed like the subscriptions export.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn csv(
    store: &Store,
    actor: &Actor,
    q: &AuditQuery,
    lang: Locale,
) -> Result<mpsc::Receiver<Chunk>, AppError> {
    let f = filter(actor, q)?;
    let (rows_in, rows) = mpsc::channel::<StoreResult<AuditRecord>>(ROWS_AHEAD);
    let (store, org) = (store.clone(), actor.org_id);
    let read = async move {
        let result = async {
            let mut tx = store.begin_read().await?;
            tx.send_audit(org, &f, &rows_in).await
        }
        .await;
        if let Err(e) = result {
            let _ = rows_in.send(Err(e)).await;
        }
    };
    let l = crate::i18n::Locale::from(lang);
    Ok(spawn_csv(read, rows, header(l), move |r| record(l, r)))
}
