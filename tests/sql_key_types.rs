//! Key types against real storage: for each key type and each form
//! applications really store it in, on each database, every walk (forward
//! and backward, in an ascending and a descending ordering, small pages,
//! ties on the key broken by `id`) either returns each row exactly once in
//! the database's own order (the reference is `SELECT id ... ORDER BY k, id`
//! on that database), or is refused on its first page with
//! [`FetchError::KeyStorage`] naming the key. Never a repeated row, a lost
//! row, or a walk longer than rows / page + 2 pages.
//!
//! Rows are written as applications write them: `DEFAULT CURRENT_TIMESTAMP`,
//! `unixepoch()`, `julianday('now')`, `now()`, and sqlx binds of the Rust
//! type; they are read through a struct deriving `Paginate` and
//! `sqlx::FromRow`. Run with `--no-capture` to see the outcome of every
//! case (`MATRIX` lines).
// The derive's slice helpers and order names are not used here.
#![allow(dead_code)]

mod support;

use std::fmt::Debug;
use std::time::Duration;

use keypage::sql::sqlx::{FetchError, SqlxDatabase};
use keypage::{PageArgs, Paginate};
use sqlx::{Encode, Pool, QueryBuilder, Type};

/// Page size of the walks: small, so a walk takes several pages.
const PAGE: i32 = 2;
/// A whole case (all its walks) must finish in this time.
const CASE_TIMEOUT: Duration = Duration::from_secs(60);

/// A row of the test table `t`: `id` and one key `k`.
trait KeyRow: Paginate + Clone + Debug + Send + Unpin + 'static {
    fn id(&self) -> i64;
    /// The orderings: `k asc, id asc` and `k desc, id desc`.
    fn orders() -> [(Self::Order, bool); 2];
    /// Whether `k` is an `Option` (NULLs last in both orderings).
    const NULLABLE: bool;
}

/// A struct `$name { id: i64, k: $t }` paged by `k` in both directions.
macro_rules! key_row {
    ($name:ident, $order:ident, $t:ty, $nullable:expr) => {
        #[derive(Debug, Clone, keypage::Paginate, sqlx::FromRow)]
        #[paginate(order_by = "k asc, id asc", table = "t")]
        #[paginate(ordering(name = "DESC", order_by = "k desc, id desc"))]
        #[allow(dead_code)]
        pub(crate) struct $name {
            pub(crate) id: i64,
            pub(crate) k: $t,
        }
        impl KeyRow for $name {
            fn id(&self) -> i64 {
                self.id
            }
            fn orders() -> [(Self::Order, bool); 2] {
                [($order::Default, true), ($order::Desc, false)]
            }
            const NULLABLE: bool = $nullable;
        }
    };
}

key_row!(I8Row, I8RowOrder, i8, false);
key_row!(I16Row, I16RowOrder, i16, false);
key_row!(I32Row, I32RowOrder, i32, false);
key_row!(I64Row, I64RowOrder, i64, false);
key_row!(U8Row, U8RowOrder, u8, false);
key_row!(U16Row, U16RowOrder, u16, false);
key_row!(U32Row, U32RowOrder, u32, false);
key_row!(U64Row, U64RowOrder, u64, false);
key_row!(F32Row, F32RowOrder, f32, false);
key_row!(F64Row, F64RowOrder, f64, false);
key_row!(OptF64Row, OptF64RowOrder, Option<f64>, true);
key_row!(BoolRow, BoolRowOrder, bool, false);
key_row!(TextRow, TextRowOrder, String, false);
key_row!(OptI64Row, OptI64RowOrder, Option<i64>, true);

#[cfg(feature = "chrono")]
mod chrono_rows {
    use super::*;
    use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    key_row!(UtcRow, UtcRowOrder, DateTime<Utc>, false);
    key_row!(OptUtcRow, OptUtcRowOrder, Option<DateTime<Utc>>, true);
    key_row!(NaiveDtRow, NaiveDtRowOrder, NaiveDateTime, false);
    key_row!(NaiveDateRow, NaiveDateRowOrder, NaiveDate, false);
    key_row!(NaiveTimeRow, NaiveTimeRowOrder, NaiveTime, false);
    pub(crate) use {NaiveDateRow as NDate, NaiveDtRow as NDt, NaiveTimeRow as NTime};
    pub(crate) use {OptUtcRow as OptUtc, UtcRow as Utc_};
}

#[cfg(feature = "time")]
mod time_rows {
    use super::*;
    use sqlx::types::time::{Date, OffsetDateTime, PrimitiveDateTime, Time};
    key_row!(OffsetRow, OffsetRowOrder, OffsetDateTime, false);
    key_row!(PrimitiveRow, PrimitiveRowOrder, PrimitiveDateTime, false);
    key_row!(DateRow, DateRowOrder, Date, false);
    key_row!(TimeRow, TimeRowOrder, Time, false);
    pub(crate) use {
        DateRow as TDate, OffsetRow as TOffset, PrimitiveRow as TPrim, TimeRow as TTime,
    };
}

#[cfg(feature = "uuid")]
key_row!(UuidRow, UuidRowOrder, sqlx::types::Uuid, false);

/// What a case must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Every walk returns each row once, in the database's order.
    Exact,
    /// Every walk is refused on its first page with `KeyStorage` on `k`.
    Refused,
    /// Some rows are stored right and some not: every walk is refused with
    /// `KeyStorage` on `k` at the first page holding a wrong one, and the
    /// pages before it are the reference's first (last, backward) rows.
    RefusedOnTheWay,
}

/// How one walk ended.
enum Walked {
    /// The ids of the walk, in the ordering's order.
    Done(Vec<i64>),
    /// Refused after `pages` pages, with the ids handed out until then.
    Failed {
        pages: usize,
        ids: Vec<i64>,
        error: FetchError,
    },
}

/// Walks the whole table in `order`, forward (`first`/`after`) or backward
/// (`last`/`before`), failing on a repeated row or too many pages.
async fn walk<R, DB>(pool: &Pool<DB>, order: R::Order, forward: bool, rows: usize) -> Walked
where
    DB: SqlxDatabase,
    R: KeyRow + for<'r> sqlx::FromRow<'r, DB::Row>,
    R::Order: Copy,
    for<'c> &'c Pool<DB>: sqlx::Acquire<'c, Database = DB>,
{
    let max_pages = rows / PAGE as usize + 2;
    let mut ids: Vec<i64> = Vec::new();
    let mut cursor: Option<String> = None;
    for pages in 0..max_pages {
        let args = match (forward, cursor.take()) {
            (true, None) => PageArgs::first(PAGE),
            (true, Some(c)) => PageArgs::first(PAGE).after(c),
            (false, None) => PageArgs::last(PAGE),
            (false, Some(c)) => PageArgs::last(PAGE).before(c),
        };
        let page = match keypage::sql::sqlx::fetch_page_by::<R, _>(pool, order, &args).await {
            Ok(page) => page,
            Err(error) => {
                if !forward {
                    ids.reverse();
                }
                return Walked::Failed { pages, ids, error };
            }
        };
        let mut got: Vec<i64> = page.nodes().map(R::id).collect();
        if !forward {
            got.reverse();
        }
        for id in &got {
            assert!(!ids.contains(id), "row {id} repeated; walk so far {ids:?}");
        }
        ids.extend(got);
        let more = if forward {
            page.page_info.has_next_page
        } else {
            page.page_info.has_previous_page
        };
        if !more {
            if !forward {
                ids.reverse();
            }
            return Walked::Done(ids);
        }
        cursor = if forward {
            page.page_info.end_cursor
        } else {
            page.page_info.start_cursor
        };
        assert!(cursor.is_some(), "a page with more rows and no cursor");
    }
    panic!("walk did not end within {max_pages} pages of {PAGE} over {rows} rows: {ids:?}");
}

