//! `server` starts the portal; `server seed-demo` loads the demo data into an empty database.

use app::server::auth;
use app::server::clock::Clock;
use app::server::config::Config;
use app::server::seed::{DEMO_PASSWORD, DEMO_USERS};
use leptos::prelude::get_configuration;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc (the benchmarks and the load test use it too, so they
/// measure what runs). Rendering a page is allocation-heavy: under
/// load glibc spent about a sixth of the server's time in `malloc`/`free`. And glibc kept the
/// 19 MiB blocks of each argon2 hash (sign-in, demo data) in its per-thread arenas after they
/// were freed: a server that had signed in a few people sat at 220+ MB resident while idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    server::allocator::exec_with_settings();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let result = server::runtime().map_err(|e| e.to_string()).and_then(|rt| rt.block_on(run()));
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let leptos = get_configuration(None).map_err(|e| format!("cannot read the Leptos configuration: {e}"))?;
    let mut options = leptos.leptos_options;
    let mut config = Config::from_env(&options.site_addr.to_string())?;
    let clock = Clock::system();
    match std::env::args().nth(1).as_deref() {
        None | Some("serve") => {}
        Some("seed-demo") => {
            config.demo_data = false;
            let store = server::open_store(&config, &clock).await?;
            let loaded = app::server::seed::load_if_empty(&store, clock.now()).await.map_err(|e| e.to_string())?;
            println!("{}", if loaded { "Demo data loaded." } else { "The database already has data; nothing loaded." });
            return Ok(());
        }
        Some("advance-clock") => {
            let step = std::env::args().nth(2).ok_or("usage: server advance-clock <30d|12h|90m>")?;
            let by = app::server::clock::parse_step(&step)
                .map_err(|e| format!("{step:?}: {e} (use a whole number followed by d, h or m, such as 30d)"))?;
            if !config.demo_clock {
                return Err("the demo clock is off; set PORTAL_DEMO_CLOCK=true (never in production)".into());
            }
            config.demo_data = false;
            let store = server::open_store(&config, &clock).await?;
            let offset = app::server::clock::advance_stored_offset(&store, by)
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("{step:?}: {e}"))?;
            let now = chrono::Utc::now() + chrono::Duration::seconds(offset);
            println!(
                "The demo clock now reads {} (UTC); running servers take it within a minute.",
                now.format("%Y-%m-%d %H:%M")
            );
            return Ok(());
        }
        Some("backup") => {
            let target = std::env::args().nth(2).ok_or("usage: server backup <new file>")?;
            config.demo_data = false;
            let store = server::open_store(&config, &clock).await?;
            store.backup_to(std::path::Path::new(&target)).await?;
            println!(
                "Backed up to {target}. To restore: stop the portal, put this file in place of the database file, start the portal."
            );
            return Ok(());
        }
        Some(other) => {
            return Err(format!("unknown command {other:?}; use `serve`, `seed-demo`, `advance-clock` or `backup`"));
        }
    }
    options.site_addr =
        config.listen_addr.parse().map_err(|e| format!("PORTAL_LISTEN {:?}: {e}", config.listen_addr))?;
    auth::warm_up();
    let store = server::open_store(&config, &clock).await?;
    let clock = server::business_clock(&config, &store).await?;
    let demo = config.demo_data;
    let url = config.public_url.clone();
    let backend = store.backend();
    let listener = tokio::net::TcpListener::bind(options.site_addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.site_addr))?;
    let mailer = config.mailer()?;
    let mail_target = match &config.smtp_url {
        Some(_) => "SMTP".to_string(),
        None => format!("files in {}", config.mailbox_dir().display()),
    };
    let state = server::state(options, store.clone(), clock.clone(), config);
    tokio::spawn(server::housekeeping(state.engine.clone(), clock));
    let every = std::time::Duration::from_secs(2);
    tokio::spawn(app::server::outbox::run_worker(store, mailer, url.clone(), every));
    println!("\nBilling and orders portal on {url} ({backend}; mail to {mail_target})");
    if demo {
        println!("Demo logins (password {DEMO_PASSWORD}):");
        for (email, name, roles) in DEMO_USERS {
            println!("  {email:<26} {name:<16} {}", roles.join(", "));
        }
    }
    println!();
    server::serve(listener, server::router(state)).await.map_err(|e| e.to_string())
}
