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

/// The server functions that read a multipart form (uploads).
const MULTIPART: [&str; 1] = [app::contract::links::UPLOAD_PO_DOCUMENT];

/// Answers a request to an upload's server function that is not a multipart form with 422
/// (the field named, nothing changed) before Leptos's decoder sees it: it would panic.
pub async fn multipart_forms(req: Request<Body>, next: Next) -> Response {
    use axum::response::IntoResponse;
    let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if MULTIPART.contains(&req.uri().path()) && !app::server::context::is_multipart_form(content_type) {
        // Read what was sent (up to a bound) so the connection stays usable for the next request.
        let _ = to_bytes(req.into_body(), MAX_ERROR_BODY).await;
        let error = AppError::validation("document", app::contract::problem::Problem::MalformedForm);
        let body = serde_json::to_string(&error).unwrap_or_default();
        let mut res = (StatusCode::UNPROCESSABLE_ENTITY, body).into_response();
        res.headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        return res;
    }
    next.run(req).await
}
