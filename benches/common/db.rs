//! The articles data set (SQLite, cached under the target directory;
//! PostgreSQL when `KEYPAGE_PG_URL` is set), the orderings benchmarked, and
//! the queries a careful engineer (and a naive one, and an OFFSET user)
//! writes by hand for each.
#![allow(dead_code)]

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

use keypage::sql::{PagePlan, WhereClause};
use keypage::{Cursor, Keyset, Page, PageArgs};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor, Postgres, QueryBuilder, Sqlite};

use super::report::bench_dir;

/// One article. Three orderings: the feed (uniform directions), a mixed-direction
/// one and one on a nullable column.
#[derive(Debug, Clone, keypage::Paginate, sqlx::FromRow)]
#[paginate(
    order_by = "created_at desc, id desc",
    table = "articles",
    max_offset = 10_000
)]
#[paginate(ordering(name = "MIXED", order_by = "score asc, created_at desc, id asc"))]
#[paginate(ordering(name = "TITLE", order_by = "title asc nulls last, id asc"))]
pub struct Article {
    #[paginate(unique)]
    pub id: i64,
    pub created_at: i64,
    pub title: Option<String>,
    pub score: i64,
}

/// Bumped whenever the data set's definition changes, so caches rebuild.
const DATA_VERSION: i64 = 1;

/// The table's size: 1,000,000, or `KEYPAGE_BENCH_ROWS` (for quick looks).
pub fn rows() -> i64 {
    std::env::var("KEYPAGE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000)
}

/// The columns selected by every query, the order `Article` lists them.
pub const COLUMNS: &str = "id, created_at, title, score";

/// Rows `1..=n`: `created_at` a millisecond timestamp (~1.70e12–1.73e12)
/// shared by two rows, `score` in 0..1000 (1,000 rows each), `title`
/// NULL for every tenth row, else one of 250,000 values (4 rows each).
pub fn sqlite_fill(n: i64) -> String {
    format!(
        "INSERT INTO articles (id, created_at, title, score)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         SELECT i,
                1700000000000 + (i * 48271 % 500000) * 60000,
                CASE WHEN i % 10 = 0 THEN NULL ELSE printf('t%07d', i * 7919 % 250000) END,
                i * 37 % 1000
         FROM n"
    )
}

fn pg_fill(n: i64) -> String {
    format!(
        "INSERT INTO articles (id, created_at, title, score)
         SELECT i,
                1700000000000 + (i * 48271 % 500000) * 60000,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 't' || lpad((i * 7919 % 250000)::text, 7, '0') END,
                i * 37 % 1000
         FROM generate_series(1::bigint, {n}::bigint) AS i"
    )
}

/// One index per ordering, in the ordering's directions.
const INDEXES: [&str; 3] = [
    "CREATE INDEX articles_feed ON articles (created_at DESC, id DESC)",
    "CREATE INDEX articles_mixed ON articles (score ASC, created_at DESC, id ASC)",
    "CREATE INDEX articles_title ON articles (title ASC, id ASC)",
];

/// A connection to the benchmark database.
pub enum Db {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection.
macro_rules! with_conn {
    ($db:expr, $c:ident => $body:expr) => {
        match $db {
            Db::Sqlite($c) => $body,
            Db::Pg($c) => $body,
        }
    };
}

impl Db {
    pub fn name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Pg(_) => "postgres",
        }
    }

    /// SQL written with `$1`-style placeholders, in this database's syntax
    /// (SQLite's numbered `?1`).
    pub fn sql(&self, sql: &str) -> String {
        match self {
            Db::Sqlite(_) => sql.replace('$', "?"),
            Db::Pg(_) => sql.to_owned(),
        }
    }
}

fn progress(msg: &str) {
    eprintln!("[keypage-bench] {msg}");
}

/// The cached SQLite database of `rows()` rows, built on first use (about
/// 10-20 s for 1,000,000 rows), opened read-only.
pub async fn sqlite() -> Db {
    let n = rows();
    let path = bench_dir().join(format!("articles-{n}-v{DATA_VERSION}.sqlite"));
    if !path.exists() {
        build_sqlite(n, &path).await;
    }
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .connect()
        .await
        .expect("open the benchmark database");
    // 256 MiB of page cache: the whole database stays in memory, for every
    // contender alike.
    conn.execute("PRAGMA cache_size = -262144").await.unwrap();
    Db::Sqlite(conn)
}

