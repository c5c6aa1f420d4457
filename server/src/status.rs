//! The one place server-function errors get their HTTP status. Leptos answers every error with
//! 500; this middleware reads the [`AppError`] in such an answer and gives it its own status
//! (422, 401, 403, 404, 409, 429), whether the server function returned it or Leptos raised it
//! before our code ran (missing or malformed arguments). A user's mistake must never look like
//! our failure. A plain form post (no JavaScript) is answered with a redirect back to the form,
//! which is not a 500 and passes unchanged.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use app::contract::error::AppError;

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
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
