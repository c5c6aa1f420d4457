//! Static files and compression. `/pkg/` (the WASM, its JavaScript glue, the stylesheet) is served
//! straight from disk by `tower_http`'s `ServeDir`, not through Leptos' fallback, preferring the
//! brotli and gzip copies written beside each file at build time (`--precompress`): the WASM
//! travels brotli-compressed, about a quarter of its size.
//!
//! Files whose names carry their content's hash (see `app::server::assets`) are cached for a year
//! and never revalidated (`immutable`): a new build has new names. Anything else under `/pkg/`
//! is kept but revalidated on each use (`no-cache`; a 304 answer when unchanged).
//!
//! The hashed files cannot change while the server runs, so their copies (each at most
//! [`IN_MEMORY_MAX`]: the release WASM's brotli and gzip copies, not its raw 3.6 MB) are read
//! once at start and answered from memory: `ServeDir` opens and stats files on the blocking
//! pool for every request, which held a 5 KB stylesheet to a third of the bare-route rate.
//!
//! Everything else the portal answers (pages, server functions) is compressed with gzip on the
//! fly when the browser accepts it; a file served precompressed is left as it is.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use app::server::assets::Assets;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::LeptosOptions;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// A year: the longest browsers honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The largest copy of a hashed file kept in memory. A debug build's WASM (tens of MB, with no
/// compressed copy) stays on disk.
pub const IN_MEMORY_MAX: usize = 2 * 1024 * 1024;

/// The router for `/pkg/`.
pub fn pkg<S: Clone + Send + Sync + 'static>(options: &LeptosOptions, assets: Arc<Assets>) -> axum::Router<S> {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(&dir).precompressed_br().precompressed_gzip();
    let statics = Arc::new(Statics { in_memory: InMemory::load(&dir, &assets.hashed), assets });
    axum::Router::new().fallback_service(files).layer(axum::middleware::from_fn_with_state(statics, serve))
}

struct Statics {
    assets: Arc<Assets>,
    in_memory: InMemory,
}

/// A content coding a copy of a file is stored in, in the order copies are preferred (smallest
/// first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    const ALL: [Coding; 3] = [Coding::Brotli, Coding::Gzip, Coding::Identity];

    fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }

    /// The file name suffix of the copy (`--precompress` writes `x.br` and `x.gz` beside `x`).
    fn suffix(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
            Coding::Identity => "",
        }
    }

    /// Whether a request's `Accept-Encoding` allows this coding (RFC 9110 12.5.3): a coding named
    /// with a weight above zero, or covered by `*`; identity unless refused (`identity;q=0`, or
    /// `*;q=0` without naming identity).
    fn accepted_by(self, headers: &HeaderMap) -> bool {
        let mut named = None;
        let mut star = None;
        for item in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
            for part in item.split(',') {
                let mut pieces = part.split(';');
                let token = pieces.next().unwrap_or("").trim();
                let weight = pieces
                    .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                if token.eq_ignore_ascii_case(self.token())
                    || (self == Coding::Gzip && token.eq_ignore_ascii_case("x-gzip"))
                {
                    named = Some(weight > 0.0);
                } else if token == "*" {
                    star = Some(weight > 0.0);
                }
            }
        }
        match (named, star, self) {
            (Some(ok), _, _) => ok,
            (None, Some(ok), Coding::Identity) => ok,
            (None, _, Coding::Identity) => true,
            (None, Some(ok), _) => ok,
            (None, None, _) => false,
        }
    }
}

/// One copy of a hashed file, ready to send.
struct Held {
    coding: Coding,
    bytes: Bytes,
    etag: HeaderValue,
}

/// The hashed files' copies held in memory, by file name under `/pkg/`.
struct InMemory {
    files: HashMap<String, (HeaderValue, Vec<Held>)>,
}

