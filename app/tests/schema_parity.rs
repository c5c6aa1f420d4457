//! The two migration sets, `migrations/sqlite` and `migrations/postgres`, must build the same
//! schema: the same tables; per table the same columns with the same nullability and type family,
//! the same primary key, the same indexes and the same foreign keys.
//!
//! Run with `cargo test -p app --features app/ssr --test schema_parity`. Needs PostgreSQL on the
//! server named by `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`).
//!
//! Self-contained on purpose: it talks to both databases through sqlx only (no `app::` imports),
//! so it keeps working whatever happens to the app's store and test helpers.
//!
//! Deliberately not compared: CHECK constraints, DEFAULTs, column order, the names of ordinary
//! indexes (UNIQUE constraints get generated names, and those differ between the two engines),
//! and the text of index expressions (see [`SpecialIndex`]).

#![cfg(feature = "ssr")]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, Executor, PgConnection};

#[tokio::test]
async fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let sqlite = sqlite_schema().await.expect("migrate and read the SQLite schema");

    let admin_url = postgres_admin_url();
    let database = unique_database_name();
    create_postgres_database(&admin_url, &database)
        .await
        .expect("create the PostgreSQL test database (is PostgreSQL running on 127.0.0.1:5432?)");
    // Everything that can fail between creating and dropping the database ends in a Result, so
    // the database is dropped before anything is asserted.
    let postgres = postgres_schema(&admin_url, &database).await;
    let dropped = drop_postgres_database(&admin_url, &database).await;
    let postgres = postgres.expect("migrate and read the PostgreSQL schema");
    dropped.expect("drop the PostgreSQL test database");

    // A query that silently reads nothing must not make the schemas look equal.
    let mut unread = sanity_problems("sqlite", &sqlite);
    unread.extend(sanity_problems("postgres", &postgres));
    assert!(unread.is_empty(), "the schema was not read completely:\n  {}\n", unread.join("\n  "));

    let report = compare(&sqlite, &postgres);
    assert!(
        report.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} difference(s)):\n  {}\n",
        report.len(),
        report.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// The schema model both sides are read into.

/// Tables by name.
type Schema = BTreeMap<String, Table>;

#[derive(Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    /// Primary key columns, in key order; empty if the table has none.
    primary_key: Vec<String>,
    /// Ordinary (non-partial, column-only) indexes other than the primary key, including those
    /// made by UNIQUE constraints, matched by shape (names differ: `sqlite_autoindex_prices_1` vs
    /// `prices_product_id_term_currency_valid_from_key`). Counted, so a duplicate shows.
    indexes: BTreeMap<IndexShape, usize>,
    /// Partial and expression indexes, by name.
    special_indexes: BTreeMap<String, SpecialIndex>,
    foreign_keys: BTreeSet<ForeignKey>,
}

#[derive(Debug)]
struct Column {
    /// As the database reports it: SQLite's declared type (`INTEGER`), PostgreSQL's
    /// `information_schema.columns.data_type` (`bigint`).
    declared_type: String,
    not_null: bool,
}

/// Indexes only PostgreSQL has, on purpose, by name: the trigram index of the list's search
/// (migration 0020), which SQLite has no counterpart for and PostgreSQL gets only where the
/// `pg_trgm` extension can be installed.
const POSTGRES_ONLY_INDEXES: &[&str] = &["subscriptions_contract_trgm"];

/// An index key column that is an expression rather than a table column.
const EXPRESSION: &str = "<expr>";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct IndexShape {
    unique: bool,
    /// Key columns in index order; [`EXPRESSION`] for an expression.
    columns: Vec<String>,
}

impl IndexShape {
    fn has_expression(&self) -> bool {
        self.columns.iter().any(|c| c == EXPRESSION)
    }
}

impl fmt::Display for IndexShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unique = if self.unique { "unique " } else { "" };
        write!(f, "{unique}index ({})", self.columns.join(", "))
    }
}

