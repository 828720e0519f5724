//! sqlx integration (features `sqlite`, `postgres`, `mysql`): keyset
//! clauses pushed into a [`QueryBuilder`], pages fetched with exact
//! `pageInfo`, and `totalCount` as a separate, explicit query.
//!
//! Three levels, from the most to the least control:
//!
//! * [`QueryBuilder`] implements [`SqlWriter`], so
//!   [`PagePlan::push_statement`] writes a page's one statement around your
//!   own select list and `FROM`; run it yourself and call
//!   [`PagePlan::finish`].
//! * [`Select`] runs the statement for you, with your filters pushed into
//!   every part of it (and into [`Select::count`]).
//! * [`fetch_page`] selects a `#[paginate(table = "...")]` type's columns
//!   from its table: what the derive's `Article::fetch_page` calls.
//!
//! ```
//! # fn main() {}
//! # #[cfg(feature = "sqlite")]
//! # async fn demo(pool: &sqlx::SqlitePool, author: i64, args: keypage_runtime::PageArgs) -> Result<(), keypage_runtime::sql::sqlx::FetchError> {
//! # use keypage_runtime as keypage;
//! # use keypage::{Cursor, CursorError, CursorReader, CursorWriter, Keyset, KeySpec, OrderingSpec, Paginate, OrderVisitor, SortOrder, Value, PageArgs};
//! # #[derive(Clone, Debug)] struct Article { id: i64 }
//! # impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for Article {
//! #     fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
//! #         use sqlx::Row as _; Ok(Article { id: row.try_get("id")? })
//! #     }
//! # }
//! # #[derive(Clone, Debug)] struct ArticleCursor { id: i64 }
//! # static KEYS: [KeySpec; 1] = [KeySpec { field: "id", column: "id", order: SortOrder::Desc, nulls: None }];
//! # static SPEC: OrderingSpec = OrderingSpec { type_name: "Article", name: "DEFAULT", keys: &KEYS, fingerprint: 7 };
//! # impl Cursor for ArticleCursor {
//! #     fn encode(&self) -> String { let mut w = CursorWriter::new(7); w.write(&self.id); w.finish() }
//! #     fn decode(s: &str) -> Result<Self, CursorError> { let mut r = CursorReader::open(s, 7)?; let id = r.read()?; r.finish()?; Ok(ArticleCursor { id }) }
//! # }
//! # impl Keyset for ArticleCursor {
//! #     type Row = Article; const ORDERING: &'static OrderingSpec = &SPEC;
//! #     fn from_row(r: &Article) -> Self { ArticleCursor { id: r.id } }
//! #     fn cmp_row(r: &Article, c: &Self) -> core::cmp::Ordering { KEYS[0].compare(&r.id, &c.id) }
//! #     fn cmp_rows(a: &Article, b: &Article) -> core::cmp::Ordering { KEYS[0].compare(&a.id, &b.id) }
//! #     fn values(&self) -> Vec<Value> { vec![Value::Int(self.id)] }
//! # }
//! # impl Paginate for Article {
//! #     type Cursor = ArticleCursor; type Order = ();
//! #     const ORDERINGS: &'static [&'static OrderingSpec] = &[&SPEC];
//! #     const MAX_PAGE_SIZE: u32 = 100; const DEFAULT_PAGE_SIZE: u32 = 20;
//! #     const TABLE: Option<&'static str> = Some("articles"); const COLUMNS: &'static [&'static str] = &["id"];
//! #     fn with_order<V: OrderVisitor<Self>>(_: (), v: V) -> V::Output { v.visit::<ArticleCursor>() }
//! # }
//! use keypage::sql::sqlx::Select;
//! let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
//!     .filter(move |qb| { qb.push("author_id = ").push_bind(author); });
//! let page = articles.fetch_page::<ArticleCursor, _>(pool, args.validate()?).await?;
//! let total = articles.count(pool).await?; // only when asked for
//! # let _ = (page, total); Ok(()) }
//! ```

use core::future::Future;
use core::pin::Pin;

/// Re-exported from sqlx for the bounds of generic code (and the derive).
pub use ::sqlx::{Acquire, Database, FromRow, QueryBuilder};

use super::{
    Dialect, GROUP_COLUMN, NotPastCursor, PART_COLUMN, PROBE_PART, PagePlan, Relation, RowError,
    SqlWriter, WhereClause,
};
use crate::args::{KeysetQuery, PageArgs};
use crate::cursor::CursorValue;
use crate::cursor::Value;
use crate::error::PageError;
use crate::keyset::{Keyset, Paginate};
use crate::ordering::KeySpec;
use crate::page::Page;
use crate::query::{AnyKeysetQuery, QueryVisitor};

mod storage;

pub use storage::KeyStorageError;

