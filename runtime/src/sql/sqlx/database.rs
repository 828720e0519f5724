//! [`SqlxDatabase`]: what differs between SQLite, PostgreSQL and
//! MySQL/MariaDB, each behind its feature: how a value binds and how a
//! statement's rows are read.

use core::future::Future;
use core::pin::Pin;

use ::sqlx::{Database, FromRow, QueryBuilder};

use super::storage;
use super::{FetchError, UnsupportedValue};
use crate::cursor::Value;
use crate::ordering::KeySpec;
use crate::sql::{Dialect, GROUP_COLUMN, PART_COLUMN, PROBE_PART, SqlWriter};

/// One page's rows as a statement returned them, and whether a probe row
/// came.
pub(super) type PageRows<R> = (Vec<R>, bool);

/// A boxed `Send` future, as the per-database methods return.
pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

mod sealed {
    pub trait Sealed {}
}

/// A database sqlx and keypage both support: [`Sqlite`](::sqlx::Sqlite),
/// [`Postgres`](::sqlx::Postgres) or [`MySql`](::sqlx::MySql) (also for
/// MariaDB), each behind its feature. Sealed.
pub trait SqlxDatabase: Database + sealed::Sealed {
    /// The dialect keypage renders for this database.
    const DIALECT: Dialect;

    /// Binds `value` with the Rust type this database encodes it from, in
    /// the form keypage writes values in (`+?` on SQLite, `(SELECT CAST($n
    /// AS <type>))` on PostgreSQL; see [`RenderedSql`](crate::sql::RenderedSql)).
    fn push_value(qb: &mut QueryBuilder<Self>, value: Value) -> Result<(), UnsupportedValue>;

    /// Runs a page statement ([`PagePlan::push_statement`], or with
    /// `groups`, [`PagePlan::push_batch_statement`]) and decodes each
    /// page's rows, in the order it returned them, and whether a probe row
    /// came: one page, or `groups` of them by [`GROUP_COLUMN`]. Each page
    /// row's key values (`values`, in the order of `keys`) are checked
    /// against the raw `keypage_k<i>` columns: a key column storing another
    /// form than keypage binds is a [`FetchError::KeyStorage`].
    #[doc(hidden)]
    fn fetch_page_rows<'c, R>(
        conn: &'c mut Self::Connection,
        qb: &'c mut QueryBuilder<Self>,
        keys: &'static [KeySpec],
        values: &'c (dyn Fn(&R) -> Vec<Value> + Sync),
        groups: Option<usize>,
    ) -> BoxFuture<'c, Result<Vec<PageRows<R>>, FetchError>>
    where
        R: for<'r> FromRow<'r, Self::Row> + Send + Unpin + 'c;

    /// Runs `qb` and decodes its first row, if any, as `R`.
    #[doc(hidden)]
    fn fetch_optional_row<'c, R>(
        conn: &'c mut Self::Connection,
        qb: &'c mut QueryBuilder<Self>,
    ) -> BoxFuture<'c, Result<Option<R>, ::sqlx::Error>>
    where
        R: for<'r> FromRow<'r, Self::Row> + Send + Unpin + 'c;

    /// Runs `qb` and decodes its one `BIGINT`.
    #[doc(hidden)]
    fn fetch_count<'c>(
        conn: &'c mut Self::Connection,
        qb: &'c mut QueryBuilder<Self>,
    ) -> BoxFuture<'c, Result<i64, ::sqlx::Error>>;

    /// Runs `qb`, an `EXPLAIN` of a `SELECT`, and returns the planner's
    /// estimate of the rows it returns, or `None` when this database gives
    /// none keypage reads (only PostgreSQL's is read).
    #[doc(hidden)]
    fn fetch_estimate<'c>(
        conn: &'c mut Self::Connection,
        qb: &'c mut QueryBuilder<Self>,
    ) -> BoxFuture<'c, Result<Option<i64>, ::sqlx::Error>>;

    /// Runs `qb` and decodes its rows of two `BIGINT`s: a group and its count.
    #[doc(hidden)]
    fn fetch_counts<'c>(
        conn: &'c mut Self::Connection,
        qb: &'c mut QueryBuilder<Self>,
    ) -> BoxFuture<'c, Result<Vec<(i64, i64)>, ::sqlx::Error>>;
}

