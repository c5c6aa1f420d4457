//! Benchmarks (not timed tests); they print figures, on SQLite and on PostgreSQL:
//! - Manage auto-renew on 100 subscriptions, server time. Budget: 20 ms SQLite, 40 ms PostgreSQL.
//! - The Subscriptions and contracts list on an account with 5,000 subscriptions: first page,
//!   last page, filtered and searched.
//! - Mail delivery from the outbox to an SMTP server on loopback, in mails per second.
//! - Bulk renew of 100 in the cart, from the review to the committed order (review priced, order
//!   placed, charged through the simulated gateway, renewals applied), server time. Budget: 20 ms
//!   SQLite, 40 ms PostgreSQL.
//! - The CSV export of 100,000 subscriptions (R-EXT-9), PostgreSQL: time to the last byte, size,
//!   and how much the process's peak memory grew while it ran (it streams: it should not grow
//!   with the number of rows).
//! - `bench scale` only: the list on PostgreSQL with 1,000,000 subscriptions over 20,000
//!   organisations, in the one with 50,000 (p50, p99; budget p99 30 ms). `bench scale --keep`
//!   leaves the database in place and prints its URL, to read the queries' plans with `psql`.
//! - Pricing 100 subscriptions for a bulk renewal preview: each one's renewal (price list,
//!   promotion, VAT or sales tax, instalments) and one co-termed seat prorated by days, with
//!   and without reading the subscriptions and price lists from the database.

use std::time::{Duration, Instant};

use app::contract::dto::SubscriptionQuery;
use app::domain::selection::BulkSelection;
use app::server::services::{auto_renew, subscriptions};
use app::server::testing::{TestDb, demo_actor, queue_mails};
use chrono::Utc;

const ROUNDS: usize = 30;
const LARGE_ACCOUNT: usize = 5_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median, p90 and min of `ROUNDS` runs of `f`.
async fn measure<F, Fut>(mut f: F) -> (f64, f64, f64)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let start = Instant::now();
        f(round).await;
        times.push(start.elapsed());
    }
    times.sort();
    (ms(times[ROUNDS / 2]), ms(times[ROUNDS * 9 / 10]), ms(times[0]))
}

async fn bench_auto_renew(db: TestDb, budget_ms: f64) {
    let now = Utc::now();
    app::server::seed::load_if_empty(&db.store, now).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@aurora.example").await;
    let q = SubscriptionQuery { auto_renew: Some("on".into()), per_page: Some(100), ..Default::default() };
    let ids: Vec<_> = subscriptions::list(store, &buyer, &q).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 100, "the demo data has 100 subscriptions with auto-renew on");
    let selection = BulkSelection::from_ids(ids).unwrap();
    let (median, p90, min) = measure(|round| {
        let (store, buyer, selection) = (store, &buyer, &selection);
        async move {
            let key = app::domain::ids::IdempotencyKey::new();
            let outcome =
                auto_renew::change(store, buyer, selection, round % 2 == 1, &key, now, "http://bench").await.unwrap();
            assert_eq!(outcome.changed.len(), 100);
        }
    })
    .await;
    println!(
        "Manage auto-renew, 100 subscriptions, {:<8} median {median:6.2} ms  p90 {p90:6.2} ms  min {min:6.2} ms  ({ROUNDS} rounds; budget {budget_ms} ms: {})",
        store.backend(),
        if median <= budget_ms { "within" } else { "OVER" }
    );
    db.cleanup().await;
}

/// The list's hardest ordinary question: active, in EUR, searched, sorted by seats descending.
fn searched_by_seats() -> SubscriptionQuery {
    SubscriptionQuery {
        status: Some("active".into()),
        currency: Some("EUR".into()),
        q: Some("cad".into()),
        sort: Some("seats".into()),
        dir: Some("desc".into()),
        ..Default::default()
    }
}

async fn bench_list(db: TestDb) {
    let now = Utc::now();
    app::server::seed::load_sized(&db.store, now, LARGE_ACCOUNT).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@aurora.example").await;
    let last_page = (LARGE_ACCOUNT as i64 + 24) / 25;
    let cases: [(&str, SubscriptionQuery); 3] = [
        ("first page", SubscriptionQuery::default()),
        ("last page", SubscriptionQuery { page: Some(last_page), ..Default::default() }),
        ("filtered, searched, sorted by seats", searched_by_seats()),
    ];
    for (name, q) in cases {
        let (median, p90, min) = measure(|_| {
            let (store, buyer, q) = (store, &buyer, &q);
            async move {
                let page = subscriptions::list(store, buyer, q).await.unwrap();
                assert!(!page.rows.is_empty());
            }
        })
        .await;
        println!(
            "List of {LARGE_ACCOUNT} subscriptions, {:<8} {name:<36} median {median:6.2} ms  p90 {p90:6.2} ms  min {min:6.2} ms",
            store.backend()
        );
    }
    db.cleanup().await;
}

