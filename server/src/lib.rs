#![recursion_limit = "512"]
//! The portal's server: configuration, database, router with CSRF protection, start-up.
//! `main.rs` is a thin command line over this, and the server-level tests start it on port 0.

pub mod allocator;
pub mod csrf;
pub mod documents;
pub mod headers;
pub mod limits;
pub mod panics;
pub mod statics;
pub mod status;

use std::net::SocketAddr;
use std::sync::Arc;

use app::server::clock::Clock;
use app::server::config::Config;
use app::server::gateway::SimulatedGateway;
use app::server::services::engine::Engine;
use app::server::state::AppState;
use app::server::store::Store;
use app::{App, shell};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// Connects to the database, migrates it, and loads the demo data when configured to.
pub async fn open_store(config: &Config, clock: &Clock) -> Result<Store, String> {
    let store = Store::connect(&config.database_url).await.map_err(|e| format!("cannot open the database: {e}"))?;
    if config.demo_data {
        let loaded = app::server::seed::load_if_empty(&store, clock.now())
            .await
            .map_err(|e| format!("cannot load demo data: {e}"))?;
        if loaded {
            tracing::info!("demo data loaded");
        }
    }
    Ok(store)
}

/// The application's routes, generated once per process. Generating them renders the app with
/// resources suppressed through a process-wide switch (leptos_server's `SuppressResourceLoad`):
/// a resource first polled by a page being served while the switch is on waits for ever
/// (leptos-rs/leptos#4773). One router per process never overlaps the two; the server tests,
/// which start many portals in one process beside pages being served, did: a page request of
/// theirs hung for good in one of about ten runs. Without this cache, the test in `api.rs` that
/// builds routers while it fetches pages hangs on its first page.
fn routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application: pages, server functions, static files, CSRF guard.
pub fn router(state: AppState) -> Router {
    let routes = routes();
    let site = csrf::SiteOrigin(state.config.public_url.clone());
    let leptos_options = state.leptos_options.clone();
    let context_state = state.clone();
    let fallback_state = state.clone();
    let store = (state.store.clone(), state.config.secure_cookies());
    let https = headers::Https(state.config.public_url.starts_with("https://"));
    let limiter = limits::Limiter::new(state.config.trusted_proxies.clone(), &state.config.public_url);
    Router::new()
        .route("/health", axum::routing::get(health))
        .route("/billing/quotes/{number}/pdf", axum::routing::get(documents::quote_pdf))
        .route("/billing/invoices/{number}/pdf", axum::routing::get(documents::invoice_pdf))
        .route(app::contract::links::SUBSCRIPTIONS_EXPORT, axum::routing::get(documents::subscriptions_csv))
        .route(app::contract::links::AUDIT_EXPORT, axum::routing::get(documents::audit_csv))
        .route(
            "/billing/subscriptions/{id}/invoice-details/documents/{document}",
            axum::routing::get(documents::po_document),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || app::server::context::provide_request_context(&context_state),
            move || shell(leptos_options.clone()),
        )
        .nest("/pkg", statics::pkg(&state.leptos_options, state.assets.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || app::server::context::provide_request_context(&fallback_state),
            shell,
        ))
        .layer(axum::middleware::from_fn(status::client_errors))
        .layer(axum::middleware::from_fn(status::multipart_forms))
        .layer(statics::compression())
        .layer(axum::middleware::from_fn_with_state(store, language))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .layer(axum::middleware::from_fn_with_state(limiter, limits::limit))
        .layer(axum::middleware::from_fn_with_state(site, csrf::guard))
        .layer(panics::layer())
        .layer(axum::middleware::from_fn_with_state(https, headers::secure))
        .with_state(state)
}

/// Looks the request's session up once (`app::server::auth::RequestSession`) and decides its
/// language (see `app::server::language`) for the pages and server functions behind it. Static
/// files need neither. When the database does not answer, the language is the browser's and the
/// session is left for the server functions to look up (and report the failure themselves).
async fn language(
    axum::extract::State((store, secure)): axum::extract::State<(Store, bool)>,
    mut req: axum::http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use app::server::{auth, language};
    if !req.uri().path().starts_with("/pkg/") {
        let locale = match auth::request_session(&store, req.headers(), secure, chrono::Utc::now()).await {
            Ok(session) => {
                let locale = language::of_request(&session, req.headers());
                req.extensions_mut().insert(session);
                locale
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the session; using the browser's language");
                language::without_account(req.headers())
            }
        };
        req.extensions_mut().insert(locale);
    }
    next.run(req).await
}

/// The span of one request: method and path only. A query string can hold a secret (the token
/// of a password-reset link), so it never reaches a log line.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
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
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "database unavailable" })),
            )
                .into_response()
        }
    }
}

/// Builds the state from configuration.
pub fn state(mut leptos_options: LeptosOptions, store: Store, clock: Clock, config: Config) -> AppState {
    let engine = engine(&store, &config);
    let assets = Arc::new(app::server::assets::Assets::locate(&mut leptos_options));
    AppState { leptos_options, store, clock, config: Arc::new(config), engine, assets }
}

/// The engine with the simulated payment gateway (the only provider so far; a real one
/// implements `PaymentGateway` and is chosen here).
pub fn engine(store: &Store, config: &Config) -> Engine {
    Engine {
        store: store.clone(),
        gateway: Arc::new(SimulatedGateway::new(store.clone())),
        rates: config.usd_rates.clone(),
        base_url: config.public_url.clone(),
    }
}

/// The business clock the configuration asks for: the system clock, or the demo clock with the
/// offset stored in the database.
pub async fn business_clock(config: &Config, store: &Store) -> Result<Clock, String> {
    if config.demo_clock {
        let offset =
            app::server::clock::stored_offset(store).await.map_err(|e| format!("cannot read the demo clock: {e}"))?;
        Ok(Clock::offset(offset))
    } else {
        Ok(Clock::system())
    }
}

/// Every minute: one pass of the engine (renewals, payments, lifecycle, reminders) on the
/// business clock, then removes ended sessions and sign-in failures that no longer count. Safe
/// to run in every server process at once (see services::jobs). A demo clock first takes the
/// offset stored by another process or the `advance-clock` command.
pub async fn housekeeping(engine: Engine, clock: Clock) {
    let store = engine.store.clone();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if clock.offset_seconds().is_some() {
            match app::server::clock::stored_offset(&store).await {
                Ok(offset) => clock.observe_offset(offset),
                Err(e) => tracing::warn!(error = %e, "cannot read the demo clock"),
            }
        }
        match engine.run_pass(clock.now()).await {
            Ok(report) if report.is_empty() => {}
            Ok(report) => tracing::info!(?report, "engine pass"),
            Err(e) => tracing::warn!(error = %e, "engine pass failed; will retry"),
        }
        let now = chrono::Utc::now();
        let window = chrono::Duration::seconds(app::server::auth::FAILURE_WINDOW_SECONDS);
        let pass = async {
            let mut tx = store.begin_write().await?;
            let sessions = tx.delete_expired_sessions(now).await?;
            let failures = tx.delete_login_failures_before(now - window).await?;
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

/// Serves `router` on `listener` until the process ends. Every connection sends at once
/// (`TCP_NODELAY`): an answer written in two parts (headers, then a file's body) otherwise waits
/// for the client's delayed acknowledgement, about 40 ms, which the load benchmark showed on
/// static files (p50 0.5 ms, p99 48 ms).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
        }
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await
}
