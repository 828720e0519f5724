//! The example server's schema (`examples/server/schema.rs`), executed
//! against SQLite and PostgreSQL: whole walks in both directions and both
//! orderings with exact `pageInfo`, a filter combined with cursors, every
//! argument error with its `extensions.code` (and a database failure as a
//! bare `INTERNAL` error, no SQL shown), the SDL (snapshot), and what each
//! query costs in SQL statements (the one authors' batch for
//! `Article.author`, the lazy `totalCount`).
//!
//! # How statements are counted
//!
//! sqlx reports every statement it sends as a `tracing` event with target
//! `sqlx::query` (its `QueryLogger`, fired when the statement finishes,
//! whatever the log level configured, if a subscriber wants it). This test
//! binary installs a global subscriber that records each such event with
//! the thread it was emitted on. A measurement sends a start and an end
//! marker statement (`SELECT 'keypage-marker-…'`) through the same pool and
//! keeps the events between them on the marker's thread: SQLite runs all
//! statements of the one-connection test pool on that connection's worker
//! thread; PostgreSQL connections run inside the test's current-thread
//! runtime, so on the test's thread (the authors' batch too, which runs in the request).
//! Tests running in parallel use other threads and are not counted.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;
use std::time::{Duration, Instant, SystemTime};

use async_graphql::{Executor, Request, Variables};
use keypage::signed::CursorKeys;
use serde_json::{Value as Json, json};
use sqlx::{AssertSqlSafe, Executor as _, PgPool, SqlitePool};

/// The schema on SQLite, as the example serves it.
#[allow(clippy::duplicate_mod)] // on purpose: one schema, two databases
#[path = "../examples/server"]
mod sqlite {
    pub type Db = sqlx::Sqlite;
    #[allow(dead_code)]
    pub mod schema;
}

/// The same schema on PostgreSQL.
#[allow(clippy::duplicate_mod)]
#[path = "../examples/server"]
mod postgres {
    pub type Db = sqlx::Postgres;
    #[allow(dead_code)]
    pub mod schema;
}

// ---------------------------------------------------------------------------
// Data: 137 articles with heavy ties on both orderings' leading keys.

const ARTICLES: i64 = 137;
const AUTHORS: i64 = 10;
/// Byte order: "Apple" < "Zebra" < "apple" < "b" < "Ähre".
const TITLES: [&str; 5] = ["Zebra", "apple", "Apple", "Ähre", "b"];

#[derive(Debug, Clone)]
struct Row {
    id: i64,
    title: String,
    created_at: i64,
    author_id: i64,
}

fn rows() -> Vec<Row> {
    (1..=ARTICLES)
        .map(|id| Row {
            id,
            title: TITLES[(id * 7 % 5) as usize].to_owned(),
            created_at: 1_000 + id * 37 % 23,
            author_id: 1 + id % AUTHORS,
        })
        .collect()
}

/// The ids in the ordering `order` (`NEWEST` or `TITLE`), of one author or all.
fn expected(order: &str, author: Option<i64>) -> Vec<i64> {
    expected_in(order, &Filters::author(author))
}

/// The filters of a request: `authorId`, and the ranges `createdAt` and
/// `title` as GraphQL variables (`null`, or `{ "gte": .., "lt": .. }`).
#[derive(Debug, Clone)]
struct Filters {
    author: Option<i64>,
    created_at: Json,
    title: Json,
}

impl Filters {
    fn author(author: Option<i64>) -> Self {
        Filters {
            author,
            created_at: Json::Null,
            title: Json::Null,
        }
    }

    /// The request's variables for these filters.
    fn variables(&self, mut variables: Json) -> Json {
        variables["authorId"] = json!(self.author);
        variables["createdAt"] = self.created_at.clone();
        variables["title"] = self.title.clone();
        variables
    }

    /// Whether `row` passes, by Rust's order (the test databases compare
    /// titles by bytes).
    fn keeps(&self, row: &Row) -> bool {
        fn within<T: PartialOrd>(range: &Json, value: &T, bound: impl Fn(&Json) -> T) -> bool {
            let test = |name: &str, ok: fn(std::cmp::Ordering) -> bool| {
                range[name].is_null() || value.partial_cmp(&bound(&range[name])).is_some_and(ok)
            };
            test("gt", |o| o.is_gt())
                && test("gte", |o| o.is_ge())
                && test("lt", |o| o.is_lt())
                && test("lte", |o| o.is_le())
        }
        self.author.is_none_or(|a| row.author_id == a)
            && within(&self.created_at, &row.created_at, |v| v.as_i64().unwrap())
            && within(&self.title, &row.title, |v| v.as_str().unwrap().to_owned())
    }
}

/// The ids of the rows `filters` keeps, in the ordering `order`.
fn expected_in(order: &str, filters: &Filters) -> Vec<i64> {
    let mut rows: Vec<Row> = rows().into_iter().filter(|r| filters.keeps(r)).collect();
    match order {
        "NEWEST" => rows.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id))),
        "TITLE" => rows.sort_by_key(|r| (r.title.clone(), r.id)),
        other => panic!("no ordering {other}"),
    }
    rows.into_iter().map(|r| r.id).collect()
}

fn setup_sql(big_int: &str) -> Vec<String> {
    let mut sql: Vec<String> = sqlite::schema::tables(big_int).into();
    sql.extend(sqlite::schema::INDEXES.iter().map(|s| s.to_string()));
    let authors: Vec<String> = (1..=AUTHORS)
        .map(|id| format!("({id}, 'Author {id}')"))
        .collect();
    sql.push(format!(
        "INSERT INTO authors (id, name) VALUES {}",
        authors.join(", ")
    ));
    let articles: Vec<String> = rows()
        .iter()
        .map(|r| {
            format!(
                "({}, '{}', {}, {})",
                r.id, r.title, r.created_at, r.author_id
            )
        })
        .collect();
    sql.push(format!(
        "INSERT INTO articles (id, title, created_at, author_id) VALUES {}",
        articles.join(", ")
    ));
    sql
}

/// A schema over a fresh database, and its pool for the statement markers.
struct Env<S> {
    schema: S,
    db: Db,
}

enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    async fn execute(&self, sql: String) {
        match self {
            Db::Sqlite(pool) => pool.execute(AssertSqlSafe(sql)).await.map(drop),
            Db::Postgres(pool) => pool.execute(AssertSqlSafe(sql)).await.map(drop),
        }
        .expect("statement");
    }

    async fn mark(&self, marker: &str) {
        self.execute(format!("SELECT '{marker}'")).await;
    }
}

async fn on_sqlite() -> Env<sqlite::schema::AppSchema> {
    install_counter();
    let pool = support::sqlite_pool().await;
    for sql in setup_sql("INTEGER") {
        pool.execute(AssertSqlSafe(sql))
            .await
            .expect("SQLite setup");
    }
    Env {
        schema: sqlite::schema::schema(pool.clone()),
        db: Db::Sqlite(pool),
    }
}

async fn on_postgres() -> Option<Env<postgres::schema::AppSchema>> {
    install_counter();
    let pool = support::pg_pool().await?;
    for sql in setup_sql("BIGINT") {
        pool.execute(AssertSqlSafe(sql))
            .await
            .expect("PostgreSQL setup");
    }
    Some(Env {
        schema: postgres::schema::schema(pool.clone()),
        db: Db::Postgres(pool),
    })
}

/// Each scenario below runs on both databases.
macro_rules! on_both {
    ($($scenario:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(&super::on_sqlite().await).await;
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let Some(env) = super::on_postgres().await else { return };
                    super::$scenario(&env).await;
                }
            )+
        }
    };
}

on_both!(
    forward_walks,
    backward_walks,
    filter_with_cursors,
    ranges_with_cursors,
    stable_walks,
    argument_errors,
    total_count_is_lazy,
    one_author_batch_per_page,
    nested_statements,
    nested_pages_equal_top_level_pages,
    nested_argument_errors,
    aliases_share_one_count,
    offsets_and_the_list_field,
    jumps_from_a_cursor,
    ordering_switch,
    database_errors_do_not_leak,
);

/// [`signed_cursors`], with the example's schema signing with the keys
/// given, over the same database as the unsigned one.
mod signed {
    use super::{Db, Env, postgres, sqlite};

