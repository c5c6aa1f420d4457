//! What every server function needs from the request: the state, the signed-in actor and
//! cookies. Errors get their HTTP status in one place, the router's `status` middleware.

use http::HeaderValue;
use http::header::SET_COOKIE;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::auth::{SESSION_COOKIE, SESSION_SECONDS, hash_token, load_actor};
use super::state::AppState;
use crate::contract::error::AppError;
use crate::domain::authz::Actor;
use crate::domain::locale::Locale;

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// The value of the session cookie the browser sent, if any.
pub fn session_token() -> Option<String> {
    super::language::cookie(&use_context::<Parts>()?.headers, SESSION_COOKIE)
}

/// What each request's rendering and server functions get in their context: the state, and
/// the request's language as the `language` middleware decided it (English if it did not run).
pub fn provide_request_context(state: &AppState) {
    provide_context(state.clone());
    let locale = use_context::<Parts>().and_then(|p| p.extensions.get::<Locale>().copied()).unwrap_or_default();
    provide_context(locale);
}

/// The request's language.
pub fn request_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// The client's address, for rate limiting sign-ins.
pub fn client_address() -> String {
    use_context::<Parts>()
        .and_then(|p| {
            p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The signed-in actor, or `None` for an anonymous request or an ended session.
pub async fn current_actor() -> Result<Option<Actor>, AppError> {
    let Some(token) = session_token() else { return Ok(None) };
    let state = app_state()?;
    let mut tx = state.store.begin_read().await?;
    let Some(session) = tx.session(&hash_token(&token), chrono::Utc::now()).await? else {
        return Ok(None);
    };
    drop(tx);
    Ok(Some(load_actor(&state.store, session.user_id, session.org_id).await?))
}

/// The signed-in actor, or `Unauthorized`.
pub async fn require_actor() -> Result<Actor, AppError> {
    current_actor().await?.ok_or(AppError::Unauthorized)
}

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn set_session_cookie(token: &str, secure: bool) {
    append_header(cookie(SESSION_COOKIE, token, SESSION_SECONDS, secure));
}

pub fn clear_session_cookie(secure: bool) {
    append_header(cookie(SESSION_COOKIE, "", 0, secure));
}

/// Remembers the language chosen with the switcher, for this browser.
pub fn set_language_cookie(locale: Locale, secure: bool) {
    use super::language::{LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS};
    append_header(cookie(LANGUAGE_COOKIE, locale.code(), LANGUAGE_COOKIE_SECONDS, secure));
}

fn append_header(value: String) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&value)) {
        res.append_header(SET_COOKIE, v);
    }
}
