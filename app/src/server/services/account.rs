//! The signed-in user as the shell shows them.

use crate::api::dto::Me;
use crate::api::error::AppError;
use crate::domain::authz::{Action, Actor, allowed};
use crate::server::context::internal;
use crate::server::store::Store;

/// Name, organisation, roles, and what the roles allow (so the UI can hide what the server
/// would refuse anyway).
pub async fn me(store: &Store, actor: &Actor) -> Result<Me, AppError> {
    let mut tx = store.begin_read().await.map_err(internal)?;
    let user = tx.user(actor.user_id).await.map_err(internal)?.ok_or(AppError::Unauthorized)?;
    let org_name = tx.org_name(actor.org_id).await.map_err(internal)?.unwrap_or_default();
    Ok(Me {
        user_id: actor.user_id,
        email: user.email,
        display_name: user.display_name,
        org_name,
        can_view_subscriptions: allowed(&actor.roles, Action::ViewSubscriptions),
        can_view_billing: allowed(&actor.roles, Action::ViewBillingDetails),
        can_change_auto_renew: allowed(&actor.roles, Action::ChangeAutoRenew),
        roles: actor.roles.clone(),
    })
}
