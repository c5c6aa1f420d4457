//! Which language a request is answered in: the signed-in user's choice, else the language
//! switcher's cookie, else the browser's `Accept-Language`, else English. Decided once per
//! request by the router's `language` middleware, then read by pages (`<html lang>`), server
//! functions and their messages.

use chrono::{DateTime, Utc};
use http::HeaderMap;
use http::header::{ACCEPT_LANGUAGE, COOKIE};

use super::auth::{RequestSession, request_session};
use super::store::{Store, StoreResult};
use crate::domain::locale::Locale;

/// The cookie the language switcher sets: a year, for everyone, signed in or not.
pub const LANGUAGE_COOKIE: &str = "portal_lang";
pub const LANGUAGE_COOKIE_SECONDS: i64 = 365 * 86_400;

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// The language of a request with these headers (`secure`: the portal is served over https, so
/// the session cookie has its `__Host-` name).
pub async fn decide(store: &Store, headers: &HeaderMap, secure: bool, now: DateTime<Utc>) -> StoreResult<Locale> {
    Ok(of_request(&request_session(store, headers, secure, now).await?, headers))
}

/// The language of a request whose session is known already.
pub fn of_request(session: &RequestSession, headers: &HeaderMap) -> Locale {
    session.locale.unwrap_or_else(|| without_account(headers))
}

/// The language for a request whose user chose none: the switcher's cookie, the browser's, or
/// English.
pub fn without_account(headers: &HeaderMap) -> Locale {
    cookie(headers, LANGUAGE_COOKIE)
        .and_then(|c| Locale::parse(&c))
        .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::negotiate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_switchers_cookie_wins_over_the_browser_which_wins_over_english() {
        let both = headers(&[("cookie", "a=1; portal_lang=sv"), ("accept-language", "fr-FR,fr;q=0.9")]);
        assert_eq!(without_account(&both), Locale::Sv);
        assert_eq!(without_account(&headers(&[("accept-language", "fr-FR,fr;q=0.9")])), Locale::Fr);
        assert_eq!(without_account(&headers(&[("cookie", "portal_lang=xx"), ("accept-language", "de")])), Locale::De);
        assert_eq!(without_account(&headers(&[("accept-language", "nl")])), Locale::En);
        assert_eq!(without_account(&HeaderMap::new()), Locale::En);
    }
}
