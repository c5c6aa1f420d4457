//! Static files and compression. `/pkg/` (the WASM, its JavaScript glue, the stylesheet) is served
//! straight from disk by `tower_http`'s `ServeDir`, not through Leptos' fallback, preferring the
//! brotli and gzip copies a release build writes beside each file (`cargo leptos build
//! --release --precompress`, as `scripts/demo` does): the WASM travels brotli-compressed, about a
//! quarter of its size. The names carry no content hash, so browsers keep the files but ask
//! again each time (`no-cache`: a 304 answer when unchanged, by `Last-Modified`).
//!
//! Everything else the portal answers (pages, server functions) is compressed with gzip on the
//! fly when the browser accepts it; a file served precompressed is left as it is.

use std::path::Path;

use axum::http::{HeaderValue, header};
use leptos::prelude::LeptosOptions;
use tower::Layer;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// The service for `/pkg/`.
pub fn pkg(options: &LeptosOptions) -> SetResponseHeader<ServeDir, HeaderValue> {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")).layer(files)
}

/// Gzip for answers that are not compressed already (pages, server functions, files without a
/// precompressed copy).
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().gzip(true).no_br().no_deflate().no_zstd()
}
