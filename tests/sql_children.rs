//! Nested connections' batch statements on SQLite, PostgreSQL and MariaDB:
//! `Select::fetch_children` (every parent's page in one statement) against
//! the reference of one top-level page per parent (`Select::fetch_any` with
//! the filter `owner = <parent>`, itself checked against the database's
//! order by the other SQL tests), and `Select::count_children` against one
//! `COUNT(*)` per parent.
//!
//! Property (proptest): rows with duplicate and NULL ranks, titles that tie
//! under the column's collation (SQLite `NOCASE`, PostgreSQL `und-x-icu`,
//! MariaDB's default), nullable parents; any list of parents (with
//! duplicates and parents without rows); `first` or `last` with any size and
//! `after`/`before` cursors of any row, of any parent, as the top-level
//! connection hands them out. Each parent's page equals its reference page:
//! rows, cursors and both flags. The three orderings take every statement
//! shape: a nullable leading key (a seek in two parts), collated text, and
//! mixed directions (two index seeks on PostgreSQL).

mod sql_common;
mod support;

use std::time::{Duration, Instant};

use keypage::ordering::AnyKeysetQuery;
use keypage::sql::sqlx::{FromRow, Select};
use keypage::{Page, PageArgs};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sql_common::{Summary, TestDb, summary};
use sqlx::Pool;

/// Posts of owners; `owner` is each post's parent.
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone, PartialEq)]
#[paginate(
    order_by = "rank desc nulls last, id desc",
    order_name = "RANK",
    table = "posts",
    max_page_size = 50
)]
#[paginate(ordering(name = "TITLE", order_by = "title asc, id asc"))]
#[paginate(ordering(name = "MIXED", order_by = "rank asc nulls first, title desc, id asc"))]
struct Post {
    #[paginate(unique)]
    id: i64,
    #[paginate(parent)]
    owner: Option<i64>,
    rank: Option<i64>,
    title: String,
}

const ORDERS: [PostOrder; 3] = [PostOrder::Rank, PostOrder::Title, PostOrder::Mixed];

/// Titles that tie under a case- or accent-insensitive collation.
const TITLES: &[&str] = &[
    "apple", "Apple", "APPLE", "banana", "Banana", "e", "é", "E", "zebra", "Zebra", "co-op", "coop",
];

/// Property cases per database.
const CASES: u32 = 64;
/// How long all cases of one database may take.
const LIMIT: Duration = Duration::from_secs(240);

/// The table and its indexes: each ordering behind the parent column, as a
/// nested connection's index must be.
fn ddl<DB: TestDb>() -> [&'static str; 4] {
    match DB::DB_NAME {
        "SQLite" => [
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, owner INTEGER, rank INTEGER, \
             title TEXT NOT NULL COLLATE NOCASE)",
            "CREATE INDEX posts_rank ON posts (owner, rank DESC, id DESC)",
            "CREATE INDEX posts_title ON posts (owner, title, id)",
            "CREATE INDEX posts_mixed ON posts (owner, rank, title DESC, id)",
        ],
        "PostgreSQL" => [
            r#"CREATE TABLE posts (id BIGINT PRIMARY KEY, owner BIGINT, rank BIGINT,
               title TEXT COLLATE "und-x-icu" NOT NULL)"#,
            "CREATE INDEX posts_rank ON posts (owner, rank DESC NULLS LAST, id DESC)",
            "CREATE INDEX posts_title ON posts (owner, title, id)",
            "CREATE INDEX posts_mixed ON posts (owner, rank ASC NULLS FIRST, title DESC, id)",
        ],
        // The server's default collation (utf8mb4_general_ci on 10.11).
        "MariaDB" => [
            "CREATE TABLE posts (id BIGINT PRIMARY KEY, owner BIGINT, rank BIGINT, \
             title VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL)",
            "CREATE INDEX posts_rank ON posts (owner, rank DESC, id DESC)",
            "CREATE INDEX posts_title ON posts (owner, title, id)",
            "CREATE INDEX posts_mixed ON posts (owner, rank, title DESC, id)",
        ],
        other => panic!("no DDL for {other}"),
    }
}

