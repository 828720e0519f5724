//! Benchmarks 4 and 5: a Relay connection query executed through an
//! async-graphql schema over SQLite, keypage's resolver against the
//! resolver a user writes by hand with `async_graphql::connection::query`.
//!
//! * **keypage**: the example server's schema (`examples/server/schema.rs`),
//!   whose resolver is `Article::connection(order_by, args).select(pool,
//!   Article::table()...)`;
//! * **hand-written**: the same `Article` node type and the same authors'
//!   DataLoader, with a resolver over `async_graphql::connection::query`
//!   and `OpaqueCursor<(i64, i64)>` (async-graphql's documented cursor)
//!   that answers the same: the page query `... WHERE (created_at, id) <
//!   (?, ?) ORDER BY created_at DESC, id DESC LIMIT 51`, and after a cursor
//!   an indexed `SELECT 1 ... LIMIT 1` probe for an exact `hasPreviousPage`
//!   (two statements, where keypage sends both in one `UNION ALL`).
//!
//! Both run the query `articles(first: 50 [, after: ...]) { pageInfo {...}
//! edges { cursor node { id title createdAt author { name } } } }` on the
//! example's data (100,000 articles, 1,000 authors; cached under
//! `$CARGO_TARGET_DIR/keypage-bench/`), both with the example's per-request
//! authors' loader (one batch per page, no timer). The responses
//! of both are checked equal (apart from the cursors' text) before timing.
//!
//! 4. Time per query: the variants alternate round by round (each round
//!    times a batch of queries of each variant, the order swapped every
//!    round) so that load drift on a shared machine hits both alike;
//!    medians of the rounds.
//! 5. Memory: a counting global allocator records the peak of live heap
//!    bytes (all threads, SQLite's worker included) above the level before
//!    the query, for one `first: 100` query, and the bytes and allocations
//!    it made in total; medians of 15 queries after a warm-up.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench graphql
//! # instruction counts (stable under load): N queries of one variant, then exit
//! KEYPAGE_GQL_PROFILE=keypage/first/2000 valgrind --tool=callgrind target/release/deps/graphql-<hash>
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_graphql::connection::{self, Connection, Edge, OpaqueCursor};
use async_graphql::{Context, EmptyMutation, EmptySubscription, Executor as _, Object, Schema};
use serde_json::{Value as Json, json};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

#[path = "common/report.rs"]
mod report;

/// The example server's schema and seeding, on SQLite.
#[allow(dead_code)]
#[path = "../examples/server"]
mod app {
    pub type Db = sqlx::Sqlite;
    pub mod db;
    pub mod schema;
}

use app::schema::{AppSchema, Article, WithLoaders};

// ---------------------------------------------------------------------------
// Counting allocator (benchmark 5).

/// The system allocator, counting live bytes, their peak, and the total
/// bytes and calls allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
    TOTAL.fetch_add(size, Ordering::Relaxed);
    CALLS.fetch_add(1, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only
// observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one query allocated: the peak of live bytes above the level before
/// it, the bytes allocated in all, the allocation calls.
#[derive(Clone, Copy)]
struct Allocated {
    peak: usize,
    total: usize,
    calls: usize,
}

async fn allocated<F: Future>(body: F) -> (F::Output, Allocated) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let (total, calls) = (TOTAL.load(Ordering::Relaxed), CALLS.load(Ordering::Relaxed));
    let out = body.await;
    let allocated = Allocated {
        peak: PEAK.load(Ordering::Relaxed).saturating_sub(base),
        total: TOTAL.load(Ordering::Relaxed) - total,
        calls: CALLS.load(Ordering::Relaxed) - calls,
    };
    (out, allocated)
}

// ---------------------------------------------------------------------------
// The hand-written resolver.

/// The hand-written connection, named apart from keypage's: the example's
/// `Article` reaches keypage's `ArticleConnection` through
/// `Author.articles`, and one schema cannot hold two types of one name.
type HandConnection = Connection<
    OpaqueCursor<(i64, i64)>,
    Article,
    connection::EmptyFields,
    connection::EmptyFields,
    HandConnectionName,
    HandEdgeName,
>;

/// `HandArticleConnection`.
struct HandConnectionName;

impl connection::ConnectionNameType for HandConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        format!("Hand{}Connection", T::type_name())
    }
}

/// `HandArticleEdge`.
struct HandEdgeName;

impl connection::EdgeNameType for HandEdgeName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        format!("Hand{}Edge", T::type_name())
    }
}

/// What a careful user writes with async-graphql's connection helpers: the
/// same node type, the same ordering and the same SQL as keypage.
struct HandQuery;

