//! Documents downloaded as files (a quote's or an invoice's PDF): plain GET routes beside the pages, behind the
//! same session cookie, authorization and language as the server functions.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use app::contract::dto::SubscriptionQuery;
use app::contract::error::AppError;
use app::contract::links;
use app::domain::locale::Locale;
use app::server::state::AppState;

/// `GET /billing/quotes/{number}/pdf`: the quote as PDF, in the reader's language. Signed out,
/// the browser is sent to sign in and back; another organisation's quote is not found.
pub async fn quote_pdf(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
    locale: Option<axum::Extension<Locale>>,
) -> Response {
    let lang = locale.map(|l| l.0).unwrap_or_default();
    let answer = async {
        let actor = app::server::context::actor_from_headers(&state, &headers).await?.ok_or(AppError::Unauthorized)?;
        app::server::services::new_quote::pdf_of(&state.store, &actor, &number, lang, &state.config.public_url).await
    };
    download(answer.await, &links::quote_pdf(&number))
}

/// `GET /billing/invoices/{number}/pdf`: the invoice as PDF, in the reader's language, for the
/// buyers and the invoice's payers (R-INV-3); anyone else's is not found.
pub async fn invoice_pdf(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
    locale: Option<axum::Extension<Locale>>,
) -> Response {
    let lang = locale.map(|l| l.0).unwrap_or_default();
    let answer = async {
        let actor = app::server::context::actor_from_headers(&state, &headers).await?.ok_or(AppError::Unauthorized)?;
        app::server::services::invoices::pdf_of(&state.store, &actor, &number, lang, &state.config.public_url).await
    };
    download(answer.await, &links::invoice_pdf(&number))
}

/// `GET /billing/subscriptions/{id}/invoice-details/documents/{document}`: a PO document as it
/// was uploaded, for the organisation's buyers (R-INV-5); anyone else's is not found.
pub async fn po_document(
    State(state): State<AppState>,
    Path((id, document)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    let id = app::domain::ids::SubscriptionId(id);
    let answer = async {
        let actor = app::server::context::actor_from_headers(&state, &headers).await?.ok_or(AppError::Unauthorized)?;
        let dir = app::server::files::documents_dir(&state.config.data_dir);
        app::server::services::invoice_details::document(&state.store, &actor, &dir, id, document).await
    };
    download(answer.await, &links::po_document(id, document))
}

/// `GET /billing/exports/subscriptions.csv?<the list's filters>`: the subscriptions those
/// filters select as CSV, in the reader's language, streamed (R-EXT-9). Signed out, sign-in and
/// back; a filter that is not one is answered 422 with what is wrong, before anything is sent.
pub async fn subscriptions_csv(
    State(state): State<AppState>,
    Query(query): Query<SubscriptionQuery>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    locale: Option<axum::Extension<Locale>>,
) -> Response {
    let lang = locale.map(|l| l.0).unwrap_or_default();
    let answer = async {
        let actor = app::server::context::actor_from_headers(&state, &headers).await?.ok_or(AppError::Unauthorized)?;
        app::server::services::exports::subscriptions_csv(&state.store, &actor, &query, lang).await
    };
    csv_download(answer.await, lang, app::server::services::exports::FILE_NAME, &uri, links::SUBSCRIPTIONS_EXPORT)
}

/// `GET /billing/exports/audit.csv?<the audit trail's filters>`: the entries they select as
/// CSV, in the reader's language, streamed; answered like the subscriptions export.
pub async fn audit_csv(
    State(state): State<AppState>,
    Query(query): Query<app::contract::dto::AuditQuery>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    locale: Option<axum::Extension<Locale>>,
) -> Response {
    let lang = locale.map(|l| l.0).unwrap_or_default();
    let answer = async {
        let actor = app::server::context::actor_from_headers(&state, &headers).await?.ok_or(AppError::Unauthorized)?;
        app::server::services::audit::csv(&state.store, &actor, &query, lang).await
    };
    csv_download(answer.await, lang, app::server::services::audit::FILE_NAME, &uri, links::AUDIT_EXPORT)
}

/// A streamed CSV export as a download named `file_name`; a refused filter is 422 with the reason
/// in `lang`; signed out, sign-in and back to the same address.
fn csv_download(
    answer: Result<tokio::sync::mpsc::Receiver<app::server::services::exports::Chunk>, AppError>,
    lang: Locale,
    file_name: &str,
    uri: &axum::http::Uri,
    path: &str,
) -> Response {
    match answer {
        Ok(chunks) => {
            let body = axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(chunks));
            attachment(body.into_response(), "text/csv; charset=utf-8", file_name)
        }
        Err(e @ (AppError::Validation { .. } | AppError::Conflict(_))) => {
            let (_, text) = app::words::error(app::i18n::Locale::from(lang), &e);
            (StatusCode::UNPROCESSABLE_ENTITY, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text)
                .into_response()
        }
        Err(e) => {
            let here = uri.path_and_query().map_or(path.to_string(), |p| p.to_string());
            download(Err(e), &here)
        }
    }
}

/// `response` as a file the browser saves as `file_name`: its content type, never sniffed into
/// another (a PNG or JPEG a buyer uploaded stays one), never kept in a cache.
fn attachment(mut response: Response, content_type: &str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\'], ""));
    let h = response.headers_mut();
    let kind = HeaderValue::from_str(content_type);
    h.insert(header::CONTENT_TYPE, kind.unwrap_or(HeaderValue::from_static("application/octet-stream")));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A document as a download, or what stands in its way; signed out, sign-in and back to `here`.
fn download(answer: Result<app::server::store::records::Attachment, AppError>, here: &str) -> Response {
    match answer {
        Ok(file) => {
            let content_type = file.content_type.clone();
            attachment(file.bytes.into_response(), &content_type, &file.file_name)
        }
        Err(AppError::Unauthorized) => Redirect::to(&links::sign_in_then(here)).into_response(),
        Err(AppError::Forbidden) => StatusCode::FORBIDDEN.into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
