//! What the server-level test files share: the portal started in-process on a real port, and a
//! client that calls it as a browser would.
#![allow(dead_code)] // each test file uses part of this

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use app::server::clock::Clock;
use app::server::config::Config;
use app::server::seed::DEMO_PASSWORD;
use app::server::testing::TestDb;
use chrono::{TimeZone, Utc};
use leptos::prelude::LeptosOptions;
use reqwest::{Client, StatusCode, redirect};
use serde_json::Value;

pub struct TestApp {
    pub url: String,
    pub client: Client,
    pub db: Option<TestDb>,
}

/// How to start a portal for a test.
pub struct Options {
    pub clock: Clock,
    pub demo_clock: bool,
    /// Addresses whose `X-Forwarded-For` is believed (tests that play many clients).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Run the outbox worker, delivering into files in this directory.
    pub mail_dir: Option<std::path::PathBuf>,
    /// Where the built site is (default: the workspace's `target/site`).
    pub site_root: Option<std::path::PathBuf>,
    /// Routes served beside the portal's, outside its middleware (the load benchmark's bare page).
    pub extra_routes: Option<axum::Router>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            clock: Clock::manual(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()),
            demo_clock: false,
            trusted_proxies: Vec::new(),
            mail_dir: None,
            site_root: None,
            extra_routes: None,
        }
    }
}

/// Starts the portal on port 0 with a fresh SQLite database holding the demo data.
pub async fn spawn_app() -> TestApp {
    spawn_fresh(TestDb::sqlite().await, Options::default()).await
}

/// Starts the portal on a fresh database of its own, removed by [`TestApp::stop`].
pub async fn spawn_fresh(db: TestDb, options: Options) -> TestApp {
    let mut app = spawn_with(&db.url, options).await;
    app.db = Some(db);
    app
}

/// Starts one more portal process on an existing database (demo data loaded if it is empty).
pub async fn spawn_on(database_url: &str) -> TestApp {
    spawn_with(database_url, Options::default()).await
}

/// The portal with the demo clock on, `buyer@aurora.example` its one operator.
pub async fn spawn_demo() -> TestApp {
    spawn_fresh(TestDb::sqlite().await, Options { clock: Clock::offset(0), demo_clock: true, ..Options::default() })
        .await
}

pub async fn spawn_with(database_url: &str, options: Options) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let (state, store) = state_with(database_url, addr, &options).await;
    let public_url = state.config.public_url.clone();
    let mailer = options.mail_dir.map(|dir| {
        let transport = app::server::outbox::Transport::Files(dir);
        app::server::outbox::Mailer::new(transport, &state.config.mail_from, &public_url).unwrap()
    });
    let extra_routes = options.extra_routes;
    // The portal runs on its own runtime, as in production (worker threads with a large stack).
    let listener = listener.into_std().unwrap();
    std::thread::spawn(move || {
        let rt = server::runtime().unwrap();
        rt.block_on(async move {
            if let Some(mailer) = mailer {
                let every = std::time::Duration::from_millis(200);
                tokio::spawn(app::server::outbox::run_worker(store, mailer, public_url, every));
            }
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let router = server::router(state);
            let router = match extra_routes {
                Some(extra) => router.merge(extra),
                None => router,
            };
            server::serve(listener, router).await
        })
    });
    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    TestApp { url, client, db: None }
}

/// The state of a portal on `database_url` answering on `addr` (demo data loaded if the database
/// is empty), and its store.
pub async fn state_with(
    database_url: &str,
    addr: std::net::SocketAddr,
    options: &Options,
) -> (app::server::state::AppState, app::server::store::Store) {
    let url = format!("http://{addr}");
    let config = Config {
        database_url: database_url.to_string(),
        data_dir: std::env::temp_dir(),
        listen_addr: addr.to_string(),
        public_url: url,
        demo_data: true,
        smtp_url: None,
        mail_from: "Billing <billing@portal.test>".into(),
        mailbox_page: false,
        demo_clock: options.demo_clock,
        demo_clock_operators: vec!["buyer@aurora.example".into()],
        trusted_proxies: options.trusted_proxies.clone(),
        usd_rates: Default::default(),
    };
    let clock = options.clock.clone();
    let store = server::open_store(&config, &clock).await.unwrap();
    let site_root =
        options.site_root.as_ref().map_or_else(|| "../target/site".to_string(), |p| p.display().to_string());
    let leptos = LeptosOptions::builder().output_name("portal").site_root(site_root).site_addr(addr).build();
    (server::state(leptos, store.clone(), clock, config), store)
}