/// What the three databases need from the harness.
#[allow(async_fn_in_trait)]
trait Db: SqlxDatabase + Sized {
    const LABEL: &'static str;
    /// A fresh pool for a new table, where the database needs one.
    async fn renew(pool: &mut Pool<Self>);
    async fn exec(pool: &Pool<Self>, sql: &str);
    /// `SELECT id FROM t ORDER BY ...`.
    async fn ids(pool: &Pool<Self>, order_by: &str) -> Vec<i64>;
    /// `INSERT INTO t (id, k)` each row, `k` a sqlx bind of the Rust value.
    async fn insert<T>(pool: &Pool<Self>, rows: Vec<(i64, T)>) -> Result<(), sqlx::Error>
    where
        T: for<'q> Encode<'q, Self> + Type<Self> + Send + 'static;
}

macro_rules! db {
    ($db:ty, $name:literal, $renew:expr) => {
        impl Db for $db {
            const LABEL: &'static str = $name;
            async fn renew(pool: &mut Pool<Self>) {
                if let Some(fresh) = $renew {
                    pool.close().await;
                    *pool = fresh;
                }
            }
            async fn exec(pool: &Pool<Self>, sql: &str) {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {sql}: {e}", $name));
            }
            async fn ids(pool: &Pool<Self>, order_by: &str) -> Vec<i64> {
                QueryBuilder::<Self>::new(format!("SELECT id FROM t ORDER BY {order_by}"))
                    .build_query_scalar::<i64>()
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
            async fn insert<T>(pool: &Pool<Self>, rows: Vec<(i64, T)>) -> Result<(), sqlx::Error>
            where
                T: for<'q> Encode<'q, Self> + Type<Self> + Send + 'static,
            {
                for (id, k) in rows {
                    let mut qb = QueryBuilder::<Self>::new("INSERT INTO t (id, k) VALUES (");
                    qb.push_bind(id).push(", ").push_bind(k).push(")");
                    qb.build().execute(pool).await?;
                }
                Ok(())
            }
        }
    };
}
db!(sqlx::Sqlite, "SQLite", None::<Pool<sqlx::Sqlite>>);
db!(sqlx::Postgres, "PostgreSQL", support::pg_pool().await);
db!(sqlx::MySql, "MariaDB", None::<Pool<sqlx::MySql>>);

/// Checks every walk of `t` through `R` against `expect`, and prints the
/// outcome as a `MATRIX` line.
async fn check<R, DB>(pool: &Pool<DB>, ty: &str, storage: &str, expect: Expect)
where
    DB: Db,
    R: KeyRow + for<'r> sqlx::FromRow<'r, DB::Row>,
    R::Order: Copy,
    for<'c> &'c Pool<DB>: sqlx::Acquire<'c, Database = DB>,
{
    let label = format!("{} | {ty} | {storage}", DB::LABEL);
    let body = async {
        let mut outcome = String::new();
        for (order, asc) in R::orders() {
            let dir = if asc { "ASC" } else { "DESC" };
            let nulls = if R::NULLABLE {
                "CASE WHEN k IS NULL THEN 1 ELSE 0 END, "
            } else {
                ""
            };
            let reference = DB::ids(pool, &format!("{nulls}k {dir}, id {dir}")).await;
            for forward in [true, false] {
                let what = format!(
                    "{label} | {} {}",
                    if asc { "asc" } else { "desc" },
                    if forward { "forward" } else { "backward" }
                );
                match (
                    walk::<R, DB>(pool, order, forward, reference.len()).await,
                    expect,
                ) {
                    (Walked::Done(ids), Expect::Exact) => {
                        assert_eq!(ids, reference, "{what}: not the database's order");
                        outcome = format!("exact ({} rows)", ids.len());
                    }
                    (
                        Walked::Failed {
                            pages: 0,
                            error: FetchError::KeyStorage(e),
                            ..
                        },
                        Expect::Refused,
                    ) => {
                        assert_eq!(e.key, "k", "{what}: {e}");
                        outcome = format!("refused: {e}");
                    }
                    (
                        Walked::Failed {
                            pages,
                            ids,
                            error: FetchError::KeyStorage(e),
                        },
                        Expect::RefusedOnTheWay,
                    ) => {
                        assert_eq!(e.key, "k", "{what}: {e}");
                        let run = if forward {
                            &reference[..ids.len()]
                        } else {
                            &reference[reference.len() - ids.len()..]
                        };
                        assert_eq!(ids, run, "{what}: wrong rows before the refusal");
                        outcome = format!(
                            "refused on the way ({asc_dir} after {pages} exact pages): {e}",
                            asc_dir = if forward { "forward" } else { "backward" }
                        );
                    }
                    (Walked::Done(ids), Expect::Refused | Expect::RefusedOnTheWay) => {
                        panic!(
                            "{what}: expected a KeyStorage refusal, walked {ids:?} (reference {reference:?})"
                        )
                    }
                    (Walked::Failed { pages, ids, error }, _) => panic!(
                        "{what}: failed after {pages} pages ({ids:?}, reference {reference:?}): {error}"
                    ),
                }
            }
        }
        eprintln!("MATRIX {label} | {outcome}");
    };
    tokio::time::timeout(CASE_TIMEOUT, body)
        .await
        .unwrap_or_else(|_| panic!("{label}: timed out"));
}

/// Replaces the table `t` with `ddl` and runs `fill`. On PostgreSQL in a
/// fresh pool (and schema): its connections' prepared statements would
/// otherwise outlive the old table's column type ("cached plan must not
/// change result type"), which no application that keeps its schema sees.
async fn table<DB: Db>(pool: &mut Pool<DB>, ddl: &str, fill: &[&str]) {
    DB::renew(pool).await;
    DB::exec(pool, "DROP TABLE IF EXISTS t").await;
    DB::exec(pool, ddl).await;
    for sql in fill {
        DB::exec(pool, sql).await;
    }
}

/// Rows with ties: each value twice (ids interleaved), in a scrambled
/// order of insertion.
fn with_ties<T: Clone>(values: &[T]) -> Vec<(i64, T)> {
    let n = values.len() as i64;
    let mut rows: Vec<(i64, T)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let i = i as i64;
        rows.push((2 * n - i, v.clone()));
        rows.push((i + 1, v.clone()));
    }
    rows
}