/// A partial index (`CREATE INDEX ... WHERE ...`) or one on an expression (`LOWER(email)`).
///
/// These are matched by name (both migration sets name every index they create explicitly), then
/// compared on uniqueness, key columns and the predicate. The predicate cannot be compared as
/// written: PostgreSQL keeps only a parsed form and prints it back its own way
/// (`status IN ('a', 'b')` comes back as `(status = ANY (ARRAY['a'::text, 'b'::text]))`), while
/// SQLite keeps the statement as written. Both are normalised by [`normalise_predicate`]
/// (casts, brackets, spacing and case outside string literals dropped; `= ANY (ARRAY[...])` read
/// as `IN (...)`), which makes the predicates in these migrations compare equal and still catches
/// a different column, operator or literal. Should an equivalent predicate ever be printed too
/// differently to normalise, the report shows both texts side by side.
///
/// Expression key columns are compared as [`EXPRESSION`] only: SQLite does not report the
/// expression of an index column, and comparing it would need a SQL parser.
#[derive(Debug)]
struct SpecialIndex {
    shape: IndexShape,
    /// The predicate as the database reports it; `None` if the index is not partial.
    predicate: Option<String>,
}

impl SpecialIndex {
    fn same_as(&self, other: &SpecialIndex) -> bool {
        self.shape == other.shape
            && self.predicate.as_deref().map(normalise_predicate) == other.predicate.as_deref().map(normalise_predicate)
    }
}

impl fmt::Display for SpecialIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.shape)?;
        if let Some(predicate) = &self.predicate {
            write!(f, " WHERE {predicate}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    column: String,
    ref_table: String,
    ref_column: String,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    on_delete: String,
    on_update: String,
}

impl fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}({})", self.column, self.ref_table, self.ref_column)?;
        if self.on_delete != "NO ACTION" {
            write!(f, " ON DELETE {}", self.on_delete)?;
        }
        if self.on_update != "NO ACTION" {
            write!(f, " ON UPDATE {}", self.on_update)?;
        }
        Ok(())
    }
}

/// The portable type families a column may have. Anything else (REAL, NUMERIC, FLOAT, DOUBLE,
/// DATE, JSON, an enum ...) is reported: money is integer minor units or text, instants integer
/// seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Integer,
    Text,
    Boolean,
    Blob,
}

impl Family {
    fn of(declared: &str) -> Option<Family> {
        let upper = declared.to_ascii_uppercase();
        // `VARCHAR(255)` is a VARCHAR; `character  varying` is `CHARACTER VARYING`.
        let base = upper.split('(').next().unwrap_or("");
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        match base.as_str() {
            "INTEGER" | "INT" | "BIGINT" | "SMALLINT" | "INT2" | "INT4" | "INT8" | "SERIAL" | "BIGSERIAL"
            | "SMALLSERIAL" => Some(Family::Integer),
            "TEXT" | "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" => Some(Family::Text),
            "BOOLEAN" | "BOOL" => Some(Family::Boolean),
            "BLOB" | "BYTEA" => Some(Family::Blob),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Family::Integer => "integer",
            Family::Text => "text",
            Family::Boolean => "boolean",
            Family::Blob => "blob",
        }
    }
}

/// SQLite has no boolean type: the SQLite migrations declare booleans `INTEGER` (0/1), the
/// PostgreSQL ones `BOOLEAN`. So a PostgreSQL boolean matches a SQLite integer (or boolean) column;
/// otherwise the families must be equal.
fn families_match(sqlite: Family, postgres: Family) -> bool {
    sqlite == postgres || (sqlite == Family::Integer && postgres == Family::Boolean)
}

// ---------------------------------------------------------------------------------------------
// Comparison.

fn compare(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for (side, schema) in [("sqlite", sqlite), ("postgres", postgres)] {
        for (table, entry) in schema {
            for (column, c) in &entry.columns {
                if Family::of(&c.declared_type).is_none() {
                    out.push(format!(
                        "table {table}: column {column} has type {} on {side}, which is none of integer, text, \
                         boolean, blob (money must be integer minor units or text)",
                        c.declared_type
                    ));
                }
            }
        }
    }
    for table in union(sqlite.keys(), postgres.keys()) {
        match (sqlite.get(table), postgres.get(table)) {
            (Some(s), Some(p)) => compare_tables(table, s, p, &mut out),
            (Some(_), None) => out.push(format!("table {table} exists only on sqlite")),
            (None, Some(_)) => out.push(format!("table {table} exists only on postgres")),
            (None, None) => {}
        }
    }
    out
}

