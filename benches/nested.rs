//! Nested connections: 20 parents' pages of 5 children (`authors { nodes {
//! articles(first: 5) } }`) in the statement forms each database could
//! run, on SQLite (and MariaDB and PostgreSQL when `KEYPAGE_MYSQL_URL` and
//! `KEYPAGE_PG_URL` are set), over
//! 200,000 children of 1,000 parents (200 each) with the index `(owner,
//! created_at DESC, id DESC)`; the first pages, and the pages after a cursor
//! half-way through each parent's rows.
//!
//! * `keypage`: `Select::fetch_children`, end to end (one statement: on
//!   SQLite a `UNION ALL` of one page statement per parent, on PostgreSQL
//!   the page statement `LATERAL` to a `VALUES` list of the parents; each
//!   parent's page with its extra row and, after a cursor, its
//!   `hasPreviousPage` probe), rows decoded;
//! * `per parent`: `Select::fetch_any` once per parent, end to end: the
//!   N+1 a per-parent resolver costs;
//! * `keypage SQL (raw)`: keypage's statement text run by hand, rows decoded;
//! * `row_number (raw)`: `ROW_NUMBER() OVER (PARTITION BY owner ORDER BY
//!   ...)` over `owner IN (...)` with the seek, `rn <= 6`: entgql's form,
//!   the issue's suggestion for SQLite and MariaDB. No probe: after a
//!   cursor it computes no `hasPreviousPage`, so it does less than keypage;
//! * `lateral (raw)`, PostgreSQL: `unnest($1::bigint[]) CROSS JOIN LATERAL
//!   (... LIMIT 6)`; no probe either.
//!
//! Interleaved rounds, medians, ratios within one run.
//! `KEYPAGE_BENCH_ROUNDS` sets the rounds (300).
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench nested
//! ```

use std::time::{Duration, Instant};

use keypage::cursor::Value;
use keypage::ordering::AnyKeysetQuery;
use keypage::sql::sqlx::{Select, SqlxDatabase};
use keypage::sql::{PagePlan, RenderedSql, SqlWriter, WhereClause};
use keypage::{Cursor as _, Keyset as _, PageArgs, Paginate as _};
use sqlx::{AssertSqlSafe, Executor as _, Pool};

#[path = "common/report.rs"]
mod report;

/// A child row; `owner` is its parent.
#[allow(dead_code)] // the rows are decoded, as a server's would be, not read
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone)]
#[paginate(order_by = "created_at desc, id desc", table = "children")]
struct Child {
    #[paginate(unique)]
    id: i64,
    #[paginate(parent)]
    owner: i64,
    created_at: i64,
    title: String,
}

const ROWS: i64 = 200_000;
const PARENTS: i64 = 1_000;
const BATCH: i64 = 20;
const PAGE: i32 = 5;