/// Integers and their extremes, as bound by sqlx, over the column type
/// given for each: `ints!(pool, DB, [(I8Row, i8, "CREATE TABLE ...")])`.
macro_rules! ints {
    ($pool:ident, $db:ty, [$(($row:ty, $t:ty, $ddl:expr)),* $(,)?]) => {{
        $(
            let ddl: &str = $ddl;
            table(&mut $pool, ddl, &[]).await;
            let values: Vec<$t> = vec![<$t>::MIN, <$t>::MIN + 1, 0, 1, <$t>::MAX - 1, <$t>::MAX, 7];
            <$db>::insert(&$pool, with_ties(&values)).await.unwrap();
            check::<$row, $db>(&$pool, stringify!($t), ddl, Expect::Exact).await;
        )*
    }};
}

// ---------------------------------------------------------------- SQLite

async fn sqlite() -> Pool<sqlx::Sqlite> {
    support::sqlite_pool().await
}

#[tokio::test]
async fn sqlite_integers() {
    let mut pool = sqlite().await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL)";
    ints!(
        pool,
        sqlx::Sqlite,
        [
            (I8Row, i8, ddl),
            (I16Row, i16, ddl),
            (I32Row, i32, ddl),
            (I64Row, i64, ddl)
        ]
    );
    // Unsigned: sqlx-sqlite binds `u8`..`u32` and reads `u64` (written as
    // `i64`, so up to `i64::MAX`; larger values have no SQLite integer).
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[0u8, 1, 128, u8::MAX]))
        .await
        .unwrap();
    check::<U8Row, _>(&pool, "u8", ddl, Expect::Exact).await;
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[0u16, 1, 300, u16::MAX]))
        .await
        .unwrap();
    check::<U16Row, _>(&pool, "u16", ddl, Expect::Exact).await;
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[0u32, 1, 70_000, u32::MAX]))
        .await
        .unwrap();
    check::<U32Row, _>(&pool, "u32", ddl, Expect::Exact).await;
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[0i64, 1, i64::MAX - 1, i64::MAX]))
        .await
        .unwrap();
    check::<U64Row, _>(&pool, "u64 (up to i64::MAX)", ddl, Expect::Exact).await;
    // Optional integers with NULLs.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(
        &pool,
        with_ties(&[None, Some(i64::MIN), Some(0), Some(i64::MAX)]),
    )
    .await
    .unwrap();
    check::<OptI64Row, _>(&pool, "Option<i64>", ddl, Expect::Exact).await;
    // Booleans: sqlx binds 0 and 1; SQL `TRUE`/`FALSE` are 1 and 0 too.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BOOLEAN NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[true, false, true]))
        .await
        .unwrap();
    sqlx::Sqlite::exec(&pool, "INSERT INTO t VALUES (100, TRUE), (101, FALSE)").await;
    check::<BoolRow, _>(
        &pool,
        "bool",
        "BOOLEAN (binds and TRUE/FALSE)",
        Expect::Exact,
    )
    .await;
    // A boolean stored as 2 reads as `true` but binds as 1.
    sqlx::Sqlite::exec(&pool, "INSERT INTO t VALUES (102, 2)").await;
    check::<BoolRow, _>(
        &pool,
        "bool",
        "INTEGER 0/1 and one 2",
        Expect::RefusedOnTheWay,
    )
    .await;
}

/// A cursor of `F64Row` at `k` (a client can forge any).
fn f64_cursor(k: f64) -> String {
    use keypage::{Cursor as _, Keyset as _};
    <F64Row as Paginate>::Cursor::from_row(&F64Row { id: 1, k }).encode()
}

/// The floats every test writes: zeros of both signs, infinities,
/// subnormals, extremes, ties.
fn floats() -> Vec<f64> {
    vec![
        -0.0,
        0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE / 4.0,
        -f64::MIN_POSITIVE / 4.0,
        5e-324,
        f64::MAX,
        f64::MIN,
        1.5,
        -2.25,
        0.1,
    ]
}

fn floats32() -> Vec<f32> {
    vec![
        -0.0,
        0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE / 4.0,
        1e-45,
        f32::MAX,
        f32::MIN,
        0.1,
        -2.25,
    ]
}

#[tokio::test]
async fn sqlite_floats() {
    let mut pool = sqlite().await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&floats()))
        .await
        .unwrap();
    check::<F64Row, _>(&pool, "f64", "REAL (-0.0, ±inf, subnormals)", Expect::Exact).await;
    // SQLite stores NaN as NULL: a NOT NULL column refuses it.
    let nan = sqlx::Sqlite::insert(&pool, vec![(1000, f64::NAN)]).await;
    assert!(nan.is_err(), "SQLite stored a NaN in a NOT NULL column");
    eprintln!("MATRIX SQLite | f64 | REAL NOT NULL, NaN bound | insert refused (NaN is NULL)");
    // In a nullable column NaN is NULL, read as `None`.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL)";
    table(&mut pool, ddl, &[]).await;
    let mut values: Vec<Option<f64>> = floats().into_iter().map(Some).collect();
    values.push(Some(f64::NAN));
    values.push(None);
    sqlx::Sqlite::insert(&pool, with_ties(&values))
        .await
        .unwrap();
    check::<OptF64Row, _>(
        &pool,
        "Option<f64>",
        "REAL with NaN bound (stored NULL)",
        Expect::Exact,
    )
    .await;
    // f32 written by sqlx binds of f32: exact.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&floats32()))
        .await
        .unwrap();
    check::<F32Row, _>(&pool, "f32", "REAL written by f32 binds", Expect::Exact).await;
    // f32 over doubles no f32 holds (SQL literal 0.1): refused.
    table(
        &mut pool,
        ddl,
        &["INSERT INTO t VALUES (1, 0.1), (2, 0.2), (3, 0.1), (4, 0.3)"],
    )
    .await;
    check::<F32Row, _>(&pool, "f32", "REAL literals 0.1, 0.2", Expect::Refused).await;
    // f64 over a NUMERIC column, where SQLite keeps 2.0 as INTEGER 2.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k NUMERIC NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[2.0f64, 1.0, 3.0]))
        .await
        .unwrap();
    check::<F64Row, _>(
        &pool,
        "f64",
        "NUMERIC holding 2.0 (stored INTEGER)",
        Expect::Refused,
    )
    .await;
}

