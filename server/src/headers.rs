//! Security headers on every answer: no sniffing, no framing (clickjacking), addresses kept to
//! this site (a reset link's token is in a page address), nothing signed-in kept in caches, and
//! HSTS when the portal is served over https.
//!
//! The content security policy (`app::contract::policy`): a page sets its own, with the nonce
//! of its scripts (see the shell); every other answer gets the base policy here.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Whether the portal's public address is https (then browsers are told to stay on it).
#[derive(Clone, Copy)]
pub struct Https(pub bool);

pub const CSP: &str = app::contract::policy::BASE;

pub async fn secure(State(https): State<Https>, req: Request<Body>, next: Next) -> Response {
    // Files under /pkg/ are the same for everyone and may be cached; everything else can be
    // personal (pages, server functions) and is never stored.
    let personal = !req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    // `same-origin`, not `no-referrer`: a form sent without JavaScript comes back to the page it
    // was sent from (its `Referer`) with its error.
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if personal {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https.0 {
        h.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}