/// Binds each [`Value`] variant. `UInt`, `Int128` and `UInt128` go through
/// `$uint`, `i64` conversions: only MySQL has an unsigned 64-bit type.
/// Floats `$float` refuses have no form in the database (SQLite stores NaN
/// as NULL, MySQL/MariaDB store no NaN nor infinity): only a forged cursor
/// holds one, and binding it would compare as something else.
macro_rules! sqlx_database {
    ($feature:literal, $db:ident, $dialect:expr, $uint:expr, $float:expr) => {
        #[cfg(feature = $feature)]
        impl sealed::Sealed for ::sqlx::$db {}

        #[cfg(feature = $feature)]
        impl SqlxDatabase for ::sqlx::$db {
            const DIALECT: Dialect = $dialect;

            fn push_value(
                qb: &mut QueryBuilder<Self>,
                value: Value,
            ) -> Result<(), UnsupportedValue> {
                let uint: fn(&mut QueryBuilder<Self>, u64) -> bool = $uint;
                let float: fn(f64) -> bool = $float;
                let (open, close) = Self::DIALECT.bind_wrap(&value);
                qb.push(open);
                let bound = match &value {
                    Value::Null => false,
                    Value::Bool(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    Value::Int(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    Value::UInt(v) => uint(qb, *v),
                    Value::Int128(v) => match i64::try_from(*v) {
                        Ok(v) => {
                            qb.push_bind(v);
                            true
                        }
                        Err(_) => u64::try_from(*v).is_ok_and(|v| uint(qb, v)),
                    },
                    Value::UInt128(v) => u64::try_from(*v).is_ok_and(|v| uint(qb, v)),
                    Value::Float(v) if float(*v) => {
                        qb.push_bind(*v);
                        true
                    }
                    Value::Float(_) => false,
                    Value::Text(v) => {
                        qb.push_bind(v.clone());
                        true
                    }
                    #[cfg(feature = "chrono")]
                    Value::ChronoDateTimeUtc(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "chrono")]
                    Value::ChronoNaiveDateTime(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "chrono")]
                    Value::ChronoNaiveDate(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "chrono")]
                    Value::ChronoNaiveTime(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "time")]
                    Value::TimeOffsetDateTime(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "time")]
                    Value::TimePrimitiveDateTime(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "time")]
                    Value::TimeDate(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "time")]
                    Value::TimeTime(v) => {
                        qb.push_bind(*v);
                        true
                    }
                    #[cfg(feature = "uuid")]
                    Value::Uuid(v) => {
                        qb.push_bind(*v);
                        true
                    }
                };
                if bound {
                    qb.push(close);
                    Ok(())
                } else {
                    Err(UnsupportedValue {
                        dialect: $dialect,
                        value,
                        argument: None,
                        range: None,
                    })
                }
            }

            fn fetch_page_rows<'c, R>(
                conn: &'c mut Self::Connection,
                qb: &'c mut QueryBuilder<Self>,
                keys: &'static [KeySpec],
                values: &'c (dyn Fn(&R) -> Vec<Value> + Sync),
                groups: Option<usize>,
            ) -> BoxFuture<'c, Result<Vec<PageRows<R>>, FetchError>>
            where
                R: for<'r> FromRow<'r, Self::Row> + Send + Unpin + 'c,
            {
                Box::pin(async move {
                    use ::sqlx::Row as _;
                    let raw = qb.build().fetch_all(conn).await?;
                    let mut pages: Vec<PageRows<R>> = (0..groups.unwrap_or(1))
                        .map(|_| (Vec::new(), false))
                        .collect();
                    let mut check = storage::PageCheck::new(keys);
                    for row in &raw {
                        let group = match groups {
                            None => 0,
                            Some(_) => {
                                let group: i64 = row.try_get(GROUP_COLUMN)?;
                                usize::try_from(group).unwrap_or(usize::MAX)
                            }
                        };
                        let Some((rows, probe)) = pages.get_mut(group) else {
                            return Err(FetchError::Database(::sqlx::Error::Protocol(format!(
                                "a batch statement returned a row of group {group}"
                            ))));
                        };
                        let part: i64 = row.try_get(PART_COLUMN)?;
                        if part == PROBE_PART {
                            *probe = true;
                        } else {
                            let node =
                                R::from_row(row).map_err(|e| check.decode_error::<Self>(row, e))?;
                            check.row::<Self>(row, || values(&node))?;
                            rows.push(node);
                        }
                    }
                    Ok(pages)
                })
            }

            fn fetch_optional_row<'c, R>(
                conn: &'c mut Self::Connection,
                qb: &'c mut QueryBuilder<Self>,
            ) -> BoxFuture<'c, Result<Option<R>, ::sqlx::Error>>
            where
                R: for<'r> FromRow<'r, Self::Row> + Send + Unpin + 'c,
            {
                Box::pin(async move { qb.build_query_as::<R>().fetch_optional(conn).await })
            }

            fn fetch_count<'c>(
                conn: &'c mut Self::Connection,
                qb: &'c mut QueryBuilder<Self>,
            ) -> BoxFuture<'c, Result<i64, ::sqlx::Error>> {
                Box::pin(async move { qb.build_query_scalar::<i64>().fetch_one(conn).await })
            }

            fn fetch_counts<'c>(
                conn: &'c mut Self::Connection,
                qb: &'c mut QueryBuilder<Self>,
            ) -> BoxFuture<'c, Result<Vec<(i64, i64)>, ::sqlx::Error>> {
                Box::pin(async move { qb.build_query_as::<(i64, i64)>().fetch_all(conn).await })
            }

            fn fetch_estimate<'c>(
                conn: &'c mut Self::Connection,
                qb: &'c mut QueryBuilder<Self>,
            ) -> BoxFuture<'c, Result<Option<i64>, ::sqlx::Error>> {
                Box::pin(async move {
                    if $dialect != Dialect::Postgres {
                        return Ok(None);
                    }
                    // The plan's first line: `Seq Scan on t  (cost=.. rows=N width=..)`.
                    let first: String = qb.build_query_scalar().fetch_one(conn).await?;
                    Ok(plan_rows(&first))
                })
            }
        }
    };
}

