//! Keyset pages deep in a large table are index seeks, on every database:
//! 100,000 `Event` rows with an index matching each ordering, `ANALYZE`d,
//! then the exact page query `Event::fetch_page` / `fetch_page_by` sends
//! (same SQL, same binds) is explained for forward and backward pages at a
//! cursor half-way through the table, for the uniform ordering (row values
//! on SQLite/PostgreSQL), the mixed-direction one (expanded with a leading
//! bound) and the nullable one (NULL-aware, split into a `UNION ALL` of two
//! seeks when the page runs across the NULLs), with a non-NULL and a NULL
//! cursor.
//!
//! * SQLite, `EXPLAIN QUERY PLAN`: every step is `SEARCH events USING
//!   INDEX`, never `SCAN events`, never `USE TEMP B-TREE` (a sort).
//! * PostgreSQL, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`: every scan is an
//!   index scan with an `Index Cond` on the ordering's leading key, no `Sort`
//!   node, fewer than 200 shared buffers touched, and no filter discarding
//!   the rows before the cursor.
//! * MariaDB, `ANALYZE FORMAT=JSON`: every access to `events` is a `range`
//!   (or `ref` for `rank IS NULL`) on the ordering's index reading fewer than
//!   200 rows, and no `filesort`.

mod sql_common;
mod support;

use std::marker::PhantomData;

use keypage::sql::sqlx::{Select, SqlxDatabase};
use keypage::sql::{PagePlan, WhereClause};
use keypage::{Keyset, KeysetQuery, OrderVisitor, PageArgs, PageDirection, Paginate};
use sql_common::{Event, EventOrder, TestDb, runtime, summary};
use sqlx::{Pool, QueryBuilder, Row as _};

const ROWS: i64 = 100_000;
const PAGE: u32 = 20;

/// The rows as the bulk insert makes them.
fn event(id: i64) -> Event {
    Event {
        id,
        created_at: id / 3,
        rank: (id % 10 != 0).then_some(id % 1000),
        title: format!("event {id}"),
    }
}

/// `(ordering, cursor row, leading column, index, label)`: cursors half-way
/// through the table in each ordering.
fn cases() -> Vec<(EventOrder, Event, &'static str, &'static str, &'static str)> {
    vec![
        (
            EventOrder::Default,
            event(50_001),
            "created_at",
            "events_created_id",
            "uniform",
        ),
        (
            EventOrder::Mixed,
            event(50_001),
            "created_at",
            "events_created_id_mixed",
            "mixed directions",
        ),
        (
            EventOrder::Rank,
            event(50_501),
            "rank",
            "events_rank_id",
            "nullable, value cursor",
        ),
        (
            EventOrder::Rank,
            event(50_000),
            "rank",
            "events_rank_id",
            "nullable, NULL cursor",
        ),
    ]
}

/// Builds `prefix` + the page query of `Event::fetch_page_by(.., order, ..)`
/// for a page after (`forward`) or before `row`; also checks that it is the
/// SQL the one-call method sends.
struct PageSql<'a, DB> {
    prefix: &'a str,
    row: &'a Event,
    forward: bool,
    db: PhantomData<DB>,
}

impl<DB: SqlxDatabase> OrderVisitor<Event> for PageSql<'_, DB> {
    type Output = (QueryBuilder<DB>, bool);
    fn visit<K: Keyset<Row = Event>>(self) -> Self::Output {
        let cursor = K::from_row(self.row);
        let plan = PagePlan::new(KeysetQuery::<K> {
            after: self.forward.then(|| cursor.clone()),
            before: (!self.forward).then(|| cursor.clone()),
            direction: if self.forward {
                PageDirection::Forward
            } else {
                PageDirection::Backward
            },
            limit: PAGE,
        });
        let select = Select::<DB>::table_of::<Event>().unwrap();
        let sent = select.page_query(&plan).unwrap().sql();
        let dialect = DB::DIALECT;
        let columns: Vec<String> = Event::COLUMNS.iter().map(|c| dialect.quote(c)).collect();
        let mut qb = QueryBuilder::new(self.prefix);
        plan.push_statement(
            &mut qb,
            |qb| {
                qb.push(columns.join(", "));
                Ok(())
            },
            |qb| {
                qb.push(format!(" FROM {}", dialect.quote("events")));
                Ok(WhereClause::Absent)
            },
        )
        .unwrap();
        assert_eq!(
            qb.sql().as_str(),
            format!("{}{}", self.prefix, sent.as_str())
        );
        (qb, plan.splits())
    }
}

fn page_sql<DB: SqlxDatabase>(
    prefix: &str,
    order: EventOrder,
    row: &Event,
    forward: bool,
) -> (QueryBuilder<DB>, bool) {
    Event::with_order(
        order,
        PageSql {
            prefix,
            row,
            forward,
            db: PhantomData,
        },
    )
}