async fn build_sqlite(n: i64, path: &PathBuf) {
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    progress(&format!(
        "building the {n}-row SQLite data set at {} (once; cached)...",
        path.display()
    ));
    let t = Instant::now();
    let mut conn = SqliteConnectOptions::new()
        .filename(&tmp)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .connect()
        .await
        .unwrap();
    conn.execute(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT, score INTEGER NOT NULL)",
    )
    .await
    .unwrap();
    conn.execute(AssertSqlSafe(sqlite_fill(n))).await.unwrap();
    progress(&format!(
        "  inserted {n} rows in {:.1?}; indexing...",
        t.elapsed()
    ));
    for ix in INDEXES {
        conn.execute(ix).await.unwrap();
    }
    conn.execute("ANALYZE").await.unwrap();
    conn.close().await.unwrap();
    std::fs::rename(&tmp, path).unwrap();
    progress(&format!("  done in {:.1?}", t.elapsed()));
}

/// A private in-memory SQLite database of `n` rows (the regression guard's).
pub async fn sqlite_memory(n: i64) -> Db {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    conn.execute(
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, title TEXT, score INTEGER NOT NULL)",
    )
    .await
    .unwrap();
    conn.execute(AssertSqlSafe(sqlite_fill(n))).await.unwrap();
    for ix in INDEXES {
        conn.execute(ix).await.unwrap();
    }
    conn.execute("ANALYZE").await.unwrap();
    Db::Sqlite(conn)
}

/// The PostgreSQL `plan_cache_mode` the benchmarks connect with:
/// `KEYPAGE_BENCH_PG_PLAN_CACHE_MODE`, else the server's default `auto`.
pub fn plan_cache_mode() -> String {
    std::env::var("KEYPAGE_BENCH_PG_PLAN_CACHE_MODE")
        .ok()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "auto".to_owned())
}

/// PostgreSQL from `KEYPAGE_PG_URL`, the data set in schema
/// `keypage_bench` (built once per server); `None` without the variable.
pub async fn postgres() -> Option<Db> {
    let Some(url) = std::env::var("KEYPAGE_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        progress(
            "KEYPAGE_PG_URL is not set: skipping PostgreSQL (start one with `eval \"$(bash scripts/db-up.sh)\"`)",
        );
        return None;
    };
    let n = rows();
    let schema = format!("keypage_bench_{n}_v{DATA_VERSION}");
    let base = PgConnectOptions::from_str(&url).expect("KEYPAGE_PG_URL is a PostgreSQL URL");
    // `KEYPAGE_BENCH_PG_PLAN_CACHE_MODE=force_generic_plan` measures what
    // PostgreSQL's plan cache costs: under the default `auto` it may re-plan
    // a prepared statement on every execution (BENCHMARKS.md §2).
    let plan_cache_mode = plan_cache_mode();
    let mut conn = base
        .clone()
        .options([
            ("search_path", schema.as_str()),
            ("plan_cache_mode", plan_cache_mode.as_str()),
        ])
        .connect()
        .await
        .expect("connect to KEYPAGE_PG_URL");
    let ready: Option<(i64,)> =
        sqlx::query_as("SELECT n FROM keypage_bench_ready WHERE schema_name = current_schema()")
            .fetch_optional(&mut conn)
            .await
            .unwrap_or(None);
    if ready.map(|r| r.0) != Some(n) {
        progress(&format!(
            "building the {n}-row PostgreSQL data set in schema {schema} (once per server)..."
        ));
        let t = Instant::now();
        conn.execute(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .await
        .unwrap();
        conn.execute(
            "CREATE TABLE articles (id BIGINT PRIMARY KEY, created_at BIGINT NOT NULL, title TEXT, score BIGINT NOT NULL)",
        )
        .await
        .unwrap();
        conn.execute(AssertSqlSafe(pg_fill(n))).await.unwrap();
        progress(&format!(
            "  inserted {n} rows in {:.1?}; indexing...",
            t.elapsed()
        ));
        for ix in INDEXES {
            conn.execute(ix).await.unwrap();
        }
        conn.execute("VACUUM ANALYZE articles").await.unwrap();
        conn.execute(
            "CREATE TABLE keypage_bench_ready (schema_name TEXT, n BIGINT);
             INSERT INTO keypage_bench_ready SELECT current_schema(), (SELECT count(*) FROM articles)",
        )
        .await
        .unwrap();
        progress(&format!("  done in {:.1?}", t.elapsed()));
    }
    Some(Db::Pg(conn))
}

