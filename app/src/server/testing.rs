//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database on the server
//! named by `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//! Every store test runs once on each.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use sqlx::{Connection, Executor, PgConnection};

use super::auth::load_actor;
use super::store::Store;
use super::store::records::OutgoingMail;
use crate::domain::authz::Actor;

/// The demo user with this e-mail, as an actor in their (first) organisation.
pub async fn demo_actor(store: &Store, email: &str) -> Actor {
    let mut tx = store.begin_read().await.expect("read transaction");
    let user = tx.user_credentials(email).await.expect("user lookup").expect("a demo user");
    let org_id = tx.user_orgs(user.id).await.expect("organisations")[0];
    drop(tx);
    load_actor(store, user.id, org_id).await.expect("roles")
}

/// How many rows each table holds (migrations' own table aside), by table name.
pub async fn table_counts(store: &Store) -> std::collections::BTreeMap<String, i64> {
    let list = match store {
        Store::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
        }
        Store::Postgres(_) => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'"
        }
    };
    let names: Vec<String> = match store {
        Store::Sqlite(p) => sqlx::query_scalar(list).fetch_all(p).await,
        Store::Postgres(p) => sqlx::query_scalar(list).fetch_all(p).await,
    }
    .expect("table names");
    let mut counts = std::collections::BTreeMap::new();
    for name in names {
        let sql = format!("SELECT COUNT(*) FROM {name}");
        let n: i64 = match store {
            Store::Sqlite(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
            Store::Postgres(p) => sqlx::query_scalar(&sql).fetch_one(p).await,
        }
        .expect("a count");
        counts.insert(name, n);
    }
    counts
}

/// Queues `n` distinct mails to distinct addresses, as of `now`.
pub async fn queue_mails(store: &Store, n: usize, now: DateTime<Utc>) {
    let mut tx = store.begin_write().await.expect("write transaction");
    for i in 0..n {
        let mail = OutgoingMail {
            org_id: None,
            kind: crate::domain::mail_routing::MailKind::OrderConfirmation,
            to_address: format!("person{i}@aurora.example"),
            subject: format!("Test mail {i}"),
            body_text: format!("Plain part of mail {i}.\n"),
            body_html: format!("<p>HTML part of mail {i}.</p>"),
            attachment: None,
        };
        tx.queue_mail(&mail, now).await.expect("queue a mail");
    }
    tx.commit().await.expect("commit");
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A throwaway database, removed by [`TestDb::cleanup`] or, when a test panicked before that,
/// by `Drop` (a killed test run leaves its databases; `scripts/test` drops leftover
/// `portal_test_*` databases before it starts).
pub struct TestDb {
    pub store: Store,
    pub url: String,
    sqlite_path: Option<PathBuf>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("portal-test-{}.sqlite3", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&url).await.expect("open test SQLite database");
        TestDb { store, url, sqlite_path: Some(path), pg_name: None }
    }

    pub async fn postgres() -> TestDb {
        let admin = postgres_admin_url();
        // `portal_test_<unix seconds>_...`: the test command drops leftovers by their age.
        let name = format!("portal_test_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
        let mut conn =
            PgConnection::connect(&admin).await.expect("connect to PostgreSQL (is it running on 127.0.0.1:5432?)");
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        conn.close().await.ok();
        let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
        let url = format!("{base}/{name}");
        let store = Store::connect(&url).await.expect("open test PostgreSQL database");
        TestDb { store, url, sqlite_path: None, pg_name: Some(name) }
    }

    pub async fn cleanup(mut self) {
        self.store.close().await;
        if let Some(name) = self.pg_name.take() {
            drop_pg(&name).await;
        }
        self.remove_sqlite_files();
    }

    /// Closes the store and leaves the database in place (a PostgreSQL one is not dropped):
    /// its URL, to read its plans with `psql` after a benchmark (`bench scale --keep`).
    pub async fn keep(mut self) -> String {
        self.store.close().await;
        self.pg_name = None;
        self.sqlite_path = None;
        std::mem::take(&mut self.url)
    }

    fn remove_sqlite_files(&self) {
        if let Some(path) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

impl Drop for TestDb {
    /// Also when the test panicked before `cleanup`.
    fn drop(&mut self) {
        self.remove_sqlite_files();
        if let Some(name) = self.pg_name.take() {
            // A runtime of its own on a plain thread: this may run inside the test's runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(drop_pg(&name));
                }
            })
            .join();
        }
    }
}

async fn drop_pg(name: &str) {
    if let Ok(mut conn) = PgConnection::connect(&postgres_admin_url()).await {
        let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
    }
}

/// Runs a statement of test setup on either backend (portable SQL only).
pub async fn execute(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.expect("test statement");
        }
        Store::Postgres(p) => {
            sqlx::query(sql).execute(p).await.expect("test statement");
        }
    }
}

/// The first column of the first row of a query returning a whole number (portable SQL only).
pub async fn scalar(store: &Store, sql: &str) -> i64 {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.expect("test query"),
        Store::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.expect("test query"),
    }
}

/// The first column of the first row of a query returning text (portable SQL only).
pub async fn text(store: &Store, sql: &str) -> String {
    match store {
        Store::Sqlite(p) => sqlx::query_scalar::<_, String>(sql).fetch_one(p).await.expect("test query"),
        Store::Postgres(p) => sqlx::query_scalar::<_, String>(sql).fetch_one(p).await.expect("test query"),
    }
}

/// The engine with the simulated gateway and the default rates, as the server builds it.
pub fn engine(store: &Store, base_url: &str) -> super::services::engine::Engine {
    super::services::engine::Engine {
        store: store.clone(),
        gateway: std::sync::Arc::new(super::gateway::SimulatedGateway::new(store.clone())),
        rates: Default::default(),
        base_url: base_url.into(),
    }
}