#[Object]
impl HandQuery {
    async fn articles(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<HandConnection> {
        let pool = ctx.data::<SqlitePool>()?;
        connection::query(
            after,
            before,
            first,
            last,
            |after: Option<OpaqueCursor<(i64, i64)>>,
             before: Option<OpaqueCursor<(i64, i64)>>,
             first,
             last| async move {
                if before.is_some() || last.is_some() {
                    return Err("only `first` and `after` in this benchmark".into());
                }
                let limit = first.unwrap_or(20);
                if limit > 100 {
                    return Err("`first` must be between 0 and 100".into());
                }
                let key = after.map(|c| c.0);
                let mut page = QueryBuilder::<Sqlite>::new(
                    "SELECT \"id\", \"title\", \"created_at\", \"author_id\" FROM \"articles\"",
                );
                if let Some((created_at, id)) = key {
                    page.push(" WHERE (\"created_at\", \"id\") < (")
                        .push_bind(created_at)
                        .push(", ")
                        .push_bind(id)
                        .push(")");
                }
                page.push(" ORDER BY \"created_at\" DESC, \"id\" DESC LIMIT ")
                    .push(limit + 1);
                let mut conn = pool.acquire().await?;
                let mut rows: Vec<Article> = page.build_query_as().fetch_all(&mut *conn).await?;
                let has_next = rows.len() > limit;
                rows.truncate(limit);
                let has_previous = match key {
                    None => false,
                    Some((created_at, id)) => {
                        let mut probe = QueryBuilder::<Sqlite>::new(
                            "SELECT 1 FROM \"articles\" WHERE (\"created_at\", \"id\") >= (",
                        );
                        probe
                            .push_bind(created_at)
                            .push(", ")
                            .push_bind(id)
                            .push(") ORDER BY \"created_at\", \"id\" LIMIT 1");
                        probe.build().fetch_optional(&mut *conn).await?.is_some()
                    }
                };
                let mut connection = HandConnection::new(has_previous, has_next);
                connection.edges.extend(
                    rows.into_iter()
                        .map(|a| Edge::new(OpaqueCursor((a.created_at, a.id)), a)),
                );
                Ok::<_, async_graphql::Error>(connection)
            },
        )
        .await
    }
}

type HandSchema = WithLoaders<Schema<HandQuery, EmptyMutation, EmptySubscription>>;

fn hand_schema(pool: SqlitePool) -> HandSchema {
    let schema = Schema::build(HandQuery, EmptyMutation, EmptySubscription)
        .data(pool.clone())
        .finish();
    WithLoaders::new(schema, pool)
}

fn keypage_schema(pool: SqlitePool) -> AppSchema {
    app::schema::schema(pool)
}

// ---------------------------------------------------------------------------
// Queries.

const QUERY: &str = "query($first: Int, $after: String) {
  articles(first: $first, after: $after) {
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id title createdAt author { name } } }
  }
}";

/// A schema, behind one type for the harness.
enum Variant {
    Keypage(AppSchema),
    Hand(HandSchema),
}

impl Variant {
    fn name(&self) -> &'static str {
        match self {
            Variant::Keypage(_) => "keypage",
            Variant::Hand(_) => "hand",
        }
    }

    async fn run(&self, first: i32, after: Option<&str>) -> Json {
        let request = async_graphql::Request::new(QUERY).variables(
            async_graphql::Variables::from_json(json!({ "first": first, "after": after })),
        );
        let response = match self {
            Variant::Keypage(s) => s.execute(request).await,
            Variant::Hand(s) => s.execute(request).await,
        };
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        response.data.into_json().expect("JSON")
    }

    /// The `endCursor` after `n` rows (to start a deep page there).
    async fn cursor_after(&self, n: usize) -> String {
        let mut after: Option<String> = None;
        let mut seen = 0;
        while seen < n {
            let page = self.run(100, after.as_deref()).await;
            seen += page["articles"]["edges"].as_array().unwrap().len();
            after = page["articles"]["pageInfo"]["endCursor"]
                .as_str()
                .map(String::from);
        }
        after.unwrap()
    }
}

/// A response without the cursors' text (the two encodings differ).
fn without_cursors(mut page: Json) -> Json {
    let articles = &mut page["articles"];
    for edge in articles["edges"].as_array_mut().unwrap() {
        edge["cursor"] = Json::Null;
    }
    articles["pageInfo"]["startCursor"] = Json::Null;
    articles["pageInfo"]["endCursor"] = Json::Null;
    page
}

// ---------------------------------------------------------------------------

const ARTICLES: i64 = 100_000;

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

async fn pool() -> SqlitePool {
    let path: PathBuf = report::bench_dir().join(format!("graphql-example-{ARTICLES}-v1.sqlite"));
    let (pool, n, seeded) = app::db::open(&path, ARTICLES)
        .await
        .expect("open the example database");
    assert_eq!(n, ARTICLES);
    eprintln!("graphql: example database {} ({seeded:?})", path.display());
    pool
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
}

/// A query of the benchmark: `first: 50` from the start, or after the
/// cursor of row 50,000.
struct Case {
    name: &'static str,
    first: i32,
    after: Option<(String, String)>,
}