#[tokio::test]
async fn sqlite_forged_nan_cursor_is_refused() {
    let mut pool = sqlite().await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL)",
        &[],
    )
    .await;
    sqlx::Sqlite::insert(&pool, with_ties(&[1.0f64, 2.0]))
        .await
        .unwrap();
    let forged = f64_cursor(f64::NAN);
    let args = PageArgs::first(2).after(forged);
    let err = F64Row::fetch_page(&pool, &args).await.unwrap_err();
    match err {
        FetchError::UnsupportedValue(e) => {
            assert_eq!(e.argument, Some("after"));
            eprintln!("MATRIX SQLite | f64 | forged NaN cursor | UnsupportedValue: {e}");
        }
        other => panic!("a NaN cursor on SQLite: {other}"),
    }
}

/// A range bound SQLite cannot bind (a NaN, a `u64` above `i64::MAX`) is
/// refused, naming the key, by the page and the count alike, before any
/// statement; a bindable one filters.
#[tokio::test]
async fn sqlite_unbindable_range_bounds_are_refused() {
    use keypage::KeyRange;
    use keypage::sql::sqlx::Select;

    let mut pool = sqlite().await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&[1.0f64, 2.0, 3.0]))
        .await
        .unwrap();
    let refused = |e: FetchError| match e {
        FetchError::UnsupportedValue(e) => {
            assert_eq!((e.range, e.argument), (Some("k"), None), "{e}");
        }
        other => panic!("a NaN bound on SQLite: {other}"),
    };
    let nan = Select::<sqlx::Sqlite>::table_of::<F64Row>().unwrap().range(
        F64Row::k_column(),
        KeyRange::default().gte(0.0).lt(f64::NAN),
    );
    let query = PageArgs::first(2).validate::<<F64Row as Paginate>::Cursor>();
    refused(nan.fetch_page(&pool, query.unwrap()).await.unwrap_err());
    refused(nan.count(&pool).await.unwrap_err());
    refused(nan.count_at_most(&pool, 10).await.unwrap_err());
    let kept = Select::<sqlx::Sqlite>::table_of::<F64Row>()
        .unwrap()
        .range(F64Row::k_column(), KeyRange::default().gt(1.0));
    assert_eq!(kept.count(&pool).await.unwrap(), 4);

    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let huge = Select::<sqlx::Sqlite>::table_of::<U64Row>()
        .unwrap()
        .range(U64Row::k_column(), KeyRange::default().lt(u64::MAX));
    refused(huge.count(&pool).await.unwrap_err());
}

#[tokio::test]
async fn sqlite_text() {
    let mut pool = sqlite().await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let texts: Vec<String> = ["a", "a ", "B", "", "é", "it's", "\u{10FFFF}", "a\u{0}b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    sqlx::Sqlite::insert(&pool, with_ties(&texts))
        .await
        .unwrap();
    check::<TextRow, _>(&pool, "String", ddl, Expect::Exact).await;
}

#[cfg(feature = "chrono")]
#[tokio::test]
async fn sqlite_chrono() {
    use chrono_rows::*;
    use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    let mut pool = sqlite().await;
    let utc = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
    let stamps = [
        utc("2024-01-01T12:00:00Z"),
        utc("2024-01-01T12:00:00.5Z"),
        utc("2024-01-01T12:00:00.000001Z"),
        utc("2024-01-01T12:00:00.123456789Z"),
        utc("1969-12-31T23:59:59Z"),
        utc("2038-01-19T03:14:08Z"),
    ];
    let text = "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)";
    let current =
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    let fill_current: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, datetime('now', '-1 day')), (5, datetime('now', '-1 day')), \
         (6, datetime('now', '+1 hour')), (7, datetime('now', '-3 seconds'))",
    ];
    let unix = "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL DEFAULT (unixepoch()))";
    let fill_unix: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, unixepoch('now', '-1 day')), (5, unixepoch('now', '-1 day')), \
         (6, unixepoch('now', '+1 hour')), (7, unixepoch('now', '-3 seconds'))",
    ];
    let julian =
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL DEFAULT (julianday('now')))";
    let fill_julian: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, julianday('now', '-1 day')), (5, julianday('now', '-1 day')), \
         (6, julianday('now', '+1 hour')), (7, julianday('now', '-3 seconds'))",
    ];

    // DateTime<Utc>
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&stamps))
        .await
        .unwrap();
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "TEXT written by sqlx",
        Expect::Exact,
    )
    .await;
    table(&mut pool, current, fill_current).await;
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "TEXT DEFAULT CURRENT_TIMESTAMP",
        Expect::Refused,
    )
    .await;
    table(&mut pool, unix, fill_unix).await;
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "INTEGER unixepoch()",
        Expect::Refused,
    )
    .await;
    table(&mut pool, julian, fill_julian).await;
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "REAL julianday('now')",
        Expect::Refused,
    )
    .await;
    // Option<DateTime<Utc>> with NULLs, written by sqlx.
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT)",
        &[],
    )
    .await;
    let mut opt: Vec<Option<DateTime<Utc>>> = stamps.iter().copied().map(Some).collect();
    opt.push(None);
    sqlx::Sqlite::insert(&pool, with_ties(&opt)).await.unwrap();
    check::<OptUtc, _>(
        &pool,
        "Option<DateTime<Utc>>",
        "TEXT written by sqlx, NULLs",
        Expect::Exact,
    )
    .await;

    // NaiveDateTime: CURRENT_TIMESTAMP writes its form exactly.
    let naive: Vec<NaiveDateTime> = stamps.iter().map(|s| s.naive_utc()).collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&naive))
        .await
        .unwrap();
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "TEXT written by sqlx",
        Expect::Exact,
    )
    .await;
    table(&mut pool, current, fill_current).await;
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "TEXT DEFAULT CURRENT_TIMESTAMP",
        Expect::Exact,
    )
    .await;
    // Both forms in one column: sqlx's text and CURRENT_TIMESTAMP's agree.
    sqlx::Sqlite::insert(
        &pool,
        with_ties(&naive)
            .into_iter()
            .map(|(i, v)| (i + 100, v))
            .collect(),
    )
    .await
    .unwrap();
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "TEXT, CURRENT_TIMESTAMP and sqlx mixed",
        Expect::Exact,
    )
    .await;
    table(&mut pool, unix, fill_unix).await;
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "INTEGER unixepoch()",
        Expect::Refused,
    )
    .await;
    table(&mut pool, julian, fill_julian).await;
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "REAL julianday('now')",
        Expect::Refused,
    )
    .await;
    // ISO text with a `T` (another tool's format): refused.
    table(
        &mut pool,
        text,
        &["INSERT INTO t VALUES (1, '2024-01-01T12:00:00'), (2, '2024-01-01T12:00:00'), (3, '2024-01-02T00:00:00')"],
    )
    .await;
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "TEXT ISO 8601 with T",
        Expect::Refused,
    )
    .await;

    // NaiveDate / NaiveTime
    let dates: Vec<NaiveDate> = naive.iter().map(|d| d.date()).collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&dates))
        .await
        .unwrap();
    check::<NDate, _>(&pool, "NaiveDate", "TEXT written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_DATE)",
        &[
            "INSERT INTO t (id) VALUES (1), (2)",
            "INSERT INTO t VALUES (3, date('now', '-1 day')), (4, date('now', '+3 days'))",
        ],
    )
    .await;
    check::<NDate, _>(
        &pool,
        "NaiveDate",
        "TEXT DEFAULT CURRENT_DATE",
        Expect::Exact,
    )
    .await;
    table(&mut pool, unix, fill_unix).await;
    check::<NDate, _>(&pool, "NaiveDate", "INTEGER unixepoch()", Expect::Refused).await;
    let times: Vec<_> = naive.iter().map(|d| d.time()).collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&times))
        .await
        .unwrap();
    check::<NTime, _>(&pool, "NaiveTime", "TEXT written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_TIME)",
        &[
            "INSERT INTO t (id) VALUES (1), (2)",
            "INSERT INTO t VALUES (3, time('now', '-1 hour')), (4, time('now', '+3 minutes'))",
        ],
    )
    .await;
    check::<NTime, _>(
        &pool,
        "NaiveTime",
        "TEXT DEFAULT CURRENT_TIME",
        Expect::Exact,
    )
    .await;
}

