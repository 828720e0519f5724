//! Pages on text keys whose columns use the collations users have, where
//! text does not sort by bytes: SQLite `COLLATE NOCASE`; PostgreSQL
//! `COLLATE "en-x-icu"`, `COLLATE "und-x-icu"` and a database whose default
//! locale is libc `en_US.UTF-8` (what every cluster made with that locale
//! gives); MariaDB `utf8mb4_general_ci` and `utf8mb4_unicode_520_ci`.
//!
//! The reference is the database's own order: `SELECT id FROM tagged ORDER
//! BY ...` with the ordering's keys, directions and NULLS placement
//! (emulated with `col IS NULL` on MariaDB). Case-insensitive collations
//! make different texts tie; the unique `id` (or `code`) decides those, so
//! the order is still total. Through the derive's `fetch_page_by`, for every
//! ordering of `Tagged`:
//!
//! * walks forward (`first: k`, then `after: endCursor`) and backward
//!   (`last: k`, then `before: startCursor`) for several `k` return the
//!   reference order, each row once, and end within `rows + 2` pages; each
//!   page is the model's page for the cursor it was asked with, flags too;
//! * every cursor of every page is accepted back as `after`;
//! * windows (proptest): `after`/`before` are cursors of rows of the table
//!   (as pages handed them out), `first` or `last`; the page is the first or
//!   last `k` rows strictly between them in the reference order, with the
//!   Relay flags: with `first`, `hasNextPage` = the window holds rows after
//!   the page, `hasPreviousPage` = `after` was given (its row is in the
//!   collection); mirrored for `last`. An empty window (`before` at or
//!   before `after`) gives an empty page.
//!
//! The rows mix case (`apple`, `Apple`, `APPLE`), accents (`é`, `e`, `ê`,
//! `Ébène`), leading and trailing spaces, hyphens (`co-op`, `coop`), digits,
//! duplicates, NULLs and 2,000-byte titles. A walk's failures are collected
//! over all orderings and page sizes and reported together.
//!
//! The en_US.UTF-8 database: `KEYPAGE_PG_EN_URL` (exported by
//! `scripts/db-up.sh`), else database `keypage_en` on `KEYPAGE_PG_URL`'s
//! server, created when missing if that server has the locale. Without it
//! those tests print `SKIPPED: ...`, and fail under CI or
//! `KEYPAGE_REQUIRE_DBS=1`.

mod sql_common;
mod support;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

use keypage::ordering::AnyKeysetQuery;
use keypage::sql::sqlx::{FetchError, Select, SqlxDatabase};
use keypage::{KeyRange, Page, PageArgs};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sql_common::runtime;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::{AssertSqlSafe, Connection, Executor, Pool};

/// The largest page (`max_page_size` below); above the number of rows, so one page can hold
/// them all.
const MAX_PAGE: i32 = 200;
/// How long one page may take.
const CALL_LIMIT: Duration = Duration::from_secs(30);
/// How long all walks of one database may take.
const WALKS_LIMIT: Duration = Duration::from_secs(300);
/// Window cases per database.
const WINDOW_CASES: u32 = 48;
/// Page sizes of the walks.
const WALK_SIZES: &[i32] = &[1, 2, 5, 13, 64, MAX_PAGE];

/// Text keys in several collations; `code` is a unique text key.
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone, PartialEq)]
#[paginate(
    order_by = "tag asc nulls last, id asc",
    order_name = "TAG",
    table = "tagged",
    max_page_size = 200
)]
#[paginate(ordering(name = "TAG_DESC", order_by = "tag desc nulls first, id desc"))]
#[paginate(ordering(name = "TITLE", order_by = "title asc, id asc"))]
#[paginate(ordering(name = "TITLE_DESC", order_by = "title desc, id asc"))]
#[paginate(ordering(
    name = "TAG_TITLE",
    order_by = "tag asc nulls first, title desc, id asc"
))]
#[paginate(ordering(name = "CODE", order_by = "code asc"))]
struct Tagged {
    #[paginate(unique)]
    id: i64,
    tag: Option<String>,
    title: String,
    #[paginate(unique)]
    code: String,
}

/// `ORDER BY` of `order` in the database's own terms; `nulls_keywords`:
/// the dialect has `NULLS FIRST/LAST` (SQLite, PostgreSQL), else `IS NULL`
/// sorts them (MariaDB: `false < true`).
fn order_by_sql(order: TaggedOrder, nulls_keywords: bool) -> &'static str {
    match (order.name(), nulls_keywords) {
        ("TAG", true) => "tag ASC NULLS LAST, id ASC",
        ("TAG", false) => "tag IS NULL ASC, tag ASC, id ASC",
        ("TAG_DESC", true) => "tag DESC NULLS FIRST, id DESC",
        ("TAG_DESC", false) => "tag IS NULL DESC, tag DESC, id DESC",
        ("TITLE", _) => "title ASC, id ASC",
        ("TITLE_DESC", _) => "title DESC, id ASC",
        ("TAG_TITLE", true) => "tag ASC NULLS FIRST, title DESC, id ASC",
        ("TAG_TITLE", false) => "tag IS NULL DESC, tag ASC, title DESC, id ASC",
        ("CODE", _) => "code ASC",
        (name, _) => panic!("no reference ORDER BY for ordering {name}"),
    }
}

