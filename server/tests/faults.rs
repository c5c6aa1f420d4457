//! Faults and load: the server binary killed with SIGKILL in the middle of a 100-subscription
//! change (SQLite and PostgreSQL), and SQLite under 50 concurrent writers. Each prints its
//! figures; the test command shows them.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use app::server::outbox::{Mailer, Transport, deliver_due};
use app::server::smtp_sink::SmtpSink;
use app::server::store::Store;
use app::server::testing::TestDb;
use common::*;
use reqwest::StatusCode;

/// Runs a query answering one integer column, on either database.
async fn ints(store: &Store, sql: &str) -> Vec<i64> {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

/// The two tests here measure: they take turns instead of sharing the machine's two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What the kill -9 rounds saw.
#[derive(Debug, Default)]
struct CrashReport {
    rounds: usize,
    all_changed: usize,
    none_changed: usize,
    confirmations: usize,
    resent: usize,
}

/// Kills the server at varied moments of a 100-subscription auto-renew change and checks after
/// each restart that all 100 changed or none did, with exactly one confirmation queued per
/// change that happened; at the end, that every confirmation was delivered once, or twice when
/// the process died between the SMTP server's acceptance and marking it sent.
async fn crash_rounds(db: &TestDb, rounds: usize) -> CrashReport {
    let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
    let port = free_port();
    let process = Process::start(&db.url, Some(&sink.url()), port).await;
    let app = process.app();
    let cookie = app.sign_in("buyer@aurora.example").await;
    let on_before = ints(&db.store, "SELECT id FROM subscriptions WHERE auto_renew = TRUE ORDER BY id").await;
    let ids: Vec<i64> = on_before.iter().copied().take(100).collect();
    assert_eq!(ids.len(), 100);
    let confirmations = "SELECT id FROM mail_outbox WHERE kind = 'auto_renew_changed' ORDER BY id";

    // One undisturbed change and back: how long a change takes, and how many mails it queues.
    let started = Instant::now();
    let (status, body) = app.call("change_auto_renew", Some(&cookie), &change_form(&ids, false)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let took = started.elapsed();
    let per_change = ints(&db.store, confirmations).await.len();
    assert!(per_change >= 1);
    let (status, body) = app.call("change_auto_renew", Some(&cookie), &change_form(&ids, true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut process = process;

    let mut report = CrashReport::default();
    for round in 0..rounds {
        let on: Vec<i64> = ints(&db.store, "SELECT id FROM subscriptions WHERE auto_renew = TRUE").await;
        let now_on = ids.iter().filter(|id| on.contains(id)).count();
        let target = now_on == 0;
        let queued_before = ints(&db.store, confirmations).await.len();
        // Most kills land within the request (0 to 1.5 times its length); every fourth later,
        // while the outbox worker may be delivering the confirmation.
        let delay = if round % 4 == 3 {
            took + Duration::from_millis(300 * (round as u64 % 9))
        } else {
            took.mul_f64(1.5 * (round as f64 + 0.5) / rounds as f64)
        };
        let (client, url, form) =
            (app.client.clone(), format!("{}/api/change_auto_renew", app.url), change_form(&ids, target));
        let cookie_header = cookie.clone();
        let request = tokio::spawn(async move {
            client
                .post(url)
                .header("sec-fetch-site", "same-origin")
                .header("cookie", cookie_header)
                .form(&form)
                .send()
                .await
        });
        tokio::time::sleep(delay).await;
        process.kill();
        let _ = request.await;

        process = Process::start(&db.url, Some(&sink.url()), port).await;
        let on: Vec<i64> = ints(&db.store, "SELECT id FROM subscriptions WHERE auto_renew = TRUE").await;
        let changed = ids.iter().filter(|id| on.contains(id) == target).count();
        let queued = ints(&db.store, confirmations).await.len() - queued_before;
        match changed {
            100 => {
                report.all_changed += 1;
                assert_eq!(queued, per_change, "round {round}: the change committed with {queued} confirmations");
            }
            0 => {
                report.none_changed += 1;
                assert_eq!(queued, 0, "round {round}: nothing changed, yet {queued} confirmations were queued");
            }
            n => panic!("round {round}: {n} of 100 subscriptions changed (killed after {delay:?})"),
        }
        // Other subscriptions were never touched.
        let others_on = on.iter().filter(|id| !ids.contains(id)).count();
        assert_eq!(others_on, on_before.len() - 100, "round {round}");
        report.rounds += 1;
    }
    process.kill();

    // Mail claimed by a killed process waits out its lease; deliver it now as a later pass would.
    let mailer =
        Mailer::new(Transport::smtp(&sink.url()).unwrap(), "Billing <billing@portal.test>", "http://127.0.0.1")
            .unwrap();
    // Later than any lease or retry delay; in batches until nothing is due (the engine's passes at
    // each start queued other mail too).
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    for _ in 0..100 {
        let pass = deliver_due(&db.store, &mailer, later).await.unwrap();
        if pass.sent + pass.retried + pass.failed == 0 {
            break;
        }
    }
    let queued = ints(&db.store, confirmations).await;
    let unsent = ints(
        &db.store,
        "SELECT id FROM mail_outbox WHERE kind = 'auto_renew_changed' AND (sent_at IS NULL OR failed_at IS NOT NULL)",
    )
    .await;
    assert!(unsent.is_empty(), "confirmations never delivered: {unsent:?}");
    let mut deliveries: BTreeMap<i64, usize> = BTreeMap::new();
    for message in sink.messages() {
        let id = message.header("Message-ID").unwrap();
        let outbox_id: i64 = id.trim_start_matches("<outbox-").split('@').next().unwrap().parse().unwrap();
        *deliveries.entry(outbox_id).or_default() += 1;
    }
    for id in &queued {
        let n = deliveries.get(id).copied().unwrap_or(0);
        assert!((1..=2).contains(&n), "confirmation {id} delivered {n} times");
        if n == 2 {
            report.resent += 1;
        }
    }
    assert!(report.resent <= rounds, "more resends than kills");
    report.confirmations = queued.len();
    sink.stop();
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_change_killed_with_sigkill_is_all_or_nothing_and_its_mail_is_neither_lost_nor_doubled() {
    // R-BULK-1: a bulk change of up to 100 applies to all or none, even when the process dies.
    const ROUNDS: usize = 20;
    let _turn = ONE_AT_A_TIME.lock().await;
    for (name, db) in [("SQLite", TestDb::sqlite().await), ("PostgreSQL", TestDb::postgres().await)] {
        let started = Instant::now();
        let report = crash_rounds(&db, ROUNDS).await;
        eprintln!(
            "kill -9 on {name}: {} rounds in {:.1} s: {} times all 100 changed, {} times none; {} confirmations delivered, {} of them twice (killed between the SMTP server's acceptance and the outbox's record)",
            report.rounds,
            started.elapsed().as_secs_f64(),
            report.all_changed,
            report.none_changed,
            report.confirmations,
            report.resent
        );
        assert_eq!(report.rounds, ROUNDS);
        assert!(report.all_changed > 0 && report.none_changed > 0, "the kills should land on both sides: {report:?}");
        db.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_serves_50_concurrent_writers_without_a_locked_database() {
    const WRITERS: usize = 50;
    let _turn = ONE_AT_A_TIME.lock().await;
    let seconds: u64 = std::env::var("PORTAL_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mail_dir = std::env::temp_dir().join(format!("portal-load-mail-{}", uuid::Uuid::new_v4().simple()));
    let app =
        spawn_fresh(TestDb::sqlite().await, Options { mail_dir: Some(mail_dir.clone()), ..Options::default() }).await;
    let cookie = app.sign_in("buyer@aurora.example").await;
    let ids = app.subscription_ids(&cookie, &[("auto_renew", "on")]).await;
    assert!(ids.len() >= WRITERS);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let app = std::sync::Arc::new(app);
    let mut writers = Vec::new();
    for &id in ids.iter().take(WRITERS) {
        let (app, cookie) = (app.clone(), cookie.clone());
        writers.push(tokio::spawn(async move {
            let mut on = true;
            let mut latencies = Vec::new();
            let mut refused = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                // Every tenth write is another kind: the user's language.
                let (status, body) = if latencies.len() % 10 == 9 {
                    let locale = if latencies.len() % 20 == 9 { "fi" } else { "en" };
                    app.call("set_language", Some(&cookie), &[("locale", locale.into()), ("back", "/".into())]).await
                } else {
                    on = !on;
                    app.call("change_auto_renew", Some(&cookie), &change_form(&[id], on)).await
                };
                latencies.push(started.elapsed());
                if status != StatusCode::OK {
                    refused.push(format!("{status}: {body}"));
                }
            }
            (latencies, refused)
        }));
    }
    let mut latencies = Vec::new();
    let mut refused = Vec::new();
    for w in writers {
        let (l, r) = w.await.unwrap();
        latencies.extend(l);
        refused.extend(r);
    }
    latencies.sort();
    let total = latencies.len();
    let at = |q: f64| latencies[((total as f64 * q) as usize).min(total - 1)].as_millis();
    eprintln!(
        "SQLite under {WRITERS} concurrent writers for {seconds} s: {total} writes, {:.0} per second; latency p50 {} ms, p99 {} ms, max {} ms; {} refused, {} 'database is locked'",
        total as f64 / seconds as f64,
        at(0.5),
        at(0.99),
        latencies[total - 1].as_millis(),
        refused.len(),
        refused.iter().filter(|r| r.contains("locked")).count()
    );
    assert!(refused.is_empty(), "{} writes refused, e.g. {:?}", refused.len(), refused.first());
    assert!(total >= WRITERS * 2, "{total} writes");
    let _ = std::fs::remove_dir_all(&mail_dir);
    if let Ok(app) = std::sync::Arc::try_unwrap(app) {
        app.stop().await;
    }
}