#[cfg(feature = "time")]
#[tokio::test]
async fn sqlite_time() {
    use sqlx::types::time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
    use time_rows::*;
    let mut pool = sqlite().await;
    let base = OffsetDateTime::from_unix_timestamp(1_704_110_400).unwrap();
    let stamps: Vec<OffsetDateTime> = vec![
        base,
        base + Duration::from_millis(500),
        base + Duration::from_micros(1),
        base + Duration::from_nanos(123_456_789),
        base - Duration::from_secs(86_400),
    ];
    let text = "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)";
    let current =
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    let fill_current: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, datetime('now', '-1 day')), (5, datetime('now', '+1 hour'))",
    ];
    let unix = "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL DEFAULT (unixepoch()))";
    let fill_unix: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, unixepoch('now', '-1 day')), (5, unixepoch('now', '+1 hour'))",
    ];

    // OffsetDateTime, UTC, written by sqlx: exact in SQLite's (byte) order.
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&stamps))
        .await
        .unwrap();
    check::<TOffset, _>(
        &pool,
        "OffsetDateTime",
        "TEXT written by sqlx (UTC)",
        Expect::Exact,
    )
    .await;
    // Written with another offset: the cursor keeps the UTC instant, whose
    // text differs from the stored one.
    let east = UtcOffset::from_hms(2, 0, 0).unwrap();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(
        &pool,
        with_ties(&stamps.iter().map(|s| s.to_offset(east)).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<TOffset, _>(
        &pool,
        "OffsetDateTime",
        "TEXT written by sqlx (+02:00)",
        Expect::Refused,
    )
    .await;
    table(&mut pool, current, fill_current).await;
    check::<TOffset, _>(
        &pool,
        "OffsetDateTime",
        "TEXT DEFAULT CURRENT_TIMESTAMP",
        Expect::Refused,
    )
    .await;
    table(&mut pool, unix, fill_unix).await;
    check::<TOffset, _>(
        &pool,
        "OffsetDateTime",
        "INTEGER unixepoch()",
        Expect::Refused,
    )
    .await;

    // PrimitiveDateTime: sqlx writes `.0` for whole seconds, so
    // CURRENT_TIMESTAMP's text is not its form.
    let prim: Vec<_> = stamps
        .iter()
        .map(|s| PrimitiveDateTime::new(s.date(), s.time()))
        .collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&prim)).await.unwrap();
    check::<TPrim, _>(
        &pool,
        "PrimitiveDateTime",
        "TEXT written by sqlx",
        Expect::Exact,
    )
    .await;
    table(&mut pool, current, fill_current).await;
    check::<TPrim, _>(
        &pool,
        "PrimitiveDateTime",
        "TEXT DEFAULT CURRENT_TIMESTAMP",
        Expect::Refused,
    )
    .await;
    table(&mut pool, unix, fill_unix).await;
    check::<TPrim, _>(
        &pool,
        "PrimitiveDateTime",
        "INTEGER unixepoch()",
        Expect::Refused,
    )
    .await;

    // Date / Time
    let dates: Vec<_> = prim.iter().map(|d| d.date()).collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&dates))
        .await
        .unwrap();
    check::<TDate, _>(&pool, "time::Date", "TEXT written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_DATE)",
        &[
            "INSERT INTO t (id) VALUES (1), (2)",
            "INSERT INTO t VALUES (3, date('now', '-1 day'))",
        ],
    )
    .await;
    check::<TDate, _>(
        &pool,
        "time::Date",
        "TEXT DEFAULT CURRENT_DATE",
        Expect::Exact,
    )
    .await;
    let times: Vec<_> = prim.iter().map(|d| d.time()).collect();
    table(&mut pool, text, &[]).await;
    sqlx::Sqlite::insert(&pool, with_ties(&times))
        .await
        .unwrap();
    check::<TTime, _>(&pool, "time::Time", "TEXT written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL DEFAULT CURRENT_TIME)",
        &[
            "INSERT INTO t (id) VALUES (1), (2)",
            "INSERT INTO t VALUES (3, time('now', '-1 hour'))",
        ],
    )
    .await;
    check::<TTime, _>(
        &pool,
        "time::Time",
        "TEXT DEFAULT CURRENT_TIME",
        Expect::Refused,
    )
    .await;
}

#[cfg(feature = "uuid")]
fn uuids() -> Vec<sqlx::types::Uuid> {
    [
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "7fffffff-0000-0000-0000-000000000001",
        "80000000-0000-0000-0000-000000000000",
        "01234567-89ab-cdef-0123-456789abcdef",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect()
}

#[cfg(feature = "uuid")]
#[tokio::test]
async fn sqlite_uuid() {
    let mut pool = sqlite().await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k BLOB NOT NULL)",
        &[],
    )
    .await;
    sqlx::Sqlite::insert(&pool, with_ties(&uuids()))
        .await
        .unwrap();
    check::<UuidRow, _>(&pool, "Uuid", "BLOB written by sqlx", Expect::Exact).await;
    // UUIDs as hyphenated text: sqlx cannot read them as `Uuid`.
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)",
        &[],
    )
    .await;
    let texts: Vec<String> = uuids().iter().map(|u| u.hyphenated().to_string()).collect();
    sqlx::Sqlite::insert(&pool, with_ties(&texts))
        .await
        .unwrap();
    check::<UuidRow, _>(&pool, "Uuid", "TEXT hyphenated", Expect::Refused).await;
}

// ------------------------------------------------------------ PostgreSQL