    #[tokio::test]
    async fn on_sqlite() {
        let env = super::on_sqlite().await;
        let Db::Sqlite(pool) = &env.db else {
            unreachable!()
        };
        super::signed_cursors(&env, |keys| Env {
            schema: sqlite::schema::schema_with_keys(pool.clone(), Some(keys.clone())),
            db: Db::Sqlite(pool.clone()),
        })
        .await;
    }

    #[tokio::test]
    async fn on_postgres() {
        let Some(env) = super::on_postgres().await else {
            return;
        };
        let Db::Postgres(pool) = &env.db else {
            unreachable!()
        };
        super::signed_cursors(&env, |keys| Env {
            schema: postgres::schema::schema_with_keys(pool.clone(), Some(keys.clone())),
            db: Db::Postgres(pool.clone()),
        })
        .await;
    }
}

/// The example's SDL: an accidental change to the schema shows here.
#[tokio::test]
async fn example_schema_sdl() {
    let sdl = on_sqlite().await.schema.sdl();
    if let Some(env) = on_postgres().await {
        assert_eq!(env.schema.sdl(), sdl, "one schema whatever the database");
    }
    insta::assert_snapshot!("example_schema_sdl", sdl);
}

// ---------------------------------------------------------------------------
// Running queries.

/// The whole response as JSON (`data`, `errors`).
async fn run(schema: &impl Executor, query: &str, variables: Json) -> Json {
    let request = Request::new(query).variables(Variables::from_json(variables));
    serde_json::to_value(schema.execute(request).await).expect("response as JSON")
}

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String,
                          $orderBy: ArticleOrder, $authorId: Int, $offset: Int,
                          $createdAt: IntRange, $title: StringRange) {
  articles(first: $first, after: $after, last: $last, before: $before,
           orderBy: $orderBy, authorId: $authorId, offset: $offset,
           createdAt: $createdAt, title: $title) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

struct PageOut {
    ids: Vec<i64>,
    cursors: Vec<String>,
    has_next: bool,
    has_previous: bool,
    start: Json,
    end: Json,
}

async fn page(schema: &impl Executor, variables: Json) -> PageOut {
    let response = run(schema, PAGE, variables.clone()).await;
    assert!(
        response.get("errors").is_none(),
        "{variables}: {response:#}"
    );
    let connection = &response["data"]["articles"];
    let edges = connection["edges"].as_array().expect("edges");
    let info = &connection["pageInfo"];
    PageOut {
        ids: edges
            .iter()
            .map(|e| e["node"]["id"].as_i64().unwrap())
            .collect(),
        cursors: edges
            .iter()
            .map(|e| e["cursor"].as_str().unwrap().to_owned())
            .collect(),
        has_next: info["hasNextPage"].as_bool().unwrap(),
        has_previous: info["hasPreviousPage"].as_bool().unwrap(),
        start: info["startCursor"].clone(),
        end: info["endCursor"].clone(),
    }
}

/// Walks the whole connection forward with `first: size`, checking every
/// page's rows and `pageInfo` against the model.
async fn walk_forward(schema: &impl Executor, order: &str, author: Option<i64>, size: usize) {
    walk(schema, order, &Filters::author(author), size, true).await;
}

/// Walks the whole connection backward with `last: size`.
async fn walk_backward(schema: &impl Executor, order: &str, author: Option<i64>, size: usize) {
    walk(schema, order, &Filters::author(author), size, false).await;
}

/// Walks the rows `filters` keeps, forward (`first`/`after`) or backward
/// (`last`/`before`), every page's rows and `pageInfo` checked against the
/// model.
async fn walk(schema: &impl Executor, order: &str, filters: &Filters, size: usize, forward: bool) {
    let all = expected_in(order, filters);
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    for n in 0.. {
        let variables = if forward {
            json!({ "first": size, "after": cursor, "orderBy": order })
        } else {
            json!({ "last": size, "before": cursor, "orderBy": order })
        };
        let p = page(schema, filters.variables(variables)).await;
        let what = format!(
            "{order} {filters:?} {} {size}, page {n}",
            if forward { "first" } else { "last" }
        );
        // The page's rows are `all[from..to]`.
        let (from, to) = if forward {
            (n * size, (n * size + size).min(all.len()))
        } else {
            let to = all.len() - n * size;
            (to.saturating_sub(size), to)
        };
        assert_eq!(p.ids, all[from..to], "{what}");
        assert_eq!(p.has_next, to < all.len(), "{what}: hasNextPage");
        assert_eq!(p.has_previous, from > 0, "{what}: hasPreviousPage");
        assert_eq!(p.start, json!(p.cursors.first()), "{what}: startCursor");
        assert_eq!(p.end, json!(p.cursors.last()), "{what}: endCursor");
        if forward {
            seen.extend(p.ids);
            cursor = p.cursors.last().cloned();
        } else {
            seen.splice(0..0, p.ids);
            cursor = p.cursors.first().cloned();
        }
        if !(if forward { p.has_next } else { p.has_previous }) {
            break;
        }
    }
    assert_eq!(seen, all, "{order} {filters:?}: the walk");
}

// ---------------------------------------------------------------------------
// Scenarios.

async fn forward_walks<S: Executor>(env: &Env<S>) {
    for order in ["NEWEST", "TITLE"] {
        for size in [1, 10, 50, 69, 100] {
            walk_forward(&env.schema, order, None, size).await;
        }
    }
    // Without `first`/`last`: the default page size, 20, forward.
    let p = page(&env.schema, json!({})).await;
    assert_eq!(p.ids, expected("NEWEST", None)[..20]);
}

async fn backward_walks<S: Executor>(env: &Env<S>) {
    for order in ["NEWEST", "TITLE"] {
        for size in [1, 10, 50, 69, 100] {
            walk_backward(&env.schema, order, None, size).await;
        }
    }
}

async fn filter_with_cursors<S: Executor>(env: &Env<S>) {
    // Author 3 has 14 articles: pages of 7 end exactly at the last row.
    assert_eq!(expected("NEWEST", Some(3)).len(), 14);
    for order in ["NEWEST", "TITLE"] {
        for size in [3, 7, 14, 20] {
            walk_forward(&env.schema, order, Some(3), size).await;
            walk_backward(&env.schema, order, Some(3), size).await;
        }
    }
    let count = "query($a: Int) { articles(first: 1, authorId: $a) { totalCount } }";
    assert_eq!(
        run(&env.schema, count, json!({ "a": 3 })).await["data"]["articles"]["totalCount"],
        14
    );
    // An author without articles: an empty page, both flags false.
    let p = page(&env.schema, json!({ "first": 5, "authorId": 999 })).await;
    assert!(p.ids.is_empty() && !p.has_next && !p.has_previous);
    assert_eq!((p.start, p.end), (Json::Null, Json::Null));
}

/// The ranges `createdAt` and `title`, alone, together and with
/// `authorId`: whole walks both ways against the model, and `totalCount`
/// counts the range. A cursor is bound to the ranges it came from:
/// reused with other ranges, with none, or a cursor of the unfiltered list
/// reused with a range, is `CURSOR_FILTER_MISMATCH` before any statement;
/// `authorId` only partitions the list, so a cursor pages another author's.
async fn ranges_with_cursors<S: Executor>(env: &Env<S>) {
    let cases = [
        Filters {
            created_at: json!({ "gte": 1005, "lt": 1015 }),
            ..Filters::author(None)
        },
        Filters {
            title: json!({ "gte": "Zebra", "lt": "b" }),
            ..Filters::author(Some(3))
        },
        Filters {
            created_at: json!({ "gt": 1010 }),
            title: json!({ "lte": "apple", "gt": "Apple" }),
            ..Filters::author(None)
        },
        // Empty: `gt` above `lt`.
        Filters {
            created_at: json!({ "gt": 1015, "lt": 1010 }),
            ..Filters::author(None)
        },
    ];
    let count = "query($createdAt: IntRange, $title: StringRange, $authorId: Int) {
      articles(first: 1, createdAt: $createdAt, title: $title, authorId: $authorId) { totalCount }
    }";
    for filters in &cases {
        let all = expected_in("NEWEST", filters);
        assert!(all.len() < ARTICLES as usize, "{filters:?}");
        for order in ["NEWEST", "TITLE"] {
            for size in [4, 50] {
                walk(&env.schema, order, filters, size, true).await;
                walk(&env.schema, order, filters, size, false).await;
            }
        }
        let response = run(&env.schema, count, filters.variables(json!({}))).await;
        assert_eq!(
            response["data"]["articles"]["totalCount"],
            all.len(),
            "{filters:?}: {response:#}"
        );
    }

    let ranged = &cases[0];
    let p = page(&env.schema, ranged.variables(json!({ "first": 3 }))).await;
    let plain = page(&env.schema, json!({ "first": 3 })).await;
    let other_range = Filters {
        created_at: json!({ "gte": 1005, "lt": 1016 }),
        ..Filters::author(None)
    };
    let refused = [
        other_range.variables(json!({ "first": 2, "after": p.cursors[2] })),
        json!({ "first": 2, "after": p.cursors[2] }),
        ranged.variables(json!({ "last": 2, "before": plain.cursors[2] })),
        cases[1].variables(json!({ "first": 2, "after": p.cursors[2], "orderBy": "NEWEST" })),
    ];
    for variables in refused {
        let (response, statements) =
            measure(&env.db, run(&env.schema, PAGE, variables.clone())).await;
        assert_eq!(
            code_of(&response),
            "CURSOR_FILTER_MISMATCH",
            "{variables}: {response:#}"
        );
        let argument = &response["errors"][0]["extensions"]["argument"];
        assert!(argument == "after" || argument == "before", "{response:#}");
        assert!(statements.is_empty(), "{variables}: {statements:#?}");
    }
    // Not a cursor at all: its own error, not a filter mismatch.
    let response = run(
        &env.schema,
        PAGE,
        ranged.variables(json!({ "first": 2, "after": "not a cursor" })),
    )
    .await;
    assert_eq!(code_of(&response), "INVALID_CURSOR", "{response:#}");
    // The same ranges, written with explicit nulls, and another author.
    let same = Filters {
        created_at: json!({ "gte": 1005, "lt": 1015, "gt": null }),
        author: Some(4),
        ..Filters::author(None)
    };
    let next = page(
        &env.schema,
        same.variables(json!({ "first": 50, "after": p.cursors[2] })),
    )
    .await;
    let of_4 = expected_in("NEWEST", &same);
    let at = expected_in("NEWEST", ranged)[2];
    let position = |id: i64| expected("NEWEST", None).iter().position(|&x| x == id);
    let want: Vec<i64> = (of_4.iter().copied())
        .filter(|&id| position(id) > position(at))
        .collect();
    assert_eq!(next.ids, want);
}

