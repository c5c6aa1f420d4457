//! Server-only code: state, store, services, sessions. Compiled with the `ssr` feature.

pub mod auth;
pub mod clock;
pub mod config;
pub mod context;
pub mod gateway;
pub mod mail;
pub mod mailbox;
pub mod outbox;
pub mod seed;
pub mod services;
pub mod smtp_sink;
pub mod state;
pub mod store;
pub mod testing;