async fn bench() {
    let pool = pool().await;
    let variants = [
        Variant::Keypage(keypage_schema(pool.clone())),
        Variant::Hand(hand_schema(pool.clone())),
    ];
    let [keypage, hand] = &variants;

    // `KEYPAGE_GQL_PROFILE=<keypage|hand>/<first|deep>/<n>`: n queries of
    // one variant, then exit; nothing else runs, so that the difference
    // between two counts of queries is the queries' own cost.
    if let Ok(profile) = std::env::var("KEYPAGE_GQL_PROFILE") {
        let mut parts = profile.split('/');
        let (v, c, n) = (parts.next(), parts.next(), parts.next());
        let variant = match v {
            Some("keypage") => keypage,
            Some("hand") => hand,
            _ => panic!("KEYPAGE_GQL_PROFILE: <keypage|hand>/<first|deep>/<n>"),
        };
        let n: usize = n.and_then(|n| n.parse().ok()).expect("a count");
        let after = match c {
            Some("deep") => Some(variant.cursor_after(50_000).await),
            _ => None,
        };
        for _ in 0..n {
            variant.run(50, after.as_deref()).await;
        }
        return;
    }

    let deep = (
        keypage.cursor_after(50_000).await,
        hand.cursor_after(50_000).await,
    );
    let cases = [
        Case {
            name: "first: 50",
            first: 50,
            after: None,
        },
        Case {
            name: "first: 50, after row 50,000",
            first: 50,
            after: Some(deep),
        },
    ];
    let after_of = |case: &Case, v: &Variant| -> Option<String> {
        case.after.as_ref().map(|(k, h)| match v {
            Variant::Keypage(_) => k.clone(),
            Variant::Hand(_) => h.clone(),
        })
    };

    // Same answers first.
    for case in &cases {
        let a = keypage
            .run(case.first, after_of(case, keypage).as_deref())
            .await;
        let b = hand.run(case.first, after_of(case, hand).as_deref()).await;
        assert_eq!(
            without_cursors(a.clone()),
            without_cursors(b),
            "{}: keypage and the hand-written resolver disagree",
            case.name
        );
        let edges = a["articles"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 50);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["author"]["name"].is_string())
        );
    }

    // 4. Time per query, interleaved rounds.
    let budget = Duration::from_millis(
        std::env::var("KEYPAGE_BENCH_BUDGET_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3_000),
    );
    let mut table = report::Table::new(&[
        "query",
        "keypage (µs)",
        "hand-written (µs)",
        "keypage / hand-written",
        "rounds × queries",
    ]);
    for case in &cases {
        let afters = [after_of(case, keypage), after_of(case, hand)];
        // Warm up, and size a batch to ~20 ms.
        let start = Instant::now();
        let mut warm = 0;
        while start.elapsed() < Duration::from_millis(300) {
            for (v, after) in variants.iter().zip(&afters) {
                v.run(case.first, after.as_deref()).await;
            }
            warm += 1;
        }
        let per_pair = start.elapsed() / warm;
        let batch =
            ((Duration::from_millis(40).as_nanos() / per_pair.as_nanos().max(1)) as usize).max(1);
        let mut samples: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let start = Instant::now();
        let mut round = 0;
        while start.elapsed() < budget || round < 15 {
            let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                let t = Instant::now();
                for _ in 0..batch {
                    variants[i].run(case.first, afters[i].as_deref()).await;
                }
                samples[i].push(t.elapsed().as_nanos() as f64 / batch as f64 / 1_000.0);
            }
            round += 1;
        }
        let [k, h] = samples.map(median);
        eprintln!("graphql: {}: keypage {k:.1} µs, hand {h:.1} µs", case.name);
        table.row(vec![
            format!("`{}`", case.name),
            format!("{k:.1}"),
            format!("{h:.1}"),
            format!("{:.3}×", k / h),
            format!("{round} × {batch}"),
        ]);
    }

    // 5. Memory for one page of 100.
    let mut memory = report::Table::new(&[
        "resolver",
        "peak live heap (bytes)",
        "allocated in all (bytes)",
        "allocations",
    ]);
    let mut peaks = Vec::new();
    for v in &variants {
        for _ in 0..5 {
            v.run(100, None).await;
        }
        let mut runs = Vec::new();
        for _ in 0..15 {
            runs.push(allocated(v.run(100, None)).await.1);
        }
        let peak = median(runs.iter().map(|a| a.peak).collect());
        let total = median(runs.iter().map(|a| a.total).collect());
        let calls = median(runs.iter().map(|a| a.calls).collect());
        peaks.push(peak as f64);
        memory.row(vec![
            match v.name() {
                "keypage" => "keypage".to_string(),
                _ => "hand-written".to_string(),
            },
            group(peak),
            group(total),
            group(calls),
        ]);
    }
    let text = format!(
        "#### 4. GraphQL end to end: median time per query\n\n{}\n\
         #### 5. Memory: one `first: 100` query\n\n{}\nkeypage / hand-written peak: {:.2}×\n",
        table.markdown(),
        memory.markdown(),
        peaks[0] / peaks[1],
    );
    report::emit("graphql.md", &text);
}

/// `1234567` as `1,234,567`.
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