/// The three orderings benchmarked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ordering {
    /// `created_at desc, id desc`: row values seek.
    Uniform,
    /// `score asc, created_at desc, id asc`: no row value can express it.
    Mixed,
    /// `title asc nulls last, id asc`: 10% NULL titles, at the end.
    Title,
}

pub const ORDERINGS: [Ordering; 3] = [Ordering::Uniform, Ordering::Mixed, Ordering::Title];

/// Bind values of the hand-written queries.
#[derive(Clone, Debug)]
pub enum Bind {
    Int(i64),
    Text(String),
}

/// A hand-written query: SQL (`$n` placeholders) and its binds.
#[derive(Clone, Debug)]
pub struct Hand {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Ordering {
    pub fn name(self) -> &'static str {
        match self {
            Ordering::Uniform => "uniform",
            Ordering::Mixed => "mixed",
            Ordering::Title => "nullable",
        }
    }

    pub fn order_by_text(self) -> &'static str {
        match self {
            Ordering::Uniform => "created_at desc, id desc",
            Ordering::Mixed => "score asc, created_at desc, id asc",
            Ordering::Title => "title asc nulls last, id asc",
        }
    }

    /// The `ORDER BY` list, as written by hand.
    pub fn order_by(self) -> &'static str {
        match self {
            Ordering::Uniform => "created_at DESC, id DESC",
            Ordering::Mixed => "score ASC, created_at DESC, id ASC",
            Ordering::Title => "title ASC NULLS LAST, id ASC",
        }
    }

    /// keypage's cursor of `row` in this ordering.
    pub fn cursor(self, row: &Article) -> String {
        match self {
            Ordering::Uniform => ArticleCursor::from_row(row).encode(),
            Ordering::Mixed => ArticleMixedCursor::from_row(row).encode(),
            Ordering::Title => ArticleTitleCursor::from_row(row).encode(),
        }
    }

    /// `LIMIT 21 OFFSET depth`.
    pub fn offset(self, depth: i64, limit: i64) -> Hand {
        Hand {
            sql: format!(
                "SELECT {COLUMNS} FROM articles ORDER BY {} LIMIT {limit} OFFSET $1",
                self.order_by()
            ),
            binds: vec![Bind::Int(depth)],
        }
    }

    /// The keyset query a careful engineer writes: the page after `after`
    /// (the first page when `None`), `limit` rows.
    pub fn careful(self, after: Option<&Article>, limit: i64) -> Hand {
        let tail = format!("ORDER BY {} LIMIT {limit}", self.order_by());
        let Some(r) = after else {
            return match self {
                // NULLs last: two seeks, the non-NULL titles, then the NULLs
                // (a UNION ALL returns its parts in order in both databases,
                // and its LIMIT stops before the second part when the first
                // fills the page).
                Ordering::Title => Hand {
                    sql: format!(
                        "SELECT * FROM (SELECT {COLUMNS} FROM articles WHERE title IS NOT NULL ORDER BY title ASC, id ASC LIMIT {limit}) AS a \
                         UNION ALL SELECT * FROM (SELECT {COLUMNS} FROM articles WHERE title IS NULL ORDER BY id ASC LIMIT {limit}) AS b \
                         LIMIT {limit}"
                    ),
                    binds: vec![],
                },
                _ => Hand {
                    sql: format!("SELECT {COLUMNS} FROM articles {tail}"),
                    binds: vec![],
                },
            };
        };
        match self {
            Ordering::Uniform => Hand {
                sql: format!(
                    "SELECT {COLUMNS} FROM articles WHERE (created_at, id) < ($1, $2) {tail}"
                ),
                binds: vec![Bind::Int(r.created_at), Bind::Int(r.id)],
            },
            Ordering::Mixed => Hand {
                sql: format!(
                    "SELECT {COLUMNS} FROM articles WHERE score >= $1 AND (score > $1 OR created_at < $2 OR (created_at = $2 AND id > $3)) {tail}"
                ),
                binds: vec![Bind::Int(r.score), Bind::Int(r.created_at), Bind::Int(r.id)],
            },
            Ordering::Title => match &r.title {
                Some(t) => Hand {
                    sql: format!(
                        "SELECT * FROM (SELECT {COLUMNS} FROM articles WHERE (title, id) > ($1, $2) ORDER BY title ASC, id ASC LIMIT {limit}) AS a \
                         UNION ALL SELECT * FROM (SELECT {COLUMNS} FROM articles WHERE title IS NULL ORDER BY id ASC LIMIT {limit}) AS b \
                         LIMIT {limit}"
                    ),
                    binds: vec![Bind::Text(t.clone()), Bind::Int(r.id)],
                },
                None => Hand {
                    sql: format!(
                        "SELECT {COLUMNS} FROM articles WHERE title IS NULL AND id > $1 ORDER BY id ASC LIMIT {limit}"
                    ),
                    binds: vec![Bind::Int(r.id)],
                },
            },
        }
    }

    /// The textbook expansion, `a > ? OR (a = ? AND b > ?)`, with no bound
    /// on the leading key: correct, but the planners walk the index from its
    /// start.
    pub fn naive(self, after: Option<&Article>, limit: i64) -> Hand {
        let Some(r) = after else {
            return Hand {
                sql: format!(
                    "SELECT {COLUMNS} FROM articles ORDER BY {} LIMIT {limit}",
                    self.order_by()
                ),
                binds: vec![],
            };
        };
        let tail = format!("ORDER BY {} LIMIT {limit}", self.order_by());
        match self {
            Ordering::Uniform => Hand {
                sql: format!(
                    "SELECT {COLUMNS} FROM articles WHERE created_at < $1 OR (created_at = $1 AND id < $2) {tail}"
                ),
                binds: vec![Bind::Int(r.created_at), Bind::Int(r.id)],
            },
            Ordering::Mixed => Hand {
                sql: format!(
                    "SELECT {COLUMNS} FROM articles WHERE score > $1 OR (score = $1 AND (created_at < $2 OR (created_at = $2 AND id > $3))) {tail}"
                ),
                binds: vec![Bind::Int(r.score), Bind::Int(r.created_at), Bind::Int(r.id)],
            },
            Ordering::Title => match &r.title {
                Some(t) => Hand {
                    sql: format!(
                        "SELECT {COLUMNS} FROM articles WHERE title > $1 OR (title = $1 AND id > $2) OR title IS NULL {tail}"
                    ),
                    binds: vec![Bind::Text(t.clone()), Bind::Int(r.id)],
                },
                None => Hand {
                    sql: format!(
                        "SELECT {COLUMNS} FROM articles WHERE title IS NULL AND id > $1 {tail}"
                    ),
                    binds: vec![Bind::Int(r.id)],
                },
            },
        }
    }
}