/// 100,000 rows in one `INSERT ... SELECT`, the indexes, `ANALYZE`.
async fn load<DB: TestDb>(pool: &Pool<DB>, analyze: &str) -> std::time::Duration {
    let start = std::time::Instant::now();
    DB::exec(pool, DB::EVENTS_DDL).await;
    DB::exec(pool, &DB::bulk_events_sql(ROWS)).await;
    for index in DB::EVENTS_INDEXES {
        DB::exec(pool, index).await;
    }
    DB::exec(pool, analyze).await;
    start.elapsed()
}

/// The page `Event::fetch_page_by` returns at that position equals the
/// in-memory page over the same 100,000 rows, so the plans explained are
/// those of correct pages.
async fn check_page<DB: TestDb>(
    pool: &Pool<DB>,
    all: &[Event],
    order: EventOrder,
    row: &Event,
    forward: bool,
) {
    let one =
        Event::paginate_slice_by(std::slice::from_ref(row), order, &PageArgs::first(1)).unwrap();
    let cursor = one.edges[0].cursor.clone();
    let args = if forward {
        PageArgs::first(PAGE as i32).after(cursor)
    } else {
        PageArgs::last(PAGE as i32).before(cursor)
    };
    let want = summary::<Event, _>(&Event::paginate_slice_by(all, order, &args).unwrap());
    let got = summary::<Event, _>(&DB::events_page_by(pool, order, &args).await.unwrap());
    assert_eq!(got.0.len(), PAGE as usize);
    assert!(got == want, "{} {order:?} {args:?}: {got:?}", DB::DB_NAME);
}

#[test]
fn sqlite_pages_deep_in_the_table_seek_the_index() {
    let rt = runtime();
    rt.block_on(async {
        let pool = support::sqlite_pool().await;
        let took = load(&pool, "ANALYZE").await;
        eprintln!("SQLite: {ROWS} rows loaded and indexed in {took:?}");
        let all: Vec<Event> = (1..=ROWS).map(event).collect();
        for (order, row, _, index, label) in cases() {
            for forward in [true, false] {
                check_page(&pool, &all, order, &row, forward).await;
                let (mut qb, splits) =
                    page_sql::<sqlx::Sqlite>("EXPLAIN QUERY PLAN ", order, &row, forward);
                let steps: Vec<String> = qb
                    .build()
                    .fetch_all(&pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>(3))
                    .collect();
                let what = format!(
                    "SQLite {label} forward={forward} split={splits}:\n  {}\n{}",
                    qb.sql().as_str(),
                    steps.join("\n")
                );
                eprintln!("{what}\n");
                let searches: Vec<&String> =
                    steps.iter().filter(|s| s.contains("events")).collect();
                assert!(!searches.is_empty(), "{what}");
                for step in searches {
                    assert!(
                        step.starts_with(&format!("SEARCH events USING INDEX {index} (")),
                        "{what}"
                    );
                }
                assert!(!steps.iter().any(|s| s.contains("SCAN events")), "{what}");
                assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{what}");
            }
        }
    });
}

/// Every object in a JSON tree, depth first.
fn objects(value: &serde_json::Value) -> Vec<&serde_json::Map<String, serde_json::Value>> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                out.push(map);
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// Runs `qb` (an `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ...`) and returns
/// the top plan node and the shared buffers it touched.
async fn pg_explain(
    qb: &mut QueryBuilder<sqlx::Postgres>,
    pool: &sqlx::PgPool,
) -> (serde_json::Value, u64) {
    let json: String = qb
        .build()
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get_unchecked(0)
        .unwrap();
    let explained: serde_json::Value = serde_json::from_str(&json).unwrap();
    let top = explained[0]["Plan"].clone();
    let buffers =
        top["Shared Hit Blocks"].as_u64().unwrap() + top["Shared Read Blocks"].as_u64().unwrap();
    (top, buffers)
}

