//! The rendered SQL evaluated by a real, in-process SQLite (sqlx's bundled
//! one) against the in-memory reference semantics:
//!
//! * every predicate shape, rendered for every dialect (SQLite accepts
//!   PostgreSQL's `$n` and MySQL's backticks and `IS NULL` sort keys), selects
//!   exactly the rows `KeySpec::compare` puts on its side of the cursor;
//! * pages planned by `PagePlan` (one statement: page + probe) equal `page_slice`'s
//!   row for row, cursor for cursor and flag for flag, in both directions,
//!   with both cursors, for every ordering;
//! * `Select::fetch_page` (the sqlx glue) does the same with a filter, and
//!   `count` counts what the filter selects;
//! * hostile strings in cursors reach the database only as bound values.

use super::common::{self, Row, SPECS, TEXTS, arb_row, cmp_in};
use keypage_runtime::sql::sqlx::Select;
use keypage_runtime::sql::{
    Dialect, KeyBound, PART_COLUMN, PROBE_PART, PagePlan, RenderedSql, Side, SqlWriter, WhereClause,
};
use keypage_runtime::{
    AnyKeysetQuery, Cursor, Keyset, KeysetQuery, Page, PageArgs, PageDirection, PageError, Value,
    page_slice,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqlitePoolOptions};
use sqlx::{Arguments, Connection, QueryBuilder, Sqlite};

const DIALECTS: [Dialect; 3] = [Dialect::Postgres, Dialect::Sqlite, Dialect::MySql];

const SCHEMA: &str = "CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    a INTEGER,
    b INTEGER NOT NULL,
    c INTEGER NOT NULL,
    s TEXT,
    owner INTEGER NOT NULL
)";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn connect() -> SqliteConnection {
    let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
    sqlx::query(SCHEMA).execute(&mut conn).await.unwrap();
    conn
}

/// Replaces the table's rows; `owners[i]` is row i's owner (1 if absent).
async fn load(conn: &mut SqliteConnection, rows: &[Row], owners: &[i64]) {
    sqlx::query("DELETE FROM items")
        .execute(&mut *conn)
        .await
        .unwrap();
    for (i, chunk) in rows.chunks(100).enumerate() {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO items (id, a, b, c, s, owner) ");
        qb.push_values(chunk.iter().enumerate(), |mut b, (j, r)| {
            let owner = owners.get(i * 100 + j).copied().unwrap_or(1);
            b.push_bind(r.id)
                .push_bind(r.a)
                .push_bind(r.b)
                .push_bind(r.c)
                .push_bind(r.s.clone())
                .push_bind(owner);
        });
        qb.build().execute(&mut *conn).await.unwrap();
    }
}

fn arguments(values: &[Value]) -> SqliteArguments {
    let mut args = SqliteArguments::default();
    for v in values {
        match v {
            Value::Int(i) => args.add(*i).unwrap(),
            Value::Text(s) => args.add(s.clone()).unwrap(),
            other => panic!("the fixture has no {other:?} keys"),
        }
    }
    args
}

async fn run_rows(conn: &mut SqliteConnection, sql: RenderedSql) -> Vec<Row> {
    QueryBuilder::<Sqlite>::with_arguments(sql.sql, arguments(&sql.binds))
        .build_query_as::<Row>()
        .fetch_all(conn)
        .await
        .unwrap()
}

/// Up to 40 rows with unique ids below 60 and many duplicate keys.
fn arb_rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::btree_set(0i64..60, 0..40).prop_flat_map(|ids| {
        ids.into_iter()
            .map(|id| arb_row(Just(id)))
            .collect::<Vec<_>>()
    })
}

