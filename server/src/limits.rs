//! A per-client-address limit in memory, in front of the server functions anyone may call
//! without signing in (sign-in, password reset): a flood from one address is answered 429 before
//! it reaches the database or the password hashing. The per-account and per-address counts in
//! the database stay (they span processes and restarts); this one is per process and cheap.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use app::contract::error::AppError;
use app::contract::problem::Problem;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota};

/// The server functions behind the limit.
pub const LIMITED: [&str; 3] = ["/api/sign_in", "/api/request_password_reset", "/api/reset_password"];

/// A burst of this many requests per address, then one more every [`REFILL_SECONDS`]: a person
/// never meets it, a flood does.
pub const BURST: u32 = 60;
pub const REFILL_SECONDS: u64 = 1;

#[derive(Clone)]
pub struct Limiter {
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trusted_proxies: Arc<Vec<IpAddr>>,
    seen: Arc<AtomicU64>,
    /// The portal's origin: a form is sent back only to a page of ours.
    site: Arc<String>,
}

impl Limiter {
    pub fn new(trusted_proxies: Vec<IpAddr>, site: &str) -> Limiter {
        let burst = NonZeroU32::new(BURST).expect("a positive burst");
        let quota = Quota::with_period(std::time::Duration::from_secs(REFILL_SECONDS))
            .expect("a positive period")
            .allow_burst(burst);
        Limiter {
            per_address: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            trusted_proxies: Arc::new(trusted_proxies),
            seen: Arc::new(AtomicU64::new(0)),
            site: Arc::new(site.trim_end_matches('/').to_string()),
        }
    }
}

pub async fn limit(State(limiter): State<Limiter>, req: Request<Body>, next: Next) -> Response {
    if req.method() != axum::http::Method::POST || !LIMITED.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
        return next.run(req).await;
    };
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let client = app::server::context::client_behind_proxies(peer, &forwarded, &limiter.trusted_proxies);
    // Forget addresses that have been quiet, now and then, so the map does not grow for ever.
    if limiter.seen.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
        limiter.per_address.retain_recent();
    }
    if limiter.per_address.check_key(&client).is_ok() {
        return next.run(req).await;
    }
    tracing::warn!(%client, path = req.uri().path(), "too many requests from one address");
    let error = AppError::TooManyRequests(Problem::Busy);
    if let Some(back) = form_error_redirect(&req, &error, &limiter.site) {
        return back;
    }
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut res = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(REFILL_SECONDS));
    res
}

/// A plain form post (no JavaScript: the browser accepts HTML) is sent back to the page it came
/// from with the error, the way Leptos answers a server function's own errors (`__path` and
/// `__err` in the address), so the form shows the message instead of a bare JSON answer.
fn form_error_redirect(req: &Request<Body>, error: &AppError, site: &str) -> Option<Response> {
    use base64::Engine;
    let accepts_html = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok())?.contains("text/html");
    let referer = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok())?;
    if !accepts_html {
        return None;
    }
    let mut back = url::Url::parse(referer).ok()?;
    if back.origin().ascii_serialization() != site {
        return None;
    }
    let kept: Vec<(String, String)> =
        back.query_pairs().filter(|(k, _)| k != "__path" && k != "__err").map(|(k, v)| (k.into(), v.into())).collect();
    let encoded = base64::engine::general_purpose::URL_SAFE.encode(serde_json::to_string(error).ok()?);
    back.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("__path", req.uri().path())
        .append_pair("__err", &encoded);
    let mut res = (StatusCode::SEE_OTHER, "").into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_str(back.as_str()).ok()?);
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(REFILL_SECONDS));
    Some(res)
}