const STABLE_PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String,
                                 $orderBy: ArticleOrder, $stable: Boolean) {
  articles(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy,
           stable: $stable) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage }
    totalCount
  }
}";

/// One walk of `order` in pages of `size`, forward or backward, with
/// `stable` as asked, inserting three articles (new ids, titles and times
/// all over both orderings) and deleting the last article not yet read
/// after every page. Returns the ids walked in order, the ids inserted and
/// deleted, and each page's `totalCount`.
async fn walk_while_writing<S: Executor>(
    env: &Env<S>,
    order: &str,
    size: usize,
    forward: bool,
    stable: bool,
    next_id: &mut i64,
) -> (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>) {
    let (mut walked, mut inserted, mut deleted, mut counts) = (vec![], vec![], vec![], vec![]);
    let mut cursor: Option<String> = None;
    for n in 0.. {
        assert!(n < 100, "{order} stable {stable}: the walk does not end");
        let variables = if forward {
            json!({ "first": size, "after": cursor, "orderBy": order, "stable": stable })
        } else {
            json!({ "last": size, "before": cursor, "orderBy": order, "stable": stable })
        };
        let response = run(&env.schema, STABLE_PAGE, variables.clone()).await;
        assert!(
            response.get("errors").is_none(),
            "{variables}: {response:#}"
        );
        let connection = &response["data"]["articles"];
        counts.push(connection["totalCount"].as_i64().unwrap());
        let edges = connection["edges"].as_array().unwrap();
        let mut ids: Vec<i64> = edges
            .iter()
            .map(|e| e["node"]["id"].as_i64().unwrap())
            .collect();
        let edge = if forward { edges.last() } else { edges.first() };
        cursor = edge.map(|e| e["cursor"].as_str().unwrap().to_owned());
        if !forward {
            ids.reverse();
        }
        walked.extend(ids);
        let more = connection["pageInfo"][if forward {
            "hasNextPage"
        } else {
            "hasPreviousPage"
        }]
        .as_bool()
        .unwrap();
        if !more {
            break;
        }
        for k in 0..3 {
            let id = *next_id;
            *next_id += 1;
            let title = TITLES[((id + k) % 5) as usize];
            let created_at = 990 + id * 11 % 40;
            env.db
                .execute(format!(
                    "INSERT INTO articles (id, title, created_at, author_id) \
                     VALUES ({id}, '{title}', {created_at}, 1)"
                ))
                .await;
            inserted.push(id);
        }
        // The last original article this walk has not read yet.
        let mut order_ids = expected(order, None);
        if !forward {
            order_ids.reverse();
        }
        if let Some(&id) = order_ids
            .iter()
            .rev()
            .find(|id| !walked.contains(id) && !deleted.contains(*id))
        {
            env.db
                .execute(format!("DELETE FROM articles WHERE id = {id}"))
                .await;
            deleted.push(id);
        }
    }
    if !forward {
        walked.reverse();
    }
    (walked, inserted, deleted, counts)
}

/// Back to the original articles: `inserted` deleted, `deleted` inserted.
async fn restore<S: Executor>(env: &Env<S>, inserted: &[i64], deleted: &[i64]) {
    for &id in inserted {
        env.db
            .execute(format!("DELETE FROM articles WHERE id = {id}"))
            .await;
    }
    for row in rows().iter().filter(|r| deleted.contains(&r.id)) {
        env.db
            .execute(format!(
                "INSERT INTO articles (id, title, created_at, author_id) \
                 VALUES ({}, '{}', {}, {})",
                row.id, row.title, row.created_at, row.author_id
            ))
            .await;
    }
}

/// `stable: true`: a walk is the articles there were at its first page, less
/// those deleted since, each once, in order, whatever is inserted while it
/// runs (here after every page, at positions all over the ordering), and its
/// `totalCount` counts that; the same walk without it sees the new articles.
/// The first page costs one statement more (the pin), the others none. A
/// cursor of a stable walk is not one of an unstable walk, nor the reverse,
/// nor are `after` and `before` of two walks: `INVALID_CURSOR`, no statement.
async fn stable_walks<S: Executor>(env: &Env<S>) {
    let mut next_id = ARTICLES + 1;
    for (order, forward) in [("TITLE", true), ("NEWEST", false)] {
        let (walked, inserted, deleted, counts) =
            walk_while_writing(env, order, 10, forward, true, &mut next_id).await;
        let mut want = expected(order, None);
        want.retain(|id| !deleted.contains(id));
        assert_eq!(
            walked, want,
            "{order}: the stable walk (deleted {deleted:?})"
        );
        assert!(inserted.iter().all(|id| !walked.contains(id)));
        assert!(!deleted.is_empty() && inserted.len() > 10);
        // Each page counts the pinned articles still there.
        for (n, &count) in counts.iter().enumerate() {
            assert_eq!(
                count,
                ARTICLES - n.min(deleted.len()) as i64,
                "{order}: page {n}"
            );
        }
        restore(env, &inserted, &deleted).await;
        let (walked, inserted, deleted, _) =
            walk_while_writing(env, order, 10, forward, false, &mut next_id).await;
        assert!(
            inserted.iter().any(|id| walked.contains(id)),
            "{order}: an unstable walk sees new articles"
        );
        restore(env, &inserted, &deleted).await;
    }

    let page = |variables: Json| async move {
        let (response, statements) =
            measure(&env.db, run(&env.schema, STABLE_PAGE, variables)).await;
        (response, kinds(&statements))
    };
    let (first, statements) = page(json!({ "first": 2, "stable": true })).await;
    assert_eq!(statements, ["pin", "page", "count"], "{first:#}");
    let stable_cursor = first["data"]["articles"]["edges"][1]["cursor"].clone();
    let (next, statements) =
        page(json!({ "first": 2, "after": stable_cursor, "stable": true })).await;
    assert_eq!(statements, ["page", "count"], "{next:#}");
    let plain_cursor =
        page(json!({ "first": 2 })).await.0["data"]["articles"]["edges"][1]["cursor"].clone();
    // Another walk, pinned higher.
    env.db
        .execute(format!(
            "INSERT INTO articles (id, title, created_at, author_id) VALUES ({next_id}, 'b', 1, 1)"
        ))
        .await;
    let other = page(json!({ "last": 2, "stable": true })).await.0["data"]["articles"]["edges"][0]
        ["cursor"]
        .clone();
    let long = format!("{}!{}", "A".repeat(40), "A".repeat(5_000));
    for variables in [
        json!({ "first": 2, "after": stable_cursor }),
        json!({ "first": 2, "after": plain_cursor, "stable": true }),
        json!({ "first": 2, "after": long.clone(), "stable": true }),
        json!({ "first": 2, "after": stable_cursor, "before": other, "stable": true }),
    ] {
        let (response, statements) = page(variables.clone()).await;
        assert_eq!(
            code_of(&response),
            "INVALID_CURSOR",
            "{variables}: {response:#}"
        );
        assert!(statements.is_empty(), "{variables}: {statements:?}");
    }
    // Refused by its whole length, before the pin is looked for.
    let response = run(
        &env.schema,
        STABLE_PAGE,
        json!({ "first": 2, "after": long, "stable": true }),
    )
    .await;
    let message = response["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("cursor is 5041 characters long"),
        "{message}"
    );
    // The unfiltered walk's cursor with a range: the filters differ, pin or no pin.
    let ranged = Filters {
        created_at: json!({ "gte": 1005 }),
        ..Filters::author(None)
    };
    let variables = ranged.variables(json!({ "first": 2, "after": stable_cursor, "stable": true }));
    let response = run(&env.schema, PAGE_STABLE_RANGED, variables).await;
    assert_eq!(code_of(&response), "CURSOR_FILTER_MISMATCH", "{response:#}");
    // An empty range is no filter: the unfiltered list's cursors stay good.
    let variables = json!({ "first": 2, "after": plain_cursor, "createdAt": {} });
    let response = run(&env.schema, PAGE, variables).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    // A stable walk's count is of its pinned articles, never shared with the
    // live count of another alias.
    let aliases = "query($after: String) {
      pinned: articles(first: 2, after: $after, stable: true) { totalCount }
      live: articles(first: 2) { totalCount }
    }";
    let (response, statements) = measure(
        &env.db,
        run(&env.schema, aliases, json!({ "after": stable_cursor })),
    )
    .await;
    assert_eq!(
        response["data"]["pinned"]["totalCount"], ARTICLES,
        "{response:#}"
    );
    assert_eq!(
        response["data"]["live"]["totalCount"],
        ARTICLES + 1,
        "{response:#}"
    );
    assert_eq!(kinds(&statements), ["page", "page", "count", "count"]);
}