/// A key value the database has no type for, e.g. a `u128` beyond `i64` on
/// SQLite or PostgreSQL, or [`Value::Null`] (NULL keys are matched with
/// `IS NULL`, never bound). Refused before anything is sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a pagination key value cannot be bound as a {dialect:?} parameter: {value:?}")]
#[non_exhaustive]
pub struct UnsupportedValue {
    /// The database's dialect.
    pub dialect: Dialect,
    /// The value refused.
    pub value: Value,
    /// The page argument whose cursor holds the value (`"after"` or
    /// `"before"`), when the value came from one.
    pub argument: Option<&'static str>,
    /// The key whose range ([`Select::range`]) holds the value, when the
    /// value came from one: the field's name.
    pub range: Option<&'static str>,
}

impl UnsupportedValue {
    /// Names the cursor argument of `query` that holds the refused value.
    /// Only runs on the error path, so decoding the cursors' values again
    /// costs nothing on a good request.
    fn blame<K: Keyset>(mut self, query: &KeysetQuery<K>) -> Self {
        // By bits for floats: the refused value may be a NaN, which `==`
        // never finds.
        let same = |v: &Value| match (v, &self.value) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        };
        let holds =
            |cursor: &Option<K>| cursor.as_ref().is_some_and(|c| c.values().iter().any(same));
        self.argument = if holds(&query.after) {
            Some("after")
        } else if holds(&query.before) {
            Some("before")
        } else {
            None
        };
        self
    }
}