fn sql_int(v: Option<i64>) -> String {
    v.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

/// Replaces the table's rows (literal SQL: the values are the test's own).
async fn reset<DB: TestDb>(pool: &Pool<DB>, rows: &[Post]) {
    DB::exec(pool, "DELETE FROM posts").await;
    if rows.is_empty() {
        return;
    }
    let values: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "({}, {}, {}, '{}')",
                r.id,
                sql_int(r.owner),
                sql_int(r.rank),
                r.title
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO posts (id, owner, rank, title) VALUES {}",
        values.join(", ")
    );
    DB::exec(pool, &sql).await;
}

/// One case: the table's rows, the parents asked for, the page arguments.
#[derive(Debug, Clone)]
struct Case {
    rows: Vec<Post>,
    parents: Vec<i64>,
    order: usize,
    last: bool,
    size: i32,
    after: Option<Index>,
    before: Option<Index>,
}

fn arb_case() -> impl Strategy<Value = Case> {
    let row = (
        proptest::option::weighted(0.9, 1_i64..=5),
        proptest::option::weighted(0.7, 0_i64..4),
        0..TITLES.len(),
    );
    (
        proptest::collection::vec(row, 0..40),
        proptest::collection::vec(0_i64..=6, 1..6),
        0..ORDERS.len(),
        any::<bool>(),
        0_i32..5,
        proptest::option::of(any::<Index>()),
        proptest::option::of(any::<Index>()),
    )
        .prop_map(|(rows, parents, order, last, size, after, before)| Case {
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, (owner, rank, title))| Post {
                    id: i as i64 + 1,
                    owner,
                    rank,
                    title: TITLES[title].to_owned(),
                })
                .collect(),
            parents,
            order,
            last,
            size,
            after,
            before,
        })
}

/// Each parent's page of `args` one query at a time: the reference.
async fn reference<DB: TestDb>(
    pool: &Pool<DB>,
    parents: &[i64],
    order: PostOrder,
    args: &PageArgs,
) -> Result<Vec<Summary<Post>>, TestCaseError>
where
    Post: for<'r> FromRow<'r, DB::Row>,
{
    let mut pages = Vec::new();
    for &parent in parents {
        let select = Select::<DB>::table_of::<Post>().unwrap().filter(move |qb| {
            qb.push("owner = ");
            let _ = <DB as keypage::sql::sqlx::SqlxDatabase>::push_value(
                qb,
                keypage::cursor::Value::Int(parent),
            );
        });
        let query = AnyKeysetQuery::<Post>::new(order, args).unwrap();
        let page = select
            .fetch_any(pool, query)
            .await
            .map_err(|e| TestCaseError::fail(format!("reference page of {parent}: {e}")))?;
        pages.push(summary(&page));
    }
    Ok(pages)
}

async fn check<DB: TestDb>(pool: &Pool<DB>, case: Case) -> Result<(), TestCaseError>
where
    Post: for<'r> FromRow<'r, DB::Row>,
{
    reset(pool, &case.rows).await;
    let order = ORDERS[case.order];
    // Every row's cursor, as the top-level connection hands them out.
    let all = Post::fetch_page_by(pool, order, &PageArgs::first(50))
        .await
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let cursors: Vec<String> = all.edges.iter().map(|e| e.cursor.clone()).collect();
    let pick = |at: &Option<Index>| {
        at.as_ref()
            .filter(|_| !cursors.is_empty())
            .map(|i| i.get(&cursors).clone())
    };
    let mut args = if case.last {
        PageArgs::last(case.size)
    } else {
        PageArgs::first(case.size)
    };
    args.after = pick(&case.after);
    args.before = pick(&case.before);

    let expected = reference(pool, &case.parents, order, &args).await?;
    let query = AnyKeysetQuery::new(order, &args).unwrap();
    let pages: Vec<Page<Post>> = Select::<DB>::table_of::<Post>()
        .unwrap()
        .fetch_children(pool, Post::by_owner(), &case.parents, query)
        .await
        .map_err(|e| TestCaseError::fail(format!("batch: {e}")))?;
    let got: Vec<Summary<Post>> = pages.iter().map(summary).collect();
    prop_assert_eq!(got, expected, "{} {:?} {:?}", DB::DB_NAME, order, args);

    // The counts, likewise.
    let counts = Select::<DB>::table_of::<Post>()
        .unwrap()
        .count_children(pool, Post::by_owner(), &case.parents)
        .await
        .map_err(|e| TestCaseError::fail(format!("counts: {e}")))?;
    let expected: Vec<i64> = case
        .parents
        .iter()
        .map(|&p| case.rows.iter().filter(|r| r.owner == Some(p)).count() as i64)
        .collect();
    prop_assert_eq!(counts, expected);
    Ok(())
}

