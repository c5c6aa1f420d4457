//! The signed-in user as the shell shows them.

use chrono::{DateTime, Utc};

use crate::contract::dto::Me;
use crate::contract::error::AppError;
use crate::contract::problem::Problem;
use crate::domain::authz::{Action, Actor, allowed};
use crate::domain::locale::Locale;
use crate::domain::person::parse_name;
use crate::server::store::Store;
use crate::server::store::records::{AuditAction, AuditEntry, AuditObject};

/// Name, organisation, roles, and what the roles allow (so the UI can hide what the server
/// would refuse anyway).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn me(store: &Store, actor: &Actor) -> Result<Me, AppError> {
    let mut tx = store.begin_read().await?;
    let user = tx.user(actor.user_id).await?.ok_or(AppError::Unauthorized)?;
    let org_name = tx.org_name(actor.org_id).await?.unwrap_or_default();
    Ok(Me {
        user_id: actor.user_id,
        email: user.email,
        display_name: user.display_name,
        org_name,
        can_view_subscriptions: allowed(&actor.roles, Action::ViewSubscriptions),
        can_view_billing: allowed(&actor.roles, Action::ViewBillingDetails),
        can_change_auto_renew: allowed(&actor.roles, Action::ChangeAutoRenew),
        can_renew: allowed(&actor.roles, Action::Renew),
        can_view_quotes: allowed(&actor.roles, Action::ViewQuotes),
        can_manage_payment_methods: allowed(&actor.roles, Action::ManagePaymentMethods),
        can_view_invoices: allowed(&actor.roles, Action::ViewInvoices),
        can_edit_customer_details: allowed(&actor.roles, Action::EditCustomerDetails),
        can_view_users: allowed(&actor.roles, Action::ViewUsers),
        can_view_audit: allowed(&actor.roles, Action::ViewAudit),
        roles: actor.roles.clone(),
    })
}

/// Keeps the language a user chose with the switcher; any signed-in user may choose their own.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, locale = locale.code()))]
pub async fn set_language(store: &Store, actor: &Actor, locale: Locale) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    tx.set_user_locale(actor.user_id, Some(locale)).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the user's display name (profile): 1 to 100 characters, as invitations ask it.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, org = %actor.org_id))]
pub async fn rename(store: &Store, actor: &Actor, name: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let name = parse_name(name).map_err(|p| AppError::validation("name", Problem::Name(p)))?;
    let mut tx = store.begin_write().await?;
    let before = tx.user(actor.user_id).await?.ok_or(AppError::Unauthorized)?.display_name;
    if before == name {
        return Ok(());
    }
    tx.set_display_name(actor.user_id, &name).await?;
    let entry = AuditEntry {
        org_id: actor.org_id,
        actor: Some(actor.user_id),
        action: AuditAction::ProfileChanged,
        object: AuditObject::User(actor.user_id),
        detail: format!("name {before:?} -> {name:?}"),
        at: now,
    };
    tx.insert_audit(&[entry]).await?;
    tx.commit().await?;
    Ok(())
}