/// Why a page or count could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The page arguments were refused (show this one to the client).
    #[error(transparent)]
    Page(#[from] PageError),
    /// A cursor's key value has no type in this database.
    #[error(transparent)]
    UnsupportedValue(#[from] UnsupportedValue),
    /// [`fetch_page`] was called for a type without `#[paginate(table = "...")]`.
    #[error("`{type_name}` has no `#[paginate(table = \"...\")]` to select from")]
    NoTable {
        /// The row type.
        type_name: &'static str,
    },
    /// The database refused a query or failed.
    #[error(transparent)]
    Database(#[from] ::sqlx::Error),
    /// The database returned the cursor's own row again: it does not
    /// compare the bound key values as it orders the column (a key column
    /// that stores another type than its field's). A server-side fault,
    /// refused rather than handed out as a page that would repeat.
    #[error(transparent)]
    NotPastCursor(#[from] NotPastCursor),
    /// A key column stores its values in another form than keypage binds
    /// for the key field's type (a `DateTime<Utc>` key over unix seconds,
    /// say), so pages would repeat or lose rows. Detected on every page,
    /// the first included, before any row is handed out. A server-side
    /// fault: fix the column or the field's type as the message says.
    #[error(transparent)]
    KeyStorage(#[from] KeyStorageError),
}

/// One page's rows as a statement returned them, and whether a probe row
/// came.
type PageRows<R> = (Vec<R>, bool);

/// A boxed `Send` future, as the per-database methods return.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

mod sealed {
    pub trait Sealed {}
}

/// A database sqlx and keypage both support: [`Sqlite`](::sqlx::Sqlite),
/// [`Postgres`](::sqlx::Postgres) or [`MySql`](::sqlx::MySql) (also for
/// MariaDB), each behind its feature. Sealed.
pub trait SqlxDatabase: Database + sealed::Sealed {
    /// The dialect keypage renders for this database.
    const DIALECT: Dialect;

    /// Binds `value` with the Rust type this database encodes it from.
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
        values: fn(&R) -> Vec<Value>,
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
                values: fn(&R) -> Vec<Value>,
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

/// A `totalCount` that may be bounded or estimated: `count`, and whether
/// it is the exact number of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Total {
    /// The number of rows: exact, or the cap, or the planner's estimate.
    pub count: i64,
    /// `true` when `count` is the exact number of rows; `false` for a capped
    /// count that reached its cap (there are more than `count` rows) and
    /// for an estimate.
    pub exact: bool,
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
/// [`PagePlan::push_statement`]. A value the database cannot bind is refused
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

/// A filter: pushes one SQL condition (with its binds) into the builder.
type Filter<'f, DB> = Box<dyn Fn(&mut QueryBuilder<DB>) + Send + Sync + 'f>;

/// The rows to page: a select list, a `FROM` target and filters, reused for
/// the page query, the probe and the count so they always agree.
///
/// The select list and `FROM` target are SQL text written by you (never
/// client input); filters bind their values with `push_bind`.
pub struct Select<'f, DB: SqlxDatabase> {
    columns: String,
    from: String,
    filters: Vec<Filter<'f, DB>>,
    /// A range bound the database cannot bind: every fetch and count
    /// returns it, nothing is sent.
    refused: Option<UnsupportedValue>,
}

impl<DB: SqlxDatabase> core::fmt::Debug for Select<'_, DB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Select")
            .field("columns", &self.columns)
            .field("from", &self.from)
            .field("filters", &self.filters.len())
            .field("refused", &self.refused)
            .finish()
    }
}

impl<'f, DB: SqlxDatabase> Select<'f, DB> {
    /// `SELECT {columns} FROM {from}`, e.g. `Select::new("id, title",
    /// "articles")`; `from` may hold joins.
    pub fn new(columns: impl Into<String>, from: impl Into<String>) -> Self {
        Select {
            columns: columns.into(),
            from: from.into(),
            filters: Vec::new(),
            refused: None,
        }
    }

    /// The columns ([`Paginate::COLUMNS`]) of a `#[paginate(table = "...")]`
    /// type from its table, quoted for the database. The derive's
    /// `Article::table()` is the same without the error case.
    ///
    /// # Errors
    ///
    /// [`FetchError::NoTable`] when `R` has no `#[paginate(table = "...")]`.
    pub fn table_of<R: Paginate>() -> Result<Self, FetchError> {
        let table = R::TABLE.ok_or(FetchError::NoTable {
            type_name: core::any::type_name::<R>(),
        })?;
        Ok(Self::of_table(table, R::COLUMNS))
    }

    /// `columns` from `table`, both quoted for the database as identifiers
    /// (so a name that is a keyword, or has upper case on PostgreSQL, is
    /// safe): `SELECT "id", "title" FROM "articles"`.
    pub fn of_table(table: &str, columns: &[&str]) -> Self {
        let dialect = DB::DIALECT;
        let columns: Vec<String> = columns.iter().map(|c| dialect.quote(c)).collect();
        Self::new(columns.join(", "), dialect.quote(table))
    }

    /// Adds a condition, `AND`ed with the others (each is parenthesized, so
    /// a top-level `OR` inside it is safe). It runs once per query, so clone
    /// owned values into `push_bind`:
    /// `move |qb| { qb.push("title = ").push_bind(title.clone()); }`.
    pub fn filter(mut self, condition: impl Fn(&mut QueryBuilder<DB>) + Send + Sync + 'f) -> Self {
        self.filters.push(Box::new(condition));
        self
    }

    /// Adds `condition` for `value` when it is `Some`, nothing when it is
    /// `None`: an optional GraphQL argument as a filter.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use keypage_runtime::sql::sqlx::Select;
    ///
    /// let author: Option<i64> = Some(7);
    /// let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
    ///     .filter_some(author, |qb, id| { qb.push("author_id = ").push_bind(*id); });
    /// assert_eq!(articles.count_query().sql().as_str(), "SELECT COUNT(*) FROM articles WHERE (author_id = ?)");
    /// # }
    /// ```
    pub fn filter_some<T>(
        self,
        value: Option<T>,
        condition: impl Fn(&mut QueryBuilder<DB>, &T) + Send + Sync + 'f,
    ) -> Self
    where
        T: Send + Sync + 'f,
    {
        match value {
            Some(value) => self.filter(move |qb| condition(qb, &value)),
            None => self,
        }
    }

    /// Keeps the rows whose key `column` is within `range` (nothing when
    /// `None`): each bound a condition `column > ?`, `column >= ?`, ... on
    /// the key's column, `AND`ed with the other filters, its value bound as
    /// a parameter and compared by the database, under the column's
    /// collation, as it orders the key. In the page statement and the
    /// count alike, so `totalCount` counts the range; on the ordering's
    /// leading key, with its index, it narrows the index seek (a cursor
    /// and a range together are one range scan). A range on a later key
    /// filters the rows the seek reads. A bounded range drops the rows
    /// whose key is NULL.
    ///
    /// `column` is the derive's `Article::created_at_column()`, so the
    /// column name is the attribute's, never input.
    ///
    /// A bound the database cannot bind (a `u64` above `i64::MAX` on
    /// SQLite or PostgreSQL, a NaN on SQLite) makes every fetch and count
    /// of this `Select` fail with [`FetchError::UnsupportedValue`], its
    /// [`range`](UnsupportedValue::range) naming the key, before anything
    /// is sent (for GraphQL, code `INVALID_RANGE`); so do
    /// [`page_query`](Self::page_query) and
    /// [`children_query`](Self::children_query), while the infallible
    /// [`count_query`](Self::count_query) and
    /// [`count_at_most_query`](Self::count_at_most_query) leave such a
    /// range out.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use keypage_runtime::sql::sqlx::Select;
    /// use keypage_runtime::{KeyColumn, KeyRange};
    ///
    /// struct Article { created_at: i64 }
    /// let created_at = KeyColumn::<Article, i64>::__from_derive("created_at", "created_at", |a| Some(&a.created_at));
    /// let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
    ///     .range(created_at, KeyRange::default().gte(100).lt(200));
    /// assert_eq!(
    ///     articles.count_query().sql().as_str(),
    ///     r#"SELECT COUNT(*) FROM articles WHERE ("created_at" >= ? AND "created_at" < ?)"#,
    /// );
    /// # }
    /// ```
    #[must_use]
    pub fn range<R, T: CursorValue>(
        self,
        column: crate::KeyColumn<R, T>,
        range: impl Into<Option<crate::KeyRange<T>>>,
    ) -> Self {
        match range.into() {
            Some(range) => self.range_values(column.field(), column.column(), range.values()),
            None => self,
        }
    }

    /// [`range`](Self::range) with its bounds as the values SQL binds.
    pub(crate) fn range_values(
        mut self,
        field: &'static str,
        column: &str,
        bounds: Vec<(crate::filter::Comparison, Value)>,
    ) -> Self {
        if bounds.is_empty() {
            return self;
        }
        // Checked here, so the filter, which cannot fail, binds them all.
        let mut scratch = QueryBuilder::<DB>::new("");
        for (_, value) in &bounds {
            if let Err(mut e) = DB::push_value(&mut scratch, value.clone()) {
                e.range = Some(field);
                self.refused.get_or_insert(e);
                return self;
            }
        }
        let quoted = DB::DIALECT.quote(column);
        self.filter(move |qb| {
            for (i, (comparison, value)) in bounds.iter().enumerate() {
                if i > 0 {
                    qb.push(" AND ");
                }
                qb.push(&quoted).push(comparison.sql());
                let bound = DB::push_value(qb, value.clone());
                debug_assert!(bound.is_ok(), "checked by `range_values`");
            }
        })
    }

    /// The largest value of the key `column` among the rows the filters
    /// select (`None` when none has one): the pin of a stable walk, which
    /// then pages with [`range`](Self::range) `lte` it, so rows inserted
    /// later with larger values never appear. Read as the key of the row
    /// `ORDER BY column DESC LIMIT 1` (an index seek with an index on the
    /// column), decoded as `R`.
    ///
    /// # Errors
    ///
    /// As [`count`](Self::count).
    pub async fn max_of<'c, R, T, A>(
        &self,
        conn: A,
        column: crate::KeyColumn<R, T>,
    ) -> Result<Option<T>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        T: Clone,
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        let row = self.last_row_on::<R>(&mut conn, column.column()).await?;
        Ok(row.and_then(|row| column.get(&row).cloned()))
    }

    /// The row with the largest non-NULL value of `column`, if any.
    pub(crate) async fn last_row_on<R>(
        &self,
        conn: &mut DB::Connection,
        column: &str,
    ) -> Result<Option<R>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(column);
        let mut qb = QueryBuilder::new("SELECT ");
        qb.push(&self.columns);
        let clause = self.push_from_where(&mut qb);
        qb.push(clause.keyword())
            .push(&column)
            .push(" IS NOT NULL ORDER BY ")
            .push(&column)
            .push(" DESC LIMIT 1");
        Ok(DB::fetch_optional_row(conn, &mut qb).await?)
    }

    /// Fails with the range bound [`range`](Self::range) refused, if any.
    fn check_ranges(&self) -> Result<(), UnsupportedValue> {
        self.refused.clone().map_or(Ok(()), Err)
    }

    /// Writes ` FROM ... [WHERE (f1) AND (f2)]`.
    fn push_from_where(&self, qb: &mut QueryBuilder<DB>) -> WhereClause {
        qb.push(" FROM ").push(&self.from);
        for (i, filter) in self.filters.iter().enumerate() {
            qb.push(if i == 0 { " WHERE (" } else { " AND (" });
            filter(qb);
            qb.push(")");
        }
        if self.filters.is_empty() {
            WhereClause::Absent
        } else {
            WhereClause::Present
        }
    }

    /// The page's one statement for `plan` ([`PagePlan::push_statement`]:
    /// the page and the probe for the other side's flag), ready to build
    /// (for logging or `EXPLAIN`).
    pub fn page_query<K: Keyset>(
        &self,
        plan: &PagePlan<K>,
    ) -> Result<QueryBuilder<DB>, UnsupportedValue> {
        self.check_ranges()?;
        let mut qb = QueryBuilder::new("");
        plan.push_statement(
            &mut qb,
            |qb| {
                qb.push(&self.columns);
                Ok(())
            },
            |qb| Ok(self.push_from_where(qb)),
        )
        .map_err(|e| e.blame(plan.query()))?;
        Ok(qb)
    }

    /// The `COUNT(*)` query, ready to build (for logging or `EXPLAIN`).
    /// A range bound the database cannot bind is left out of it (see
    /// [`range`](Self::range)); [`count`](Self::count) refuses it instead.
    pub fn count_query(&self) -> QueryBuilder<DB> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*)");
        self.push_from_where(&mut qb);
        qb
    }

    /// Fetches the page `query` asks for, in the ordering `K`: one
    /// statement ([`PagePlan`]) on `conn`, a pool, a connection
    /// (`&mut PgConnection`, a `&mut PoolConnection`) or a
    /// `&mut Transaction`, so the page and its flags share one snapshot.
    pub async fn fetch_page<'c, K, A>(
        &self,
        conn: A,
        query: KeysetQuery<K>,
    ) -> Result<Page<K::Row>, FetchError>
    where
        K: Keyset,
        K::Row: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        A: Acquire<'c, Database = DB>,
    {
        let prepared = Prepared::new(self, query)?;
        let mut conn = conn.acquire().await?;
        prepared.run(&mut conn).await
    }

    /// [`fetch_page`](Self::fetch_page) in the ordering chosen at run time:
    /// `query` holds the arguments validated for it (a GraphQL `orderBy`
    /// argument, say). One code path whatever the ordering: only the
    /// queries' text is built per ordering.
    pub async fn fetch_any<'c, R, A>(
        &self,
        conn: A,
        query: AnyKeysetQuery<R>,
    ) -> Result<Page<R>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        A: Acquire<'c, Database = DB>,
    {
        let prepared = self.prepare_any(query)?;
        let mut conn = conn.acquire().await?;
        prepared.run(&mut conn).await
    }

    /// [`fetch_any`](Self::fetch_any) on a connection already acquired
    /// (for the GraphQL layer's `select_in`).
    #[cfg(feature = "graphql")]
    pub(crate) async fn fetch_any_on<R>(
        &self,
        conn: &mut DB::Connection,
        query: AnyKeysetQuery<R>,
    ) -> Result<Page<R>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        self.prepare_any(query)?.run(conn).await
    }

    /// Builds the statement for the chosen ordering; only running it is
    /// async, so no future is boxed per ordering.
    fn prepare_any<R: Paginate>(
        &self,
        query: AnyKeysetQuery<R>,
    ) -> Result<Prepared<DB, R>, UnsupportedValue> {
        struct Build<'s, 'f, DB: SqlxDatabase>(&'s Select<'f, DB>);
        impl<R: Paginate, DB: SqlxDatabase> QueryVisitor<R> for Build<'_, '_, DB> {
            type Output = Result<Prepared<DB, R>, UnsupportedValue>;
            fn visit<K: Keyset<Row = R>>(self, query: KeysetQuery<K>) -> Self::Output {
                Prepared::new(self.0, query)
            }
        }
        query.visit(Build(self))
    }

    /// `totalCount`: the number of rows the filters select, as a separate
    /// `COUNT(*)` query that runs only when called.
    pub async fn count<'c, A>(&self, conn: A) -> Result<i64, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.count_on(&mut conn).await
    }

    /// [`count`](Self::count) on a connection already acquired.
    pub(crate) async fn count_on(&self, conn: &mut DB::Connection) -> Result<i64, FetchError> {
        self.check_ranges()?;
        let mut qb = self.count_query();
        Ok(DB::fetch_count(conn, &mut qb).await?)
    }

    /// The capped `COUNT(*)` of [`count_at_most`](Self::count_at_most),
    /// ready to build: `SELECT COUNT(*) FROM (SELECT 1 FROM ... LIMIT cap +
    /// 1)`, which reads at most `cap + 1` rows. As for
    /// [`count_query`](Self::count_query), a range bound the database
    /// cannot bind is left out of it.
    pub fn count_at_most_query(&self, cap: u32) -> QueryBuilder<DB> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 AS keypage_one");
        self.push_from_where(&mut qb);
        qb.push(format!(" LIMIT {}) AS keypage_capped", u64::from(cap) + 1));
        qb
    }

    /// `totalCount` bounded by `cap`: the number of rows when at most `cap`
    /// (exact), else `cap` with `exact: false` ("more than `cap`"). Reads at
    /// most `cap + 1` rows, so its cost is bounded whatever the table holds.
    pub async fn count_at_most<'c, A>(&self, conn: A, cap: u32) -> Result<Total, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.count_at_most_on(&mut conn, cap).await
    }

    pub(crate) async fn count_at_most_on(
        &self,
        conn: &mut DB::Connection,
        cap: u32,
    ) -> Result<Total, FetchError> {
        self.check_ranges()?;
        let mut qb = self.count_at_most_query(cap);
        let n = DB::fetch_count(conn, &mut qb).await?;
        Ok(if n > i64::from(cap) {
            Total {
                count: cap.into(),
                exact: false,
            }
        } else {
            Total {
                count: n,
                exact: true,
            }
        })
    }

    /// `totalCount` as the planner estimates it, without reading the rows:
    /// on PostgreSQL the row estimate of `EXPLAIN SELECT 1 FROM ... WHERE
    /// ...` (for an unfiltered table its statistics, `reltuples`, scaled to
    /// the table's current size; for a filtered one the estimate of the
    /// filters), as fresh as the last `ANALYZE` (autovacuum's or yours).
    /// `None` on SQLite and MySQL/MariaDB, whose estimates keypage does not
    /// read.
    pub async fn estimate_count<'c, A>(&self, conn: A) -> Result<Option<Total>, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.estimate_count_on(&mut conn).await
    }

    pub(crate) async fn estimate_count_on(
        &self,
        conn: &mut DB::Connection,
    ) -> Result<Option<Total>, FetchError> {
        self.check_ranges()?;
        let mut qb = QueryBuilder::new("EXPLAIN SELECT 1");
        self.push_from_where(&mut qb);
        let rows = DB::fetch_estimate(conn, &mut qb).await?;
        Ok(rows.map(|count| Total {
            count,
            exact: false,
        }))
    }

    /// Writes ` FROM ... WHERE [(filters) AND] <column> = <parent>`: one
    /// parent's rows.
    fn push_parent_where(
        &self,
        qb: &mut QueryBuilder<DB>,
        column: &str,
        parent: Value,
    ) -> Result<WhereClause, UnsupportedValue> {
        let clause = self.push_from_where(qb);
        qb.push(clause.keyword()).push(column).push(" = ");
        DB::push_value(qb, parent)?;
        Ok(WhereClause::Present)
    }

    /// The one statement of [`fetch_children`](Self::fetch_children) for
    /// `parents` (at most [`MAX_BATCH_PARENTS`]), ready to build (for
    /// logging or `EXPLAIN`).
    pub fn children_query<K: Keyset, P: CursorValue>(
        &self,
        plan: &PagePlan<K>,
        relation: Relation<K::Row, P>,
        parents: &[P],
    ) -> Result<QueryBuilder<DB>, UnsupportedValue> {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(relation.column());
        let mut qb = QueryBuilder::new("");
        plan.push_batch_statement(
            &mut qb,
            &column,
            parents.len(),
            |qb, i| DB::push_value(qb, parents[i].to_value()),
            |qb| {
                qb.push(&self.columns);
                Ok(())
            },
            |qb| Ok(self.push_from_where(qb)),
        )
        .map_err(|e| e.blame(plan.query()))?;
        Ok(qb)
    }

    /// The pages of many parents' rows at once, one per parent in the order
    /// of `parents`: for each parent, exactly the page [`fetch_any`]
    /// returns for `query` with the filter `<relation's column> = <parent>`
    /// added, both flags included. One statement for up to
    /// [`MAX_BATCH_PARENTS`] parents ([`PagePlan::push_batch_statement`]:
    /// each parent's page its own index seek, with an index on the column
    /// followed by the ordering's keys, e.g. `(author_id, created_at DESC,
    /// id DESC)`), one more for each further [`MAX_BATCH_PARENTS`]; on one
    /// connection from `conn`. What a nested connection's loader
    /// (`keypage::graphql::ChildPages`) runs for a batch of parents.
    ///
    /// A cursor is a position in the ordering, not in one parent's list: a
    /// cursor minted in one parent's page, sent with another parent, pages
    /// that parent's rows strictly after (or before) that position.
    ///
    /// [`fetch_any`]: Self::fetch_any
    pub async fn fetch_children<'c, R, P, A>(
        &self,
        conn: A,
        relation: Relation<R, P>,
        parents: &[P],
        query: AnyKeysetQuery<R>,
    ) -> Result<Vec<Page<R>>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        P: CursorValue,
        A: Acquire<'c, Database = DB>,
    {
        struct Build<'s, 'f, 'p, DB: SqlxDatabase, R, P> {
            select: &'s Select<'f, DB>,
            relation: Relation<R, P>,
            parents: &'p [P],
        }
        impl<R: Paginate, P: CursorValue, DB: SqlxDatabase> QueryVisitor<R>
            for Build<'_, '_, '_, DB, R, P>
        {
            type Output = Result<Vec<Prepared<DB, R>>, UnsupportedValue>;
            fn visit<K: Keyset<Row = R>>(self, query: KeysetQuery<K>) -> Self::Output {
                let plan = PagePlan::new(query);
                self.parents
                    .chunks(MAX_BATCH_PARENTS)
                    .map(|chunk| {
                        let statement = self.select.children_query(&plan, self.relation, chunk)?;
                        Ok(Prepared::of(plan.clone(), statement, Some(chunk.len())))
                    })
                    .collect()
            }
        }
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let statements = query.visit(Build {
            select: self,
            relation,
            parents,
        })?;
        let mut conn = conn.acquire().await?;
        let mut pages = Vec::with_capacity(parents.len());
        for statement in statements {
            pages.extend(statement.run_all(&mut conn).await?);
        }
        Ok(pages)
    }

    /// The number of rows of each parent, in the order of `parents`, in one
    /// statement for up to [`MAX_BATCH_PARENTS`] parents: each parent's
    /// `COUNT(*)` with the filters and `<relation's column> = <parent>`,
    /// joined by `UNION ALL` (so each is a count of one index range, and
    /// the counts are matched to their parents by position, never by
    /// comparing keys in Rust). What a nested `totalCount`'s loader
    /// (`keypage::graphql::ChildCounts`) runs.
    pub async fn count_children<'c, R, P, A>(
        &self,
        conn: A,
        relation: Relation<R, P>,
        parents: &[P],
    ) -> Result<Vec<i64>, FetchError>
    where
        P: CursorValue,
        A: Acquire<'c, Database = DB>,
    {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(relation.column());
        let mut conn = conn.acquire().await?;
        let mut counts = Vec::with_capacity(parents.len());
        for chunk in parents.chunks(MAX_BATCH_PARENTS) {
            let mut qb = QueryBuilder::new("");
            for (group, parent) in chunk.iter().enumerate() {
                if group > 0 {
                    qb.push(" UNION ALL ");
                }
                qb.push(format!(
                    "SELECT {} AS {GROUP_COLUMN}, COUNT(*) AS keypage_count",
                    DB::DIALECT.bigint(group as i64)
                ));
                self.push_parent_where(&mut qb, &column, parent.to_value())?;
            }
            let rows = DB::fetch_counts(&mut conn, &mut qb).await?;
            let mut chunk_counts = vec![0; chunk.len()];
            for (group, count) in rows {
                if let Some(slot) = usize::try_from(group)
                    .ok()
                    .and_then(|g| chunk_counts.get_mut(g))
                {
                    *slot = count;
                }
            }
            counts.extend(chunk_counts);
        }
        Ok(counts)
    }
}