fn batches_equal_per_parent_pages<DB: TestDb>()
where
    Post: for<'r> FromRow<'r, DB::Row>,
{
    let rt = sql_common::runtime();
    let Some(pool) = rt.block_on(DB::pool()) else {
        return;
    };
    rt.block_on(async {
        for sql in ddl::<DB>() {
            DB::exec(&pool, sql).await;
        }
    });
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..Config::default()
    });
    let deadline = Instant::now() + LIMIT;
    let result = runner.run(&arb_case(), |case| {
        let left = deadline.saturating_duration_since(Instant::now());
        rt.block_on(async {
            tokio::time::timeout(left, check(&pool, case))
                .await
                .unwrap_or_else(|_| Err(TestCaseError::fail("timed out")))
        })
    });
    if let Err(e) = result {
        panic!("{}: {e}", DB::DB_NAME);
    }
}

/// More parents than one statement takes: the pages still come back in the
/// parents' order, one per parent.
async fn many_parents<DB: TestDb>()
where
    Post: for<'r> FromRow<'r, DB::Row>,
{
    let Some(pool) = DB::pool().await else {
        return;
    };
    for sql in ddl::<DB>() {
        DB::exec(&pool, sql).await;
    }
    let rows: Vec<Post> = (1..=600)
        .map(|id| Post {
            id,
            owner: Some(id % 250),
            rank: (id % 7 != 0).then_some(id % 3),
            title: TITLES[id as usize % TITLES.len()].to_owned(),
        })
        .collect();
    reset(&pool, &rows).await;
    let parents: Vec<i64> = (0..=260).rev().collect();
    assert!(parents.len() > keypage::sql::sqlx::MAX_BATCH_PARENTS * 2);
    let args = PageArgs::first(2);
    let query = AnyKeysetQuery::new(PostOrder::Rank, &args).unwrap();
    let pages = Select::<DB>::table_of::<Post>()
        .unwrap()
        .fetch_children(&pool, Post::by_owner(), &parents, query)
        .await
        .unwrap();
    let expected = reference(&pool, &parents, PostOrder::Rank, &args)
        .await
        .unwrap();
    let got: Vec<Summary<Post>> = pages.iter().map(summary).collect();
    assert_eq!(got, expected, "{}", DB::DB_NAME);
    let counts = Select::<DB>::table_of::<Post>()
        .unwrap()
        .count_children(&pool, Post::by_owner(), &parents)
        .await
        .unwrap();
    let expected: Vec<i64> = parents
        .iter()
        .map(|&p| rows.iter().filter(|r| r.owner == Some(p)).count() as i64)
        .collect();
    assert_eq!(counts, expected, "{}", DB::DB_NAME);
}

#[test]
fn sqlite_batches_equal_per_parent_pages() {
    batches_equal_per_parent_pages::<sqlx::Sqlite>();
}

#[test]
fn postgres_batches_equal_per_parent_pages() {
    batches_equal_per_parent_pages::<sqlx::Postgres>();
}

#[test]
fn mariadb_batches_equal_per_parent_pages() {
    batches_equal_per_parent_pages::<sqlx::MySql>();
}

#[tokio::test]
async fn sqlite_many_parents() {
    many_parents::<sqlx::Sqlite>().await;
}

#[tokio::test]
async fn postgres_many_parents() {
    many_parents::<sqlx::Postgres>().await;
}

#[tokio::test]
async fn mariadb_many_parents() {
    many_parents::<sqlx::MySql>().await;
}
