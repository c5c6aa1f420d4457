//! Gives server-function errors raised before our code runs (missing or malformed arguments,
//! decoded by Leptos) their proper status. Leptos answers every error with 500; the server
//! functions themselves set the right status for their own errors (`with_status`), but argument
//! errors never reach them. A user's mistake must never look like our failure.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use app::api::error::AppError;

/// Error bodies are small; anything larger is not one of ours and passes unchanged.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn client_errors(req: Request<Body>, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