/// Runs a hand-written query (a prepared, cached statement, as keypage's).
pub async fn run_hand(db: &mut Db, sql: &str, binds: &[Bind]) -> Vec<Article> {
    macro_rules! run {
        ($c:ident, $db:ty) => {{
            let mut q = sqlx::query_as::<$db, Article>(AssertSqlSafe(sql));
            for b in binds {
                q = match b {
                    Bind::Int(v) => q.bind(*v),
                    Bind::Text(v) => q.bind(v.clone()),
                };
            }
            q.fetch_all(&mut *$c).await.expect("hand-written query")
        }};
    }
    match db {
        Db::Sqlite(c) => run!(c, Sqlite),
        Db::Pg(c) => run!(c, Postgres),
    }
}

/// The row at position `pos` (0-based) of the ordering.
pub async fn row_at(db: &mut Db, ordering: Ordering, pos: i64) -> Article {
    let h = ordering.offset(pos, 1);
    let sql = db.sql(&h.sql);
    run_hand(db, &sql, &h.binds)
        .await
        .pop()
        .expect("a row at that position")
}

/// keypage through the sqlx glue: one statement, the page plus, with a
/// cursor, the `hasPreviousPage` probe. What `Article::fetch_page` runs.
pub async fn keypage_page(db: &mut Db, ordering: Ordering, args: &PageArgs) -> Page<Article> {
    async fn go<K: Keyset<Row = Article>>(db: &mut Db, args: &PageArgs) -> Page<Article> {
        with_conn!(db, c => keypage::sql::sqlx::fetch_page::<K, _>(&mut *c, args).await.expect("keypage page"))
    }
    match ordering {
        Ordering::Uniform => go::<ArticleCursor>(db, args).await,
        Ordering::Mixed => go::<ArticleMixedCursor>(db, args).await,
        Ordering::Title => go::<ArticleTitleCursor>(db, args).await,
    }
}