/// Most parents in one statement of [`Select::fetch_children`] and
/// [`Select::count_children`]: SQLite allows 500 terms in a compound
/// `SELECT`, and a page of parents is at most a page (100 by default).
pub const MAX_BATCH_PARENTS: usize = 100;

/// One call for a `#[paginate(table = "...")]` type: validates `args` for
/// the ordering `K`, selects the row type's columns from its table and
/// returns the page. What the derive's `Article::fetch_page(&pool, &args)`
/// calls; the row type also needs `#[derive(sqlx::FromRow)]`.
pub async fn fetch_page<'c, K, A>(conn: A, args: &PageArgs) -> Result<Page<K::Row>, FetchError>
where
    K: Keyset,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
    K::Row: for<'r> FromRow<'r, <A::Database as Database>::Row> + Send + Unpin,
{
    let query = args.validate::<K>()?;
    Select::<A::Database>::table_of::<K::Row>()?
        .fetch_page(conn, query)
        .await
}

/// [`fetch_page`] in the ordering `order` chosen at run time (a GraphQL
/// `orderBy` argument, say): what the derive's
/// `Article::fetch_page_by(&pool, ArticleOrder::Title, &args)` calls. A
/// cursor minted by another ordering is refused as
/// [`PageError::InvalidCursor`].
pub async fn fetch_page_by<'c, R, A>(
    conn: A,
    order: R::Order,
    args: &PageArgs,
) -> Result<Page<R>, FetchError>
where
    R: Paginate + for<'r> FromRow<'r, <A::Database as Database>::Row> + Send + Unpin,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
{
    let query = AnyKeysetQuery::new(order, args)?;
    Select::<A::Database>::table_of::<R>()?
        .fetch_any(conn, query)
        .await
}

