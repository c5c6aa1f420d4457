//! The signed-in user as the shell shows them.

use crate::contract::dto::Me;
use crate::contract::error::AppError;
use crate::domain::authz::{Action, Actor, allowed};
use crate::domain::locale::Locale;
use crate::server::store::Store;

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