/// A range filter on `tag` or `title`, whose bounds are test constants
/// without quotes, so the reference query can hold them as literals.
#[derive(Debug, Clone)]
enum TaggedRange {
    Tag(KeyRange<String>),
    Title(KeyRange<String>),
}

impl TaggedRange {
    fn apply<'f, DB: SqlxDatabase>(&self, select: Select<'f, DB>) -> Select<'f, DB> {
        match self.clone() {
            TaggedRange::Tag(r) => select.range(Tagged::tag_column(), r),
            TaggedRange::Title(r) => select.range(Tagged::title_column(), r),
        }
    }

    /// The same condition as SQL text, for the reference query.
    fn sql(&self) -> String {
        let (column, range) = match self {
            TaggedRange::Tag(r) => ("tag", r),
            TaggedRange::Title(r) => ("title", r),
        };
        let bounds = [
            (">", &range.gt),
            (">=", &range.gte),
            ("<", &range.lt),
            ("<=", &range.lte),
        ];
        let conditions: Vec<String> = (bounds.iter())
            .filter_map(|(op, bound)| {
                let bound = bound.as_ref()?;
                assert!(!bound.contains('\''), "a literal: {bound}");
                Some(format!("{column} {op} '{bound}'"))
            })
            .collect();
        conditions.join(" AND ")
    }
}

/// Ranges whose bounds fall among case and accent variants, so a byte
/// comparison would keep other rows than the collation does.
fn ranges() -> Vec<Vec<TaggedRange>> {
    let r = KeyRange::<String>::default;
    let s = str::to_owned;
    vec![
        vec![TaggedRange::Title(r().gte(s("apple")).lt(s("co-op")))],
        vec![TaggedRange::Title(r().gt(s("Éclair")))],
        vec![TaggedRange::Tag(r().lte(s("e")))],
        vec![
            TaggedRange::Tag(r().gt(s("Apple")).lt(s("Zebra"))),
            TaggedRange::Title(r().gte(s("b"))),
        ],
    ]
}

// ---------------------------------------------------------------- rows

/// Tags: case and accent variants, spaces, hyphens, digits, the empty string.
const TAGS: &[&str] = &[
    "apple", "Apple", "APPLE", "banana", "Banana", "e", "é", "ê", "E", "É", "Ébène", "ebene",
    "ébène", " apple", "apple ", "co-op", "coop", "Co-op", "co op", "1", "10", "2", "9", "a1",
    "A1", "", "zebra", "Zebra", "ß", "ss", "æ", "ae", "résumé", "resume", "x-ray", "xray", "_x",
    "~x",
];

/// Titles: the same traps in longer text.
const TITLES: &[&str] = &[
    "Apple pie",
    "apple pie",
    "APPLE PIE",
    "apple-pie",
    "applepie",
    "Banana split",
    "banana split",
    "Éclair",
    "éclair",
    "eclair",
    "Eclair",
    "Ébène",
    " leading space",
    "trailing space ",
    "trailing space",
    "co-op store",
    "coop store",
    "Co-Op Store",
    "10 things",
    "9 things",
    "2nd edition",
    "Zebra",
    "zebra",
    "über",
    "Uber",
    "uber",
    "Ñandú",
    "nandu",
    "",
    "Straße",
    "strasse",
    "a.b",
    "a-b",
    "a b",
    "ab",
];

/// Beginnings of the 2,000-byte titles. Any two of them either compare
/// equal in a case-insensitive collation over their whole length or differ
/// in their first characters (MariaDB sorts by a prefix of long values only).
const LONG_TITLES: &[(&str, char)] = &[
    ("LONG APPLE ", 'x'),
    ("long apple ", 'x'),
    ("Long éclair ", 'é'),
    ("Long zebra ", 'z'),
    ("long banana ", 'b'),
];

/// Prefixes of the unique `code`s (each followed by the row's id).
const CODES: &[&str] = &[
    "a", "A", "B", "b", "é", "E", "e", "co-op", "coop", "Z", "z", " z", "9", "10", "ß", "s", "_",
];

/// Exactly 2,000 bytes: `head`, then `fill` repeated, then `x` up to the length.
fn long_title(head: &str, fill: char) -> String {
    let mut s = head.to_owned();
    while s.len() + fill.len_utf8() <= 2000 {
        s.push(fill);
    }
    while s.len() < 2000 {
        s.push('x');
    }
    s
}