#[tokio::test]
async fn postgres_scalars() {
    let Some(mut pool) = support::pg_pool().await else {
        return;
    };
    // sqlx reads `i8` from PostgreSQL's one-byte `"char"` only, which no
    // integer bind compares with.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k \"char\" NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&[i8::MIN, -1, 0, 1, i8::MAX]))
        .await
        .unwrap();
    check::<I8Row, _>(&pool, "i8", ddl, Expect::Refused).await;
    ints!(
        pool,
        sqlx::Postgres,
        [
            (
                I16Row,
                i16,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k SMALLINT NOT NULL)"
            ),
            (
                I32Row,
                i32,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k INTEGER NOT NULL)"
            ),
            (
                I64Row,
                i64,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k BIGINT NOT NULL)"
            ),
        ]
    );
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BIGINT)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Postgres::insert(
        &pool,
        with_ties(&[None, Some(i64::MIN), Some(0), Some(i64::MAX)]),
    )
    .await
    .unwrap();
    check::<OptI64Row, _>(&pool, "Option<i64>", ddl, Expect::Exact).await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BOOLEAN NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&[true, false, true]))
        .await
        .unwrap();
    check::<BoolRow, _>(&pool, "bool", ddl, Expect::Exact).await;
    // Floats: NaN sorts above +inf, -0.0 equals 0.0 (ties broken by id).
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k DOUBLE PRECISION NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let mut values = floats();
    values.push(f64::NAN);
    sqlx::Postgres::insert(&pool, with_ties(&values))
        .await
        .unwrap();
    check::<F64Row, _>(
        &pool,
        "f64",
        "double precision (NaN, ±inf, -0.0, subnormals)",
        Expect::Exact,
    )
    .await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k REAL NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let mut values = floats32();
    values.push(f32::NAN);
    sqlx::Postgres::insert(&pool, with_ties(&values))
        .await
        .unwrap();
    check::<F32Row, _>(
        &pool,
        "f32",
        "real (NaN, ±inf, -0.0, subnormals)",
        Expect::Exact,
    )
    .await;
    // f64 over `real`: sqlx refuses to decode it.
    check::<F64Row, _>(&pool, "f64", "real", Expect::Refused).await;
    // Text: `text` and `varchar` compare with a text bind as they order;
    // `char(n)` pads, so it does not.
    let texts: Vec<String> = ["a", "a ", "B", "", "é", "it's"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for ddl in [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT COLLATE \"C\" NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k VARCHAR(20) NOT NULL)",
    ] {
        table(&mut pool, ddl, &[]).await;
        sqlx::Postgres::insert(&pool, with_ties(&texts))
            .await
            .unwrap();
        check::<TextRow, _>(&pool, "String", ddl, Expect::Exact).await;
    }
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k CHAR(4) NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&texts))
        .await
        .unwrap();
    check::<TextRow, _>(&pool, "String", ddl, Expect::Refused).await;
}

