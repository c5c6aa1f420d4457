//! The one application error type. Its variants are safe to show to the user; database and other
//! unexpected errors are logged on the server and reach the browser only as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use super::problem::Problem;

/// The texts below are for logs; pages word an error in the reader's language
/// (`ui::words`), from its variant and its [`Problem`] code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; `field` names the form field when there is one.
    #[error("invalid input ({field:?}): {problem:?}")]
    Validation { field: Option<String>, problem: Problem },
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden for this role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state (e.g. an idempotency key reused for
    /// another action).
    #[error("conflict: {0:?}")]
    Conflict(Problem),
    #[error("too many requests: {0:?}")]
    TooManyRequests(Problem),
    #[error("internal error")]
    Internal,
    /// The request did not reach the server function or its answer could not be read; the
    /// detail is technical and is not shown as the message.
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    /// An error tied to a form field.
    pub fn validation(field: impl Into<String>, problem: impl Into<Problem>) -> AppError {
        AppError::Validation { field: Some(field.into()), problem: problem.into() }
    }

    /// An error about the form as a whole.
    pub fn form(problem: impl Into<Problem>) -> AppError {
        AppError::Validation { field: None, problem: problem.into() }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 400,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Malformed or missing arguments are the caller's mistake, not ours.
            // Its wording (serde's) is not echoed back.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => AppError::form(Problem::MalformedForm),
            // On the server, a body that cannot be decoded at all is the caller's mistake too;
            // in the browser the same variant means the server's answer could not be read.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::form(Problem::MalformedForm),
            // Anything else on the server (a method or transport the function does not take):
            // logged, and answered without the library's wording.
            #[cfg(feature = "ssr")]
            other => {
                tracing::info!(error = %other, "a server function request could not be taken");
                AppError::Transport("request not accepted".into())
            }
            #[cfg(not(feature = "ssr"))]
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<crate::domain::selection::SelectionError> for AppError {
    fn from(e: crate::domain::selection::SelectionError) -> Self {
        AppError::validation("ids", e)
    }
}

impl From<crate::domain::authz::Denied> for AppError {
    fn from(d: crate::domain::authz::Denied) -> Self {
        match d {
            crate::domain::authz::Denied::NotFound => AppError::NotFound,
            crate::domain::authz::Denied::Forbidden => AppError::Forbidden,
        }
    }
}
