//! The one application error type. Its variants are safe to show to the user; database and other
//! unexpected errors are logged on the server and reach the browser only as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input is wrong; `field` names the form field when there is one.
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Your role does not allow this. Ask a buyer of your organisation.")]
    Forbidden,
    #[error("We could not find that. It may have been removed, or it belongs to another account.")]
    NotFound,
    /// The request conflicts with the current state (e.g. an idempotency key reused for
    /// another action).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("Something went wrong on our side; nothing was changed. Please try again.")]
    Internal,
    /// The request did not reach the server function or its answer could not be read.
    #[error("The request could not be completed ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Validation { field: Some(field.into()), message: message.into() }
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
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                AppError::Validation { field: None, message: format!("The form was incomplete or malformed: {m}") }
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<crate::domain::selection::SelectionError> for AppError {
    fn from(e: crate::domain::selection::SelectionError) -> Self {
        AppError::validation("ids", e.to_string())
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