#[cfg(feature = "chrono")]
#[tokio::test]
async fn postgres_chrono() {
    use chrono_rows::*;
    use sqlx::types::chrono::{DateTime, NaiveDateTime, Utc};
    let Some(mut pool) = support::pg_pool().await else {
        return;
    };
    let utc = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
    let stamps = [
        utc("2024-01-01T12:00:00Z"),
        utc("2024-01-01T12:00:00.5Z"),
        utc("2024-01-01T12:00:00.000001Z"),
        utc("1969-12-31T23:59:59Z"),
        utc("2038-01-19T03:14:08Z"),
    ];
    let tz = "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMPTZ NOT NULL DEFAULT now())";
    let naive =
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    let fill: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, now() - interval '1 day'), (5, now() - interval '1 day'), (6, now() + interval '1 hour')",
    ];
    table(&mut pool, tz, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&stamps))
        .await
        .unwrap();
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "timestamptz written by sqlx",
        Expect::Exact,
    )
    .await;
    table(&mut pool, tz, fill).await;
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "timestamptz DEFAULT now()",
        Expect::Exact,
    )
    .await;
    table(&mut pool, naive, fill).await;
    check::<Utc_, _>(
        &pool,
        "DateTime<Utc>",
        "timestamp DEFAULT CURRENT_TIMESTAMP",
        Expect::Refused,
    )
    .await;
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "timestamp DEFAULT CURRENT_TIMESTAMP",
        Expect::Exact,
    )
    .await;
    let naive_values: Vec<NaiveDateTime> = stamps.iter().map(|s| s.naive_utc()).collect();
    table(&mut pool, naive, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&naive_values))
        .await
        .unwrap();
    check::<NDt, _>(
        &pool,
        "NaiveDateTime",
        "timestamp written by sqlx",
        Expect::Exact,
    )
    .await;
    table(&mut pool, tz, fill).await;
    check::<NDt, _>(&pool, "NaiveDateTime", "timestamptz", Expect::Refused).await;
    let date = "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATE NOT NULL DEFAULT CURRENT_DATE)";
    table(
        &mut pool,
        date,
        &[
            "INSERT INTO t (id) VALUES (1), (2)",
            "INSERT INTO t VALUES (3, CURRENT_DATE - 1)",
        ],
    )
    .await;
    check::<NDate, _>(
        &pool,
        "NaiveDate",
        "date DEFAULT CURRENT_DATE",
        Expect::Exact,
    )
    .await;
    check::<NDt, _>(&pool, "NaiveDateTime", "date", Expect::Refused).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIME NOT NULL)",
        &[],
    )
    .await;
    sqlx::Postgres::insert(
        &pool,
        with_ties(&naive_values.iter().map(|d| d.time()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<NTime, _>(&pool, "NaiveTime", "time written by sqlx", Expect::Exact).await;
}

#[cfg(feature = "time")]
#[tokio::test]
async fn postgres_time() {
    use sqlx::types::time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
    use time_rows::*;
    let Some(mut pool) = support::pg_pool().await else {
        return;
    };
    let base = OffsetDateTime::from_unix_timestamp(1_704_110_400).unwrap();
    let east = UtcOffset::from_hms(2, 0, 0).unwrap();
    let stamps: Vec<OffsetDateTime> = vec![
        base,
        base + Duration::from_millis(500),
        base + Duration::from_micros(1),
        base - Duration::from_secs(86_400),
        (base + Duration::from_secs(3_600)).to_offset(east),
    ];
    let tz = "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMPTZ NOT NULL)";
    table(&mut pool, tz, &[]).await;
    sqlx::Postgres::insert(&pool, with_ties(&stamps))
        .await
        .unwrap();
    check::<TOffset, _>(
        &pool,
        "OffsetDateTime",
        "timestamptz written by sqlx (mixed offsets)",
        Expect::Exact,
    )
    .await;
    check::<TPrim, _>(&pool, "PrimitiveDateTime", "timestamptz", Expect::Refused).await;
    let prim: Vec<PrimitiveDateTime> = stamps
        .iter()
        .map(|s| PrimitiveDateTime::new(s.date(), s.time()))
        .collect();
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP NOT NULL)",
        &[],
    )
    .await;
    sqlx::Postgres::insert(&pool, with_ties(&prim))
        .await
        .unwrap();
    check::<TPrim, _>(
        &pool,
        "PrimitiveDateTime",
        "timestamp written by sqlx",
        Expect::Exact,
    )
    .await;
    check::<TOffset, _>(&pool, "OffsetDateTime", "timestamp", Expect::Refused).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATE NOT NULL)",
        &[],
    )
    .await;
    sqlx::Postgres::insert(
        &pool,
        with_ties(&prim.iter().map(|p| p.date()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<TDate, _>(&pool, "time::Date", "date written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIME NOT NULL)",
        &[],
    )
    .await;
    sqlx::Postgres::insert(
        &pool,
        with_ties(&prim.iter().map(|p| p.time()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<TTime, _>(&pool, "time::Time", "time written by sqlx", Expect::Exact).await;
}

#[cfg(feature = "uuid")]
#[tokio::test]
async fn postgres_uuid() {
    let Some(mut pool) = support::pg_pool().await else {
        return;
    };
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k UUID NOT NULL DEFAULT gen_random_uuid())",
        &["INSERT INTO t (id) VALUES (100), (101), (102)"],
    )
    .await;
    sqlx::Postgres::insert(&pool, with_ties(&uuids()))
        .await
        .unwrap();
    check::<UuidRow, _>(
        &pool,
        "Uuid",
        "uuid (sqlx binds, gen_random_uuid())",
        Expect::Exact,
    )
    .await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)",
        &[],
    )
    .await;
    let texts: Vec<String> = uuids().iter().map(|u| u.to_string()).collect();
    sqlx::Postgres::insert(&pool, with_ties(&texts))
        .await
        .unwrap();
    check::<UuidRow, _>(&pool, "Uuid", "text", Expect::Refused).await;
}

// --------------------------------------------------------------- MariaDB

#[tokio::test]
async fn mariadb_scalars() {
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    ints!(
        pool,
        sqlx::MySql,
        [
            (
                I8Row,
                i8,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k TINYINT NOT NULL)"
            ),
            (
                I16Row,
                i16,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k SMALLINT NOT NULL)"
            ),
            (
                I32Row,
                i32,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k INT NOT NULL)"
            ),
            (
                I64Row,
                i64,
                "CREATE TABLE t (id BIGINT PRIMARY KEY, k BIGINT NOT NULL)"
            ),
        ]
    );
    macro_rules! unsigned {
        ($row:ty, $t:ty, $ddl:literal) => {{
            table(&mut pool, $ddl, &[]).await;
            let values: Vec<$t> = vec![
                0,
                1,
                <$t>::MAX / 2,
                <$t>::MAX / 2 + 1,
                <$t>::MAX - 1,
                <$t>::MAX,
            ];
            sqlx::MySql::insert(&pool, with_ties(&values))
                .await
                .unwrap();
            check::<$row, _>(&pool, stringify!($t), $ddl, Expect::Exact).await;
        }};
    }
    unsigned!(
        U8Row,
        u8,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TINYINT UNSIGNED NOT NULL)"
    );
    unsigned!(
        U16Row,
        u16,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k SMALLINT UNSIGNED NOT NULL)"
    );
    unsigned!(
        U32Row,
        u32,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k INT UNSIGNED NOT NULL)"
    );
    // Above i64::MAX: only MariaDB/MySQL store these.
    unsigned!(
        U64Row,
        u64,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k BIGINT UNSIGNED NOT NULL)"
    );
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BIGINT)";
    table(&mut pool, ddl, &[]).await;
    sqlx::MySql::insert(
        &pool,
        with_ties(&[None, Some(i64::MIN), Some(0), Some(i64::MAX)]),
    )
    .await
    .unwrap();
    check::<OptI64Row, _>(&pool, "Option<i64>", ddl, Expect::Exact).await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BOOLEAN NOT NULL)";
    table(
        &mut pool,
        ddl,
        &["INSERT INTO t VALUES (100, TRUE), (101, FALSE)"],
    )
    .await;
    sqlx::MySql::insert(&pool, with_ties(&[true, false, true]))
        .await
        .unwrap();
    check::<BoolRow, _>(&pool, "bool", ddl, Expect::Exact).await;
    // Floats: no NaN nor infinity in MariaDB.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k DOUBLE NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let stored = sqlx::MySql::insert(&pool, vec![(1000, bad)]).await;
        assert!(stored.is_err(), "MariaDB stored {bad}");
    }
    eprintln!("MATRIX MariaDB | f64 | DOUBLE, NaN/±inf bound | insert refused");
    let finite: Vec<f64> = floats().into_iter().filter(|f| f.is_finite()).collect();
    sqlx::MySql::insert(&pool, with_ties(&finite))
        .await
        .unwrap();
    check::<F64Row, _>(
        &pool,
        "f64",
        "DOUBLE (-0.0, subnormals, extremes)",
        Expect::Exact,
    )
    .await;
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k FLOAT NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let finite: Vec<f32> = floats32().into_iter().filter(|f| f.is_finite()).collect();
    sqlx::MySql::insert(&pool, with_ties(&finite))
        .await
        .unwrap();
    check::<F32Row, _>(
        &pool,
        "f32",
        "FLOAT (-0.0, subnormals, extremes)",
        Expect::Exact,
    )
    .await;
    let texts: Vec<String> = ["a", "a ", "B", "", "é", "it's"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for ddl in [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k VARCHAR(20) NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TEXT NOT NULL)",
    ] {
        table(&mut pool, ddl, &[]).await;
        sqlx::MySql::insert(&pool, with_ties(&texts)).await.unwrap();
        check::<TextRow, _>(&pool, "String", ddl, Expect::Exact).await;
    }
}

#[tokio::test]
async fn mariadb_values_the_field_type_does_not_hold() {
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    // sqlx reads a DOUBLE into an `f32`, rounded.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k DOUBLE NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    sqlx::MySql::insert(&pool, with_ties(&[0.1f64, 0.2, 0.3]))
        .await
        .unwrap();
    check::<F32Row, _>(&pool, "f32", "DOUBLE 0.1, 0.2", Expect::Refused).await;
    // sqlx reads any integer into a `bool`: one row holding 2.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k BOOLEAN NOT NULL)";
    table(
        &mut pool,
        ddl,
        &["INSERT INTO t VALUES (1, 0), (2, 1), (3, 0), (4, 1), (5, 2)"],
    )
    .await;
    check::<BoolRow, _>(
        &pool,
        "bool",
        "BOOLEAN 0/1 and one 2",
        Expect::RefusedOnTheWay,
    )
    .await;
}

