//! The load benchmark (issue 15): the portal in-process on a real port with the demo data on
//! SQLite, 32 connections sending requests back to back for a few seconds per target, side by side
//! in one run, so the figures are ratios and not machine luck. A bare page of the same router (no
//! session, no database) is the ceiling. It prints one table; it checks every answer's status and
//! nothing about speed (the budgets are for the release build, `scripts/load`).
//!
//! `scripts/test` runs it on the debug build, 2 s per target (`PORTAL_LOAD_BENCH_SECONDS`;
//! `PORTAL_LOAD_ONLY` picks targets by name).
//!
//! The second test measures the memory of the portal's own binary, started as an operator starts
//! it: resident at idle, after a burst at full speed, and through a soak at half the burst's rate
//! (`PORTAL_SOAK_SECONDS`; `scripts/load` soaks 10 minutes, `scripts/test` a few seconds).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use reqwest::{Client, RequestBuilder, StatusCode};

const CONNECTIONS: usize = 32;

/// The server binary's allocator, so the in-process portal measures what runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The tests here measure: they take turns instead of sharing the machine's two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
    let _turn = ONE_AT_A_TIME.lock().await;
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
    // The stylesheet by the name the build gave it (hashed, see `app::server::assets`).
    let site = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"));
    let hashes = std::fs::read_to_string(site.join(app::server::assets::HASH_FILE)).ok();
    let stylesheet = app::server::assets::Assets::from_hash_file(hashes.as_deref(), "portal", "pkg").stylesheet;
    let css = site.join(stylesheet.trim_start_matches('/')).exists();

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
        targets.insert(1, ("stylesheet (static file)", get(stylesheet.clone(), None)));
    }
    // `PORTAL_LOAD_ONLY=list` measures only the targets whose name holds that text (and the
    // ceiling, always first): for a profiler run on one target.
    if let Ok(only) = std::env::var("PORTAL_LOAD_ONLY") {
        let rest = targets.split_off(1);
        targets.extend(rest.into_iter().filter(|(name, _)| name.contains(only.as_str())));
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

/// The resident set of a process, in MB (Linux).
fn resident_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the process's status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb / 1024.0
}

/// Requests sent at `rate` per second in all, spread over `CONNECTIONS` workers each on its own
/// schedule, for `seconds`; answers checked. The number sent.
async fn at_rate(make: MakeRequest, rate: f64, seconds: f64) -> usize {
    let client = Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    let period = Duration::from_secs_f64(CONNECTIONS as f64 / rate);
    let start = tokio::time::Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut workers = Vec::new();
    for w in 0..CONNECTIONS {
        let (client, make) = (client.clone(), make.clone());
        workers.push(tokio::spawn(async move {
            let mut next = start + period.mul_f64(w as f64 / CONNECTIONS as f64);
            let mut sent = 0;
            while next < end {
                tokio::time::sleep_until(next).await;
                let res = make(&client, sent).send().await.expect("an answer");
                assert_eq!(res.status(), StatusCode::OK);
                res.bytes().await.expect("a whole answer");
                sent += 1;
                next += period;
            }
            sent
        }));
    }
    let mut sent = 0;
    for w in workers {
        sent += w.await.unwrap();
    }
    sent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_at_idle_after_a_burst_and_through_a_soak() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let soak: f64 = std::env::var("PORTAL_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(6.0);
    let dir = std::env::temp_dir().join(format!("portal-soak-{}", key()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/portal.sqlite3", dir.display());
    let process = Process::start(&url, None, free_port()).await;
    let pid = process.child.id();
    // The server restarted itself with its allocator settings (`server::allocator`): the
    // process that answers has them in its environment, whether or not this one had them.
    let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("the process's environment");
    let environ = String::from_utf8_lossy(&environ);
    for (name, value) in server::allocator::SETTINGS {
        let expected = format!("{name}={}", std::env::var(name).unwrap_or_else(|_| value.to_string()));
        assert!(environ.split('\0').any(|v| v == expected), "{expected} is not in the server's environment");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = resident_mb(pid);
    let app = process.app();
    let cookie = app.sign_in("buyer@aurora.example").await;
    let page = format!("{}/billing/subscriptions?per_page=100", app.url);
    let list: MakeRequest =
        Arc::new(move |c: &Client, _| c.get(&page).header("accept-encoding", "gzip").header("cookie", &cookie));
    let burst = run(list.clone(), StatusCode::OK, 3.0).await;
    let after_burst = resident_mb(pid);
    let rate = burst.per_second / 2.0;
    // The soak in tenths, the resident set after each.
    let mut samples = vec![after_burst];
    let mut sent = 0;
    for _ in 0..10 {
        sent += at_rate(list.clone(), rate, soak / 10.0).await;
        samples.push(resident_mb(pid));
    }
    let end = *samples.last().unwrap();
    let growth = 100.0 * (end - after_burst) / after_burst;
    let build = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    eprintln!("Memory of the server binary ({build}, SQLite, demo data), list page with 100 rows:");
    eprintln!("  idle after start {idle:.1} MB (budget 40 MB: {})", if idle <= 40.0 { "within" } else { "OVER" });
    eprintln!("  after a 3 s burst at {:.0} req/s: {after_burst:.1} MB", burst.per_second);
    eprintln!(
        "  soak {soak} s at {rate:.0} req/s ({sent} requests): {} MB; growth {growth:+.1} % (budget < 10 %: {})",
        samples.iter().map(|m| format!("{m:.1}")).collect::<Vec<_>>().join(" "),
        if growth < 10.0 { "within" } else { "OVER" }
    );
    process.kill();
    let _ = std::fs::remove_dir_all(dir);
}
