//! Benchmark (not a timed test): server time of Manage auto-renew on 100 subscriptions, on
//! SQLite and on PostgreSQL. Budget: 20 ms on SQLite, 40 ms on PostgreSQL. Prints the figures.

use std::time::{Duration, Instant};

use app::api::dto::SubscriptionQuery;
use app::domain::authz::{Actor, Role};
use app::domain::selection::BulkSelection;
use app::server::services::{auto_renew, subscriptions};
use app::server::testing::TestDb;
use chrono::Utc;

const ROUNDS: usize = 30;

async fn bench(db: TestDb, budget_ms: f64) {
    let now = Utc::now();
    app::server::seed::load_if_empty(&db.store, now).await.expect("seed");
    let store = &db.store;
    let mut tx = store.begin_read().await.unwrap();
    let user = tx.user_auth_by_email("buyer@aurora.example").await.unwrap().unwrap();
    let org_id = tx.user_orgs(user.id).await.unwrap()[0];
    let roles = tx.roles(user.id, org_id).await.unwrap().iter().filter_map(|r| Role::parse(r)).collect();
    drop(tx);
    let buyer = Actor { user_id: user.id, org_id, roles };
    let q = SubscriptionQuery { auto_renew: Some("on".into()), per_page: Some(100), ..Default::default() };
    let ids: Vec<i64> = subscriptions::list(store, &buyer, &q).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 100, "the demo data has 100 subscriptions with auto-renew on");
    let selection = BulkSelection::from_ids(ids).unwrap();
    let mut times: Vec<Duration> = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let on = round % 2 == 1;
        let key = uuid::Uuid::new_v4().to_string();
        let start = Instant::now();
        let outcome = auto_renew::change(store, &buyer, &selection, on, &key, now, "http://bench").await.unwrap();
        times.push(start.elapsed());
        assert_eq!(outcome.changed.len(), 100);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[ROUNDS / 2]);
    println!(
        "Manage auto-renew, 100 subscriptions, {:<8} median {:6.2} ms  p90 {:6.2} ms  min {:6.2} ms  ({ROUNDS} rounds; budget {budget_ms} ms: {})",
        store.backend(),
        median,
        ms(times[ROUNDS * 9 / 10]),
        ms(times[0]),
        if median <= budget_ms { "within" } else { "OVER" }
    );
    db.cleanup().await;
}

#[tokio::main]
async fn main() {
    bench(TestDb::sqlite().await, 20.0).await;
    bench(TestDb::postgres().await, 40.0).await;
}
