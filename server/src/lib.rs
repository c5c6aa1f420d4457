#![recursion_limit = "512"]
//! The portal's server: configuration, database, router with CSRF protection, start-up.
//! `main.rs` is a thin command line over this, and the server-level tests start it on port 0.

pub mod csrf;
pub mod status;

use std::net::SocketAddr;
use std::sync::Arc;

use app::server::clock::Clock;
use app::server::config::Config;
use app::server::state::AppState;
use app::server::store::Store;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

/// Connects to the database, migrates it, and loads the demo data when configured to.
pub async fn open_store(config: &Config, clock: &Clock) -> Result<Store, String> {
    let store = Store::connect(&config.database_url).await.map_err(|e| format!("cannot open the database: {e}"))?;
    if config.demo_data {
        let loaded = app::server::seed::load_if_empty(&store, clock.now()).await.map_err(|e| format!("cannot load demo data: {e}"))?;
        if loaded {
            tracing::info!("demo data loaded");
        }
    }
    Ok(store)
}

/// The whole application: pages, server functions, static files, CSRF guard.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site = csrf::SiteOrigin(state.config.public_url.clone());
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();
    Router::new()
        .route("/health", axum::routing::get(health))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(status::client_errors))
        .layer(axum::middleware::from_fn_with_state(site, csrf::guard))
        .with_state(state)
}

/// `GET /health`: the database answers, and how much mail waits or has failed for good. An
/// operator alerts on `mail_failed` > 0.
async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let counts = async {
        let mut tx = state.store.begin_read().await?;
        tx.mail_counts().await
    };
    match counts.await {
        Ok((waiting, failed)) => axum::Json(serde_json::json!({
            "status": "ok",
            "database": state.store.backend(),
            "mail_waiting": waiting,
            "mail_failed": failed,
        }))
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "status": "database unavailable" }))).into_response()
        }
    }
}

/// Builds the state from configuration.
pub fn state(leptos_options: LeptosOptions, store: Store, clock: Clock, config: Config) -> AppState {
    AppState { leptos_options, store, clock, config: Arc::new(config) }
}

/// Every minute: moves unrenewed subscriptions along their lifecycle (on the business clock),
/// removes ended sessions and sign-in failures that no longer count. Safe to run in every
/// server process at once: transitions are only written forward, deletes are idempotent.
pub async fn housekeeping(store: Store, clock: Clock) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match app::server::services::lifecycle::apply(&store, clock.now()).await {
            Ok(0) => {}
            Ok(moved) => tracing::info!(moved, "lifecycle transitions applied"),
            Err(e) => tracing::warn!(error = %e, "lifecycle transitions failed; will retry"),
        }
        let now = chrono::Utc::now().timestamp();
        let pass = async {
            let mut tx = store.begin_write().await?;
            let sessions = tx.delete_expired_sessions(now).await?;
            let failures = tx.delete_login_failures_before(now - app::server::auth::FAILURE_WINDOW_SECONDS).await?;
            tx.commit().await?;
            Ok::<_, app::server::store::StoreError>((sessions, failures))
        };
        match pass.await {
            Ok((0, 0)) => {}
            Ok((sessions, failures)) => tracing::info!(sessions, failures, "housekeeping removed expired rows"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
        }
    }
}

/// Stack for each worker thread. Rendering a page walks deeply nested view types; unoptimised
/// (debug) builds need more than the default 2 MiB for that.
pub const WORKER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// The multi-threaded runtime the portal runs on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(WORKER_STACK_BYTES).build()
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await
}