/// 131 rows, the same every run.
fn rows() -> Vec<Tagged> {
    (1..=131i64)
        .map(|id| {
            let i = usize::try_from(id).unwrap();
            let tag = (id % 7 != 3).then(|| TAGS[(i * 5 + i / 9) % TAGS.len()].to_owned());
            let title = if id % 29 == 11 {
                let (head, fill) = LONG_TITLES[(i / 29) % LONG_TITLES.len()];
                long_title(head, fill)
            } else {
                TITLES[(i * 3 + i / 7) % TITLES.len()].to_owned()
            };
            let code = format!("{}{id:03}", CODES[(i * 7) % CODES.len()]);
            Tagged {
                id,
                tag,
                title,
                code,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- databases

/// A database and collation under test.
#[derive(Debug, Clone, Copy)]
struct Setup {
    /// For messages: database and collation.
    label: &'static str,
    /// `CREATE TABLE tagged ...` in that collation.
    ddl: &'static str,
    /// PostgreSQL only: use the `en_US.UTF-8` database instead of the
    /// `KEYPAGE_PG_URL` one.
    en_database: bool,
}

const SQLITE_NOCASE: Setup = Setup {
    label: "SQLite NOCASE",
    ddl: "CREATE TABLE tagged (id INTEGER PRIMARY KEY, tag TEXT COLLATE NOCASE, \
          title TEXT NOT NULL COLLATE NOCASE, code TEXT NOT NULL UNIQUE COLLATE NOCASE)",
    en_database: false,
};

const PG_EN_ICU: Setup = Setup {
    label: "PostgreSQL en-x-icu",
    ddl: r#"CREATE TABLE tagged (id BIGINT PRIMARY KEY, tag TEXT COLLATE "en-x-icu",
            title TEXT NOT NULL COLLATE "en-x-icu", code TEXT NOT NULL COLLATE "en-x-icu" UNIQUE)"#,
    en_database: false,
};

const PG_UND_ICU: Setup = Setup {
    label: "PostgreSQL und-x-icu",
    ddl: r#"CREATE TABLE tagged (id BIGINT PRIMARY KEY, tag TEXT COLLATE "und-x-icu",
            title TEXT NOT NULL COLLATE "und-x-icu", code TEXT NOT NULL COLLATE "und-x-icu" UNIQUE)"#,
    en_database: false,
};

/// The database's default collation, as `CREATE TABLE` gives it.
const PG_EN_US_DB: Setup = Setup {
    label: "PostgreSQL database en_US.UTF-8 (libc)",
    ddl: "CREATE TABLE tagged (id BIGINT PRIMARY KEY, tag TEXT, title TEXT NOT NULL, \
          code TEXT NOT NULL UNIQUE)",
    en_database: true,
};

/// MariaDB's default collation for utf8mb4 (the test server's own default
/// is `utf8mb4_nopad_bin`, hence explicit).
const MARIA_GENERAL_CI: Setup = Setup {
    label: "MariaDB utf8mb4_general_ci",
    ddl: "CREATE TABLE tagged (id BIGINT PRIMARY KEY, \
          tag VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, \
          title VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL, \
          code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL UNIQUE)",
    en_database: false,
};

const MARIA_UNICODE_520_CI: Setup = Setup {
    label: "MariaDB utf8mb4_unicode_520_ci",
    ddl: "CREATE TABLE tagged (id BIGINT PRIMARY KEY, \
          tag VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci, \
          title VARCHAR(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL, \
          code VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci NOT NULL UNIQUE)",
    en_database: false,
};

/// What differs between the databases; the derive's methods need the
/// concrete database for their `sqlx::FromRow` bounds.
#[allow(async_fn_in_trait)]
trait CollationDb: keypage::sql::sqlx::SqlxDatabase + Sized {
    /// Whether `ORDER BY` takes `NULLS FIRST/LAST`.
    const NULLS_KEYWORDS: bool;
    /// A private database (schema) for `setup`; `None`: skipped.
    async fn pool(setup: &Setup) -> Option<Pool<Self>>;
    /// Runs SQL text without binds.
    async fn exec(pool: &Pool<Self>, sql: &str);
    /// Inserts `rows` into `tagged`.
    async fn insert(pool: &Pool<Self>, rows: &[Tagged]);
    /// The `id`s of `SELECT id ...`, in the order the database returns them.
    async fn ids(pool: &Pool<Self>, sql: &str) -> Vec<i64>;
    /// `Tagged::fetch_page_by`, or with `ranges`, the page of
    /// `Select::range` on the derive's table.
    async fn page(
        pool: &Pool<Self>,
        order: TaggedOrder,
        ranges: &[TaggedRange],
        args: &PageArgs,
    ) -> Result<Page<Tagged>, FetchError>;
}

macro_rules! collation_db {
    ($db:ty, nulls_keywords: $nulls:literal, pool: |$setup:ident| $pool:expr) => {
        impl CollationDb for $db {
            const NULLS_KEYWORDS: bool = $nulls;

            async fn pool($setup: &Setup) -> Option<Pool<Self>> {
                $pool
            }

            async fn exec(pool: &Pool<Self>, sql: &str) {
                support::bounded(
                    sql,
                    sqlx::raw_sql(AssertSqlSafe(sql.to_owned())).execute(pool),
                )
                .await;
            }

            async fn insert(pool: &Pool<Self>, rows: &[Tagged]) {
                let mut qb =
                    sqlx::QueryBuilder::<Self>::new("INSERT INTO tagged (id, tag, title, code) ");
                qb.push_values(rows, |mut b, r| {
                    let _ = b
                        .push_bind(r.id)
                        .push_bind(r.tag.clone())
                        .push_bind(r.title.clone())
                        .push_bind(r.code.clone());
                });
                support::bounded("INSERT INTO tagged", qb.build().execute(pool)).await;
            }

            async fn ids(pool: &Pool<Self>, sql: &str) -> Vec<i64> {
                support::bounded(
                    sql,
                    sqlx::query_scalar::<Self, i64>(AssertSqlSafe(sql.to_owned())).fetch_all(pool),
                )
                .await
            }

            async fn page(
                pool: &Pool<Self>,
                order: TaggedOrder,
                ranges: &[TaggedRange],
                args: &PageArgs,
            ) -> Result<Page<Tagged>, FetchError> {
                let page = async {
                    if ranges.is_empty() {
                        return Tagged::fetch_page_by(pool, order, args).await;
                    }
                    let select = (ranges.iter())
                        .fold(Select::<Self>::table_of::<Tagged>()?, |s, r| r.apply(s));
                    select
                        .fetch_any(pool, AnyKeysetQuery::new(order, args)?)
                        .await
                };
                tokio::time::timeout(CALL_LIMIT, page)
                    .await
                    .unwrap_or_else(|_| panic!("{order:?} {args:?}: no page within {CALL_LIMIT:?}"))
            }
        }
    };
}

collation_db!(sqlx::Sqlite, nulls_keywords: true, pool: |_setup| Some(support::sqlite_pool().await));
collation_db!(sqlx::Postgres, nulls_keywords: true, pool: |setup| if setup.en_database {
    pg_en_pool().await
} else {
    support::pg_pool().await
});
collation_db!(sqlx::MySql, nulls_keywords: false, pool: |_setup| support::mysql_pool().await);

// ---------------------------------------------------------------- the en_US.UTF-8 database

/// The database `scripts/db-up.sh` makes with the `en_US.UTF-8` locale.
const EN_DATABASE: &str = "keypage_en";
const EN_LOCALE: &str = "en_US.UTF-8";

/// Why there is no `en_US.UTF-8` database, then skipped or (where the
/// databases are required) failed.
fn en_missing<T>(why: &str) -> Option<T> {
    eprintln!("no PostgreSQL {EN_LOCALE} database: {why}");
    support::missing(
        &format!("PostgreSQL {EN_LOCALE} database"),
        "KEYPAGE_PG_EN_URL",
    )
}

fn db_error_code(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

/// Connection options of the `en_US.UTF-8` database: `KEYPAGE_PG_EN_URL`,
/// else [`EN_DATABASE`] on the `KEYPAGE_PG_URL` server, created there when
/// missing; `None` when there is none (skipped).
async fn en_options() -> Option<PgConnectOptions> {
    if let Some(url) = std::env::var("KEYPAGE_PG_EN_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        return Some(
            PgConnectOptions::from_str(&url)
                .unwrap_or_else(|e| panic!("KEYPAGE_PG_EN_URL is not a PostgreSQL URL: {e}")),
        );
    }
    let base = PgConnectOptions::from_str(&support::pg_url()?)
        .unwrap_or_else(|e| panic!("KEYPAGE_PG_URL is not a PostgreSQL URL: {e}"));
    let opts = base.clone().database(EN_DATABASE);
    match tokio::time::timeout(
        support::CONNECT_TIMEOUT,
        sqlx::PgConnection::connect_with(&opts),
    )
    .await
    {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            return Some(opts);
        }
        // 3D000: no such database; made below.
        Ok(Err(e)) if db_error_code(&e).as_deref() == Some("3D000") => {}
        Ok(Err(e)) => panic!("connecting to database {EN_DATABASE} on KEYPAGE_PG_URL: {e}"),
        Err(_) => panic!("connecting to database {EN_DATABASE}: timed out"),
    }
    let mut admin = support::bounded(
        "connecting to KEYPAGE_PG_URL",
        sqlx::PgConnection::connect_with(&base),
    )
    .await;
    let create = format!(
        "CREATE DATABASE {EN_DATABASE} TEMPLATE template0 LOCALE '{EN_LOCALE}' ENCODING 'UTF8'"
    );
    let created = admin.execute(AssertSqlSafe(create)).await;
    let _ = admin.close().await;
    match created {
        Ok(_) => Some(opts),
        // 42P04 / 23505: a parallel test made it first.
        Err(e) if matches!(db_error_code(&e).as_deref(), Some("42P04" | "23505")) => Some(opts),
        // 42809 (PostgreSQL 15's code for "invalid locale name"): the server's machine lacks
        // the locale, or generated it after the server started.
        Err(e) if db_error_code(&e).as_deref() == Some("42809") => en_missing(&format!(
            "the KEYPAGE_PG_URL server cannot make a database with locale {EN_LOCALE}: {e}"
        )),
        Err(e) => en_missing(&format!(
            "database {EN_DATABASE} is missing and could not be created: {e}"
        )),
    }
}

/// A pool on a fresh schema of the `en_US.UTF-8` database (see
/// [`support::pg_pool`]); fails when that database sorts text by bytes.
async fn pg_en_pool() -> Option<PgPool> {
    let pool = support::pg_pool_with(en_options().await?, "the en_US.UTF-8 database").await;
    let collate: String = support::bounded(
        "reading the database's collation",
        sqlx::query_scalar(
            "SELECT datcollate::text FROM pg_database WHERE datname = current_database()",
        )
        .fetch_one(&pool),
    )
    .await;
    assert!(
        !matches!(collate.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8"),
        "the en_US.UTF-8 database sorts by bytes (datcollate {collate}); \
         it must be made with LOCALE '{EN_LOCALE}'"
    );
    Some(pool)
}

// ---------------------------------------------------------------- the model

/// What a page says: its rows' ids and its two flags.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    ids: Vec<i64>,
    has_previous_page: bool,
    has_next_page: bool,
}

/// The page the Relay algorithm gives over `reference` (ids in the
/// database's order) for cursors of the rows at `after`/`before`.
fn expected(
    reference: &[i64],
    after: Option<usize>,
    before: Option<usize>,
    forward: bool,
    k: usize,
) -> Outcome {
    let lo = after.map_or(0, |a| a + 1);
    let hi = before.unwrap_or(reference.len()).max(lo);
    let window = &reference[lo..hi];
    let take = k.min(window.len());
    if forward {
        Outcome {
            ids: window[..take].to_vec(),
            // The row of `after` is in the collection.
            has_previous_page: after.is_some(),
            has_next_page: window.len() > k,
        }
    } else {
        Outcome {
            ids: window[window.len() - take..].to_vec(),
            has_previous_page: window.len() > k,
            has_next_page: before.is_some(),
        }
    }
}

fn outcome(page: &Page<Tagged>) -> Outcome {
    Outcome {
        ids: page.edges.iter().map(|e| e.node.id).collect(),
        has_previous_page: page.page_info.has_previous_page,
        has_next_page: page.page_info.has_next_page,
    }
}

/// One ordering's reference order, and each row id's position in it.
struct Reference {
    order: TaggedOrder,
    /// The range filters the rows are in (none: all of them).
    ranges: Vec<TaggedRange>,
    ids: Vec<i64>,
    position: HashMap<i64, usize>,
}

impl Reference {
    async fn load<DB: CollationDb>(pool: &Pool<DB>, order: TaggedOrder) -> Self {
        Self::load_in(pool, order, Vec::new()).await
    }

    /// The database's own order of the rows in `ranges`, filtered by the
    /// database's own comparisons.
    async fn load_in<DB: CollationDb>(
        pool: &Pool<DB>,
        order: TaggedOrder,
        ranges: Vec<TaggedRange>,
    ) -> Self {
        let conditions: Vec<String> = ranges.iter().map(TaggedRange::sql).collect();
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let ids = DB::ids(
            pool,
            &format!(
                "SELECT id FROM tagged{filter} ORDER BY {}",
                order_by_sql(order, DB::NULLS_KEYWORDS)
            ),
        )
        .await;
        let position = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        Reference {
            order,
            ranges,
            ids,
            position,
        }
    }
}

/// A fresh `tagged` table with [`rows`]; `None`: skipped.
async fn load<DB: CollationDb>(setup: &Setup) -> Option<(Pool<DB>, Vec<Reference>)> {
    let pool = DB::pool(setup).await?;
    DB::exec(&pool, setup.ddl).await;
    let rows = rows();
    DB::insert(&pool, &rows).await;
    let mut refs = Vec::new();
    let mut like_bytes = Vec::new();
    for &order in TaggedOrder::ALL {
        let r = Reference::load(&pool, order).await;
        assert_eq!(
            r.ids.len(),
            rows.len(),
            "{}: the reference query lost rows",
            setup.label
        );
        // The in-memory backend orders by Rust's (byte) order.
        let bytes = Tagged::paginate_slice_by(&rows, order, &PageArgs::first(MAX_PAGE))
            .expect("one in-memory page of all rows");
        if bytes.nodes().map(|row| row.id).eq(r.ids.iter().copied()) {
            like_bytes.push(order.name());
        }
        refs.push(r);
    }
    // Otherwise these tests would prove nothing about collations.
    assert!(
        like_bytes.is_empty(),
        "{}: the database orders {like_bytes:?} by bytes; the table is not in the collation under test",
        setup.label
    );
    Some((pool, refs))
}

fn describe(ids: &[i64]) -> String {
    if ids.len() <= 12 {
        format!("{ids:?}")
    } else {
        format!(
            "{} ids [{:?} .. {:?}]",
            ids.len(),
            &ids[..5],
            &ids[ids.len() - 5..]
        )
    }
}

/// Where `got` and `want` part, for messages.
fn first_difference(got: &[i64], want: &[i64]) -> String {
    let at = got
        .iter()
        .zip(want)
        .position(|(g, w)| g != w)
        .unwrap_or(got.len().min(want.len()));
    format!(
        "first difference at position {at}: got {:?}, want {:?}",
        got.get(at),
        want.get(at)
    )
}

// ---------------------------------------------------------------- walks

/// Walks `r.order` with pages of `k`, forward or backward, checking every
/// page against the model for the cursor it was asked with; every cursor
/// handed out goes into `cursors`. Returns the failures.
async fn walk<DB: CollationDb>(
    pool: &Pool<DB>,
    label: &str,
    r: &Reference,
    k: i32,
    forward: bool,
    cursors: &mut BTreeSet<(i64, String)>,
) -> Vec<String> {
    let n = r.ids.len();
    let what = format!(
        "{label} {} {} walk, {}: {k}",
        r.order.name(),
        if forward { "forward" } else { "backward" },
        if forward { "first" } else { "last" },
    );
    let mut failures = Vec::new();
    let mut pages: Vec<Vec<i64>> = Vec::new();
    let mut cursor: Option<(i64, String)> = None;
    let mut ended = false;
    let mut stopped = false;
    let mut page_reported = false;
    for number in 0..n + 2 {
        let mut args = if forward {
            PageArgs::first(k)
        } else {
            PageArgs::last(k)
        };
        let at = cursor.as_ref().map(|(id, _)| r.position[id]);
        if let Some((_, c)) = &cursor {
            if forward {
                args.after = Some(c.clone());
            } else {
                args.before = Some(c.clone());
            }
        }
        let page = match DB::page(pool, r.order, &r.ranges, &args).await {
            Ok(page) => page,
            Err(e) => {
                stopped = true;
                failures.push(match &cursor {
                    Some((id, c)) => format!(
                        "{what}: page {number} refused the cursor of row {id} ({} characters) \
                         that page {} handed out: {e}",
                        c.len(),
                        number - 1
                    ),
                    None => format!("{what}: page {number}: {e}"),
                });
                break;
            }
        };
        for e in &page.edges {
            cursors.insert((e.node.id, e.cursor.clone()));
        }
        let (after, before) = if forward { (at, None) } else { (None, at) };
        let want = expected(&r.ids, after, before, forward, usize::try_from(k).unwrap());
        let have = outcome(&page);
        if have != want && !page_reported {
            page_reported = true;
            failures.push(format!(
                "{what}: page {number} (after row at {after:?}, before row at {before:?}): \
                 got {} prev {} next {}, want {} prev {} next {}; {}",
                describe(&have.ids),
                have.has_previous_page,
                have.has_next_page,
                describe(&want.ids),
                want.has_previous_page,
                want.has_next_page,
                first_difference(&have.ids, &want.ids),
            ));
        }
        let more = if forward {
            page.page_info.has_next_page
        } else {
            page.page_info.has_previous_page
        };
        let edge = if forward {
            page.edges.last()
        } else {
            page.edges.first()
        };
        pages.push(have.ids);
        if !more {
            ended = true;
            break;
        }
        let Some(edge) = edge else {
            stopped = true;
            failures.push(format!(
                "{what}: page {number} is empty but says there is more"
            ));
            break;
        };
        cursor = Some((edge.node.id, edge.cursor.clone()));
    }
    if !ended && !stopped {
        failures.push(format!("{what}: did not end within {} pages", n + 2));
    }
    if !forward {
        pages.reverse();
    }
    let walked: Vec<i64> = pages.concat();
    if walked != r.ids {
        let distinct: BTreeSet<i64> = walked.iter().copied().collect();
        let lost = r.ids.iter().filter(|id| !distinct.contains(id)).count();
        let repeated = walked.len() - distinct.len();
        failures.push(format!(
            "{what}: returned {} rows of {n} ({lost} lost, {repeated} repeated){}; {}",
            walked.len(),
            if ended { "" } else { " before stopping" },
            first_difference(&walked, &r.ids),
        ));
    }
    failures
}

/// Every cursor handed out is accepted back as `after`.
async fn cursors_accepted<DB: CollationDb>(
    pool: &Pool<DB>,
    label: &str,
    order: TaggedOrder,
    cursors: &BTreeSet<(i64, String)>,
) -> Vec<String> {
    let mut refused: Vec<(i64, usize, String)> = Vec::new();
    for (id, c) in cursors {
        if let Err(e) = DB::page(pool, order, &[], &PageArgs::first(1).after(c.clone())).await {
            refused.push((*id, c.len(), e.to_string()));
        }
    }
    if refused.is_empty() {
        return Vec::new();
    }
    let mut msg = format!(
        "{label} {}: {} of the {} cursors handed out are refused as `after`:",
        order.name(),
        refused.len(),
        cursors.len()
    );
    for (id, len, e) in refused.iter().take(3) {
        let _ = write!(msg, " row {id} ({len} characters): {e};");
    }
    vec![msg]
}

/// Walks of the rows in each of [`ranges`] (`Select::range`), both ways,
/// against the database's own filter and order: the range is compared under
/// the column's collation, with the keyset seek, on every page.
fn ranged_walks<DB: CollationDb>(setup: Setup) {
    let rt = runtime();
    rt.block_on(async {
        let Some((pool, _)) = load::<DB>(&setup).await else {
            return;
        };
        let rows = rows();
        let mut failures = Vec::new();
        let mut unlike_bytes = 0;
        for ranges in ranges() {
            let in_bytes = (rows.iter())
                .filter(|row| {
                    ranges.iter().all(|range| match range {
                        TaggedRange::Tag(r) => Tagged::tag_column().contains(r, row),
                        TaggedRange::Title(r) => Tagged::title_column().contains(r, row),
                    })
                })
                .count();
            for order in ["TAG", "TITLE", "TITLE_DESC", "TAG_TITLE"] {
                let order = *TaggedOrder::ALL.iter().find(|o| o.name() == order).unwrap();
                let r = Reference::load_in(&pool, order, ranges.clone()).await;
                assert!(
                    !r.ids.is_empty() && r.ids.len() < rows.len(),
                    "{}: {ranges:?} keeps {} of {} rows",
                    setup.label,
                    r.ids.len(),
                    rows.len()
                );
                unlike_bytes += usize::from(r.ids.len() != in_bytes);
                let mut cursors = BTreeSet::new();
                for k in [1, 5, MAX_PAGE] {
                    for forward in [true, false] {
                        let label = format!("{} {ranges:?}", setup.label);
                        failures.extend(walk(&pool, &label, &r, k, forward, &mut cursors).await);
                    }
                }
            }
        }
        // Otherwise these walks would prove nothing about collations.
        assert!(
            unlike_bytes > 0,
            "{}: every range keeps the rows a byte comparison keeps",
            setup.label
        );
        assert_no_failures(setup.label, &failures);
    });
}

/// Reports every failure of a database's walks at once.
fn assert_no_failures(label: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{label}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn walks<DB: CollationDb>(setup: Setup) {
    let rt = runtime();
    rt.block_on(async {
        let Some((pool, refs)) = load::<DB>(&setup).await else {
            return;
        };
        let all = async {
            let mut failures = Vec::new();
            for r in &refs {
                let mut cursors = BTreeSet::new();
                for &k in WALK_SIZES {
                    for forward in [true, false] {
                        failures
                            .extend(walk(&pool, setup.label, r, k, forward, &mut cursors).await);
                    }
                }
                failures.extend(cursors_accepted(&pool, setup.label, r.order, &cursors).await);
            }
            failures
        };
        let failures = tokio::time::timeout(WALKS_LIMIT, all)
            .await
            .unwrap_or_else(|_| panic!("{}: walks took over {WALKS_LIMIT:?}", setup.label));
        assert_no_failures(setup.label, &failures);
    });
}

// ---------------------------------------------------------------- windows

/// The cursors of `r`'s rows by position, as one page of all rows gives
/// them (forward, and backward for rows the forward page missed).
async fn cursors_by_position<DB: CollationDb>(
    pool: &Pool<DB>,
    r: &Reference,
) -> Vec<(usize, String)> {
    let mut by_id: HashMap<i64, String> = HashMap::new();
    for args in [PageArgs::first(MAX_PAGE), PageArgs::last(MAX_PAGE)] {
        if let Ok(page) = DB::page(pool, r.order, &r.ranges, &args).await {
            for e in page.edges {
                by_id.entry(e.node.id).or_insert(e.cursor);
            }
        }
    }
    let mut out: Vec<(usize, String)> = by_id
        .into_iter()
        .filter_map(|(id, c)| r.position.get(&id).map(|&p| (p, c)))
        .collect();
    out.sort();
    out
}

/// A window: ordering, `after` and `before` (rows with cursors), `first`
/// or `last`, page size.
type Window = (usize, Option<Index>, Option<Index>, bool, i32);

fn arb_window() -> impl Strategy<Value = Window> {
    (
        0..TaggedOrder::ALL.len(),
        proptest::option::weighted(0.7, any::<Index>()),
        proptest::option::weighted(0.6, any::<Index>()),
        any::<bool>(),
        prop_oneof![3 => 0i32..=12, 1 => 13i32..=MAX_PAGE],
    )
}

async fn check_window<DB: CollationDb>(
    pool: &Pool<DB>,
    label: &str,
    r: &Reference,
    known: &[(usize, String)],
    (_, after, before, forward, k): &Window,
) -> Result<(), TestCaseError> {
    prop_assert!(
        !known.is_empty(),
        "{label} {}: no page of all rows handed out a cursor",
        r.order.name()
    );
    let after = after.as_ref().map(|i| &known[i.index(known.len())]);
    let before = before.as_ref().map(|i| &known[i.index(known.len())]);
    let mut args = if *forward {
        PageArgs::first(*k)
    } else {
        PageArgs::last(*k)
    };
    args.after = after.map(|(_, c)| c.clone());
    args.before = before.map(|(_, c)| c.clone());
    let (a, b) = (after.map(|(p, _)| *p), before.map(|(p, _)| *p));
    let what = format!(
        "{label} {} after row at {a:?} before row at {b:?}, {}: {k}",
        r.order.name(),
        if *forward { "first" } else { "last" },
    );
    let page = DB::page(pool, r.order, &r.ranges, &args)
        .await
        .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    let want = expected(&r.ids, a, b, *forward, usize::try_from(*k).unwrap());
    let have = outcome(&page);
    prop_assert!(
        have == want,
        "{}: got {} prev {} next {}, want {} prev {} next {}; {}",
        what,
        describe(&have.ids),
        have.has_previous_page,
        have.has_next_page,
        describe(&want.ids),
        want.has_previous_page,
        want.has_next_page,
        first_difference(&have.ids, &want.ids)
    );
    Ok(())
}

fn windows<DB: CollationDb>(setup: Setup) {
    let rt = runtime();
    let Some((pool, refs)) = rt.block_on(load::<DB>(&setup)) else {
        return;
    };
    let known: Vec<Vec<(usize, String)>> = refs
        .iter()
        .map(|r| rt.block_on(cursors_by_position(&pool, r)))
        .collect();
    let mut runner = TestRunner::new(Config {
        cases: WINDOW_CASES,
        failure_persistence: None,
        max_shrink_iters: 256,
        max_shrink_time: 30_000,
        ..Config::default()
    });
    runner
        .run(&arb_window(), |window| {
            let order = window.0;
            rt.block_on(check_window(
                &pool,
                setup.label,
                &refs[order],
                &known[order],
                &window,
            ))
        })
        .unwrap_or_else(|e| panic!("{}: {e}", setup.label));
}

// ---------------------------------------------------------------- the tests

#[test]
fn sqlite_nocase_ranges() {
    ranged_walks::<sqlx::Sqlite>(SQLITE_NOCASE);
}

#[test]
fn sqlite_nocase_walks() {
    walks::<sqlx::Sqlite>(SQLITE_NOCASE);
}

#[test]
fn sqlite_nocase_windows() {
    windows::<sqlx::Sqlite>(SQLITE_NOCASE);
}

#[test]
fn postgres_en_icu_ranges() {
    ranged_walks::<sqlx::Postgres>(PG_EN_ICU);
}

#[test]
fn postgres_en_icu_walks() {
    walks::<sqlx::Postgres>(PG_EN_ICU);
}

#[test]
fn postgres_en_icu_windows() {
    windows::<sqlx::Postgres>(PG_EN_ICU);
}

#[test]
fn postgres_und_icu_walks() {
    walks::<sqlx::Postgres>(PG_UND_ICU);
}

#[test]
fn postgres_und_icu_windows() {
    windows::<sqlx::Postgres>(PG_UND_ICU);
}

#[test]
fn postgres_en_us_database_ranges() {
    ranged_walks::<sqlx::Postgres>(PG_EN_US_DB);
}

#[test]
fn postgres_en_us_database_walks() {
    walks::<sqlx::Postgres>(PG_EN_US_DB);
}

#[test]
fn postgres_en_us_database_windows() {
    windows::<sqlx::Postgres>(PG_EN_US_DB);
}

#[test]
fn mariadb_general_ci_ranges() {
    ranged_walks::<sqlx::MySql>(MARIA_GENERAL_CI);
}

#[test]
fn mariadb_general_ci_walks() {
    walks::<sqlx::MySql>(MARIA_GENERAL_CI);
}

#[test]
fn mariadb_general_ci_windows() {
    windows::<sqlx::MySql>(MARIA_GENERAL_CI);
}

#[test]
fn mariadb_unicode_520_ci_walks() {
    walks::<sqlx::MySql>(MARIA_UNICODE_520_CI);
}

#[test]
fn mariadb_unicode_520_ci_windows() {
    windows::<sqlx::MySql>(MARIA_UNICODE_520_CI);
}