const MAILS: usize = 1_000;

async fn bench_mail(db: TestDb) {
    use app::server::outbox::{self, Mailer, Transport};
    use app::server::smtp_sink::SmtpSink;
    let store = &db.store;
    let now = Utc::now();
    queue_mails(store, MAILS, now).await;
    let sink = SmtpSink::start("127.0.0.1:0").await.unwrap();
    let mailer =
        Mailer::new(Transport::smtp(&sink.url()).unwrap(), "Billing <billing@bench.test>", "http://bench.test")
            .unwrap();
    let start = Instant::now();
    let mut sent = 0;
    while sent < MAILS {
        let pass = outbox::deliver_due(store, &mailer, now).await.unwrap();
        assert_eq!(pass.retried + pass.failed, 0);
        sent += pass.sent;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(sink.messages().len(), MAILS);
    println!(
        "Mail delivery to a loopback SMTP server, {:<8} {MAILS} mails in {secs:.2} s: {:.0} mails/s",
        store.backend(),
        MAILS as f64 / secs
    );
    sink.stop();
    db.cleanup().await;
}
async fn bench_pricing(db: TestDb) {
    use app::domain::pricing::added_seats_charges;
    use app::domain::time::local_date;
    use app::server::services::engine::pricing::{Book, price_renewal};
    use app::server::store::records::Subscription;
    let now = Utc::now();
    app::server::seed::load_if_empty(&db.store, now).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@aurora.example").await;
    let q = SubscriptionQuery { status: Some("active".into()), per_page: Some(100), ..Default::default() };
    let ids: Vec<_> = subscriptions::list(store, &buyer, &q).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 100);
    let rates = app::domain::money::UsdRates::default();
    let price_all = |book: &Book, subs: &[Subscription]| {
        let mut priced = 0;
        for sub in subs {
            // Some demo renewals are refused (PayPal over 25,000 USD, R-PAY-2): priced all the same.
            let renewal = std::hint::black_box(price_renewal(book, sub));
            let unit = book.prices.price(sub.product_id, sub.term, sub.currency, sub.renewal_day()).unwrap();
            let tz = sub.time_zone;
            let start = local_date(sub.term_start, tz);
            let seats =
                added_seats_charges(unit, sub.term, 1, local_date(now, tz), start, sub.renewal_day(), None).unwrap();
            priced += usize::from(!seats.is_empty()) + usize::from(renewal.is_ok() || renewal.is_err());
        }
        priced
    };
    let (median, p90, min) = measure(|_| {
        let (store, ids, rates, buyer) = (store, &ids, &rates, &buyer);
        async move {
            let mut tx = store.begin_read().await.unwrap();
            let book = Book::load(&mut tx, rates).await.unwrap();
            let rows = tx.subscriptions_in_org(buyer.org_id, ids, false).await.unwrap();
            assert_eq!(rows.len(), 100);
            assert!(price_all(&book, &rows) >= 100);
        }
    })
    .await;
    println!(
        "Pricing 100 subscriptions with proration and tax, {:<8} median {median:6.2} ms  p90 {p90:6.2} ms  min {min:6.2} ms  (reading them and the price lists included)",
        store.backend()
    );
    if store.backend() == "sqlite" {
        let mut tx = store.begin_read().await.unwrap();
        let book = Book::load(&mut tx, &rates).await.unwrap();
        let rows = tx.subscriptions_in_org(buyer.org_id, &ids, false).await.unwrap();
        drop(tx);
        let (median, p90, min) = measure(|_| {
            let (book, rows) = (&book, &rows);
            async move {
                assert!(price_all(book, rows) >= 100);
            }
        })
        .await;
        println!(
            "Pricing 100 subscriptions with proration and tax, domain only   median {median:6.3} ms  p90 {p90:6.3} ms  min {min:6.3} ms"
        );
    }
    db.cleanup().await;
}