/// A page's statement, built for its ordering, and the assembly of its
/// result (which needs the ordering's type, erased here so that
/// [`Select::fetch_any`] runs one code path whatever ordering was chosen).
struct Prepared<DB: SqlxDatabase, R> {
    statement: QueryBuilder<DB>,
    keys: &'static [KeySpec],
    values: fn(&R) -> Vec<Value>,
    /// `None`: one page; `Some(n)`: a batch statement of `n` parents.
    groups: Option<usize>,
    finish: Finish<R>,
}

/// [`PagePlan::finish`] of the ordering a [`Prepared`] was built for.
type Finish<R> = Box<dyn Fn(Vec<R>, bool) -> Result<Page<R>, RowError> + Send>;

impl From<RowError> for FetchError {
    fn from(e: RowError) -> Self {
        match e {
            RowError::NotPastCursor(e) => FetchError::NotPastCursor(e),
            // Shown to the client as the page's error, `KEY_TOO_LONG`.
            RowError::KeyTooLong(e) => FetchError::Page(e.into()),
        }
    }
}

/// A row's key values in the ordering `K`, as keypage binds them.
fn key_values<K: Keyset>(row: &K::Row) -> Vec<Value> {
    K::from_row(row).values()
}

impl<DB: SqlxDatabase, R: 'static> Prepared<DB, R> {
    fn new<K: Keyset<Row = R>>(
        select: &Select<'_, DB>,
        query: KeysetQuery<K>,
    ) -> Result<Self, UnsupportedValue> {
        let plan = PagePlan::new(query);
        let statement = select.page_query(&plan)?;
        Ok(Self::of(plan, statement, None))
    }

    fn of<K: Keyset<Row = R>>(
        plan: PagePlan<K>,
        statement: QueryBuilder<DB>,
        groups: Option<usize>,
    ) -> Self {
        Prepared {
            statement,
            keys: K::ORDERING.keys,
            values: key_values::<K>,
            groups,
            finish: Box::new(move |rows, probe| plan.finish(rows, probe)),
        }
    }

    /// Runs the statement on `conn` and assembles the page.
    async fn run(self, conn: &mut DB::Connection) -> Result<Page<R>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        let mut pages = self.run_all(conn).await?;
        Ok(pages.swap_remove(0))
    }

    /// Runs the statement on `conn` and assembles its pages, one per group.
    async fn run_all(mut self, conn: &mut DB::Connection) -> Result<Vec<Page<R>>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        let rows = DB::fetch_page_rows::<R>(
            conn,
            &mut self.statement,
            self.keys,
            self.values,
            self.groups,
        )
        .await?;
        let pages = rows
            .into_iter()
            .map(|(rows, probe)| (self.finish)(rows, probe));
        Ok(pages.collect::<Result<_, _>>()?)
    }
}

