#![recursion_limit = "512"]
//! The Billing and orders portal: domain rules, the server-function layer, and the pages.
//! Built with `ssr` for the server and with `hydrate` for the browser.

pub mod api;
pub mod contract;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

pub use ui::{App, shell};