const PAGE_STABLE_RANGED: &str = "query($first: Int, $after: String, $stable: Boolean,
                                        $createdAt: IntRange, $title: StringRange, $authorId: Int) {
  articles(first: $first, after: $after, stable: $stable, createdAt: $createdAt, title: $title,
           authorId: $authorId) { edges { cursor } }
}";

async fn ordering_switch<S: Executor>(env: &Env<S>) {
    // The same arguments, two orderings, two different sequences.
    let newest = page(&env.schema, json!({ "first": 5, "orderBy": "NEWEST" })).await;
    let title = page(&env.schema, json!({ "first": 5, "orderBy": "TITLE" })).await;
    assert_eq!(newest.ids, expected("NEWEST", None)[..5]);
    assert_eq!(title.ids, expected("TITLE", None)[..5]);
    assert_ne!(newest.ids, title.ids);
    // Leaving `orderBy` out is NEWEST.
    let default = page(&env.schema, json!({ "first": 5 })).await;
    assert_eq!(default.ids, newest.ids);
    assert_eq!(default.cursors, newest.cursors);
    // Cursors of one ordering are refused by the other (see argument_errors).
    let response = run(
        &env.schema,
        PAGE,
        json!({ "first": 5, "after": newest.cursors[0], "orderBy": "TITLE" }),
    )
    .await;
    assert_eq!(code_of(&response), "CURSOR_ORDER_MISMATCH");
}

fn code_of(response: &Json) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {response:#}"))
}

