//! All SQL lives here, behind one interface with two backends: embedded SQLite and PostgreSQL.
//!
//! Every query is written once in portable SQL (integer instants and money) and compiled for
//! both backends by the [`on_tx!`] macro, which expands its body once per backend; queries with
//! a variable shape are built with `sqlx::QueryBuilder` inside it. Where the dialects differ
//! (row locks), the difference is spelled out at that spot.
//!
//! The store speaks the domain's types: ids are newtypes, statuses, terms, roles, currencies
//! and payment kinds are the domain's enums (stored as their text codes, see [`codes`]),
//! instants are `DateTime<Utc>` (stored as Unix seconds). Each table's rows are decoded once,
//! here, into one record type ([`records`]); a row that does not decode is a
//! [`StoreError::Corrupt`].
//!
//! Services open one transaction per user action with [`Store::begin_write`] (SQLite: `BEGIN
//! IMMEDIATE`, so concurrent writers queue on the busy timeout instead of failing on upgrade) or
//! [`Store::begin_read`].

mod approvals;
mod billing;
mod cart;
mod codes;
mod credits;
mod customers;
mod invitations;
mod invoices;
mod journal;
mod members;
mod methods;
mod outbox;
mod overview;
mod quotes;
pub mod records;
pub mod seeding;
mod subscriptions;
mod users;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::contract::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// A unique-constraint violation (the same row written twice).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlx(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A store error reaching a user's request is never theirs: it is logged once here, with the
/// place that met it and the span (service, user, organisation) it happened in, and the user
/// is told only that nothing was changed.
impl From<StoreError> for AppError {
    #[track_caller]
    fn from(e: StoreError) -> AppError {
        let at = std::panic::Location::caller();
        tracing::error!(error = %e, at = %format_args!("{}:{}", at.file(), at.line()), "store error");
        AppError::Internal
    }
}

#[derive(Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One open transaction on either backend. Dropping it without [`Tx::commit`] rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, once per backend. The body is
/// the same source for both, type-checked against each driver.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::server::store::Tx::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::server::store::Tx::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    /// Connects to `database_url` (`sqlite://path` or `postgres://...`), creating the SQLite file
    /// and its directory if needed, and brings the schema up to date.
    pub async fn connect(database_url: &str) -> StoreResult<Store> {
        let store = if database_url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            if let Some(dir) = std::path::Path::new(opts.get_filename()).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Sqlx(sqlx::Error::Io(e)))?;
            }
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
            Store::Sqlite(pool)
        } else {
            let opts = PgConnectOptions::from_str(database_url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Store::Postgres(pool)
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A consistent copy of the embedded database at `target`, taken while the portal runs
    /// (`VACUUM INTO`: one read transaction, so the copy is of one moment). `target` must not
    /// exist. PostgreSQL is backed up with its own tools (`pg_dump`); asking here says so.
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<(), String> {
        match self {
            Store::Sqlite(pool) => {
                if target.exists() {
                    return Err(format!("{} exists; choose a new file", target.display()));
                }
                let path = target.to_str().ok_or("the backup path is not valid UTF-8")?;
                sqlx::query("VACUUM INTO $1").bind(path).execute(pool).await.map_err(|e| e.to_string())?;
                Ok(())
            }
            Store::Postgres(_) => Err("on PostgreSQL, back up with pg_dump (see the README)".into()),
        }
    }

    /// Wraps an existing pool (tests) and migrates it.
    pub async fn from_sqlite(pool: SqlitePool) -> StoreResult<Store> {
        let s = Store::Sqlite(pool);
        s.migrate().await?;
        Ok(s)
    }

    pub async fn from_postgres(pool: PgPool) -> StoreResult<Store> {
        let s = Store::Postgres(pool);
        s.migrate().await?;
        Ok(s)
    }

    async fn migrate(&self) -> StoreResult<()> {
        match self {
            Store::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await?,
            Store::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// A transaction for an action that writes.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction for reads only (a consistent snapshot, no write lock).
    pub async fn begin_read(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Store::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Tx::Postgres(_))
    }

    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, where `BEGIN IMMEDIATE` already holds the
    /// database's write lock for the whole transaction.
    fn for_update(&self) -> &'static str {
        if self.is_postgres() { " FOR UPDATE OF s" } else { "" }
    }
}

/// An instant as the database stores it: Unix seconds.
fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// Unix seconds read from the database as an instant.
fn instant(seconds: i64, what: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| StoreError::Corrupt(format!("{what}: instant {seconds}")))
}