fn compare_tables(table: &str, s: &Table, p: &Table, out: &mut Vec<String>) {
    for column in union(s.columns.keys(), p.columns.keys()) {
        let (sc, pc) = match (s.columns.get(column), p.columns.get(column)) {
            (Some(sc), Some(pc)) => (sc, pc),
            (Some(_), None) => {
                out.push(format!("table {table}: column {column} exists only on sqlite"));
                continue;
            }
            (None, Some(_)) => {
                out.push(format!("table {table}: column {column} exists only on postgres"));
                continue;
            }
            (None, None) => continue,
        };
        if sc.not_null != pc.not_null {
            let hint = if !sc.not_null && s.primary_key.contains(column) {
                " (SQLite accepts NULL in a PRIMARY KEY column unless it is an INTEGER PRIMARY KEY or declared NOT NULL)"
            } else {
                ""
            };
            out.push(format!(
                "table {table}: column {column} {} on sqlite, {} on postgres{hint}",
                nullability(sc.not_null),
                nullability(pc.not_null)
            ));
        }
        if let (Some(sf), Some(pf)) = (Family::of(&sc.declared_type), Family::of(&pc.declared_type))
            && !families_match(sf, pf)
        {
            out.push(format!(
                "table {table}: column {column} is {} on sqlite ({}), {} on postgres ({})",
                sf.name(),
                sc.declared_type,
                pf.name(),
                pc.declared_type
            ));
        }
    }

    if s.primary_key != p.primary_key {
        out.push(format!(
            "table {table}: primary key {} on sqlite, {} on postgres",
            column_list(&s.primary_key),
            column_list(&p.primary_key)
        ));
    }

    for shape in union(s.indexes.keys(), p.indexes.keys()) {
        let on_sqlite = s.indexes.get(shape).copied().unwrap_or(0);
        let on_postgres = p.indexes.get(shape).copied().unwrap_or(0);
        if on_sqlite != on_postgres {
            let line = match (on_sqlite, on_postgres) {
                (_, 0) => format!("table {table}: {shape} exists only on sqlite"),
                (0, _) => format!("table {table}: {shape} exists only on postgres"),
                _ => format!(
                    "table {table}: {shape} exists {on_sqlite} times on sqlite, {on_postgres} times on postgres"
                ),
            };
            out.push(line);
        }
    }

    for name in union(s.special_indexes.keys(), p.special_indexes.keys()) {
        if POSTGRES_ONLY_INDEXES.contains(&name.as_str()) {
            continue;
        }
        match (s.special_indexes.get(name), p.special_indexes.get(name)) {
            (Some(si), Some(pi)) => {
                if !si.same_as(pi) {
                    out.push(format!("table {table}: index {name} is {si} on sqlite, {pi} on postgres"));
                }
            }
            (Some(si), None) => out.push(format!(
                "table {table}: partial/expression index {name} ({si}) exists only on sqlite \
                 (these are matched by name)"
            )),
            (None, Some(pi)) => out.push(format!(
                "table {table}: partial/expression index {name} ({pi}) exists only on postgres \
                 (these are matched by name)"
            )),
            (None, None) => {}
        }
    }

    for fk in s.foreign_keys.difference(&p.foreign_keys) {
        out.push(format!("table {table}: foreign key {fk} exists only on sqlite"));
    }
    for fk in p.foreign_keys.difference(&s.foreign_keys) {
        out.push(format!("table {table}: foreign key {fk} exists only on postgres"));
    }
}

fn union<'a, K: Ord + 'a>(a: impl IntoIterator<Item = &'a K>, b: impl IntoIterator<Item = &'a K>) -> BTreeSet<&'a K> {
    a.into_iter().chain(b).collect()
}

fn nullability(not_null: bool) -> &'static str {
    if not_null { "not null" } else { "nullable" }
}

fn column_list(columns: &[String]) -> String {
    if columns.is_empty() { "none".to_string() } else { format!("({})", columns.join(", ")) }
}

/// Problems that mean a side was not read (a catalogue query that returns nothing would make
/// everything compare equal).
fn sanity_problems(side: &str, schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    if schema.is_empty() {
        out.push(format!("no tables read on {side}"));
    }
    for (table, entry) in schema {
        if entry.columns.is_empty() {
            out.push(format!("table {table}: no columns read on {side}"));
        }
    }
    if schema.values().all(|t| t.primary_key.is_empty()) {
        out.push(format!("no primary keys read on {side}"));
    }
    if schema.values().all(|t| t.indexes.is_empty() && t.special_indexes.is_empty()) {
        out.push(format!("no indexes read on {side}"));
    }
    if schema.values().all(|t| t.foreign_keys.is_empty()) {
        out.push(format!("no foreign keys read on {side}"));
    }
    out
}