async fn argument_errors<S: Executor>(env: &Env<S>) {
    let newest = page(&env.schema, json!({ "first": 2 })).await.cursors;
    let title = page(&env.schema, json!({ "first": 2, "orderBy": "TITLE" }))
        .await
        .cursors;
    let mut truncated = title[1].clone();
    truncated.truncate(truncated.len() - 3);
    let long = "A".repeat(2_000);

    let cases: Vec<(Json, &str, Option<&str>)> = vec![
        (
            json!({ "first": -1 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            Some("first"),
        ),
        (
            json!({ "first": 101 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            Some("first"),
        ),
        (
            json!({ "last": -5 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            Some("last"),
        ),
        (
            json!({ "last": 1000 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            Some("last"),
        ),
        (json!({ "first": 1, "last": 1 }), "FIRST_AND_LAST", None),
        (
            json!({ "first": 1, "after": "not a cursor!" }),
            "INVALID_CURSOR",
            Some("after"),
        ),
        (
            json!({ "last": 1, "before": "AAAA" }),
            "INVALID_CURSOR",
            Some("before"),
        ),
        (
            json!({ "first": 1, "after": "" }),
            "INVALID_CURSOR",
            Some("after"),
        ),
        (
            json!({ "first": 1, "after": long }),
            "INVALID_CURSOR",
            Some("after"),
        ),
        (
            json!({ "first": 1, "after": truncated, "orderBy": "TITLE" }),
            "INVALID_CURSOR",
            Some("after"),
        ),
        (
            json!({ "first": 1, "after": newest[0], "orderBy": "TITLE" }),
            "CURSOR_ORDER_MISMATCH",
            Some("after"),
        ),
        (
            json!({ "last": 1, "before": title[0], "orderBy": "NEWEST" }),
            "CURSOR_ORDER_MISMATCH",
            Some("before"),
        ),
        (
            json!({ "last": 1, "before": title[0] }),
            "CURSOR_ORDER_MISMATCH",
            Some("before"),
        ),
    ];
    for (variables, code, argument) in cases {
        let (response, statements) =
            measure(&env.db, run(&env.schema, PAGE, variables.clone())).await;
        let errors = response["errors"].as_array().expect("errors");
        assert_eq!(errors.len(), 1, "{variables}: {response:#}");
        let error = &errors[0];
        assert_eq!(response["data"], Json::Null, "{variables}");
        assert_eq!(error["path"], json!(["articles"]), "{variables}");
        assert_eq!(error["extensions"]["code"], code, "{variables}: {error:#}");
        let message = error["message"].as_str().unwrap();
        match argument {
            Some(argument) => {
                assert_eq!(error["extensions"]["argument"], argument, "{variables}");
                assert!(message.contains(&format!("`{argument}`")), "{message}");
            }
            None => assert!(message.contains("`first`") && message.contains("`last`")),
        }
        for internal in ["SELECT", "::", "sqlx", "keypage", "articles"] {
            assert!(!message.contains(internal), "{message} leaks {internal}");
        }
        assert!(
            statements.is_empty(),
            "{variables}: refused arguments must not reach the database: {statements:#?}"
        );
    }
}

async fn total_count_is_lazy<S: Executor>(env: &Env<S>) {
    let without = "{ articles(first: 5) { nodes { id } pageInfo { hasNextPage } } }";
    let (response, statements) = measure(&env.db, run(&env.schema, without, json!({}))).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    assert_eq!(kinds(&statements), ["page"], "{statements:#?}");

    let with = "{ articles(first: 5) { nodes { id } totalCount } }";
    let (response, statements) = measure(&env.db, run(&env.schema, with, json!({}))).await;
    assert_eq!(response["data"]["articles"]["totalCount"], ARTICLES);
    assert_eq!(kinds(&statements), ["page", "count"], "{statements:#?}");

    // Only the count: still the page query (the connection is built first), one COUNT.
    let (response, statements) = measure(
        &env.db,
        run(
            &env.schema,
            "{ articles { a: totalCount b: totalCount } }",
            json!({}),
        ),
    )
    .await;
    assert_eq!(
        response["data"]["articles"],
        json!({ "a": ARTICLES, "b": ARTICLES })
    );
    assert_eq!(kinds(&statements), ["page", "count"], "{statements:#?}");
}

async fn database_errors_do_not_leak<S: Executor>(env: &Env<S>) {
    env.db
        .execute("ALTER TABLE articles RENAME TO articles_gone".into())
        .await;
    for query in [
        "{ articles(first: 2) { nodes { id } } }",
        "{ articles(first: 2, after: null, authorId: 1, orderBy: TITLE) { totalCount } }",
    ] {
        let response = run(&env.schema, query, json!({})).await;
        assert_eq!(response["data"], Json::Null, "{response:#}");
        let error = &response["errors"][0];
        assert_eq!(error["message"], "internal error", "{response:#}");
        assert_eq!(error["extensions"]["code"], "INTERNAL", "{response:#}");
        assert_eq!(response["errors"].as_array().unwrap().len(), 1);
        assert_no_leak(&response);
    }

    // The authors' batch failing: each author field says only `internal error`.
    env.db
        .execute("ALTER TABLE articles_gone RENAME TO articles".into())
        .await;
    env.db
        .execute("ALTER TABLE authors RENAME TO authors_gone".into())
        .await;
    let response = run(
        &env.schema,
        "{ articles(first: 2) { nodes { id author { name } } } }",
        json!({}),
    )
    .await;
    let errors = response["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{response:#}");
    for error in errors {
        assert_eq!(error["message"], "internal error", "{response:#}");
        assert_eq!(error["extensions"]["code"], "INTERNAL", "{response:#}");
        assert_eq!(error["path"][3], "author", "{response:#}");
    }
    assert_no_leak(&response);
}

/// Nothing of the SQL, the tables or the driver anywhere in a response.
fn assert_no_leak(response: &Json) {
    let text = response.to_string();
    for internal in [
        "SELECT", "FROM", "authors", "_gone", "sqlx", "::", "no such", "relation",
    ] {
        assert!(!text.contains(internal), "{text} leaks {internal:?}");
    }
}

/// The N+1 test: a 50-item page with each article's author costs the page
/// query and one batch of authors, whatever the number of authors.
async fn one_author_batch_per_page<S: Executor>(env: &Env<S>) {
    let query = "query($after: String, $count: Boolean!) {
      articles(first: 50, after: $after) {
        totalCount @include(if: $count)
        nodes { id author { id name } }
        pageInfo { endCursor }
      }
    }";
    let rows = rows();
    let check = |response: &Json| {
        let nodes = response["data"]["articles"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 50, "{response:#}");
        for node in nodes {
            let id = node["id"].as_i64().unwrap();
            let author = rows[id as usize - 1].author_id;
            assert_eq!(
                node["author"],
                json!({ "id": author, "name": format!("Author {author}") })
            );
        }
    };

    // First page (no `after`): no probe is needed, hasPreviousPage is false.
    // Page query + author batch = 2 statements; with totalCount 3.
    let (response, statements) =
        measure(&env.db, run(&env.schema, query, json!({ "count": false }))).await;
    check(&response);
    assert_eq!(kinds(&statements), ["page", "authors"], "{statements:#?}");
    let after = response["data"]["articles"]["pageInfo"]["endCursor"].clone();

    let (response, statements) =
        measure(&env.db, run(&env.schema, query, json!({ "count": true }))).await;
    check(&response);
    assert_eq!(response["data"]["articles"]["totalCount"], ARTICLES);
    assert_eq!(
        kinds(&statements),
        ["page", "authors", "count"],
        "{statements:#?}"
    );

    // With `after`: the same, the probe for hasPreviousPage is inside the
    // page's one statement. Page + author batch = 2; with totalCount 3.
    let (response, statements) = measure(
        &env.db,
        run(
            &env.schema,
            query,
            json!({ "after": after, "count": false }),
        ),
    )
    .await;
    check(&response);
    assert_eq!(kinds(&statements), ["page", "authors"], "{statements:#?}");
    assert!(support::has_probe(&statements[0]), "{statements:#?}");

    let (response, statements) = measure(
        &env.db,
        run(&env.schema, query, json!({ "after": after, "count": true })),
    )
    .await;
    check(&response);
    assert_eq!(
        kinds(&statements),
        ["page", "authors", "count"],
        "{statements:#?}"
    );
    assert!(
        statements.iter().any(|s| s.contains("WHERE id IN (")),
        "{statements:#?}"
    );
}

/// `authors { nodes { articles(...) } }`: 2 statements whatever the
/// arguments (the authors' page, every author's articles' page), 3 with the
/// nested `totalCount` (every author's count in one more).
async fn nested_statements<S: Executor>(env: &Env<S>) {
    let query = "query($after: String, $count: Boolean!) {
      authors(first: 20) {
        nodes {
          id
          articles(first: 5, after: $after) {
            totalCount @include(if: $count)
            pageInfo { hasNextPage hasPreviousPage endCursor }
            nodes { id }
          }
        }
      }
    }";
    let after = page(&env.schema, json!({ "first": 30, "orderBy": "NEWEST" }))
        .await
        .end;
    for (after, count, want) in [
        (Json::Null, false, &["page", "children"][..]),
        (Json::Null, true, &["page", "children", "child counts"][..]),
        (after.clone(), false, &["page", "children"][..]),
        (after, true, &["page", "children", "child counts"][..]),
    ] {
        let variables = json!({ "after": after, "count": count });
        let (response, statements) =
            measure(&env.db, run(&env.schema, query, variables.clone())).await;
        assert!(response.get("errors").is_none(), "{response:#}");
        let authors = response["data"]["authors"]["nodes"].as_array().unwrap();
        assert_eq!(authors.len(), AUTHORS as usize, "{response:#}");
        assert_eq!(kinds(&statements), want, "{variables}: {statements:#?}");
        for author in authors {
            let nodes = author["articles"]["nodes"].as_array().unwrap();
            assert!(!nodes.is_empty(), "{variables}: {author:#}");
        }
    }
}

const NESTED: &str = "query($first: Int, $after: String, $last: Int, $before: String,
                            $orderBy: ArticleOrder) {
  authors(first: 10) {
    nodes {
      id
      articles(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
        totalCount
        edges { cursor node { id title createdAt } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
}";

const AUTHOR_ARTICLES: &str = "query($first: Int, $after: String, $last: Int, $before: String,
                                     $orderBy: ArticleOrder, $authorId: Int) {
  articles(first: $first, after: $after, last: $last, before: $before,
           orderBy: $orderBy, authorId: $authorId) {
    totalCount
    edges { cursor node { id title createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

/// Every author's nested page equals the top-level `articles(authorId:
/// ...)` page with the same arguments: rows, cursors, all of `pageInfo`
/// and `totalCount`. Over both orderings, both directions, several sizes,
/// and cursors of rows of every author: a cursor is a position in the
/// ordering, so one minted in another author's list pages this author's
/// rows past that position, as the top-level connection does.
async fn nested_pages_equal_top_level_pages<S: Executor>(env: &Env<S>) {
    let mut compared = 0;
    for order in ["NEWEST", "TITLE"] {
        // Cursors of every 17th article in the ordering, of all authors.
        let all = page(&env.schema, json!({ "first": 100, "orderBy": order })).await;
        let cursors: Vec<Json> = std::iter::once(Json::Null)
            .chain(all.cursors.iter().step_by(17).map(|c| json!(c)))
            .collect();
        let mut cases = Vec::new();
        for size in [0, 1, 3, 20] {
            for (i, cursor) in cursors.iter().enumerate() {
                cases.push(json!({ "first": size, "after": cursor }));
                cases.push(json!({ "last": size, "before": cursor }));
                // A window between two cursors, both ways round.
                let other = &cursors[(i + 2) % cursors.len()];
                cases.push(json!({ "first": size, "after": cursor, "before": other }));
                cases.push(json!({ "last": size, "after": cursor, "before": other }));
            }
        }
        cases.push(json!({}));
        for mut variables in cases {
            variables["orderBy"] = json!(order);
            let nested = run(&env.schema, NESTED, variables.clone()).await;
            assert!(nested.get("errors").is_none(), "{variables}: {nested:#}");
            let authors = nested["data"]["authors"]["nodes"].as_array().unwrap();
            assert_eq!(authors.len(), AUTHORS as usize);
            for author in authors {
                let mut top = variables.clone();
                top["authorId"] = author["id"].clone();
                let top = run(&env.schema, AUTHOR_ARTICLES, top).await;
                assert!(top.get("errors").is_none(), "{variables}: {top:#}");
                assert_eq!(
                    author["articles"], top["data"]["articles"],
                    "{variables}, author {}",
                    author["id"]
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 1_000, "{compared} pages compared");
}

/// Aliases counting the same articles (whatever their page arguments and
/// ordering) run one `COUNT(*)`; another author filter is another count.
async fn aliases_share_one_count<S: Executor>(env: &Env<S>) {
    let query = "{
      a: articles(first: 1) { totalCount }
      b: articles(first: 5, orderBy: TITLE) { totalCount totalCountIsExact }
      c: articles(first: 2, authorId: 3) { totalCount }
      d: articles(last: 2, authorId: 3) { totalCount }
      e: articles(first: 2, authorId: 4) { nodes { id } }
    }";
    let (response, statements) = measure(&env.db, run(&env.schema, query, json!({}))).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    let data = &response["data"];
    assert_eq!(data["a"]["totalCount"], ARTICLES);
    assert_eq!(data["b"]["totalCount"], ARTICLES);
    assert_eq!(data["b"]["totalCountIsExact"], true);
    let of_3 = rows().iter().filter(|r| r.author_id == 3).count();
    assert_eq!(data["c"]["totalCount"], of_3);
    assert_eq!(data["d"]["totalCount"], of_3);
    assert_eq!(
        kinds(&statements),
        ["page", "page", "page", "page", "page", "count", "count"],
        "{statements:#?}"
    );
}

const SECRET: &[u8] = b"the example's cursor secret, 32+ bytes";

/// With `schema_with_keys`: whole walks with signed cursors, each opening
/// to the very cursor the unsigned schema hands out; a plain, altered,
/// forged, expired or retired cursor refused as `INVALID_CURSOR` without a
/// statement, nested connections included; a signed cursor of another
/// ordering still `CURSOR_ORDER_MISMATCH`.
async fn signed_cursors<S: Executor, T: Executor>(
    plain: &Env<S>,
    signed_env: impl Fn(&CursorKeys) -> Env<T>,
) {
    let keys = CursorKeys::new(1, SECRET).unwrap();
    let env = signed_env(&keys);
    for order in ["NEWEST", "TITLE"] {
        for size in [7, 50] {
            walk_forward(&env.schema, order, None, size).await;
            walk_backward(&env.schema, order, None, size).await;
        }
        walk_forward(&env.schema, order, Some(3), 4).await;
        // Bound to a range, then signed: the signature covers the binding.
        let ranged = Filters {
            created_at: json!({ "gte": 1005 }),
            ..Filters::author(None)
        };
        walk(&env.schema, order, &ranged, 6, true).await;
        walk(&env.schema, order, &ranged, 6, false).await;
        let p = page(
            &env.schema,
            ranged.variables(json!({ "first": 1, "orderBy": order })),
        )
        .await;
        let response = run(
            &env.schema,
            PAGE,
            json!({ "first": 1, "after": p.cursors[0], "orderBy": order }),
        )
        .await;
        assert_eq!(code_of(&response), "CURSOR_FILTER_MISMATCH", "{response:#}");
    }
    // A stable walk's signed cursors carry its pin.
    let mut next_id = ARTICLES + 1;
    let (walked, inserted, deleted, _) =
        walk_while_writing(&env, "TITLE", 25, true, true, &mut next_id).await;
    let mut want = expected("TITLE", None);
    want.retain(|id| !deleted.contains(id));
    assert_eq!(walked, want, "a signed stable walk");
    restore(&env, &inserted, &deleted).await;
    let unsigned = page(&plain.schema, json!({ "first": 3 })).await;
    let signed = page(&env.schema, json!({ "first": 3 })).await;
    assert_eq!(signed.ids, unsigned.ids);
    for (signed, unsigned) in signed.cursors.iter().zip(&unsigned.cursors) {
        assert_eq!(keys.verify(signed), Ok(unsigned.as_str()));
    }
    let title = page(&env.schema, json!({ "first": 1, "orderBy": "TITLE" })).await;

    let cursor = signed.cursors[1].clone();
    let mut altered = cursor.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    let stranger = CursorKeys::new(1, [9; 32]).unwrap();
    let hour = Duration::from_secs(3600);
    let expiring = CursorKeys::new(1, SECRET).unwrap().expire_after(hour);
    let expired = expiring.sign_at(&unsigned.cursors[1], SystemTime::now() - 2 * hour);
    let retired = CursorKeys::new(7, [1; 32]).unwrap();
    let cases = [
        (
            json!({ "first": 2, "after": unsigned.cursors[1] }),
            "INVALID_CURSOR",
            "not signed",
        ),
        (
            json!({ "last": 2, "before": altered }),
            "INVALID_CURSOR",
            "signature does not match",
        ),
        (
            json!({ "first": 2, "after": stranger.sign(&unsigned.cursors[1]) }),
            "INVALID_CURSOR",
            "signature does not match",
        ),
        (
            json!({ "first": 2, "after": expired }),
            "INVALID_CURSOR",
            "expired",
        ),
        (
            json!({ "first": 2, "after": retired.sign(&unsigned.cursors[1]) }),
            "INVALID_CURSOR",
            "key 7, which this server no longer accepts",
        ),
        (
            json!({ "first": 2, "after": "A".repeat(500) }),
            "INVALID_CURSOR",
            "characters long",
        ),
        (
            json!({ "first": 2, "after": title.cursors[0] }),
            "CURSOR_ORDER_MISMATCH",
            "different ordering",
        ),
    ];
    for (variables, code, says) in cases {
        let (response, statements) =
            measure(&env.db, run(&env.schema, PAGE, variables.clone())).await;
        assert_eq!(code_of(&response), code, "{variables}: {response:#}");
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{variables}: {message}");
        assert!(statements.is_empty(), "{variables}: {statements:#?}");
    }
    // Nested connections: the same keys, the same refusals.
    let nested = "query($after: String) {
      authors(first: 3) { nodes { articles(first: 2, after: $after) { edges { cursor node { id } } } } }
    }";
    let response = run(&env.schema, nested, json!({ "after": cursor })).await;
    assert!(response.get("errors").is_none(), "{response:#}");
    let edges = &response["data"]["authors"]["nodes"][0]["articles"]["edges"];
    assert!(
        keys.verify(edges[0]["cursor"].as_str().unwrap()).is_ok(),
        "{edges}"
    );
    let (response, statements) = measure(
        &env.db,
        run(&env.schema, nested, json!({ "after": unsigned.cursors[1] })),
    )
    .await;
    assert_eq!(code_of(&response), "INVALID_CURSOR", "{response:#}");
    assert_eq!(kinds(&statements), ["page"], "{statements:#?}");
    // Rotation: the next key signs, this one still verifies.
    let rotated = CursorKeys::new(2, [2; 32])
        .unwrap()
        .verify_also(1, SECRET)
        .unwrap();
    let next = signed_env(&rotated);
    let p = page(&next.schema, json!({ "first": 3, "after": cursor })).await;
    assert_eq!(p.ids, expected("NEWEST", None)[2..5]);
    assert!(keys.verify(&p.cursors[0]).is_err(), "signed with key 2");
    assert!(rotated.verify(&p.cursors[0]).is_ok());
}

const LIST: &str = "query($offset: Int, $limit: Int, $orderBy: ArticleOrder, $authorId: Int) {
  articleList(offset: $offset, limit: $limit, orderBy: $orderBy, authorId: $authorId) { id }
}";

/// The deprecated `articleList(offset, limit)` and `articles(first/last,
/// offset)` against the model, both orderings, with and without a filter,
/// offsets to past the end; each one statement, whose `endCursor` pages on
/// by keyset; out-of-range arguments refused with their names and no SQL.
async fn offsets_and_the_list_field<S: Executor>(env: &Env<S>) {
    // "Page 3 of 7": `pageCount` is `totalCount` in pages of the request's size, rounded up.
    let pages = "query($first: Int, $last: Int, $authorId: Int, $offset: Int) {
      articles(first: $first, last: $last, authorId: $authorId, offset: $offset) {
        totalCount pageCount
      }
    }";
    for (variables, count, page_count) in [
        (json!({ "first": 20, "offset": 40 }), 137, 7),
        (json!({ "first": 100 }), 137, 2),
        (json!({ "last": 5, "authorId": 3 }), 14, 3),
        (json!({ "first": 0 }), 137, 0),
        (json!({ "first": 10, "authorId": 999 }), 0, 0),
        (json!({}), 137, 7),
    ] {
        let response = run(&env.schema, pages, variables.clone()).await;
        let connection = &response["data"]["articles"];
        assert_eq!(connection["totalCount"], count, "{variables}: {response:#}");
        assert_eq!(
            connection["pageCount"], page_count,
            "{variables}: {response:#}"
        );
    }
    for order in ["NEWEST", "TITLE"] {
        for author in [None, Some(3)] {
            let all = expected(order, author);
            let len = all.len();
            for offset in [0, 1, 13, 19, 20, 57, 136, 137, 200] {
                for limit in [1, 20, 100] {
                    let what = format!("{order} author {author:?} offset {offset} limit {limit}");
                    let vars = json!({ "offset": offset, "limit": limit, "orderBy": order, "authorId": author });
                    let (response, statements) =
                        measure(&env.db, run(&env.schema, LIST, vars)).await;
                    let list: Vec<i64> = (response["data"]["articleList"].as_array())
                        .unwrap_or_else(|| panic!("{what}: {response:#}"))
                        .iter()
                        .map(|a| a["id"].as_i64().unwrap())
                        .collect();
                    let (start, end) = (offset.min(len), (offset + limit).min(len));
                    assert_eq!(list, all[start..end], "{what}: the list");
                    assert_eq!(kinds(&statements), ["page"], "{what}: {statements:#?}");

                    let forward = json!({ "first": limit, "offset": offset, "orderBy": order, "authorId": author });
                    let p = page(&env.schema, forward).await;
                    assert_eq!(p.ids, list, "{what}: the connection");
                    assert_eq!(
                        p.has_previous,
                        offset > 0 && len > 0,
                        "{what}: hasPreviousPage"
                    );
                    assert_eq!(p.has_next, end < len, "{what}: hasNextPage");
                    if let Some(cursor) = p.cursors.last() {
                        let vars = json!({ "first": limit, "after": cursor, "orderBy": order, "authorId": author });
                        let next = page(&env.schema, vars).await;
                        assert_eq!(next.ids, all[end..(end + limit).min(len)], "{what}: next");
                    }

                    let backward = json!({ "last": limit, "offset": offset, "orderBy": order, "authorId": author });
                    let b = page(&env.schema, backward).await;
                    let b_end = len.saturating_sub(offset);
                    let b_start = b_end.saturating_sub(limit);
                    assert_eq!(b.ids, all[b_start..b_end], "{what}: last");
                    assert_eq!(b.has_previous, b_start > 0, "{what}: last, hasPreviousPage");
                    assert_eq!(
                        b.has_next,
                        offset > 0 && len > 0,
                        "{what}: last, hasNextPage"
                    );
                }
            }
        }
    }
    let cases = [
        (
            PAGE,
            json!({ "first": 5, "offset": -1 }),
            "OFFSET_OUT_OF_RANGE",
            "offset",
        ),
        (
            PAGE,
            json!({ "first": 5, "offset": 10_001 }),
            "OFFSET_OUT_OF_RANGE",
            "offset",
        ),
        (
            LIST,
            json!({ "offset": 10_001 }),
            "OFFSET_OUT_OF_RANGE",
            "offset",
        ),
        (
            LIST,
            json!({ "limit": 101 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            "limit",
        ),
        (
            LIST,
            json!({ "limit": -1 }),
            "PAGE_SIZE_OUT_OF_RANGE",
            "limit",
        ),
    ];
    for (query, variables, code, argument) in cases {
        let (response, statements) =
            measure(&env.db, run(&env.schema, query, variables.clone())).await;
        let error = &response["errors"][0];
        assert_eq!(
            error["extensions"]["code"], code,
            "{variables}: {response:#}"
        );
        assert_eq!(error["extensions"]["argument"], argument, "{variables}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("`{argument}` must be between 0 and ")),
            "{message}"
        );
        assert!(statements.is_empty(), "{variables}: {statements:#?}");
    }
    // Without `offset` (or `limit`): the first 20, as the connection's first page.
    let response = run(&env.schema, LIST, json!({})).await;
    let ids: Vec<i64> = (response["data"]["articleList"].as_array().unwrap().iter())
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, expected("NEWEST", None)[..20]);
}

/// A jump of whole pages from a cursor, forward and back: the keyset seek
/// to the cursor, then the offset, in one statement.
async fn jumps_from_a_cursor<S: Executor>(env: &Env<S>) {
    for order in ["NEWEST", "TITLE"] {
        let all = expected(order, None);
        let first = page(&env.schema, json!({ "first": 10, "orderBy": order })).await;
        let cursor = first.cursors.last().unwrap();
        for pages in 0..=5 {
            let vars =
                json!({ "first": 10, "after": cursor, "offset": 10 * pages, "orderBy": order });
            let (p, statements) = measure(&env.db, page(&env.schema, vars)).await;
            let from = 10 + 10 * pages;
            assert_eq!(p.ids, all[from..from + 10], "{order}: {pages} pages on");
            assert!(p.has_previous && p.has_next, "{order}: {pages} pages on");
            assert_eq!(kinds(&statements), ["page"], "{statements:#?}");
        }
        // Back from the row at 100: the window is the 100 rows before it.
        let at_100 = page(
            &env.schema,
            json!({ "first": 1, "offset": 100, "orderBy": order }),
        )
        .await;
        for pages in 0..=5 {
            let vars = json!({ "last": 10, "before": at_100.cursors[0], "offset": 10 * pages, "orderBy": order });
            let p = page(&env.schema, vars).await;
            let to = 100 - 10 * pages;
            assert_eq!(p.ids, all[to - 10..to], "{order}: {pages} pages back");
            assert_eq!(p.has_previous, to > 10, "{order}: {pages} pages back");
            assert!(p.has_next, "{order}: {pages} pages back");
        }
        // Past the window's end: an empty page, the rows passed over behind it.
        let vars = json!({ "first": 10, "after": cursor, "offset": 500, "orderBy": order });
        let p = page(&env.schema, vars).await;
        assert!(p.ids.is_empty() && p.has_previous && !p.has_next, "{order}");
    }
}

/// A nested connection's invalid arguments are its own coded errors, and
/// nothing of them reaches the database: only the authors' page runs.
async fn nested_argument_errors<S: Executor>(env: &Env<S>) {
    // Small enough a selection that `first: 1000`, costed as the largest
    // page, stays within the complexity limit and meets its own error.
    let query = "query($first: Int, $after: String, $last: Int, $orderBy: ArticleOrder) {
      authors(first: 10) {
        nodes { articles(first: $first, after: $after, last: $last, orderBy: $orderBy) { nodes { id } } }
      }
    }";
    let other_ordering = page(&env.schema, json!({ "first": 1, "orderBy": "TITLE" }))
        .await
        .end;
    for (variables, code) in [
        (json!({ "first": 1000 }), "PAGE_SIZE_OUT_OF_RANGE"),
        (json!({ "first": 1, "last": 1 }), "FIRST_AND_LAST"),
        (
            json!({ "first": 1, "after": "not a cursor" }),
            "INVALID_CURSOR",
        ),
        (
            json!({ "first": 1, "after": other_ordering, "orderBy": "NEWEST" }),
            "CURSOR_ORDER_MISMATCH",
        ),
    ] {
        let (response, statements) =
            measure(&env.db, run(&env.schema, query, variables.clone())).await;
        let errors = response["errors"].as_array().expect("errors");
        assert!(!errors.is_empty(), "{variables}: {response:#}");
        for error in errors {
            assert_eq!(error["extensions"]["code"], code, "{variables}: {error:#}");
        }
        assert_eq!(kinds(&statements), ["page"], "{variables}: {statements:#?}");
    }
}

/// What each statement is, in the order sent; `count` sorted last since the
/// count and the author batch run concurrently.
fn kinds(statements: &[String]) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = statements
        .iter()
        .map(|s| {
            if s.contains("COUNT(*)") && s.contains("keypage_group") {
                "child counts"
            } else if s.contains("COUNT(*)") {
                "count"
            } else if s.contains("keypage_group") {
                "children"
            } else if s.contains("FROM authors WHERE id IN (") {
                "authors"
            } else if s.contains(" IS NOT NULL ORDER BY ") && !s.contains("keypage_part") {
                "pin"
            } else if s.contains("ORDER BY") && s.contains("LIMIT") {
                "page"
            } else {
                panic!("unexpected statement {s}")
            }
        })
        .collect();
    kinds.sort_by_key(|k| k.contains("count"));
    kinds
}

// ---------------------------------------------------------------------------
// Statement counting (see the module docs).

/// (thread, SQL) of every `sqlx::query` event since the counter was installed.
static EVENTS: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

struct StatementCounter;

impl tracing::Subscriber for StatementCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        /// `db.statement` (the whole SQL when longer than the summary), else `summary`.
        #[derive(Default)]
        struct Sql {
            summary: String,
            statement: String,
        }
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                match field.name() {
                    "summary" => self.summary = value.to_owned(),
                    "db.statement" => self.statement = value.to_owned(),
                    _ => {}
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if matches!(field.name(), "summary" | "db.statement") {
                    self.record_str(field, format!("{value:?}").trim_matches('"'));
                }
            }
        }
        let mut sql = Sql::default();
        event.record(&mut sql);
        let text = if sql.statement.trim().is_empty() {
            sql.summary
        } else {
            sql.statement.trim().to_owned()
        };
        EVENTS
            .lock()
            .unwrap()
            .push((std::thread::current().id(), text));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn install_counter() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing::subscriber::set_global_default(StatementCounter)
            .expect("no other global tracing subscriber in this test binary");
    });
}

/// Runs `body` and returns its output with the statements it sent to `db`.
async fn measure<T>(db: &Db, body: impl Future<Output = T>) -> (T, Vec<String>) {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let (start, end) = (
        format!("keypage-marker-{n}-start"),
        format!("keypage-marker-{n}-end"),
    );
    db.mark(&start).await;
    let output = body.await;
    db.mark(&end).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        {
            let events = EVENTS.lock().unwrap();
            let position = |marker: &str| events.iter().position(|(_, sql)| sql.contains(marker));
            if let (Some(from), Some(to)) = (position(&start), position(&end)) {
                let thread = events[from].0;
                assert_eq!(events[to].0, thread, "markers on one thread");
                let statements = events[from + 1..to]
                    .iter()
                    .filter(|(t, _)| *t == thread)
                    .map(|(_, sql)| sql.clone())
                    .collect();
                return (output, statements);
            }
        }
        assert!(
            Instant::now() < deadline,
            "the marker statements were not reported as tracing events"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A schema of its own over SQLite, for what the example's cannot show: a
/// `u64` key, and data sources that fail after the page arguments were
/// accepted.
mod counters {
    use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
    use keypage::PageArgs;
    use keypage::sql::sqlx::{FetchError, Select};
    use sqlx::{Sqlite, SqlitePool};

    #[derive(keypage::Paginate, sqlx::FromRow, SimpleObject, Clone, Debug)]
    #[paginate(table = "counters", order_by = "id asc")]
    #[paginate(ordering(name = "TICKS", order_by = "ticks asc, id asc"))]
    pub struct Counter {
        #[paginate(unique)]
        pub id: i64,
        /// A `u64` key: `TICKS` pages by it.
        pub ticks: u64,
    }

    pub struct Query;

    #[Object]
    impl Query {
        /// The table through `select`.
        async fn counters(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
            order_by: Option<CounterOrder>,
        ) -> async_graphql::Result<CounterConnection> {
            let args = PageArgs {
                first,
                after,
                last,
                before,
            };
            Counter::connection(order_by, args)
                .select(ctx.data::<SqlitePool>()?, Counter::table())
                .await
        }

        /// The page through `select`, `totalCount` from a query that fails.
        async fn broken_count(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
        ) -> async_graphql::Result<CounterConnection> {
            let pool = ctx.data::<SqlitePool>()?.clone();
            let count = pool.clone();
            Counter::connection(
                None,
                PageArgs {
                    first,
                    ..PageArgs::default()
                },
            )
            .total_count(move || async move {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM no_such_table")
                    .fetch_one(&count)
                    .await
                    .map_err(FetchError::Database)
            })
            .select(&pool, Counter::table())
            .await
        }

        /// A page through `fetch` and `fetch_any`, from a table that is not there.
        async fn missing_table(
            &self,
            ctx: &Context<'_>,
            first: Option<i32>,
        ) -> async_graphql::Result<CounterConnection> {
            let pool = ctx.data::<SqlitePool>()?;
            Counter::connection(
                None,
                PageArgs {
                    first,
                    ..PageArgs::default()
                },
            )
            .fetch(|query| async move {
                Select::<Sqlite>::of_table("no_such_table", &["id", "ticks"])
                    .fetch_any(pool, query)
                    .await
            })
            .await
        }
    }

    pub type CounterSchema = Schema<Query, EmptyMutation, EmptySubscription>;

    pub async fn schema(db: &super::Db, pool: SqlitePool) -> CounterSchema {
        db.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, ticks INTEGER NOT NULL)".into())
            .await;
        db.execute("INSERT INTO counters VALUES (1, 5), (2, 7)".into())
            .await;
        Schema::build(Query, EmptyMutation, EmptySubscription)
            .data(pool)
            .finish()
    }
}

/// A cursor holding a key value the database cannot store (a `u64` beyond
/// SQLite's `INTEGER`) decodes, since the cursor type allows it, but can
/// only have been forged: `INVALID_CURSOR` on the argument that holds it,
/// and nothing sent to the database.
#[tokio::test]
async fn forged_out_of_range_cursor_is_an_invalid_cursor() {
    use counters::CounterTicksCursor;
    use keypage::Cursor as _;

    install_counter();
    let pool = support::sqlite_pool().await;
    let db = Db::Sqlite(pool.clone());
    let schema = counters::schema(&db, pool).await;

    let forged = CounterTicksCursor {
        ticks: u64::MAX,
        id: 1,
    }
    .encode();
    for (query, argument) in [
        (
            "query($c: String) { counters(first: 1, after: $c, orderBy: TICKS) { nodes { id } } }",
            "after",
        ),
        (
            "query($c: String) { counters(last: 1, before: $c, orderBy: TICKS) { nodes { id } } }",
            "before",
        ),
    ] {
        let (response, statements) =
            measure(&db, run(&schema, query, json!({ "c": forged }))).await;
        let error = &response["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "INVALID_CURSOR",
            "{response:#}"
        );
        assert_eq!(error["extensions"]["argument"], argument, "{response:#}");
        assert_eq!(
            error["message"],
            format!("`{argument}` is not a valid cursor: it holds a key value out of range"),
        );
        assert!(statements.is_empty(), "{statements:#?}");
    }

    // A real cursor of the same ordering still pages.
    let real = CounterTicksCursor { ticks: 5, id: 1 }.encode();
    let query = "query($c: String) { counters(first: 1, after: $c, orderBy: TICKS) { \
                 nodes { id ticks } pageInfo { hasPreviousPage hasNextPage } } }";
    let response = run(&schema, query, json!({ "c": real })).await;
    assert_eq!(
        response["data"]["counters"],
        json!({
            "nodes": [{ "id": 2, "ticks": 7 }],
            "pageInfo": { "hasPreviousPage": true, "hasNextPage": false },
        }),
    );
}

/// Database failures inside the user's own data sources (a `totalCount`
/// closure, a `fetch` closure) reach the client as `INTERNAL` and nothing
/// more, while the rest of the response is served.
#[tokio::test]
async fn failing_data_sources_do_not_leak() {
    let pool = support::sqlite_pool().await;
    let db = Db::Sqlite(pool.clone());
    let schema = counters::schema(&db, pool).await;

    // The page is served; only `totalCount` fails.
    let query = "{ brokenCount(first: 1) { nodes { id } totalCount } }";
    let response = run(&schema, query, json!({})).await;
    assert_eq!(
        response["data"]["brokenCount"]["nodes"],
        json!([{ "id": 1 }]),
        "{response:#}"
    );
    let error = &response["errors"][0];
    assert_eq!(error["message"], "internal error", "{response:#}");
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{response:#}");
    assert_eq!(
        error["path"],
        json!(["brokenCount", "totalCount"]),
        "{response:#}"
    );
    assert_no_leak(&response);
    assert!(
        !response.to_string().contains("no_such_table"),
        "{response:#}"
    );

    // `fetch` handed keypage's `FetchError`: converted as safely as `select`'s.
    let response = run(
        &schema,
        "{ missingTable(first: 1) { nodes { id } } }",
        json!({}),
    )
    .await;
    let error = &response["errors"][0];
    assert_eq!(error["message"], "internal error", "{response:#}");
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{response:#}");
    assert_no_leak(&response);
    assert!(
        !response.to_string().contains("no_such_table"),
        "{response:#}"
    );
}
