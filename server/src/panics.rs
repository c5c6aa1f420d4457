//! A panic in a handler answers 500 with a reference instead of dropping the connection; the
//! log line with the same reference says what panicked.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use tower_http::catch_panic::CatchPanicLayer;

type Handler = fn(Box<dyn std::any::Any + Send + 'static>) -> Response<Body>;

/// The layer, outermost but for the headers, so every route is covered.
pub fn layer() -> CatchPanicLayer<Handler> {
    CatchPanicLayer::custom(answer as Handler)
}

fn answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let reference = uuid::Uuid::new_v4().simple().to_string();
    let reference = &reference[..12];
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(reference, panic = %what, "a request panicked; answered 500");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Something went wrong</title></head>\
         <body><h1>Something went wrong</h1><p>Nothing was changed. Please try again. If it happens again, \
         give support this reference: <strong>{reference}</strong>.</p><p><a href=\"/\">Billing and orders</a></p></body></html>"
    );
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res
}