/// An index predicate reduced so that SQLite's text as written and PostgreSQL's deparsed text
/// compare equal: outside string literals, casts (`::text`), brackets, double quotes and white
/// space are dropped and letters lower-cased; then `!=` is read as `<>`, `= ANY (ARRAY[...])` as
/// `IN (...)` and `<> ALL (ARRAY[...])` as `NOT IN (...)`. String literals are kept as they are.
///
/// `status IN ('pending', 'unknown')` and `(status = ANY (ARRAY['pending'::text,
/// 'unknown'::text]))` both become `statusin'pending','unknown'`.
fn normalise_predicate(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut in_string = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            // A doubled quote inside a literal closes and reopens it: same result.
            out.push(c);
            if c == '\'' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' => {
                in_string = true;
                out.push(c);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&':') => i = skip_type_name(&chars, i + 2),
            '(' | ')' | '[' | ']' | '"' => i += 1,
            c if c.is_whitespace() => i += 1,
            c => {
                out.extend(c.to_lowercase());
                i += 1;
            }
        }
    }
    out.replace("!=", "<>").replace("=anyarray", "in").replace("<>allarray", "notin")
}

/// The index just past the type name of a cast that starts at `i` (after the `::`).
fn skip_type_name(chars: &[char], mut i: usize) -> usize {
    loop {
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
            i += 1;
        }
        // Type names of several words: `character varying`, `double precision`, ...
        let rest = chars[i..].iter().collect::<String>().to_ascii_lowercase();
        let mut continued = false;
        for word in [" varying", " precision", " with time zone", " without time zone"] {
            if rest.starts_with(word) {
                i += word.chars().count();
                continued = true;
                break;
            }
        }
        if !continued {
            break;
        }
    }
    while chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
        i += 2;
    }
    i
}