fn ids(rows: &[Row]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

#[test]
fn predicates_select_exactly_the_rows_on_their_side() {
    let rt = runtime();
    let conn = core::cell::RefCell::new(rt.block_on(connect()));
    let strategy = (
        arb_rows(),
        0..SPECS.len(),
        arb_row(0i64..60),
        any::<bool>(),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config::with_cases(400));
    runner
        .run(&strategy, |(rows, spec, cursor, after, inclusive)| {
            let keys = SPECS[spec].keys();
            let side = if after { Side::After } else { Side::Before };
            let mut expected: Vec<Row> = rows
                .iter()
                .filter(|r| {
                    let o = cmp_in(keys, r, &cursor);
                    (o.is_eq() && inclusive)
                        || o == if after {
                            core::cmp::Ordering::Greater
                        } else {
                            core::cmp::Ordering::Less
                        }
                })
                .cloned()
                .collect();
            expected.sort_by_key(|r| r.id);
            let values = with_spec!(spec, K => K::from_row(&cursor).values());
            let mut conn = conn.borrow_mut();
            rt.block_on(load(&mut conn, &rows, &[]));
            for dialect in DIALECTS {
                let bound = KeyBound::new(side, inclusive, values.clone());
                let mut sql = RenderedSql::new(dialect);
                sql.push_sql("SELECT * FROM items WHERE ");
                let Ok(()) = bound.push_sql(&mut sql, keys);
                sql.push_sql(" ORDER BY id");
                let text = sql.sql.clone();
                let got = rt.block_on(run_rows(&mut conn, sql));
                prop_assert_eq!(
                    ids(&got),
                    ids(&expected),
                    "{:?} {} {:?} inclusive={}: {}",
                    dialect,
                    SPECS[spec].name(),
                    side,
                    inclusive,
                    text
                );
            }
            Ok(())
        })
        .unwrap();
}

fn arb_query() -> impl Strategy<Value = (Option<Row>, Option<Row>, bool, u32, u32)> {
    (
        proptest::option::of(arb_row(0i64..60)),
        proptest::option::of(arb_row(0i64..60)),
        any::<bool>(),
        0u32..7,
        // Mostly keyset pages; an offset (`PagePlan` passes over rows of
        // the window, up to past its end) in one case of four.
        prop_oneof![3 => Just(0u32), 1 => 1u32..12],
    )
}

fn query<K: Keyset<Row = Row>>(
    (after, before, forward, limit, offset): &(Option<Row>, Option<Row>, bool, u32, u32),
) -> KeysetQuery<K> {
    KeysetQuery {
        after: after.as_ref().map(K::from_row),
        before: before.as_ref().map(K::from_row),
        direction: if *forward {
            PageDirection::Forward
        } else {
            PageDirection::Backward
        },
        limit: *limit,
        offset: *offset,
    }
}

fn summary(page: &Page<Row>) -> (Vec<i64>, Vec<String>, bool, bool) {
    (
        page.edges.iter().map(|e| e.node.id).collect(),
        page.edges.iter().map(|e| e.cursor.clone()).collect(),
        page.page_info.has_previous_page,
        page.page_info.has_next_page,
    )
}

fn reference<K: Keyset<Row = Row>>(rows: &[Row], q: &KeysetQuery<K>) -> Page<Row> {
    let page = page_slice::<K>(rows, q).unwrap();
    let (prev, next) = (
        page.page_info.has_previous_page,
        page.page_info.has_next_page,
    );
    Page::new(
        page.edges
            .into_iter()
            .map(|e| keypage_runtime::Edge {
                cursor: e.cursor,
                node: e.node.clone(),
            })
            .collect(),
        prev,
        next,
    )
}

/// The page by `PagePlan`, its one statement rendered for `dialect` and run
/// on SQLite; with `filtered`, under the caller's filter `owner = 1` (bound,
/// so it is written again in every part of the statement).
async fn planned<K: Keyset<Row = Row>>(
    conn: &mut SqliteConnection,
    dialect: Dialect,
    filtered: bool,
    q: KeysetQuery<K>,
) -> Page<Row> {
    use sqlx::Row as _;
    let plan = PagePlan::new(q);
    let mut sql = RenderedSql::new(dialect);
    let Ok(()) = plan.push_statement(
        &mut sql,
        |out| {
            out.push_sql("*");
            Ok(())
        },
        |out| {
            out.push_sql(" FROM items");
            if !filtered {
                return Ok(WhereClause::Absent);
            }
            out.push_sql(" WHERE owner = ");
            out.push_bind(Value::Int(1))?;
            Ok(WhereClause::Present)
        },
    );
    let raw = QueryBuilder::<Sqlite>::with_arguments(sql.sql, arguments(&sql.binds))
        .build()
        .fetch_all(conn)
        .await
        .unwrap();
    let mut rows = Vec::new();
    let mut probe = false;
    for row in &raw {
        let part: i64 = row.try_get(PART_COLUMN).unwrap();
        if part == PROBE_PART {
            probe = true;
        } else {
            rows.push(<Row as sqlx::FromRow<_>>::from_row(row).unwrap());
        }
    }
    plan.finish(rows, probe).unwrap()
}

#[test]
fn planned_pages_equal_the_in_memory_pages() {
    let rt = runtime();
    let conn = core::cell::RefCell::new(rt.block_on(connect()));
    let strategy = (arb_rows(), 0..SPECS.len(), arb_query());
    let mut runner = TestRunner::new(Config::with_cases(400));
    runner
        .run(&strategy, |(rows, spec, q)| {
            let mut conn = conn.borrow_mut();
            rt.block_on(load(&mut conn, &rows, &[]));
            for dialect in DIALECTS {
                for filtered in [false, true] {
                    let (want, got) = with_spec!(spec, K => (
                        reference::<K>(&rows, &query::<K>(&q)),
                        rt.block_on(planned::<K>(&mut conn, dialect, filtered, query::<K>(&q))),
                    ));
                    prop_assert_eq!(
                        summary(&got),
                        summary(&want),
                        "{:?} filtered={} {} {:?}",
                        dialect,
                        filtered,
                        SPECS[spec].name(),
                        q
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

async fn pool() -> SqlitePool {
    // One connection that never closes, so the in-memory database lives on.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::query(SCHEMA).execute(&pool).await.unwrap();
    pool
}

#[test]
fn select_fetch_page_with_a_filter_equals_the_in_memory_page() {
    let rt = runtime();
    let pool = rt.block_on(pool());
    let strategy = (
        arb_rows().prop_flat_map(|rows| {
            let n = rows.len();
            (Just(rows), proptest::collection::vec(1i64..3, n))
        }),
        0..SPECS.len(),
        arb_query(),
    );
    let mut runner = TestRunner::new(Config::with_cases(200));
    runner
        .run(&strategy, |((rows, owners), spec, q)| {
            rt.block_on(async {
                let mut conn = pool.acquire().await.unwrap();
                load(&mut conn, &rows, &owners).await;
            });
            let mine: Vec<Row> = rows
                .iter()
                .zip(&owners)
                .filter(|(_, o)| **o == 2)
                .map(|(r, _)| r.clone())
                .collect();
            let owner = 2i64;
            let select = Select::<Sqlite>::table_of::<Row>()
                .unwrap()
                .filter(move |qb| {
                    qb.push("owner = ").push_bind(owner);
                });
            let (want, got) = with_spec!(spec, K => (
                reference::<K>(&mine, &query::<K>(&q)),
                rt.block_on(select.fetch_page(&pool, query::<K>(&q))).unwrap(),
            ));
            prop_assert_eq!(
                summary(&got),
                summary(&want),
                "{} {:?}",
                SPECS[spec].name(),
                q
            );
            let count = rt.block_on(select.count(&pool)).unwrap();
            prop_assert_eq!(count, mine.len() as i64);
            Ok(())
        })
        .unwrap();
}

/// A full walk forward then backward through the one-call API, with client
/// cursors, visits every row once in order.
#[test]
fn one_call_fetch_page_walks_every_row_once() {
    let rt = runtime();
    rt.block_on(async {
        let pool = pool().await;
        let rows: Vec<Row> = (0..53)
            .map(|id| Row {
                id,
                a: (id % 5 != 0).then_some(id % 4),
                b: id % 3,
                c: id % 2,
                s: (id % 7 != 0).then(|| TEXTS[(id % 5) as usize].to_owned()),
            })
            .collect();
        load(&mut pool.acquire().await.unwrap(), &rows, &[]).await;
        for (spec, ordering) in SPECS.iter().enumerate() {
            with_spec!(spec, K => {
                let mut sorted = rows.clone();
                sorted.sort_by(K::cmp_rows);
                let mut seen = Vec::new();
                let mut args = PageArgs::first(7);
                loop {
                    let page = keypage_runtime::sql::sqlx::fetch_page::<K, _>(&pool, &args)
                        .await
                        .unwrap();
                    seen.extend(page.nodes().map(|r| r.id));
                    assert_eq!(page.page_info.has_previous_page, seen.len() > page.edges.len());
                    if !page.page_info.has_next_page {
                        break;
                    }
                    args = PageArgs::first(7).after(page.page_info.end_cursor.unwrap());
                }
                assert_eq!(seen, ids(&sorted), "{}", ordering.name());
                let mut back = Vec::new();
                let mut args = PageArgs::last(6);
                loop {
                    let page = keypage_runtime::sql::sqlx::fetch_page::<K, _>(&pool, &args)
                        .await
                        .unwrap();
                    back.splice(0..0, page.nodes().map(|r| r.id));
                    if !page.page_info.has_previous_page {
                        break;
                    }
                    args = PageArgs::last(6).before(page.page_info.start_cursor.unwrap());
                }
                assert_eq!(back, ids(&sorted), "{}", ordering.name());
            });
        }
        let total = keypage_runtime::sql::sqlx::count::<Row, _>(&pool)
            .await
            .unwrap();
        assert_eq!(total, 53);
        // Invalid arguments are the client's error, before any query.
        let err = keypage_runtime::sql::sqlx::fetch_page::<common::RowCursor, _>(
            &pool,
            &PageArgs::first(1).after("not a cursor"),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            err,
            keypage_runtime::sql::sqlx::FetchError::Page(PageError::InvalidCursor { .. })
        ));
    });
}

const HOSTILE: [&str; 6] = [
    "'; DROP TABLE items; --",
    "\" OR 1=1 --",
    "x' OR '1'='1",
    "/* comment */ 1; SELECT 1",
    "`; DELETE FROM items; #",
    "$1 ? ?1 :a @a",
];

#[test]
fn hostile_cursor_contents_are_only_ever_bound() {
    let rt = runtime();
    rt.block_on(async {
        let pool = pool().await;
        let rows: Vec<Row> = HOSTILE
            .iter()
            .enumerate()
            .map(|(i, s)| Row {
                id: i as i64,
                a: None,
                b: 0,
                c: 0,
                s: Some((*s).to_owned()),
            })
            .collect();
        load(&mut pool.acquire().await.unwrap(), &rows, &[]).await;
        // `s` is a key of ordering 13 and 14: cursors carry the hostile text.
        for row in &rows {
            type K = common::RowSDescLastIdAscCursor;
            let cursor = K::from_row(row);
            for dialect in DIALECTS {
                let sql = KeyBound::after(&cursor).render(dialect, SPECS[14].keys());
                for h in HOSTILE {
                    assert!(
                        !sql.sql.contains(h),
                        "{h:?} reached the SQL text: {}",
                        sql.sql
                    );
                }
                assert!(sql.binds.contains(&Value::Text(row.s.clone().unwrap())));
            }
            for forward in [true, false] {
                let args = if forward {
                    PageArgs::first(2).after(cursor.encode())
                } else {
                    PageArgs::last(2).before(cursor.encode())
                };
                let query = args.validate::<K>().unwrap();
                let want = reference::<K>(&rows, &query);
                let got = keypage_runtime::sql::sqlx::fetch_page::<K, _>(&pool, &args)
                    .await
                    .unwrap();
                assert_eq!(summary(&got), summary(&want));
            }
        }
        // Hostile filter values, bound by the caller, are as harmless.
        for h in HOSTILE {
            let select = Select::<Sqlite>::table_of::<Row>()
                .unwrap()
                .filter(move |qb| {
                    qb.push("s = ").push_bind(h);
                });
            let page = select
                .fetch_page(
                    &pool,
                    PageArgs::first(10).validate::<common::RowCursor>().unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(page.edges.len(), 1);
            assert_eq!(page.edges[0].node.s.as_deref(), Some(h));
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, HOSTILE.len() as i64, "the table is intact");
    });
}

/// The page query seeks the index for every shape: uniform (row values),
/// mixed directions, 3 keys, and a nullable leading key under non-NULL and
/// NULL cursors, both directions (split into a `UNION ALL` of two seeks
/// where one predicate could not seek). `SEARCH ... USING ... INDEX` only,
/// never a `SCAN` of the table or a sort step.
#[test]
fn sqlite_plans_seek_the_index() {
    let rt = runtime();
    rt.block_on(async {
        let mut conn = connect().await;
        for index in [
            "CREATE INDEX items_b_id ON items (b DESC, id DESC)",
            "CREATE INDEX items_b_id_mixed ON items (b DESC, id ASC)",
            "CREATE INDEX items_b_c_id ON items (b DESC, c DESC, id DESC)",
            "CREATE INDEX items_a_id ON items (a DESC, id DESC)",
        ] {
            sqlx::query(index).execute(&mut conn).await.unwrap();
        }
        let rows: Vec<Row> = (0..20_000)
            .map(|id| Row {
                id,
                a: (id % 5 != 0).then_some(id % 100),
                b: id % 100,
                c: id % 7,
                s: None,
            })
            .collect();
        load(&mut conn, &rows, &[]).await;
        sqlx::query("ANALYZE").execute(&mut conn).await.unwrap();
        let middle = Row {
            id: 10_050,
            a: Some(50),
            b: 50,
            c: 5,
            s: None,
        };
        let null_middle = Row {
            a: None,
            ..middle.clone()
        };
        let cases = [
            (2usize, &middle),
            (4, &middle),
            (9, &middle),
            (7, &middle),
            (7, &null_middle),
        ];
        // A jump (an offset after the cursor) is the same seek.
        let cases = cases
            .into_iter()
            .flat_map(|(spec, cursor)| [(spec, cursor, 0), (spec, cursor, 40)]);
        for (spec, cursor, offset) in cases {
            for forward in [true, false] {
                let (plan_text, splits) = with_spec!(spec, K => {
                    let cursor = K::from_row(cursor);
                    let q = KeysetQuery::<K> {
                        after: forward.then(|| cursor.clone()),
                        before: (!forward).then(|| cursor.clone()),
                        direction: if forward {
                            PageDirection::Forward
                        } else {
                            PageDirection::Backward
                        },
                        limit: 20,
                        offset,
                    };
                    let plan = PagePlan::new(q);
                    let mut sql = RenderedSql::new(Dialect::Sqlite);
                    sql.push_sql("EXPLAIN QUERY PLAN ");
                    let Ok(()) = plan.push_statement(
                        &mut sql,
                        |out| {
                            out.push_sql("*");
                            Ok(())
                        },
                        |out| {
                            out.push_sql(" FROM items");
                            Ok(WhereClause::Absent)
                        },
                    );
                    let rows: Vec<(i64, i64, i64, String)> =
                        QueryBuilder::<Sqlite>::with_arguments(sql.sql, arguments(&sql.binds))
                            .build_query_as()
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    let text = rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ");
                    (text, plan.splits())
                });
                let what = format!(
                    "{} {cursor:?} forward={forward} offset={offset}: {plan_text}",
                    SPECS[spec].name()
                );
                assert!(plan_text.contains("SEARCH items USING"), "{what}");
                assert!(!plan_text.contains("SCAN items"), "{what}");
                // The only sorts are of the parts' few rows (`SCAN
                // keypage_page`, the `UNION ALL`'s order), never of the table.
                let steps: Vec<&str> = plan_text.split("; ").collect();
                for (i, step) in steps.iter().enumerate() {
                    if step.contains("TEMP B-TREE") {
                        assert!(
                            i > 0 && steps[i - 1].starts_with("SCAN keypage_"),
                            "a sort of the table: {what}"
                        );
                    }
                }
                // The nullable ordering splits exactly when the page runs
                // into the other region: toward the NULLs (after, NULLs last)
                // or, from a NULL cursor, toward the values (before).
                let expected_split = spec == 7 && (cursor.a.is_some() == forward);
                assert_eq!(splits, expected_split, "{what}");
            }
        }
    });
}

#[test]
fn unsupported_values_are_refused_not_bound() {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT 1 WHERE 1 = ");
    let err = SqlWriter::push_bind(&mut qb, Value::UInt128(u128::MAX)).unwrap_err();
    assert_eq!(err.dialect, Dialect::Sqlite);
    assert!(SqlWriter::push_bind(&mut qb, Value::UInt(u64::MAX)).is_err());
    assert!(SqlWriter::push_bind(&mut qb, Value::Null).is_err());
    assert!(SqlWriter::push_bind(&mut qb, Value::Int128(-5)).is_ok());
}

/// A derived row type over the `items` table, pointed at this crate with
/// `crate = "keypage_runtime"`.
#[derive(Debug, Clone, PartialEq, keypage_macros::Paginate)]
#[paginate(crate = "keypage_runtime", table = "items", order_by = "id asc")]
#[paginate(ordering(name = "DESC", order_by = "id desc"))]
struct Item {
    #[paginate(unique)]
    id: i64,
    b: i64,
}

impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for Item {
    fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row as _;
        Ok(Item {
            id: row.try_get("id")?,
            b: row.try_get("b")?,
        })
    }
}

/// The methods the derive generates, and the futures web frameworks need
/// to be `Send`.
#[test]
fn generated_methods_are_send_and_work() {
    fn assert_send<T: Send>(t: T) -> T {
        t
    }
    let rt = runtime();
    rt.block_on(async {
        let pool = pool().await;
        let rows: Vec<Row> = (0..5)
            .map(|id| Row {
                id,
                a: None,
                b: 0,
                c: 0,
                s: None,
            })
            .collect();
        load(&mut pool.acquire().await.unwrap(), &rows, &[]).await;
        let page = assert_send(Item::fetch_page(&pool, &PageArgs::first(2)))
            .await
            .unwrap();
        assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [0, 1]);
        let next = PageArgs::first(2).after(page.page_info.end_cursor.unwrap());
        let page = assert_send(Item::fetch_page(&pool, &next)).await.unwrap();
        assert!(page.page_info.has_previous_page && page.page_info.has_next_page);
        assert_eq!(assert_send(Item::total_count(&pool)).await.unwrap(), 5);
        let select = Select::<Sqlite>::table_of::<Row>().unwrap();
        let q = PageArgs::last(1)
            .validate::<common::RowBAscIdAscCursor>()
            .unwrap();
        assert_send(select.fetch_page(&pool, q)).await.unwrap();
        // The generated `table()` with an optional filter, in an ordering
        // chosen at run time; the count sees the same filter.
        let odd = Item::table().filter_some(Some(1_i64), |qb, rem| {
            qb.push("id % 2 = ").push_bind(*rem);
        });
        let query = AnyKeysetQuery::<Item>::new(ItemOrder::Desc, &PageArgs::first(5)).unwrap();
        let page = assert_send(odd.fetch_any(&pool, query)).await.unwrap();
        assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [3, 1]);
        assert_eq!(assert_send(odd.count(&pool)).await.unwrap(), 2);
        let all = Item::table::<Sqlite>().filter_some(None::<i64>, |_, _| unreachable!());
        assert_eq!(all.count(&pool).await.unwrap(), 5);
        // A transaction works as well as a pool.
        let mut tx = pool.begin().await.unwrap();
        let page = Item::fetch_page(&mut *tx, &PageArgs::last(1))
            .await
            .unwrap();
        assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [4]);
        tx.commit().await.unwrap();
    });
}
