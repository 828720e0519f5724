//! The sqlx glue against real PostgreSQL and MariaDB/MySQL servers, when
//! `KEYPAGE_PG_URL` / `KEYPAGE_MYSQL_URL` name one (`scripts/db-up.sh`
//! starts throwaway ones): for random data, filters and page requests,
//! `Select::fetch_page` equals `page_slice` row for row and flag for flag,
//! in every ordering, and `count` counts the filtered rows. Without the
//! variable a test says it was skipped, and fails if `KEYPAGE_REQUIRE_DBS=1`.

#![cfg(any(feature = "postgres", feature = "mysql"))]

#[macro_use]
mod common;

use common::{Row, SPECS, arb_row};
use keypage_runtime::sql::sqlx::Select;
use keypage_runtime::{Keyset, KeysetQuery, Page, PageDirection, page_slice};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let required = std::env::var("KEYPAGE_REQUIRE_DBS").is_ok_and(|v| v == "1");
            assert!(!required, "{var} is not set and KEYPAGE_REQUIRE_DBS=1");
            eprintln!("SKIPPED: {var} is not set (run scripts/db-up.sh to start a server)");
            None
        }
    }
}

/// Rows with unique ids, each with an owner (1 or 2).
fn arb_rows() -> impl Strategy<Value = Vec<(Row, i64)>> {
    proptest::collection::btree_set(0i64..60, 0..40).prop_flat_map(|ids| {
        ids.into_iter()
            .map(|id| (arb_row(Just(id)), 1i64..3))
            .collect::<Vec<_>>()
    })
}

type Query = (Option<Row>, Option<Row>, bool, u32, u32);

fn arb_query() -> impl Strategy<Value = Query> {
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

fn query<K: Keyset<Row = Row>>((after, before, forward, limit, offset): &Query) -> KeysetQuery<K> {
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

type Summary = (Vec<i64>, Vec<String>, bool, bool);

fn summary<R: std::borrow::Borrow<Row>>(page: &Page<R>) -> Summary {
    (
        page.edges.iter().map(|e| e.node.borrow().id).collect(),
        page.edges.iter().map(|e| e.cursor.clone()).collect(),
        page.page_info.has_previous_page,
        page.page_info.has_next_page,
    )
}

macro_rules! server_test {
    ($feature:literal, $name:ident, $var:literal, $db:ty, $pool:ty, $ddl:literal) => {
        #[cfg(feature = $feature)]
        #[test]
        fn $name() {
            let Some(url) = url($var) else { return };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let table = format!("kp_runtime_sql_{}", std::process::id());
            let pool: $pool = rt.block_on(async {
                let pool = <$pool>::connect(&url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TABLE IF EXISTS {table}")))
                    .execute(&pool)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!($ddl, table = table)))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool
            });
            let mut runner = TestRunner::new(Config::with_cases(120));
            let result = runner.run(
                &(arb_rows(), 0..SPECS.len(), arb_query()),
                |(rows, spec, q)| {
                    rt.block_on(async {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                            .execute(&pool)
                            .await
                            .unwrap();
                        if !rows.is_empty() {
                            let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                                "INSERT INTO {table} (id, a, b, c, s, owner) "
                            ));
                            qb.push_values(&rows, |mut b, (r, owner)| {
                                b.push_bind(r.id)
                                    .push_bind(r.a)
                                    .push_bind(r.b)
                                    .push_bind(r.c)
                                    .push_bind(r.s.clone())
                                    .push_bind(*owner);
                            });
                            qb.build().execute(&pool).await.unwrap();
                        }
                    });
                    let mine: Vec<Row> = rows
                        .iter()
                        .filter(|(_, o)| *o == 2)
                        .map(|(r, _)| r.clone())
                        .collect();
                    let select = Select::<$db>::new("id, a, b, c, s", table.clone()).filter(|qb| {
                        qb.push("owner = ").push_bind(2i64);
                    });
                    let (want, got) = with_spec!(spec, K => (
                        summary(&page_slice::<K>(&mine, &query::<K>(&q)).unwrap()),
                        summary(&rt.block_on(select.fetch_page(&pool, query::<K>(&q))).unwrap()),
                    ));
                    prop_assert_eq!(got, want, "{} {:?}", SPECS[spec].name(), q);
                    let count = rt.block_on(select.count(&pool)).unwrap();
                    prop_assert_eq!(count, mine.len() as i64);
                    Ok(())
                },
            );
            rt.block_on(async {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
                    .execute(&pool)
                    .await
                    .unwrap();
            });
            result.unwrap();
        }
    };
}

server_test!(
    "postgres",
    postgres_pages_equal_the_in_memory_pages,
    "KEYPAGE_PG_URL",
    sqlx::Postgres,
    sqlx::PgPool,
    r#"CREATE TABLE {table} (
        id BIGINT PRIMARY KEY, a BIGINT, b BIGINT NOT NULL, c BIGINT NOT NULL,
        s TEXT COLLATE "C", owner BIGINT NOT NULL)"#
);

server_test!(
    "mysql",
    mysql_pages_equal_the_in_memory_pages,
    "KEYPAGE_MYSQL_URL",
    sqlx::MySql,
    sqlx::MySqlPool,
    "CREATE TABLE {table} (
        id BIGINT PRIMARY KEY, a BIGINT, b BIGINT NOT NULL, c BIGINT NOT NULL,
        s VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, owner BIGINT NOT NULL)"
);