#[tokio::test]
async fn mariadb_enum() {
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    // An ENUM sorts by its definition's order, not as the text bound.
    let ddl = "CREATE TABLE t (id BIGINT PRIMARY KEY, k ENUM('b', 'a', 'c') NOT NULL)";
    table(&mut pool, ddl, &[]).await;
    let texts: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    sqlx::MySql::insert(&pool, with_ties(&texts)).await.unwrap();
    check::<TextRow, _>(&pool, "String", ddl, Expect::Refused).await;
}

#[tokio::test]
async fn mariadb_forged_float_cursors_are_refused() {
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DOUBLE NOT NULL)",
        &[],
    )
    .await;
    sqlx::MySql::insert(&pool, with_ties(&[1.0f64, 2.0]))
        .await
        .unwrap();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let forged = f64_cursor(bad);
        let args = PageArgs::last(2).before(forged);
        match F64Row::fetch_page(&pool, &args).await {
            Err(FetchError::UnsupportedValue(e)) => assert_eq!(e.argument, Some("before")),
            Err(other) => panic!("a {bad} cursor on MariaDB: {other}"),
            Ok(page) => panic!(
                "a {bad} cursor on MariaDB: a page of {} rows",
                page.edges.len()
            ),
        }
    }
}

#[cfg(feature = "chrono")]
#[tokio::test]
async fn mariadb_chrono() {
    use chrono_rows::*;
    use sqlx::types::chrono::{DateTime, NaiveDateTime, Utc};
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    let utc = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
    let stamps = [
        utc("2024-01-01T12:00:00Z"),
        utc("2024-01-01T12:00:00.5Z"),
        utc("2024-01-01T12:00:00.000001Z"),
        utc("1999-12-31T23:59:59Z"),
        utc("2037-01-19T03:14:08Z"),
    ];
    let fill: &[&str] = &[
        "INSERT INTO t (id) VALUES (1), (2), (3)",
        "INSERT INTO t (id, k) VALUES (4, NOW(6) - INTERVAL 1 DAY), (5, NOW(6) - INTERVAL 1 DAY), (6, NOW(6) + INTERVAL 1 HOUR)",
    ];
    for ddl in [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    ] {
        table(&mut pool, ddl, fill).await;
        sqlx::MySql::insert(
            &pool,
            with_ties(&stamps)
                .into_iter()
                .map(|(i, v)| (i + 100, v))
                .collect(),
        )
        .await
        .unwrap();
        check::<Utc_, _>(
            &pool,
            "DateTime<Utc>",
            &format!("{ddl} + sqlx binds"),
            Expect::Exact,
        )
        .await;
        // sqlx reads a TIMESTAMP only as `DateTime<Utc>`.
        let naive = if ddl.contains("k TIMESTAMP") {
            Expect::Refused
        } else {
            Expect::Exact
        };
        check::<NDt, _>(
            &pool,
            "NaiveDateTime",
            &format!("{ddl} + sqlx binds"),
            naive,
        )
        .await;
    }
    let naive: Vec<NaiveDateTime> = stamps.iter().map(|s| s.naive_utc()).collect();
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATE NOT NULL)",
        &[],
    )
    .await;
    sqlx::MySql::insert(
        &pool,
        with_ties(&naive.iter().map(|d| d.date()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<NDate, _>(&pool, "NaiveDate", "DATE written by sqlx", Expect::Exact).await;
    check::<NDt, _>(&pool, "NaiveDateTime", "DATE", Expect::Refused).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIME(6) NOT NULL)",
        &[],
    )
    .await;
    sqlx::MySql::insert(
        &pool,
        with_ties(&naive.iter().map(|d| d.time()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<NTime, _>(&pool, "NaiveTime", "TIME(6) written by sqlx", Expect::Exact).await;
}

#[cfg(feature = "time")]
#[tokio::test]
async fn mariadb_time() {
    use sqlx::types::time::{OffsetDateTime, PrimitiveDateTime};
    use time_rows::*;
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    let base = OffsetDateTime::from_unix_timestamp(1_704_110_400).unwrap();
    let stamps: Vec<OffsetDateTime> = vec![
        base,
        base + Duration::from_millis(500),
        base + Duration::from_micros(1),
        base - Duration::from_secs(86_400),
    ];
    for ddl in [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATETIME(6) NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATETIME NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP(6) NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIMESTAMP NOT NULL)",
    ] {
        table(&mut pool, ddl, &[]).await;
        sqlx::MySql::insert(&pool, with_ties(&stamps))
            .await
            .unwrap();
        check::<TOffset, _>(
            &pool,
            "OffsetDateTime",
            &format!("{ddl} written by sqlx"),
            Expect::Exact,
        )
        .await;
        // sqlx reads a TIMESTAMP only as `OffsetDateTime`.
        let naive = if ddl.contains("k TIMESTAMP") {
            Expect::Refused
        } else {
            Expect::Exact
        };
        check::<TPrim, _>(
            &pool,
            "PrimitiveDateTime",
            &format!("{ddl} written by sqlx"),
            naive,
        )
        .await;
    }
    let prim: Vec<PrimitiveDateTime> = stamps
        .iter()
        .map(|s| PrimitiveDateTime::new(s.date(), s.time()))
        .collect();
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k DATE NOT NULL)",
        &[],
    )
    .await;
    sqlx::MySql::insert(
        &pool,
        with_ties(&prim.iter().map(|p| p.date()).collect::<Vec<_>>()),
    )
    .await
    .unwrap();
    check::<TDate, _>(&pool, "time::Date", "DATE written by sqlx", Expect::Exact).await;
    for ddl in [
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIME(6) NOT NULL)",
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k TIME NOT NULL)",
    ] {
        table(&mut pool, ddl, &[]).await;
        let times: Vec<_> = prim.iter().map(|p| p.time()).collect();
        sqlx::MySql::insert(&pool, with_ties(&times)).await.unwrap();
        let storage = format!("{ddl} written by sqlx");
        check::<TTime, _>(&pool, "time::Time", &storage, Expect::Exact).await;
    }
}

#[cfg(feature = "uuid")]
#[tokio::test]
async fn mariadb_uuid() {
    let Some(mut pool) = support::mysql_pool().await else {
        return;
    };
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k BINARY(16) NOT NULL)",
        &[],
    )
    .await;
    sqlx::MySql::insert(&pool, with_ties(&uuids()))
        .await
        .unwrap();
    check::<UuidRow, _>(&pool, "Uuid", "BINARY(16) written by sqlx", Expect::Exact).await;
    table(
        &mut pool,
        "CREATE TABLE t (id BIGINT PRIMARY KEY, k CHAR(36) NOT NULL)",
        &[],
    )
    .await;
    let texts: Vec<String> = uuids().iter().map(|u| u.to_string()).collect();
    sqlx::MySql::insert(&pool, with_ties(&texts)).await.unwrap();
    check::<UuidRow, _>(&pool, "Uuid", "CHAR(36)", Expect::Refused).await;
}
