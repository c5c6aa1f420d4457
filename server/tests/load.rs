//! The load benchmark (issue 15): the portal in-process on a real port with the demo data on
//! SQLite, 32 connections sending requests back to back for a few seconds per target, side by side
//! in one run, so the figures are ratios and not machine luck. A bare page of the same router (no
//! session, no database) is the ceiling. It prints one table; it checks every answer's status and
//! nothing about speed (the budgets are for the release build, `scripts/load`).
//!
//! `scripts/test` runs it on the debug build, 2 s per target (`PORTAL_LOAD_BENCH_SECONDS`).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use reqwest::{Client, RequestBuilder, StatusCode};

const CONNECTIONS: usize = 32;

type MakeRequest = Arc<dyn Fn(&Client, usize) -> RequestBuilder + Send + Sync>;

struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `CONNECTIONS` workers send `make`'s requests back to back for `seconds`.
async fn run(make: MakeRequest, expected: StatusCode, seconds: f64) -> Figures {
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .unwrap();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut workers = Vec::new();
    for w in 0..CONNECTIONS {
        let (client, make) = (client.clone(), make.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = w;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let res = make(&client, i).send().await.expect("an answer");
                let status = res.status();
                let body = res.bytes().await.expect("a whole answer");
                assert_eq!(status, expected, "{}", String::from_utf8_lossy(&body));
                latencies.push(sent.elapsed());
                i += CONNECTIONS;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures { requests: latencies.len(), per_second: latencies.len() as f64 / elapsed, p50: at(0.5), p99: at(0.99) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_side_by_side_against_a_bare_page() {
    let seconds: f64 = std::env::var("PORTAL_LOAD_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    // The ceiling: a small page from the same server, without the portal's middleware.
    let bare = axum::Router::new()
        .route("/bare", axum::routing::get(|| async { axum::response::Html("<!DOCTYPE html><p>ok</p>") }));
    let db = app::server::testing::TestDb::sqlite().await;
    let app = spawn_fresh(db, Options { extra_routes: Some(bare), ..Options::default() }).await;
    let cookie = app.sign_in("buyer@aurora.example").await;
    let ids = app.subscription_ids(&cookie, &[("auto_renew", "on")]).await;
    let hundred: Vec<i64> = ids.iter().copied().take(100).collect();
    assert_eq!(hundred.len(), 100);
    let base = app.url.clone();
    let css = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site/pkg/portal.css")).exists();

    let get = |path: String, cookie: Option<String>| -> MakeRequest {
        let url = format!("{base}{path}");
        Arc::new(move |c: &Client, _| {
            let r = c.get(&url).header("accept-encoding", "gzip");
            match &cookie {
                Some(k) => r.header("cookie", k),
                None => r,
            }
        })
    };
    let post = |endpoint: &str, form: Arc<dyn Fn(usize) -> Vec<(&'static str, String)> + Send + Sync>| -> MakeRequest {
        let (url, cookie) = (format!("{base}/api/{endpoint}"), cookie.clone());
        Arc::new(move |c: &Client, i| {
            c.post(&url)
                .header("sec-fetch-site", "same-origin")
                .header("accept", "application/json")
                .header("cookie", &cookie)
                .form(&form(i))
        })
    };
    let list_form: Arc<dyn Fn(usize) -> Vec<(&'static str, String)> + Send + Sync> =
        Arc::new(|_| vec![("query[per_page]", "100".to_string())]);
    let change_form_for = {
        let ids = hundred.clone();
        Arc::new(move |i: usize| change_form(&ids, i % 2 == 1).to_vec())
    };
    let mut targets: Vec<(&str, MakeRequest)> = vec![
        ("bare route, no middleware (ceiling)", get("/bare".into(), None)),
        ("sign-in page (anonymous)", get("/sign-in".into(), None)),
        ("list page, 100 rows (signed in)", get("/billing/subscriptions?per_page=100".into(), Some(cookie.clone()))),
        ("subscription page", get(format!("/billing/subscriptions/{}", hundred[0]), Some(cookie.clone()))),
        ("list server function, 100 rows", post("list_subscriptions", list_form)),
        ("Manage auto-renew of 100", post("change_auto_renew", change_form_for)),
    ];
    if css {
        targets.insert(1, ("stylesheet (static file)", get("/pkg/portal.css".into(), None)));
    }

    let mut table = Vec::new();
    let mut ceiling = 0.0;
    for (name, make) in targets {
        let f = run(make, StatusCode::OK, seconds).await;
        if ceiling == 0.0 {
            ceiling = f.per_second;
        }
        table.push(format!(
            "{name:<34} {:>8.0} req/s {:>6.1} % of ceiling  p50 {:>7.1} ms  p99 {:>7.1} ms  ({} requests)",
            f.per_second,
            100.0 * f.per_second / ceiling,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.requests
        ));
    }
    let build = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    eprintln!("Load, {CONNECTIONS} connections, {seconds} s per target, {build}, SQLite, demo data:");
    for line in &table {
        eprintln!("  {line}");
    }
    if !css {
        eprintln!("  (stylesheet skipped: target/site is not built yet)");
    }
    app.stop().await;
}