impl InMemory {
    /// Reads each hashed file's copies that exist and fit ([`IN_MEMORY_MAX`]). A file that is not
    /// there is left to `ServeDir` (which answers 404 without caching it).
    fn load(dir: &Path, hashed: &[String]) -> InMemory {
        let mut files = HashMap::new();
        for name in hashed {
            let copies: Vec<Held> = Coding::ALL
                .into_iter()
                .filter_map(|coding| {
                    let bytes = std::fs::read(dir.join(format!("{name}{}", coding.suffix()))).ok()?;
                    (bytes.len() <= IN_MEMORY_MAX).then_some(())?;
                    // The name carries the content's hash: the name and the coding identify the bytes.
                    let etag = HeaderValue::from_str(&format!("\"{name}.{}\"", coding.token())).ok()?;
                    Some(Held { coding, bytes: Bytes::from(bytes), etag })
                })
                .collect();
            if !copies.is_empty() {
                files.insert(name.clone(), (HeaderValue::from_static(content_type(name)), copies));
            }
        }
        InMemory { files }
    }

    /// The answer from memory to a GET or HEAD of `name`, if a copy the request accepts is held.
    fn answer(&self, name: &str, req: &Request) -> Option<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return None;
        }
        let (content_type, copies) = self.files.get(name)?;
        let copy = copies.iter().find(|c| c.coding.accepted_by(req.headers()))?;
        let unchanged = req.headers().get_all(header::IF_NONE_MATCH).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.trim() == "*" || v.split(',').any(|t| t.trim().trim_start_matches("W/") == copy.etag))
        });
        let mut res = if unchanged {
            Response::builder().status(StatusCode::NOT_MODIFIED).body(Body::empty())
        } else {
            Response::builder().header(header::CONTENT_LENGTH, copy.bytes.len()).body(Body::from(copy.bytes.clone()))
        }
        .ok()?;
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, content_type.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        headers.insert(header::ETAG, copy.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if copy.coding != Coding::Identity {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(copy.coding.token()));
        }
        Some(res)
    }
}

/// The media type of a bundle file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A hashed file from memory when it is held there; anything else from disk, with the caching
/// its name allows.
async fn serve(State(statics): State<Arc<Statics>>, req: Request, next: Next) -> Response {
    if let Some(res) = statics.in_memory.answer(req.uri().path().trim_start_matches('/'), &req) {
        return res;
    }
    let hashed = statics.assets.is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed { IMMUTABLE } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

/// Gzip for answers that are not compressed already (pages, server functions, files without a
/// precompressed copy).
/// At the fastest level: the list page of 100 rows (81 KB) travels as 9.6 KB instead of the
/// default level's 7.8 KB, for a fraction of the time (deflate at the default level was a tenth
/// of the server's time under load).
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd().quality(tower_http::CompressionLevel::Fastest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn accepted(values: &[&str]) -> Vec<&'static str> {
        let h = accepting(values);
        Coding::ALL.into_iter().filter(|c| c.accepted_by(&h)).map(Coding::token).collect()
    }

    #[test]
    fn accept_encoding_is_read_as_rfc_9110_says() {
        assert_eq!(accepted(&["gzip, deflate, br, zstd"]), ["br", "gzip", "identity"], "Chromium");
        assert_eq!(accepted(&[]), ["identity"], "no header: identity only");
        assert_eq!(accepted(&["gzip"]), ["gzip", "identity"]);
        assert_eq!(accepted(&["br;q=0, gzip;q=0.5"]), ["gzip", "identity"], "a zero weight refuses");
        assert_eq!(accepted(&["GZIP;Q=1"]), ["gzip", "identity"], "tokens and q are case-insensitive");
        assert_eq!(accepted(&["x-gzip"]), ["gzip", "identity"]);
        assert_eq!(accepted(&["*"]), ["br", "gzip", "identity"]);
        assert_eq!(accepted(&["*;q=0"]), Vec::<&str>::new(), "nothing acceptable");
        assert_eq!(accepted(&["br, *;q=0"]), ["br"]);
        assert_eq!(accepted(&["br", "identity;q=0"]), ["br"], "several header lines");
        assert_eq!(accepted(&["gzip;q=nonsense"]), ["gzip", "identity"], "an unreadable weight counts as 1");
    }

    #[test]
    fn bundle_files_get_their_media_types() {
        assert_eq!(content_type("portal.Ab1.wasm"), "application/wasm");
        assert_eq!(content_type("portal.Ab1.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("portal.Ab1.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("portal"), "application/octet-stream");
    }
}