/// The query plan of keypage's one statement for `args`, as the database
/// explains it.
pub async fn explain_keypage(db: &mut Db, ordering: Ordering, args: &PageArgs) -> String {
    async fn go<K: Keyset<Row = Article>>(db: &mut Db, args: &PageArgs) -> String {
        let plan = PagePlan::new(args.validate::<K>().expect("valid args"));
        macro_rules! explain_rows {
            ($c:ident, $qb:ident) => {{
                use sqlx::Row;
                let rows = $qb.build().fetch_all(&mut *$c).await.expect("EXPLAIN");
                let mut out = String::new();
                for row in rows {
                    // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                    let last = row.len() - 1;
                    out += &format!("    {}\n", row.try_get::<String, _>(last).unwrap());
                }
                out
            }};
        }
        macro_rules! run {
            ($c:ident, $db:ty, $explain:literal) => {{
                let mut qb = QueryBuilder::<$db>::new($explain);
                plan.push_statement(
                    &mut qb,
                    |qb| {
                        qb.push(COLUMNS);
                        Ok(())
                    },
                    |qb| {
                        qb.push(" FROM articles");
                        Ok(WhereClause::Absent)
                    },
                )
                .unwrap();
                let sql = qb.sql().as_str().strip_prefix($explain).unwrap().to_owned();
                let mut out = format!("  statement: {sql}\n");
                out += &explain_rows!($c, qb);
                out
            }};
        }
        match db {
            Db::Sqlite(c) => run!(c, Sqlite, "EXPLAIN QUERY PLAN "),
            Db::Pg(c) => run!(c, Postgres, "EXPLAIN "),
        }
    }
    match ordering {
        Ordering::Uniform => go::<ArticleCursor>(db, args).await,
        Ordering::Mixed => go::<ArticleMixedCursor>(db, args).await,
        Ordering::Title => go::<ArticleTitleCursor>(db, args).await,
    }
}

/// The plan of a hand-written query.
pub async fn explain_hand(db: &mut Db, h: &Hand) -> String {
    let (prefix, sql) = match db {
        Db::Sqlite(_) => ("EXPLAIN QUERY PLAN ", db.sql(&h.sql)),
        Db::Pg(_) => ("EXPLAIN ", h.sql.clone()),
    };
    let full = format!("{prefix}{sql}");
    macro_rules! run {
        ($c:ident, $db:ty) => {{
            use sqlx::Row;
            let mut q = sqlx::query::<$db>(AssertSqlSafe(full.as_str()));
            for b in &h.binds {
                q = match b {
                    Bind::Int(v) => q.bind(*v),
                    Bind::Text(v) => q.bind(v.clone()),
                };
            }
            let rows = q.fetch_all(&mut *$c).await.expect("EXPLAIN");
            let mut out = format!("  {}\n", sql);
            for row in rows {
                let last = row.len() - 1;
                out += &format!("    {}\n", row.try_get::<String, _>(last).unwrap());
            }
            out
        }};
    }
    match db {
        Db::Sqlite(c) => run!(c, Sqlite),
        Db::Pg(c) => run!(c, Postgres),
    }
}