impl TestApp {
    /// Calls a server function as the browser's fetch does (same-origin, JSON answer).
    pub async fn call(&self, endpoint: &str, cookie: Option<&str>, form: &[(&str, String)]) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(format!("{}/api/{endpoint}", self.url))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        answer(req).await
    }

    /// Posts a multipart form (text fields, then one file as `(field, name, bytes)`) to a
    /// server function, as the browser sends an upload.
    pub async fn call_multipart(
        &self,
        endpoint: &str,
        cookie: Option<&str>,
        form: &[(&str, String)],
        file: (&str, &str, &[u8]),
    ) -> (StatusCode, Value) {
        let mut parts = reqwest::multipart::Form::new();
        for (k, v) in form {
            parts = parts.text(k.to_string(), v.clone());
        }
        let (field, name, bytes) = file;
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string());
        parts = parts.part(field.to_string(), part);
        let mut req = self
            .client
            .post(format!("{}/api/{endpoint}", self.url))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .multipart(parts);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        answer(req).await
    }

    /// Signs in and returns the session cookie (`portal_session=...`).
    pub async fn sign_in(&self, email: &str) -> String {
        let res = self
            .client
            .post(format!("{}/api/sign_in", self.url))
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", email), ("password", DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success() || res.status().is_redirection(), "sign-in of {email}: {}", res.status());
        let set_cookie = res.headers().get("set-cookie").expect("a session cookie").to_str().unwrap().to_string();
        set_cookie.split(';').next().unwrap().to_string()
    }

    pub async fn subscription_ids(&self, cookie: &str, filters: &[(&str, &str)]) -> Vec<i64> {
        let mut form = vec![("query[per_page]", "200".to_string())];
        let keys: Vec<String> = filters.iter().map(|(k, _)| format!("query[{k}]")).collect();
        for ((_, v), k) in filters.iter().zip(&keys) {
            form.push((k.as_str(), v.to_string()));
        }
        let (status, page) = self.call("list_subscriptions", Some(cookie), &form).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
    }

    pub async fn stop(mut self) {
        if let Some(db) = self.db.take() {
            db.cleanup().await;
        }
    }
}

pub fn ids_param(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The confirm form of Manage auto-renew, with a fresh idempotency key.
pub fn change_form(ids: &[i64], on: bool) -> [(&'static str, String); 3] {
    [("ids", ids_param(ids)), ("on", on.to_string()), ("idempotency_key", key())]
}

/// Runs futures concurrently and gathers their outputs in order.
pub async fn futures_join<F: std::future::Future + Send + 'static>(futures: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// A server function's answer: its status and its body (JSON where it is, else the text).
async fn answer(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

/// The portal's own binary, as an operator runs it.
pub struct Process {
    pub child: Child,
    pub url: String,
}

impl Process {
    pub async fn start(database_url: &str, smtp_url: Option<&str>, port: u16) -> Process {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        if let Some(smtp_url) = smtp_url {
            command.env("PORTAL_SMTP_URL", smtp_url);
        }
        let child = command
            .current_dir(root)
            .env("DATABASE_URL", database_url)
            .env("PORTAL_DATA_DIR", std::env::temp_dir().join(format!("portal-process-{port}")))
            .env("PORTAL_DEMO_DATA", "true")
            .env("PORTAL_LISTEN", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "portal")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server binary");
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(res) = client.get(format!("{url}/health")).send().await
                && res.status() == StatusCode::OK
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "the server did not start");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Process { child, url }
    }

    /// SIGKILL: no shutdown, no flush, as a power cut or the OOM killer does it.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// A client of this process, calling as the portal's own pages do.
    pub fn app(&self) -> TestApp {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp { url: self.url.clone(), client, db: None }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