/// `totalCount` of a `#[paginate(table = "...")]` type: `COUNT(*)` over its
/// table, run only when called.
pub async fn count<'c, R, A>(conn: A) -> Result<i64, FetchError>
where
    R: Paginate,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
{
    Select::<A::Database>::table_of::<R>()?.count(conn).await
}

/// Not public API: the sqlx methods `#[derive(Paginate)]` adds to a type
/// with `#[paginate(table = "...")]`, as
/// `::keypage::__private::__keypage_sqlx_methods!(Article, "articles");`. Without a
/// sqlx feature the macro expands to nothing, so the derive emits it
/// unconditionally.
#[doc(hidden)]
#[macro_export]
macro_rules! __keypage_sqlx_methods {
    ($row:ty, $table:literal) => {
        #[automatically_derived]
        impl $row {
            /// This type's columns from its table (`#[paginate(table = "...")]`),
            /// to page with your own filters: add them with `filter` /
            /// `filter_some` and pass the result to `Select::fetch_page`,
            /// `Select::fetch_any`, `Select::count` or, with the `graphql`
            /// feature, to the connection request's `select`.
            ///
            /// The database `DB` is usually inferred from the pool it is
            /// used with.
            #[must_use]
            pub fn table<'f, DB: $crate::sql::sqlx::SqlxDatabase>()
            -> $crate::sql::sqlx::Select<'f, DB> {
                $crate::sql::sqlx::Select::of_table($table, <Self as $crate::Paginate>::COLUMNS)
            }

            /// Fetches the page `args` asks for, in the default ordering,
            /// from this type's table, in one statement: the struct's columns
            /// with the keyset condition, `ORDER BY` and `LIMIT first + 1`,
            /// and, when `after` (forward) or `before` (backward) is given,
            /// a `LIMIT 1` probe for the other side's flag in the same
            /// `UNION ALL`. Never a `COUNT`; see `total_count`.
            ///
            /// `conn` is a pool, a connection or a `&mut Transaction`. The
            /// type must also derive `sqlx::FromRow` for the database's rows,
            /// with columns named as in `#[paginate(column = "...")]`.
            ///
            /// The database orders the rows, under the columns' own
            /// collations. An index matching the ordering (e.g.
            /// `(created_at DESC, id DESC)`) makes every page an index seek.
            ///
            /// # Errors
            ///
            /// `FetchError::Page` for invalid `args` (show it to the client),
            /// `FetchError::UnsupportedValue` for a cursor holding a key value
            /// this database cannot store (only a forged cursor can),
            /// `FetchError::Database` when a query fails,
            /// `FetchError::KeyStorage` when a key column stores its values
            /// in another form than keypage binds for the field's type (the
            /// message names the key and the storage to use),
            /// `FetchError::NotPastCursor` when the database returned the
            /// cursor's own row.
            pub async fn fetch_page<'c, A>(
                conn: A,
                args: &$crate::PageArgs,
            ) -> ::core::result::Result<$crate::Page<Self>, $crate::sql::sqlx::FetchError>
            where
                A: $crate::sql::sqlx::Acquire<'c>,
                A::Database: $crate::sql::sqlx::SqlxDatabase,
                Self: for<'r> $crate::sql::sqlx::FromRow<
                        'r,
                        <A::Database as $crate::sql::sqlx::Database>::Row,
                    > + ::core::marker::Send
                    + ::core::marker::Unpin,
            {
                $crate::sql::sqlx::fetch_page::<<Self as $crate::Paginate>::Cursor, A>(conn, args)
                    .await
            }

            /// Like `fetch_page`, in the ordering `order` chosen at run time.
            ///
            /// # Errors
            ///
            /// As `fetch_page`; a cursor minted by another ordering than
            /// `order` is refused as `FetchError::Page`.
            pub async fn fetch_page_by<'c, A>(
                conn: A,
                order: <Self as $crate::Paginate>::Order,
                args: &$crate::PageArgs,
            ) -> ::core::result::Result<$crate::Page<Self>, $crate::sql::sqlx::FetchError>
            where
                A: $crate::sql::sqlx::Acquire<'c>,
                A::Database: $crate::sql::sqlx::SqlxDatabase,
                Self: for<'r> $crate::sql::sqlx::FromRow<
                        'r,
                        <A::Database as $crate::sql::sqlx::Database>::Row,
                    > + ::core::marker::Send
                    + ::core::marker::Unpin,
            {
                $crate::sql::sqlx::fetch_page_by::<Self, A>(conn, order, args).await
            }

            /// `totalCount`: `COUNT(*)` over this type's table. Runs only
            /// when called: `fetch_page` never counts.
            ///
            /// # Errors
            ///
            /// `FetchError::Database` when the query fails.
            pub async fn total_count<'c, A>(
                conn: A,
            ) -> ::core::result::Result<i64, $crate::sql::sqlx::FetchError>
            where
                A: $crate::sql::sqlx::Acquire<'c>,
                A::Database: $crate::sql::sqlx::SqlxDatabase,
            {
                $crate::sql::sqlx::count::<Self, A>(conn).await
            }
        }
    };
}
