//! Server-only code: state, store, services, sessions. Compiled with the `ssr` feature.

pub mod assets;
pub mod auth;
pub mod clock;
pub mod config;
pub mod context;
pub mod documents;
pub mod files;
pub mod gateway;
pub mod language;
pub mod mail;
pub mod mailbox;
pub mod outbox;
pub mod pdf;
pub mod seed;
pub mod services;
pub mod smtp_sink;
pub mod state;
pub mod store;
pub mod testing;

use crate::contract::error::AppError;

/// For a failure that is neither the user's nor the store's (encoding a stored answer, a task
/// that panicked): logs it with what was being done and answers `Internal`.
/// `.map_err(internal("decoding a stored answer"))`
#[track_caller]
pub fn internal<E: std::fmt::Display>(doing: &'static str) -> impl FnOnce(E) -> AppError {
    let at = std::panic::Location::caller();
    move |e| {
        tracing::error!(error = %e, doing, at = %format_args!("{}:{}", at.file(), at.line()), "unexpected failure");
        AppError::Internal
    }
}