async fn bench_bulk_renew(db: TestDb, budget_ms: f64) {
    use app::domain::ids::IdempotencyKey;
    use app::server::gateway::SimulatedGateway;
    use app::server::services::checkout::{self, OrderForm};
    let now = Utc::now();
    app::server::seed::load_if_empty(&db.store, now).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@cirrus.example").await;
    let q = SubscriptionQuery {
        q: Some("Meshworks".into()),
        sort: Some("date".into()),
        per_page: Some(100),
        ..Default::default()
    };
    let ids: Vec<_> = subscriptions::list(store, &buyer, &q).await.unwrap().rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 100);
    // Each round renews the same 100 again: their terms are put back before it (not timed).
    let mut before = Vec::new();
    {
        let mut tx = store.begin_read().await.unwrap();
        for s in tx.subscriptions_in_org(buyer.org_id, &ids, false).await.unwrap() {
            before.push((s.id, s.term_start.timestamp(), s.term_end.timestamp()));
        }
    }
    let selection = BulkSelection::from_ids(ids).unwrap();
    let rates = app::domain::money::UsdRates::default();
    let gateway = SimulatedGateway::new(store.clone());
    const BULK_ROUNDS: usize = 100;
    let mut times = Vec::with_capacity(BULK_ROUNDS);
    for _ in 0..BULK_ROUNDS {
        for (id, start, end) in &before {
            let sql = format!("UPDATE subscriptions SET term_start_at = {start}, term_end_at = {end} WHERE id = {id}");
            app::server::testing::execute(store, &sql).await;
        }
        checkout::add_to_cart(store, &buyer, &selection, now).await.unwrap();
        let start = Instant::now();
        let view = checkout::cart(store, &buyer, &rates, now).await.unwrap();
        let o = &view.orders[0];
        assert_eq!(o.lines.len(), 100);
        let form = OrderForm {
            selection: BulkSelection::parse(&o.ids).unwrap(),
            fingerprint: o.fingerprint.clone(),
            payment_method: o.default_method,
            po_number: String::new(),
            key: IdempotencyKey::parse(&o.checkout_key).unwrap(),
        };
        checkout::place_order(store, &gateway, &buyer, &form, &rates, now, "http://bench").await.unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    let (median, p99) = (ms(times[BULK_ROUNDS / 2]), ms(times[BULK_ROUNDS * 99 / 100 - 1]));
    println!(
        "Bulk renew of 100, review to committed order, {:<8} median {median:6.2} ms  p99 {p99:6.2} ms  ({BULK_ROUNDS} rounds; {})",
        store.backend(),
        // Issue 11's budget is for a release build (`cargo run --release ... --bin bench`).
        match (cfg!(debug_assertions), median <= budget_ms) {
            (true, _) => format!("the {budget_ms} ms budget is for a release build: not judged"),
            (false, true) => format!("budget {budget_ms} ms: within"),
            (false, false) => format!("budget {budget_ms} ms: OVER"),
        }
    );
    db.cleanup().await;
}

/// Counts the heap the benchmarks allocate: what is in use now and the most in use since the
/// last [`Heap::reset_peak`]. Exact, unlike the resident size, which the allocator's free lists
/// and earlier benchmarks blur.
struct Heap;

static HEAP_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static HEAP_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

