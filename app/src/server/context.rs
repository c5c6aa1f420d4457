//! What every server function needs from the request: the state, the signed-in actor and
//! cookies. Errors get their HTTP status in one place, the router's `status` middleware.

use http::HeaderValue;
use http::header::SET_COOKIE;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::auth::{RequestSession, SESSION_SECONDS, request_session, session_cookie};
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
    let secure = app_state().is_ok_and(|s| s.config.secure_cookies());
    super::language::cookie(&use_context::<Parts>()?.headers, session_cookie(secure))
}

/// What each request's rendering and server functions get in their context: the state, and
/// the request's language as the `language` middleware decided it (English if it did not run).
pub fn provide_request_context(state: &AppState) {
    provide_context(state.clone());
    provide_context(crate::contract::links::Stylesheet(state.assets.stylesheet.clone()));
    let locale = use_context::<Parts>().and_then(|p| p.extensions.get::<Locale>().copied()).unwrap_or_default();
    provide_context(locale);
}

/// The request's language.
pub fn request_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// The client's address, for rate limiting sign-ins: the TCP peer, or, when the peer is one of
/// the configured proxies (`PORTAL_TRUSTED_PROXIES`), the address it forwarded.
pub fn client_address() -> String {
    let Some(parts) = use_context::<Parts>() else { return "unknown".into() };
    let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
    else {
        return "unknown".into();
    };
    let trusted = app_state().map(|s| s.config.trusted_proxies.clone()).unwrap_or_default();
    let forwarded: Vec<&str> =
        parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    client_behind_proxies(peer, &forwarded, &trusted).to_string()
}

/// The client of a request that reached us from `peer` through proxies that each appended the
/// address they heard from to `X-Forwarded-For`: walking back from the nearest hop, the first
/// address that is not a trusted proxy. A header from an untrusted peer is ignored (anyone can
/// write one), and so is anything that is not an address.
pub fn client_behind_proxies(
    peer: std::net::IpAddr,
    forwarded_for: &[&str],
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let hops = forwarded_for.iter().flat_map(|h| h.split(',')).map(str::trim).collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        let Ok(addr) = hop.parse::<std::net::IpAddr>() else { break };
        client = addr;
        if !trusted.contains(&addr) {
            break;
        }
    }
    client
}

/// The signed-in actor, or `None` for an anonymous request or an ended session: as the router
/// looked it up for this request, else (a caller outside the router) from the database.
pub async fn current_actor() -> Result<Option<Actor>, AppError> {
    let Some(parts) = use_context::<Parts>() else { return Ok(None) };
    if let Some(session) = parts.extensions.get::<RequestSession>() {
        return Ok(session.actor.clone());
    }
    actor_from_headers(&app_state()?, &parts.headers).await
}

/// The actor a request's headers carry the session of, looked up the one way the router does:
/// for the few routes that are not server functions (a document download).
pub async fn actor_from_headers(state: &AppState, headers: &http::HeaderMap) -> Result<Option<Actor>, AppError> {
    let now = chrono::Utc::now();
    Ok(request_session(&state.store, headers, state.config.secure_cookies(), now).await?.actor)
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
    append_header(cookie(session_cookie(secure), token, SESSION_SECONDS, secure));
}

pub fn clear_session_cookie(secure: bool) {
    append_header(cookie(session_cookie(secure), "", 0, secure));
}

/// Remembers the language chosen with the switcher, for this browser.
pub fn set_language_cookie(locale: Locale, secure: bool) {
    use super::language::{LANGUAGE_COOKIE, LANGUAGE_COOKIE_SECONDS};
    append_header(cookie(LANGUAGE_COOKIE, locale.code(), LANGUAGE_COOKIE_SECONDS, secure));
}

/// Sends a plain form post (no JavaScript) on to `target` with a 302. A call from the page's
/// script gets nothing but its answer: the page loads the target itself, once. Leptos's own
/// redirect would also tell the script's router to change route, and the two navigations race.
pub fn redirect_plain_form(target: &str) {
    let accepts_html = use_context::<Parts>().is_some_and(|p| {
        p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    });
    if accepts_html {
        leptos_axum::redirect(target);
    }
}

/// Whether a request's `Content-Type` is a multipart form the server functions that take
/// uploads can read (server_fn gives up on anything else by panicking, so the router checks
/// first and answers a malformed request with 422).
pub fn is_multipart_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") && multer::parse_boundary(ct).is_ok()
    })
}

fn append_header(value: String) {
    if let (Some(res), Ok(v)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&value)) {
        res.append_header(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::client_behind_proxies;
    use std::net::IpAddr;

    #[test]
    fn only_multipart_forms_with_a_boundary_reach_the_upload_decoder() {
        use super::is_multipart_form;
        assert!(is_multipart_form(Some("multipart/form-data; boundary=----x1")));
        assert!(is_multipart_form(Some("Multipart/Form-Data; boundary=\"a b\"")));
        for ct in [None, Some("application/x-www-form-urlencoded"), Some("multipart/form-data"), Some("text/plain")] {
            assert!(!is_multipart_form(ct), "{ct:?}");
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn under_https_the_session_cookie_is_host_only_and_secure() {
        use crate::server::auth::session_cookie;
        let set = super::cookie(session_cookie(true), "t", 60, true);
        assert!(set.starts_with("__Host-portal_session=t; Path=/;"), "{set}");
        assert!(set.contains("; Secure") && set.contains("HttpOnly") && !set.contains("Domain"), "{set}");
        assert_eq!(session_cookie(false), "portal_session");
    }

    #[test]
    fn the_client_is_found_behind_trusted_proxies_only() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Straight from a client: its own address, whatever it claims.
        assert_eq!(client_behind_proxies(ip("203.0.113.9"), &["198.51.100.1"], &trusted), ip("203.0.113.9"));
        // Through our proxy: the address the proxy heard from.
        assert_eq!(client_behind_proxies(proxy, &["203.0.113.9"], &trusted), ip("203.0.113.9"));
        // A forged first hop is skipped over: the nearest untrusted hop counts.
        assert_eq!(client_behind_proxies(proxy, &["1.2.3.4, 203.0.113.9"], &trusted), ip("203.0.113.9"));
        // Two of our proxies in a row, header split over two lines.
        assert_eq!(client_behind_proxies(proxy, &["203.0.113.9", "10.0.0.3"], &trusted), ip("203.0.113.9"));
        // Garbage stops the walk at the last good hop.
        assert_eq!(client_behind_proxies(proxy, &["nonsense"], &trusted), proxy);
        // No proxies configured: the peer, always.
        assert_eq!(client_behind_proxies(proxy, &["203.0.113.9"], &[]), proxy);
    }
}