/// The predicate of a partial index from SQLite's `CREATE INDEX ... WHERE <predicate>` text.
fn sqlite_index_predicate(sql: &str) -> Option<String> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` are valid in `sql`.
    let lower = sql.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower[from..].find("where") {
        let at = from + found;
        let after = at + "where".len();
        let before_ok = at > 0 && (bytes[at - 1].is_ascii_whitespace() || bytes[at - 1] == b')');
        let after_ok = after < bytes.len() && (bytes[after].is_ascii_whitespace() || bytes[after] == b'(');
        if before_ok && after_ok {
            return Some(sql[after..].trim().to_string());
        }
        from = after;
    }
    None
}

// ---------------------------------------------------------------------------------------------
// SQLite.

async fn sqlite_schema() -> Result<Schema, String> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        // The one connection holds the in-memory database for the whole test: never recycle it.
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>)
        .connect("sqlite::memory:")
        .await
        .context("open an in-memory SQLite database")?;
    let schema = migrate_and_read_sqlite(&pool).await;
    pool.close().await;
    schema
}

async fn migrate_and_read_sqlite(pool: &SqlitePool) -> Result<Schema, String> {
    sqlx::migrate!("../migrations/sqlite").run(pool).await.context("run the SQLite migrations")?;

    let tables = sqlx::query_as::<_, (String, i64, i64)>(
        r#"SELECT name, wr, "strict" FROM pragma_table_list
           WHERE schema = 'main' AND type = 'table'
             AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> '_sqlx_migrations'"#,
    )
    .fetch_all(pool)
    .await
    .context("list the SQLite tables")?;

    let mut schema = Schema::new();
    for (table, without_rowid, strict) in &tables {
        let columns = sqlx::query_as::<_, (String, String, i64, i64)>(
            r#"SELECT name, type, "notnull", pk FROM pragma_table_info(?1) ORDER BY cid"#,
        )
        .bind(table.as_str())
        .fetch_all(pool)
        .await
        .context(format!("read the columns of SQLite table {table}"))?;

        let key_columns = columns.iter().filter(|c| c.3 > 0).count();
        let mut entry = Table::default();
        let mut primary_key: Vec<(i64, String)> = Vec::new();
        for (name, declared_type, notnull, pk) in columns {
            // SQLite enforces NOT NULL on a primary key column only for an INTEGER PRIMARY KEY (the
            // rowid), in WITHOUT ROWID tables and in STRICT tables; elsewhere only if declared.
            let rowid_alias =
                pk > 0 && key_columns == 1 && *without_rowid == 0 && declared_type.eq_ignore_ascii_case("INTEGER");
            let key_not_null = pk > 0 && (rowid_alias || *without_rowid != 0 || *strict != 0);
            if pk > 0 {
                primary_key.push((pk, name.clone()));
            }
            entry.columns.insert(name, Column { declared_type, not_null: notnull != 0 || key_not_null });
        }
        primary_key.sort();
        entry.primary_key = primary_key.into_iter().map(|(_, name)| name).collect();
        schema.insert(table.clone(), entry);
    }

    // Second pass: a foreign key written `REFERENCES parent` (no column) needs the parent's key.
    for (table, _, _) in &tables {
        let (indexes, special_indexes) = read_sqlite_indexes(pool, table).await?;
        let foreign_keys = read_sqlite_foreign_keys(pool, table, &schema).await?;
        if let Some(entry) = schema.get_mut(table) {
            entry.indexes = indexes;
            entry.special_indexes = special_indexes;
            entry.foreign_keys = foreign_keys;
        }
    }
    Ok(schema)
}

async fn read_sqlite_indexes(
    pool: &SqlitePool,
    table: &str,
) -> Result<(BTreeMap<IndexShape, usize>, BTreeMap<String, SpecialIndex>), String> {
    let list = sqlx::query_as::<_, (String, i64, String, i64)>(
        r#"SELECT name, "unique", origin, partial FROM pragma_index_list(?1)"#,
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .context(format!("list the indexes of SQLite table {table}"))?;

    let mut indexes = BTreeMap::new();
    let mut special_indexes = BTreeMap::new();
    for (index, unique, origin, partial) in list {
        // Primary keys are compared on their own: an INTEGER PRIMARY KEY has no index in SQLite.
        if origin == "pk" {
            continue;
        }
        let keys =
            sqlx::query_as::<_, (i64, Option<String>)>("SELECT cid, name FROM pragma_index_info(?1) ORDER BY seqno")
                .bind(index.as_str())
                .fetch_all(pool)
                .await
                .context(format!("read the columns of SQLite index {index}"))?;
        let columns: Vec<String> = keys
            .into_iter()
            .map(|(cid, name)| match name {
                Some(name) if cid >= 0 => name,
                _ if cid == -1 => "<rowid>".to_string(),
                _ => EXPRESSION.to_string(),
            })
            .collect();
        let shape = IndexShape { unique: unique != 0, columns };

        if partial != 0 || shape.has_expression() {
            let sql = sqlx::query_scalar::<_, Option<String>>(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
            )
            .bind(index.as_str())
            .fetch_optional(pool)
            .await
            .context(format!("read the definition of SQLite index {index}"))?
            .flatten();
            let predicate = if partial != 0 {
                Some(
                    sql.as_deref()
                        .and_then(sqlite_index_predicate)
                        .unwrap_or_else(|| "<predicate not found>".to_string()),
                )
            } else {
                None
            };
            special_indexes.insert(index, SpecialIndex { shape, predicate });
        } else {
            *indexes.entry(shape).or_insert(0) += 1;
        }
    }
    Ok((indexes, special_indexes))
}

async fn read_sqlite_foreign_keys(
    pool: &SqlitePool,
    table: &str,
    schema: &Schema,
) -> Result<BTreeSet<ForeignKey>, String> {
    let rows = sqlx::query_as::<_, (i64, String, String, Option<String>, String, String)>(
        r#"SELECT seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?1)"#,
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .context(format!("read the foreign keys of SQLite table {table}"))?;

    let mut foreign_keys = BTreeSet::new();
    for (seq, ref_table, column, ref_column, on_update, on_delete) in rows {
        // `REFERENCES parent` without a column list means the parent's primary key.
        let ref_column = match ref_column {
            Some(ref_column) => ref_column,
            None => schema
                .get(&ref_table)
                .and_then(|parent| usize::try_from(seq).ok().and_then(|i| parent.primary_key.get(i)))
                .cloned()
                .unwrap_or_else(|| "<primary key>".to_string()),
        };
        foreign_keys.insert(ForeignKey {
            column,
            ref_table,
            ref_column,
            on_delete: on_delete.to_ascii_uppercase(),
            on_update: on_update.to_ascii_uppercase(),
        });
    }
    Ok(foreign_keys)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique_database_name() -> String {
    // `portal_test_<unix seconds>_...` like every test database: the test command drops leftovers
    // by their age.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("portal_test_{}_parity_{}_{}", now.as_secs(), std::process::id(), now.subsec_nanos())
}

async fn create_postgres_database(admin_url: &str, database: &str) -> Result<(), String> {
    let mut conn = PgConnection::connect(admin_url).await.context("connect to PostgreSQL with TEST_POSTGRES_URL")?;
    conn.execute(format!("CREATE DATABASE {database}").as_str())
        .await
        .context(format!("create database {database}"))?;
    conn.close().await.ok();
    Ok(())
}

async fn drop_postgres_database(admin_url: &str, database: &str) -> Result<(), String> {
    let mut conn = PgConnection::connect(admin_url).await.context("connect to PostgreSQL with TEST_POSTGRES_URL")?;
    conn.execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
        .await
        .context(format!("drop database {database}"))?;
    conn.close().await.ok();
    Ok(())
}

async fn postgres_schema(admin_url: &str, database: &str) -> Result<Schema, String> {
    let options = admin_url.parse::<PgConnectOptions>().context("parse TEST_POSTGRES_URL")?.database(database);
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .context(format!("connect to database {database}"))?;
    let schema = migrate_and_read_postgres(&pool).await;
    pool.close().await;
    schema
}

/// Every index of a table in `public`: table, index, unique, primary, predicate (`NULL` if not
/// partial), key columns in order (`<expr>` for an expression, whose `indkey` entry is 0).
const PG_INDEXES: &str = "
    SELECT t.relname::text, i.relname::text, ix.indisunique, ix.indisprimary,
           pg_get_expr(ix.indpred, ix.indrelid),
           ARRAY(SELECT COALESCE(a.attname::text, '<expr>')
                 FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                 WHERE k.ord <= ix.indnkeyatts
                 ORDER BY k.ord)
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public'";

/// Every foreign key column of a table in `public`: table, column, referenced table, referenced
/// column, ON DELETE and ON UPDATE action codes.
const PG_FOREIGN_KEYS: &str = "
    SELECT t.relname::text, a.attname::text, rt.relname::text, ra.attname::text,
           c.confdeltype::text, c.confupdtype::text
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_class rt ON rt.oid = c.confrelid
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(attnum, refattnum)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
    JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refattnum
    WHERE c.contype = 'f' AND n.nspname = 'public'";

async fn migrate_and_read_postgres(pool: &PgPool) -> Result<Schema, String> {
    sqlx::migrate!("../migrations/postgres").run(pool).await.context("run the PostgreSQL migrations")?;

    let tables = sqlx::query_scalar::<_, String>(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .context("list the PostgreSQL tables")?;
    let mut schema: Schema = tables.into_iter().map(|table| (table, Table::default())).collect();

    let columns = sqlx::query_as::<_, (String, String, String, String)>(
        "SELECT table_name::text, column_name::text, is_nullable::text, data_type::text
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(pool)
    .await
    .context("read the PostgreSQL columns")?;
    for (table, column, is_nullable, data_type) in columns {
        if let Some(entry) = schema.get_mut(&table) {
            entry.columns.insert(column, Column { declared_type: data_type, not_null: is_nullable == "NO" });
        }
    }

    let indexes = sqlx::query_as::<_, (String, String, bool, bool, Option<String>, Vec<String>)>(PG_INDEXES)
        .fetch_all(pool)
        .await
        .context("read the PostgreSQL indexes")?;
    for (table, index, unique, primary, predicate, columns) in indexes {
        let Some(entry) = schema.get_mut(&table) else { continue };
        if primary {
            entry.primary_key = columns;
            continue;
        }
        let shape = IndexShape { unique, columns };
        if predicate.is_some() || shape.has_expression() {
            entry.special_indexes.insert(index, SpecialIndex { shape, predicate });
        } else {
            *entry.indexes.entry(shape).or_insert(0) += 1;
        }
    }

    let foreign_keys = sqlx::query_as::<_, (String, String, String, String, String, String)>(PG_FOREIGN_KEYS)
        .fetch_all(pool)
        .await
        .context("read the PostgreSQL foreign keys")?;
    for (table, column, ref_table, ref_column, on_delete, on_update) in foreign_keys {
        if let Some(entry) = schema.get_mut(&table) {
            entry.foreign_keys.insert(ForeignKey {
                column,
                ref_table,
                ref_column,
                on_delete: postgres_action(&on_delete),
                on_update: postgres_action(&on_update),
            });
        }
    }
    Ok(schema)
}

/// `pg_constraint.confdeltype` / `confupdtype` codes as SQL.
fn postgres_action(code: &str) -> String {
    let action = match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => other,
    };
    action.to_string()
}

// ---------------------------------------------------------------------------------------------

/// Error context for the readers, so a failing catalogue query says which one failed.
trait Context<T> {
    fn context(self, what: impl fmt::Display) -> Result<T, String>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T, String> {
        self.map_err(|error| format!("{what}: {error}"))
    }
}