// SAFETY: every call is passed to the server's allocator (mimalloc) unchanged; only sizes are counted.
unsafe impl std::alloc::GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use std::sync::atomic::Ordering::Relaxed;
        let now = HEAP_NOW.fetch_add(layout.size(), Relaxed) + layout.size();
        HEAP_PEAK.fetch_max(now, Relaxed);
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        HEAP_NOW.fetch_sub(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Heap = Heap;

impl Heap {
    /// Bytes in use now, and the most in use since the last reset.
    fn usage() -> (usize, usize) {
        use std::sync::atomic::Ordering::Relaxed;
        (HEAP_NOW.load(Relaxed), HEAP_PEAK.load(Relaxed))
    }

    fn reset_peak() {
        use std::sync::atomic::Ordering::Relaxed;
        HEAP_PEAK.store(HEAP_NOW.load(Relaxed), Relaxed);
    }
}

/// The process's resident memory now and its peak since the last [`reset_peak`], in KiB
/// (Linux's `/proc/self/status`).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts counting the peak resident memory afresh (Linux: `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

const EXPORT_ROWS: i64 = 100_000;

async fn bench_export(db: TestDb) {
    use app::server::testing::{execute, scalar};
    let now = Utc::now();
    app::server::seed::load_if_empty(&db.store, now).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@aurora.example").await;
    let org = buyer.org_id;
    // The demo organisation's 300 subscriptions, copied until it has 100,000 and more.
    let have = scalar(store, &format!("SELECT COUNT(*) FROM subscriptions WHERE org_id = {org}")).await;
    let copies = (EXPORT_ROWS + have - 1) / have - 1;
    execute(
        store,
        &format!(
            "INSERT INTO subscriptions (org_id, customer_account_id, product_id, contract_number, seats, term, currency, \
             started_at, term_start_at, term_end_at, time_zone, status, auto_renew, payment_method_id, partner_csn, \
             reseller_name, reseller_email, updated_at) \
             SELECT org_id, customer_account_id, product_id, contract_number || '-' || CAST(g AS TEXT), seats, term, \
             currency, started_at, term_start_at, term_end_at, time_zone, status, auto_renew, payment_method_id, \
             partner_csn, reseller_name, reseller_email, updated_at \
             FROM subscriptions CROSS JOIN generate_series(1, {copies}) AS g WHERE org_id = {org}"
        ),
    )
    .await;
    execute(store, "ANALYZE subscriptions").await;
    let rows = scalar(store, &format!("SELECT COUNT(*) FROM subscriptions WHERE org_id = {org}")).await;
    let q = SubscriptionQuery::default();
    for round in 0..3 {
        let (before, _) = memory_kib();
        reset_peak();
        Heap::reset_peak();
        let (heap_before, _) = Heap::usage();
        let start = Instant::now();
        let mut chunks =
            app::server::services::exports::subscriptions_csv(store, &buyer, &q, app::domain::locale::Locale::En)
                .await
                .expect("export");
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = chunks.recv().await {
            let chunk = chunk.expect("no error part way");
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let took = start.elapsed();
        let (_, peak) = memory_kib();
        let (_, heap_peak) = Heap::usage();
        assert!(lines as i64 > rows, "{lines} lines for {rows} rows");
        println!(
            "CSV export of {rows} subscriptions, postgres, round {round}: {:6.0} ms, {:4.1} MB of CSV; \
             heap at most +{:.2} MB while exporting; resident {:.0} MB before, peak {:.0} MB",
            ms(took),
            bytes as f64 / 1e6,
            heap_peak.saturating_sub(heap_before) as f64 / 1e6,
            before as f64 / 1024.0,
            peak as f64 / 1024.0,
        );
    }
    db.cleanup().await;
}

/// Organisations and subscriptions of the scale benchmark (issue 15): Aurora holds
/// `SCALE_LARGEST`, the rest are spread over the other organisations.
const SCALE_ORGS: i64 = 20_000;
const SCALE_SUBSCRIPTIONS: i64 = 1_000_000;
const SCALE_LARGEST: usize = 50_000;
const SCALE_ROUNDS: usize = 200;

/// The list on PostgreSQL with 1,000,000 subscriptions over 20,000 organisations, in the one
/// with 50,000: p50 and p99 of the service call (authorization, filter, count, page) for
/// first, deep and last pages, sorted and filtered. Budget: p99 at most 30 ms.
async fn bench_scale(db: TestDb, keep: bool) {
    use app::server::testing::{execute, scalar};
    let started = Instant::now();
    let now = Utc::now();
    app::server::seed::load_sized(&db.store, now, SCALE_LARGEST).await.expect("seed");
    let store = &db.store;
    let buyer = demo_actor(store, "buyer@aurora.example").await;
    let orgs = scalar(store, "SELECT COUNT(*) FROM organisations").await;
    let others = SCALE_ORGS - orgs;
    execute(
        store,
        &format!(
            "INSERT INTO organisations (name, created_at) SELECT 'Scale ' || g, 0 FROM generate_series(1, {others}) g"
        ),
    )
    .await;
    execute(
        store,
        "INSERT INTO customer_accounts (org_id, csn, company_name, address_line1, postal_code, city, country, updated_at) \
         SELECT id, 'S' || id, name, 'Street 1', '00100', 'Helsinki', 'FI', 0 FROM organisations WHERE name LIKE 'Scale %'",
    )
    .await;
    let have = scalar(store, "SELECT COUNT(*) FROM subscriptions").await;
    let products = scalar(store, "SELECT COUNT(*) FROM products").await;
    let first_product = scalar(store, "SELECT MIN(id) FROM products").await;
    let first_org = scalar(store, "SELECT MIN(id) FROM organisations WHERE name LIKE 'Scale %'").await;
    let at = now.timestamp();
    // Spread over the scale organisations in order, with varied products, terms, currencies,
    // statuses, renewal settings and end dates over the next three years and the last year.
    execute(
        store,
        &format!(
            "INSERT INTO subscriptions (org_id, customer_account_id, product_id, contract_number, seats, term, currency, \
             started_at, term_start_at, term_end_at, time_zone, status, auto_renew, updated_at) \
             SELECT ca.org_id, ca.id, {first_product} + g % {products}, 'SC-' || g, 1 + g % 40, \
               (ARRAY['annual','monthly','three_year'])[1 + g % 3], (ARRAY['EUR','USD','SEK'])[1 + g % 3], \
               {at} - 400 * 86400, {at} - 200 * 86400, {at} + ((g * 7919) % 1460 - 365) * 86400, 'Europe/Helsinki', \
               (ARRAY['active','active','active','active','active','active','expired','suspended','canceled','active'])[1 + g % 10], \
               g % 2 = 0, {at} \
             FROM generate_series(CAST(1 AS BIGINT), {n}) g \
             JOIN customer_accounts ca ON ca.org_id = {first_org} + g % {others}",
            n = SCALE_SUBSCRIPTIONS - have
        ),
    )
    .await;
    // What autovacuum does after a bulk load: statistics, and the visibility map that lets the
    // count and the choice of a page's ids be answered from the indexes alone.
    execute(store, "VACUUM ANALYZE").await;
    let total = scalar(store, "SELECT COUNT(*) FROM subscriptions").await;
    let orgs = scalar(store, "SELECT COUNT(*) FROM organisations").await;
    let largest = scalar(store, &format!("SELECT COUNT(*) FROM subscriptions WHERE org_id = {}", buyer.org_id)).await;
    println!(
        "Scale: {total} subscriptions over {orgs} organisations, the buyer's with {largest}; generated in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let per_page = 25;
    let last_page = (largest + per_page - 1) / per_page;
    let cases: [(&str, SubscriptionQuery); 6] = [
        ("first page (relevance)", SubscriptionQuery::default()),
        ("page 40", SubscriptionQuery { page: Some(40), ..Default::default() }),
        ("last page", SubscriptionQuery { page: Some(last_page), ..Default::default() }),
        (
            "100 rows sorted by product",
            SubscriptionQuery { per_page: Some(100), sort: Some("product".into()), ..Default::default() },
        ),
        ("active EUR, searched, by seats desc", searched_by_seats()),
        (
            "auto-renew off, by end date",
            SubscriptionQuery { auto_renew: Some("off".into()), sort: Some("date".into()), ..Default::default() },
        ),
    ];
    for (name, q) in cases {
        let mut times = Vec::with_capacity(SCALE_ROUNDS);
        for _ in 0..SCALE_ROUNDS {
            let start = Instant::now();
            let page = subscriptions::list(store, &buyer, &q).await.unwrap();
            times.push(start.elapsed());
            assert!(!page.rows.is_empty(), "{name}");
        }
        times.sort();
        let (p50, p99) = (ms(times[SCALE_ROUNDS / 2]), ms(times[SCALE_ROUNDS * 99 / 100]));
        println!(
            "List at scale, postgres, {name:<38} p50 {p50:6.2} ms  p99 {p99:6.2} ms  ({SCALE_ROUNDS} rounds; budget p99 30 ms: {})",
            if p99 <= 30.0 { "within" } else { "OVER" }
        );
    }
    if keep {
        println!("Kept for psql (drop it when done): {}", db.keep().await);
    } else {
        db.cleanup().await;
    }
}

#[tokio::main]
async fn main() {
    let profile = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    println!("({profile})");
    if std::env::args().nth(1).as_deref() == Some("scale") {
        bench_scale(TestDb::postgres().await, std::env::args().nth(2).as_deref() == Some("--keep")).await;
        return;
    }
    bench_auto_renew(TestDb::sqlite().await, 20.0).await;
    bench_auto_renew(TestDb::postgres().await, 40.0).await;
    bench_bulk_renew(TestDb::sqlite().await, 20.0).await;
    bench_bulk_renew(TestDb::postgres().await, 40.0).await;
    bench_list(TestDb::sqlite().await).await;
    bench_list(TestDb::postgres().await).await;
    bench_mail(TestDb::sqlite().await).await;
    bench_mail(TestDb::postgres().await).await;
    bench_pricing(TestDb::sqlite().await).await;
    bench_pricing(TestDb::postgres().await).await;
    bench_export(TestDb::postgres().await).await;
}