/// The `rows=N` estimate of a PostgreSQL plan line.
fn plan_rows(line: &str) -> Option<i64> {
    let rest = &line[line.find(" rows=")? + " rows=".len()..];
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// SQLite and PostgreSQL integers are signed 64-bit: larger unsigned values
/// are refused rather than wrapped.
#[allow(dead_code)]
fn uint_as_i64<DB: Database>(qb: &mut QueryBuilder<DB>, v: u64) -> bool
where
    i64: for<'a> ::sqlx::Encode<'a, DB> + ::sqlx::Type<DB>,
{
    match i64::try_from(v) {
        Ok(v) => {
            qb.push_bind(v);
            true
        }
        Err(_) => false,
    }
}

sqlx_database!(
    "sqlite",
    Sqlite,
    Dialect::Sqlite,
    uint_as_i64::<::sqlx::Sqlite>,
    |v| !v.is_nan()
);
sqlx_database!(
    "postgres",
    Postgres,
    Dialect::Postgres,
    uint_as_i64::<::sqlx::Postgres>,
    |_| true
);
sqlx_database!(
    "mysql",
    MySql,
    Dialect::MySql,
    |qb, v| {
        qb.push_bind(v);
        true
    },
    f64::is_finite
);

/// keypage's clauses go into your own `QueryBuilder`: see
/// [`PagePlan::push_statement`](crate::sql::PagePlan::push_statement). A value the database cannot bind is refused
/// with [`UnsupportedValue`]; the builder is then half-written, discard it.
impl<DB: SqlxDatabase> SqlWriter for QueryBuilder<DB> {
    type Error = UnsupportedValue;
    fn dialect(&self) -> Dialect {
        DB::DIALECT
    }
    fn push_sql(&mut self, sql: &str) {
        self.push(sql);
    }
    fn push_bind(&mut self, value: Value) -> Result<(), UnsupportedValue> {
        DB::push_value(self, value)
    }
}
