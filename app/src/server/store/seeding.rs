//! Generic inserts for loading the demo data (and test fixtures) only: the seed writes many
//! tables that no user action writes yet. Everything a service writes has a typed insert.

use sqlx::QueryBuilder;

use super::{StoreError, StoreResult, Tx, on_tx};

/// A value for [`Tx::insert_row`]: `val(x)` for anything that converts.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Text(String),
    Bool(bool),
    NullInt,
    NullText,
}

pub fn val<T: Into<Value>>(x: T) -> Value {
    x.into()
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::NullInt, Value::Int)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::NullText, Value::from)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::NullText, Value::Text)
    }
}

/// `INSERT INTO table (columns) VALUES (...)`, each value bound with its type (a NULL too, so
/// PostgreSQL knows the column's type).
macro_rules! insert {
    ($table:expr, $columns:expr, $values:expr) => {{
        let mut q = QueryBuilder::new(format!("INSERT INTO {} ({}) ", $table, $columns.join(", ")));
        q.push_values([()], |mut row, ()| {
            for v in $values {
                match v {
                    Value::Int(x) => row.push_bind(*x),
                    Value::Text(x) => row.push_bind(x.clone()),
                    Value::Bool(x) => row.push_bind(*x),
                    Value::NullInt => row.push_bind(None::<i64>),
                    Value::NullText => row.push_bind(None::<String>),
                };
            }
        });
        q
    }};
}

impl Tx {
    /// Inserts one row into `table` and returns its id. `columns` and `table` are compile-time
    /// names from the seed code, never user input.
    pub async fn insert_row(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        values: Vec<Value>,
    ) -> StoreResult<i64> {
        if columns.len() != values.len() {
            return Err(StoreError::Corrupt(format!("{table}: {} columns, {} values", columns.len(), values.len())));
        }
        Ok(on_tx!(self, |c| {
            let mut q = insert!(table, columns, &values);
            q.push(" RETURNING id");
            q.build_query_scalar::<i64>().fetch_one(&mut *c).await?
        }))
    }

    /// Inserts a row into a table without an `id` column (link tables).
    pub async fn insert_link(
        &mut self,
        table: &'static str,
        columns: &[&'static str],
        values: Vec<Value>,
    ) -> StoreResult<()> {
        if columns.len() != values.len() {
            return Err(StoreError::Corrupt(format!("{table}: {} columns, {} values", columns.len(), values.len())));
        }
        on_tx!(self, |c| insert!(table, columns, &values).build().execute(&mut *c).await?.rows_affected());
        Ok(())
    }
}