fn rounds() -> usize {
    std::env::var("KEYPAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// The parents of a batch: spread over the table.
fn parents() -> Vec<i64> {
    (0..BATCH).map(|k| k * (PARENTS / BATCH) + 7).collect()
}

/// Row `id` as the fill makes it.
fn child(id: i64) -> Child {
    Child {
        id,
        owner: id % PARENTS,
        created_at: id / 3,
        title: format!("child {id}"),
    }
}

/// A raw statement and its binds.
struct Raw {
    sql: String,
    binds: Vec<i64>,
}

/// keypage's batch statement as text with its binds, for `args`.
fn keypage_raw<DB: SqlxDatabase>(args: &PageArgs) -> Raw {
    let plan = PagePlan::new(args.validate::<ChildCursor>().unwrap());
    let parents = parents();
    let mut sql = RenderedSql::new(DB::DIALECT);
    let columns: Vec<String> = Child::COLUMNS
        .iter()
        .map(|c| DB::DIALECT.quote(c))
        .collect();
    let Ok(()) = plan.push_batch_statement(
        &mut sql,
        "owner",
        parents.len(),
        |out, i| out.push_bind(Value::Int(parents[i])),
        |out| {
            out.push_sql(&columns.join(", "));
            Ok(())
        },
        |out| {
            out.push_sql(" FROM children");
            Ok(WhereClause::Absent)
        },
    );
    let binds = sql
        .binds
        .iter()
        .map(|v| match v {
            Value::Int(i) => *i,
            other => panic!("{other:?}"),
        })
        .collect();
    Raw {
        sql: sql.sql,
        binds,
    }
}

/// The `ROW_NUMBER()` form; `postgres`: `$n` placeholders and row values.
fn row_number(after: Option<&Child>, postgres: bool) -> Raw {
    let parents = parents();
    let n = parents.len();
    let list: Vec<String> = (1..=n)
        .map(|i| {
            if postgres {
                format!("${i}")
            } else {
                "?".into()
            }
        })
        .collect();
    let mut binds = parents.clone();
    let seek = match after {
        None => String::new(),
        Some(row) if postgres => {
            binds.extend([row.created_at, row.id]);
            format!(" AND (created_at, id) < (${}, ${})", n + 1, n + 2)
        }
        Some(row) => {
            binds.extend([row.created_at, row.created_at, row.id]);
            " AND created_at <= ? AND (created_at < ? OR id < ?)".to_owned()
        }
    };
    Raw {
        sql: format!(
            "SELECT id, owner, created_at, title FROM (SELECT id, owner, created_at, title, \
             ROW_NUMBER() OVER (PARTITION BY owner ORDER BY created_at DESC, id DESC) AS rn \
             FROM children WHERE owner IN ({}){seek}) AS t WHERE rn <= {} ORDER BY owner, rn",
            list.join(", "),
            PAGE + 1
        ),
        binds,
    }
}

/// The `LATERAL` form (PostgreSQL); the parents bound as one array.
fn lateral(after: Option<&Child>) -> (String, Vec<i64>) {
    let seek = match after {
        None => (String::new(), vec![]),
        Some(row) => (
            " AND (c.created_at, c.id) < ($2, $3)".to_owned(),
            vec![row.created_at, row.id],
        ),
    };
    (
        format!(
            "SELECT c.id, c.owner, c.created_at, c.title FROM unnest($1::bigint[]) AS p(owner) \
             CROSS JOIN LATERAL (SELECT * FROM children AS c WHERE c.owner = p.owner{} \
             ORDER BY c.created_at DESC, c.id DESC LIMIT {}) AS c",
            seek.0,
            PAGE + 1
        ),
        seek.1,
    )
}

/// The table on `pool`, unless already there with `ROWS` rows.
async fn load<DB: SqlxDatabase>(pool: &Pool<DB>, create: &str, fill: &str, analyze: &str)
where
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
{
    let have = Select::<DB>::of_table("children", &["id"])
        .count(pool)
        .await;
    if have.ok() == Some(ROWS) {
        return;
    }
    let t = Instant::now();
    let _ = pool.execute("DROP TABLE IF EXISTS children").await;
    pool.execute(AssertSqlSafe(create.to_owned()))
        .await
        .unwrap();
    pool.execute(AssertSqlSafe(fill.to_owned())).await.unwrap();
    pool.execute("CREATE INDEX children_newest ON children (owner, created_at DESC, id DESC)")
        .await
        .unwrap();
    pool.execute(AssertSqlSafe(analyze.to_owned()))
        .await
        .unwrap();
    eprintln!(
        "[keypage-bench] {ROWS} children loaded in {:.1?}",
        t.elapsed()
    );
}

/// One contender: runs once and returns the rows it read.
type Run<'a> = Box<dyn Fn() -> futures::future::BoxFuture<'a, usize> + 'a>;

/// Medians of every contender, interleaved round after round.
async fn time(contenders: &[(&str, Run<'_>)]) -> Vec<Duration> {
    const WARM_UP: usize = 10;
    let mut samples = vec![Vec::new(); contenders.len()];
    for round in 0..rounds() + WARM_UP {
        for k in 0..contenders.len() {
            let i = (k + round) % contenders.len();
            let t = Instant::now();
            let rows = (contenders[i].1)().await;
            let elapsed = t.elapsed();
            assert!(
                rows >= BATCH as usize * PAGE as usize,
                "{}",
                contenders[i].0
            );
            if round >= WARM_UP {
                samples[i].push(elapsed);
            }
        }
    }
    report::medians(samples)
}

/// The contenders common to both databases, for the page `args` (`after`:
/// its cursor's row).
fn contenders<'a, DB: SqlxDatabase>(
    pool: &'a Pool<DB>,
    args: &'a PageArgs,
    after: Option<&Child>,
    postgres: bool,
) -> Vec<(&'static str, Run<'a>)>
where
    Child: for<'r> sqlx::FromRow<'r, DB::Row>,
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let raw = |r: Raw| -> Run<'a> {
        Box::new(move || {
            let (sql, binds) = (r.sql.clone(), r.binds.clone());
            Box::pin(async move {
                let mut q = sqlx::query_as::<DB, Child>(AssertSqlSafe(sql));
                for b in binds {
                    q = q.bind(b);
                }
                q.fetch_all(pool).await.unwrap().len()
            })
        })
    };
    vec![
        (
            "keypage",
            Box::new(move || {
                Box::pin(async move {
                    let query = AnyKeysetQuery::<Child>::new(ChildOrder::Default, args).unwrap();
                    let pages = Select::<DB>::table_of::<Child>()
                        .unwrap()
                        .fetch_children(pool, Child::by_owner(), &parents(), query)
                        .await
                        .unwrap();
                    pages.iter().map(|p| p.edges.len() + 1).sum()
                })
            }),
        ),
        (
            "per parent",
            Box::new(move || {
                Box::pin(async move {
                    let mut rows = 0;
                    for parent in parents() {
                        let select = Select::<DB>::table_of::<Child>()
                            .unwrap()
                            .filter(move |qb| {
                                qb.push("owner = ");
                                let _ = DB::push_value(qb, Value::Int(parent));
                            });
                        let query =
                            AnyKeysetQuery::<Child>::new(ChildOrder::Default, args).unwrap();
                        rows += select.fetch_any(pool, query).await.unwrap().edges.len() + 1;
                    }
                    rows
                })
            }),
        ),
        ("keypage SQL (raw)", raw(keypage_raw::<DB>(args))),
        ("row_number (raw)", raw(row_number(after, postgres))),
    ]
}

/// Times the contenders of the first pages and of the pages after a cursor
/// (the same forms, in the same order) and tables them.
async fn measure(db: &str, first: &[(&str, Run<'_>)], deep: &[(&str, Run<'_>)]) -> String {
    let names: Vec<&str> = first.iter().map(|c| c.0).collect();
    let (first, deep) = (time(first).await, time(deep).await);
    table(db, &names, &first, &deep)
}

fn table(db: &str, names: &[&str], first: &[Duration], deep: &[Duration]) -> String {
    let mut s = format!(
        "#### {db}: {BATCH} parents' pages of {PAGE} ({ROWS} children of {PARENTS} parents; \
         medians of {} rounds)\n\n\
         | form | first pages | / keypage | after a cursor | / keypage |\n\
         | --- | --- | --- | --- | --- |\n",
        rounds()
    );
    for (i, name) in names.iter().enumerate() {
        s += &format!(
            "| {name} | {:.1} µs | {:.2}× | {:.1} µs | {:.2}× |\n",
            first[i].as_secs_f64() * 1e6,
            first[i].as_secs_f64() / first[0].as_secs_f64(),
            deep[i].as_secs_f64() * 1e6,
            deep[i].as_secs_f64() / deep[0].as_secs_f64(),
        );
    }
    s
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // A row half-way through every parent's rows (the same position in
    // each, as the nested page's one cursor is).
    let middle = child(ROWS / 2 + 7);
    let first = PageArgs::first(PAGE);
    let deep = PageArgs::first(PAGE).after(ChildCursor::from_row(&middle).encode());
    let mut out = String::new();

    let path = report::bench_dir().join(format!("children-{ROWS}.sqlite"));
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let sqlite = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    load(
        &sqlite,
        "CREATE TABLE children (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL, \
         created_at INTEGER NOT NULL, title TEXT NOT NULL)",
        &format!(
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {ROWS}) \
             INSERT INTO children SELECT i, i % {PARENTS}, i / 3, 'child ' || i FROM seq"
        ),
        "ANALYZE",
    )
    .await;
    let a = contenders(&sqlite, &first, None, false);
    let b = contenders(&sqlite, &deep, Some(&middle), false);
    out += &measure("SQLite", &a, &b).await;

    if let Ok(url) = std::env::var("KEYPAGE_MYSQL_URL") {
        let my = sqlx::mysql::MySqlPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        load(
            &my,
            "CREATE TABLE children (id BIGINT PRIMARY KEY, owner BIGINT NOT NULL, \
             created_at BIGINT NOT NULL, title VARCHAR(64) NOT NULL)",
            &format!(
                "INSERT INTO children SELECT seq, seq % {PARENTS}, seq DIV 3, CONCAT('child ', seq) \
                 FROM seq_1_to_{ROWS}"
            ),
            "ANALYZE TABLE children",
        )
        .await;
        let a = contenders(&my, &first, None, false);
        let b = contenders(&my, &deep, Some(&middle), false);
        out += &format!("\n{}", measure("MariaDB", &a, &b).await);
    }

    if let Ok(url) = std::env::var("KEYPAGE_PG_URL") {
        let pg = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "CREATE SCHEMA IF NOT EXISTS keypage_bench_children; \
                         SET search_path = keypage_bench_children",
                    )
                    .await
                    .map(drop)
                })
            })
            .connect(&url)
            .await
            .unwrap();
        load(
            &pg,
            "CREATE TABLE children (id BIGINT PRIMARY KEY, owner BIGINT NOT NULL, \
             created_at BIGINT NOT NULL, title TEXT NOT NULL)",
            &format!(
                "INSERT INTO children SELECT i, i % {PARENTS}, i / 3, 'child ' || i \
                 FROM generate_series(1, {ROWS}) AS i"
            ),
            "ANALYZE children",
        )
        .await;
        let lateral_run = |after: Option<&Child>| -> Run<'_> {
            let (sql, binds) = lateral(after);
            let pg = &pg;
            Box::new(move || {
                let (sql, binds) = (sql.clone(), binds.clone());
                Box::pin(async move {
                    let mut q =
                        sqlx::query_as::<sqlx::Postgres, Child>(AssertSqlSafe(sql)).bind(parents());
                    for b in binds {
                        q = q.bind(b);
                    }
                    q.fetch_all(pg).await.unwrap().len()
                })
            })
        };
        let mut a = contenders(&pg, &first, None, true);
        a.push(("lateral (raw)", lateral_run(None)));
        let mut b = contenders(&pg, &deep, Some(&middle), true);
        b.push(("lateral (raw)", lateral_run(Some(&middle))));
        out += &format!("\n{}", measure("PostgreSQL", &a, &b).await);
    }
    println!("{out}");
    let path = report::bench_dir().join("nested.md");
    std::fs::write(&path, &out).unwrap();
    eprintln!("[keypage-bench] wrote {}", path.display());
}
