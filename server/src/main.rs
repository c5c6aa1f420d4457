//! `server` starts the portal; `server seed-demo` loads the demo data into an empty database.

use app::server::auth;
use app::server::clock::Clock;
use app::server::config::Config;
use app::server::seed::{DEMO_PASSWORD, DEMO_USERS};
use leptos::prelude::get_configuration;
use tracing_subscriber::EnvFilter;

fn main() {
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
        Some(other) => return Err(format!("unknown command {other:?}; use `serve` or `seed-demo`")),
    }
    options.site_addr = config.listen_addr.parse().map_err(|e| format!("PORTAL_LISTEN {:?}: {e}", config.listen_addr))?;
    auth::warm_up();
    let store = server::open_store(&config, &clock).await?;
    let demo = config.demo_data;
    let url = config.public_url.clone();
    let backend = store.backend();
    let listener = tokio::net::TcpListener::bind(options.site_addr).await.map_err(|e| format!("cannot listen on {}: {e}", options.site_addr))?;
    let mailer = config.mailer()?;
    let mail_target = match &config.smtp_url {
        Some(_) => "SMTP".to_string(),
        None => format!("files in {}", config.mailbox_dir().display()),
    };
    tokio::spawn(server::housekeeping(store.clone(), clock.clone()));
    tokio::spawn(app::server::outbox::run_worker(store.clone(), mailer, std::time::Duration::from_secs(2)));
    let state = server::state(options, store, clock, config);
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
