//! The application state given to every request through context.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::assets::Assets;
use super::clock::Clock;
use super::config::Config;
use super::services::engine::Engine;
use super::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub clock: Clock,
    pub config: Arc<Config>,
    /// Renewals, payments, lifecycle and reminders; run by housekeeping and the demo clock.
    pub engine: Engine,
    /// The browser bundle's file names (hashed when the build hashed them).
    pub assets: Arc<Assets>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