/// The plan's nodes, and each as one line for failure messages.
fn pg_nodes(top: &serde_json::Value) -> (Vec<&serde_json::Map<String, serde_json::Value>>, String) {
    let nodes: Vec<_> = objects(top)
        .into_iter()
        .filter(|o| o.contains_key("Node Type"))
        .collect();
    let lines = nodes
        .iter()
        .map(|o| {
            let mut s = o["Node Type"].as_str().unwrap().to_owned();
            for key in [
                "Index Name",
                "Scan Direction",
                "Index Cond",
                "Filter",
                "Rows Removed by Filter",
                "Actual Rows",
            ] {
                if let Some(v) = o.get(key) {
                    s.push_str(&format!("; {key}: {v}"));
                }
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n");
    (nodes, lines)
}

/// Checks a scan of `events` removed by its filter at most the rows tied
/// with the cursor on the leading key (the expanded form bounds that key
/// alone), never the rows before the cursor.
fn assert_filters_only_ties(
    scan: &serde_json::Map<String, serde_json::Value>,
    all: &[Event],
    row: &Event,
    leading: &str,
    what: &str,
) {
    let removed = scan
        .get("Rows Removed by Filter")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let ties = all
        .iter()
        .filter(|e| match leading {
            "created_at" => e.created_at == row.created_at,
            _ => e.rank == row.rank,
        })
        .count() as u64;
    assert!(removed <= ties, "{what}");
}

fn scans_of_events<'a>(
    nodes: &[&'a serde_json::Map<String, serde_json::Value>],
) -> Vec<&'a serde_json::Map<String, serde_json::Value>> {
    nodes
        .iter()
        .copied()
        .filter(|o| o.get("Relation Name").is_some_and(|r| r == "events"))
        .collect()
}

#[test]
fn postgres_pages_deep_in_the_table_seek_the_index() {
    let rt = runtime();
    rt.block_on(async {
        let Some(pool) = support::pg_pool().await else {
            return;
        };
        let took = load(&pool, "ANALYZE events").await;
        eprintln!("PostgreSQL: {ROWS} rows loaded and indexed in {took:?}");
        let all: Vec<Event> = (1..=ROWS).map(event).collect();
        for (order, row, leading, index, label) in cases() {
            for forward in [true, false] {
                check_page(&pool, &all, order, &row, forward).await;
                let (mut qb, splits) = page_sql::<sqlx::Postgres>(
                    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ",
                    order,
                    &row,
                    forward,
                );
                let (top, buffers) = pg_explain(&mut qb, &pool).await;
                let (nodes, lines) = pg_nodes(&top);
                let what = format!(
                    "PostgreSQL {label} forward={forward} split={splits}: {buffers} shared buffers\n  {}\n{lines}",
                    qb.sql().as_str(),
                );
                eprintln!("{what}\n");
                assert!(buffers < 200, "{what}");
                let scans = scans_of_events(&nodes);
                assert_eq!(scans.len(), if splits { 2 } else { 1 }, "{what}");
                for scan in scans {
                    assert_eq!(scan["Node Type"], "Index Scan", "{what}");
                    assert_eq!(scan["Index Name"], index, "{what}");
                    let cond = scan["Index Cond"].as_str().unwrap_or_default();
                    assert!(cond.contains(leading), "{what}");
                    assert_filters_only_ties(scan, &all, &row, leading, &what);
                }
                assert!(!nodes.iter().any(|o| o["Node Type"] == "Sort"), "{what}");

                assert!(!nodes.iter().any(|o| o["Node Type"] == "Sort"), "{what}");
            }
        }
    });
}

fn field<'a>(object: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    object.get(key).unwrap_or(&serde_json::Value::Null)
}

#[test]
fn mariadb_pages_deep_in_the_table_seek_the_index() {
    let rt = runtime();
    rt.block_on(async {
        let Some(pool) = support::mysql_pool().await else {
            return;
        };
        let took = load(&pool, "ANALYZE TABLE events").await;
        eprintln!("MariaDB: {ROWS} rows loaded and indexed in {took:?}");
        let all: Vec<Event> = (1..=ROWS).map(event).collect();
        for (order, row, _, index, label) in cases() {
            for forward in [true, false] {
                check_page(&pool, &all, order, &row, forward).await;
                let (mut qb, splits) =
                    page_sql::<sqlx::MySql>("ANALYZE FORMAT=JSON ", order, &row, forward);
                let json: String = qb
                    .build()
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .try_get_unchecked(0)
                    .unwrap();
                let explained: serde_json::Value = serde_json::from_str(&json).unwrap();
                let tables: Vec<serde_json::Value> = objects(&explained)
                    .into_iter()
                    .filter(|o| o.get("table_name").is_some_and(|t| t == "events"))
                    .map(|o| serde_json::Value::Object(o.clone()))
                    .collect();
                let what = format!(
                    "MariaDB {label} forward={forward} split={splits}:\n  {}\n{}",
                    qb.sql().as_str(),
                    tables
                        .iter()
                        .map(|t: &serde_json::Value| format!(
                            "access_type: {}; key: {}; key_length: {}; rows (estimate): {}; \
                             r_rows: {}; pages_accessed: {}; index_condition: {}",
                            field(t, "access_type"),
                            field(t, "key"),
                            field(t, "key_length"),
                            field(t, "rows"),
                            field(t, "r_rows"),
                            field(field(t, "r_engine_stats"), "pages_accessed"),
                            field(t, "index_condition")
                        ))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                eprintln!("{what}\n");
                assert_eq!(tables.len(), if splits { 2 } else { 1 }, "{what}\n{json}");
                for t in &tables {
                    let access = field(t, "access_type");
                    assert!(access == "range" || access == "ref", "{what}\n{json}");
                    assert_eq!(field(t, "key"), index, "{what}\n{json}");
                    // A range on an index is a range of a prefix of its keys: the
                    // leading key is bounded.
                    assert!(field(t, "key_length").is_string(), "{what}\n{json}");
                    let read = field(t, "r_rows").as_f64().unwrap_or(f64::MAX);
                    assert!(read < 200.0, "{what}\n{json}");
                    let pages = field(field(t, "r_engine_stats"), "pages_accessed");
                    assert!(pages.as_u64().is_some_and(|p| p < 200), "{what}\n{json}");
                }
                assert!(!json.contains("filesort"), "{what}\n{json}");
            }
        }
    });
}
