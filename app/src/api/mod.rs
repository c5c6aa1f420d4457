//! The server-function layer every page uses. Each function is a public HTTP endpoint
//! (`/api/<name>`): it authenticates, parses its input into domain types, calls one service
//! function (which authorizes), and answers with a DTO or an [`AppError`] with its HTTP status.

pub mod dto;
pub mod error;

use leptos::prelude::*;

use dto::*;
use error::AppError;

#[cfg(feature = "ssr")]
use crate::server::context::{app_state, internal, require_actor, with_status};

/// Where a user lands after sign-in, unless they were on their way somewhere.
pub fn home_for(me: &Me) -> &'static str {
    if me.can_view_subscriptions { "/billing/subscriptions" } else { "/account" }
}

/// A redirect target is kept only when it is a path on this site: it starts with one `/`, and
/// holds only visible ASCII (no whitespace or control characters, which browsers strip or which
/// cannot go into a `Location` header) and no backslash.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic() && c != '\\'))
        .map(str::to_string)
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    with_status(
        async {
            let state = app_state()?;
            let now = chrono::Utc::now().timestamp();
            let previous = crate::server::context::session_token();
            let address = crate::server::context::client_address();
            let signed_in =
                crate::server::auth::sign_in(&state.store, &email, password, &address, previous.as_deref(), now)
                    .await?;
            crate::server::context::set_session_cookie(&signed_in.token, state.config.secure_cookies());
            let actor = crate::server::auth::load_actor(&state.store, signed_in.user_id, signed_in.org_id)
                .await
                .map_err(internal)?;
            let me = crate::server::services::account::me(&state.store, &actor).await?;
            let target = safe_next(next.as_deref()).unwrap_or_else(|| home_for(&me).to_string());
            leptos_axum::redirect(&target);
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    with_status(
        async {
            let state = app_state()?;
            if let Some(token) = crate::server::context::session_token() {
                let mut tx = state.store.begin_write().await.map_err(internal)?;
                tx.delete_session(&crate::server::auth::hash_token(&token)).await.map_err(internal)?;
                tx.commit().await.map_err(internal)?;
            }
            crate::server::context::clear_session_cookie(state.config.secure_cookies());
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    with_status(
        async {
            let Some(actor) = crate::server::context::current_actor().await? else { return Ok(None) };
            let state = app_state()?;
            Ok(Some(crate::server::services::account::me(&state.store, &actor).await?))
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "list_subscriptions")]
pub async fn list_subscriptions(#[server(default)] query: SubscriptionQuery) -> Result<SubscriptionPage, AppError> {
    with_status(
        async {
            let actor = require_actor().await?;
            let state = app_state()?;
            crate::server::services::subscriptions::list(&state.store, &actor, &query).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "subscription")]
pub async fn subscription(id: i64) -> Result<SubscriptionDetail, AppError> {
    with_status(
        async {
            let actor = require_actor().await?;
            let state = app_state()?;
            crate::server::services::subscriptions::detail(&state.store, &actor, id, state.clock.now()).await
        }
        .await,
    )
}

/// The review step of Manage auto-renew: `ids` is a comma-separated list of up to 100 ids.
#[server(prefix = "/api", endpoint = "preview_auto_renew")]
pub async fn preview_auto_renew(ids: String, on: bool) -> Result<AutoRenewPreview, AppError> {
    with_status(
        async {
            let actor = require_actor().await?;
            let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
            let state = app_state()?;
            crate::server::services::auto_renew::preview(&state.store, &actor, &selection, on, state.clock.now()).await
        }
        .await,
    )
}

/// Confirms a change of auto-renew for the listed subscriptions, then sends the browser to
/// `return_to` (a path on this site) with a notice of what changed.
#[server(prefix = "/api", endpoint = "change_auto_renew")]
pub async fn change_auto_renew(
    ids: String,
    on: bool,
    idempotency_key: String,
    return_to: Option<String>,
) -> Result<AutoRenewOutcome, AppError> {
    with_status(
        async {
            let actor = require_actor().await?;
            let selection = crate::domain::selection::BulkSelection::parse(&ids)?;
            let state = app_state()?;
            let outcome = crate::server::services::auto_renew::change(
                &state.store,
                &actor,
                &selection,
                on,
                &idempotency_key,
                state.clock.now(),
                &state.config.public_url,
            )
            .await?;
            let back = safe_next(return_to.as_deref()).unwrap_or_else(|| "/billing/subscriptions".into());
            let sep = if back.contains('?') { '&' } else { '?' };
            leptos_axum::redirect(&format!(
                "{back}{sep}notice=auto-renew-{}&changed={}",
                if on { "on" } else { "off" },
                outcome.changed.len()
            ));
            Ok(outcome)
        }
        .await,
    )
}

/// "Forgot password": mails a reset link if the account exists; the same answer either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    with_status(
        async {
            let state = app_state()?;
            let now = chrono::Utc::now().timestamp();
            crate::server::auth::request_password_reset(&state.store, &email, now, &state.config.public_url).await?;
            Ok(crate::server::auth::RESET_REQUESTED.to_string())
        }
        .await,
    )
}

/// Chooses a new password with the token from the reset mail; then the user signs in again.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    with_status(
        async {
            if password != confirm {
                return Err(AppError::validation("confirm", "The two passwords differ."));
            }
            let state = app_state()?;
            let now = chrono::Utc::now().timestamp();
            crate::server::auth::reset_password(&state.store, &token, password, now).await?;
            leptos_axum::redirect("/sign-in?reset=done");
            Ok(())
        }
        .await,
    )
}

/// What this deployment offers beyond the billing pages (for the navigation).
#[server(prefix = "/api", endpoint = "site_features")]
pub async fn site_features() -> Result<SiteInfo, AppError> {
    let state = app_state()?;
    Ok(SiteInfo { mailbox: state.config.mailbox_enabled(), demo_clock: state.config.demo_clock })
}

/// The demo Mailbox: the newest 100 mails written by the file transport. Open to anyone when
/// configured (a password-reset link must be readable before signing in); not found otherwise.
#[server(prefix = "/api", endpoint = "mailbox")]
pub async fn mailbox() -> Result<Vec<MailboxEntry>, AppError> {
    with_status(
        async {
            let state = app_state()?;
            if !state.config.mailbox_enabled() {
                return Err(AppError::NotFound);
            }
            let dir = state.config.mailbox_dir();
            tokio::task::spawn_blocking(move || crate::server::mailbox::read(&dir, 100))
                .await
                .map_err(internal)?
                .map_err(internal)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/billing/subscriptions?status=active")).as_deref(),
            Some("/billing/subscriptions?status=active")
        );
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("/\t/evil.example")), None, "browsers strip the tab");
        assert_eq!(safe_next(Some("/billing\nSet-Cookie: x=y")), None);
        assert_eq!(safe_next(Some("/billing/subscriptions?q=%20x")).as_deref(), Some("/billing/subscriptions?q=%20x"));
        assert_eq!(safe_next(None), None);
    }
}

/// The demo clock: what time the portal's business clock reads. Only when the configuration
/// enables it; signed-in users only.
#[server(prefix = "/api", endpoint = "demo_clock")]
pub async fn demo_clock() -> Result<DemoClockView, AppError> {
    with_status(
        async {
            require_actor().await?;
            let state = app_state()?;
            crate::server::services::demo_clock::read(&state)
        }
        .await,
    )
}

/// Moves the demo clock forward by `step` ("30d", "12h") and runs the engine's jobs at the new
/// time, then shows the clock page with what happened.
#[server(prefix = "/api", endpoint = "advance_demo_clock")]
pub async fn advance_demo_clock(step: String) -> Result<DemoClockView, AppError> {
    with_status(
        async {
            require_actor().await?;
            let state = app_state()?;
            let clock = crate::server::services::demo_clock::advance(&state, &step).await?;
            leptos_axum::redirect(&format!(
                "/demo/clock?moved={}",
                crate::ui::components::urlencode(clock.report.as_deref().unwrap_or(""))
            ));
            Ok(clock)
        }
        .await,
    )
}
