//! CSRF protection for server functions, which have none of their own: every request that is
//! not GET/HEAD/OPTIONS is refused when the browser says it is cross-site (`Sec-Fetch-Site`),
//! or, when that header is missing, when its `Origin` is not the portal's own. A `text/plain`
//! body is refused whatever the headers say: it is the one body type besides forms that a
//! foreign page can send without the browser asking first, and no client of the portal sends it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origin the portal is served at, e.g. `http://127.0.0.1:3000`.
#[derive(Clone)]
pub struct SiteOrigin(pub String);

/// Whether a request with these headers may change state.
pub fn allowed(method: &Method, headers: &HeaderMap, site: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.trim_start().to_ascii_lowercase().starts_with("text/plain") {
        return false;
    }
    let origin_is_ours = || {
        headers.get("origin").and_then(|v| v.to_str().ok()).is_some_and(|origin| origin.trim_end_matches('/') == site)
    };
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("same-origin") | Some("none") => return true,
        // A sibling subdomain is same-site but not ours: its Origin must be ours.
        Some("same-site") => return origin_is_ours(),
        Some(_) => return false,
        None => {}
    }
    // Without Sec-Fetch-Site the Origin must be ours; a request with neither header is refused
    // too (every browser sends Origin on a POST; other clients can send it as well).
    origin_is_ours()
}

pub async fn guard(State(site): State<SiteOrigin>, req: Request<Body>, next: Next) -> Response {
    if allowed(req.method(), req.headers(), &site.0) {
        next.run(req).await
    } else {
        tracing::warn!(method = %req.method(), uri = %req.uri(), "refused a cross-site request");
        (StatusCode::FORBIDDEN, "Cross-site requests are not accepted.").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "http://127.0.0.1:3000";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(!allowed(&Method::POST, &headers(&[("sec-fetch-site", "cross-site")]), SITE));
        assert!(!allowed(&Method::POST, &headers(&[("origin", "https://evil.example")]), SITE));
    }

    #[test]
    fn same_origin_posts_and_all_gets_pass() {
        assert!(allowed(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")]), SITE));
        assert!(allowed(&Method::POST, &headers(&[("origin", SITE)]), SITE));
        assert!(allowed(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")]), SITE));
    }

    #[test]
    fn a_sibling_subdomain_must_still_be_our_origin() {
        let h = headers(&[("sec-fetch-site", "same-site"), ("origin", "https://other.127.0.0.1")]);
        assert!(!allowed(&Method::POST, &h, SITE));
        let h = headers(&[("sec-fetch-site", "same-site"), ("origin", SITE)]);
        assert!(allowed(&Method::POST, &h, SITE));
    }

    #[test]
    fn a_post_without_either_header_is_refused() {
        assert!(!allowed(&Method::POST, &HeaderMap::new(), SITE));
    }

    #[test]
    fn a_text_plain_body_is_refused_even_from_our_own_origin() {
        let h = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", SITE),
            ("content-type", "Text/Plain;charset=UTF-8"),
        ]);
        assert!(!allowed(&Method::POST, &h, SITE));
        let h = headers(&[("sec-fetch-site", "same-origin"), ("content-type", "application/x-www-form-urlencoded")]);
        assert!(allowed(&Method::POST, &h, SITE));
    }

    #[test]
    fn sec_fetch_site_wins_over_origin() {
        let h = headers(&[("sec-fetch-site", "cross-site"), ("origin", SITE)]);
        assert!(!allowed(&Method::POST, &h, SITE));
    }
}
