//! Counts that cannot take a server down, on SQLite, PostgreSQL and
//! MariaDB: `Select::count_at_most` (exact up to the cap, the cap and
//! "not exact" beyond it; reading at most `cap + 1` rows) around the exact
//! count for caps below, at and above it, with and without a filter;
//! `Select::estimate_count` (PostgreSQL's planner estimate, `None`
//! elsewhere) near the exact count after `ANALYZE`; and the GraphQL
//! `totalCount` / `totalCountIsExact` of each `TotalCountMode`, on SQLite
//! and PostgreSQL.

mod sql_common;
mod support;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use keypage::sql::sqlx::{FromRow, Select, Total};
use serde_json::json;
use sql_common::TestDb;
use sqlx::Pool;

const ROWS: i64 = 1_000;

#[derive(keypage::Paginate, sqlx::FromRow, async_graphql::SimpleObject, Debug, Clone)]
#[paginate(order_by = "id", table = "counted")]
struct Counted {
    #[paginate(unique)]
    id: i64,
    grp: i64,
}

async fn load<DB: TestDb>(pool: &Pool<DB>) {
    DB::exec(
        pool,
        "CREATE TABLE counted (id BIGINT PRIMARY KEY, grp BIGINT NOT NULL)",
    )
    .await;
    let values: Vec<String> = (1..=ROWS).map(|i| format!("({i}, {})", i % 3)).collect();
    DB::exec(
        pool,
        &format!("INSERT INTO counted (id, grp) VALUES {}", values.join(", ")),
    )
    .await;
    let analyze = match DB::DB_NAME {
        "PostgreSQL" => "ANALYZE counted",
        "MariaDB" => "ANALYZE TABLE counted",
        _ => "ANALYZE",
    };
    DB::exec(pool, analyze).await;
}

/// The rows of group 1 (334 of them), or all.
fn select<DB: TestDb>(group: Option<i64>) -> Select<'static, DB> {
    Select::<DB>::table_of::<Counted>()
        .unwrap()
        .filter_some(group, |qb, g| {
            qb.push("grp = ");
            let _ = DB::push_value(qb, keypage::cursor::Value::Int(*g));
        })
}

async fn counts<DB: TestDb>()
where
    Counted: for<'r> FromRow<'r, DB::Row>,
{
    let Some(pool) = DB::pool().await else {
        return;
    };
    load(&pool).await;
    for group in [None, Some(1)] {
        let exact = select::<DB>(group).count(&pool).await.unwrap();
        assert_eq!(exact, if group.is_some() { 334 } else { ROWS });
        for cap in [0, 1, exact - 1, exact, exact + 1, 1_000_000] {
            let cap = u32::try_from(cap).unwrap();
            let got = select::<DB>(group).count_at_most(&pool, cap).await.unwrap();
            let want = if exact <= i64::from(cap) {
                Total {
                    count: exact,
                    exact: true,
                }
            } else {
                Total {
                    count: cap.into(),
                    exact: false,
                }
            };
            assert_eq!(got, want, "{} group {group:?} cap {cap}", DB::DB_NAME);
        }
        let estimate = select::<DB>(group).estimate_count(&pool).await.unwrap();
        match DB::DB_NAME {
            "PostgreSQL" => {
                let estimate = estimate.expect("PostgreSQL estimates");
                assert!(!estimate.exact);
                // The planner's estimate after ANALYZE of every row: near.
                let (low, high) = (exact * 8 / 10, exact * 12 / 10);
                assert!(
                    (low..=high).contains(&estimate.count),
                    "group {group:?}: estimate {} for {exact} rows",
                    estimate.count
                );
            }
            _ => assert_eq!(estimate, None, "{}", DB::DB_NAME),
        }
    }
}

#[tokio::test]
async fn sqlite_counts() {
    counts::<sqlx::Sqlite>().await;
}

#[tokio::test]
async fn postgres_counts() {
    counts::<sqlx::Postgres>().await;
}

#[tokio::test]
async fn mariadb_counts() {
    counts::<sqlx::MySql>().await;
}

/// A schema whose `rows` connection counts in the mode its `mode` argument
/// names, over `DB`.
macro_rules! count_schema {
    ($module:ident, $db:ty) => {
        mod $module {
            use async_graphql::{Context, Object};
            use keypage::PageArgs;
            use keypage::graphql::TotalCountMode;

            pub struct Query;

            #[Object]
            impl Query {
                async fn rows(
                    &self,
                    ctx: &Context<'_>,
                    first: Option<i32>,
                    mode: String,
                    cap: Option<u32>,
                    group: Option<i64>,
                ) -> async_graphql::Result<super::CountedConnection> {
                    let mode = match mode.as_str() {
                        "EXACT" => TotalCountMode::Exact,
                        "AT_MOST" => TotalCountMode::AtMost(cap.unwrap_or(0)),
                        _ => TotalCountMode::Estimate,
                    };
                    let args = PageArgs {
                        first,
                        ..PageArgs::default()
                    };
                    super::Counted::connection(None, args)
                        .total_count_mode(mode)
                        .select(ctx.data::<sqlx::Pool<$db>>()?, super::select::<$db>(group))
                        .await
                }
            }
        }
    };
}

count_schema!(on_sqlite, sqlx::Sqlite);
count_schema!(on_postgres, sqlx::Postgres);

const QUERY: &str = "query($mode: String!, $cap: Int, $group: Int) {
  rows(first: 2, mode: $mode, cap: $cap, group: $group) { totalCount totalCountIsExact nodes { id } }
}";

async fn graphql_counts<Q: async_graphql::ObjectType + 'static>(
    schema: Schema<Q, EmptyMutation, EmptySubscription>,
    estimates: bool,
) {
    let run = async |variables: serde_json::Value| {
        let request = async_graphql::Request::new(QUERY)
            .variables(async_graphql::Variables::from_json(variables));
        serde_json::to_value(schema.execute(request).await).unwrap()
    };
    let total = |r: &serde_json::Value| {
        (
            r["data"]["rows"]["totalCount"].clone(),
            r["data"]["rows"]["totalCountIsExact"].clone(),
        )
    };
    let r = run(json!({ "mode": "EXACT", "group": 1 })).await;
    assert_eq!(total(&r), (json!(334), json!(true)), "{r:#}");
    let r = run(json!({ "mode": "AT_MOST", "cap": 100, "group": 1 })).await;
    assert_eq!(total(&r), (json!(100), json!(false)), "{r:#}");
    let r = run(json!({ "mode": "AT_MOST", "cap": 334, "group": 1 })).await;
    assert_eq!(total(&r), (json!(334), json!(true)), "{r:#}");
    let r = run(json!({ "mode": "ESTIMATE" })).await;
    if estimates {
        let n = r["data"]["rows"]["totalCount"]
            .as_i64()
            .expect("an estimate");
        assert!((800..=1200).contains(&n), "{r:#}");
        assert_eq!(r["data"]["rows"]["totalCountIsExact"], false, "{r:#}");
    } else {
        assert_eq!(
            r["errors"][0]["extensions"]["code"], "TOTAL_COUNT_UNAVAILABLE",
            "{r:#}"
        );
        // The page itself is still served.
        assert_eq!(
            r["data"]["rows"]["nodes"].as_array().map(Vec::len),
            Some(2),
            "{r:#}"
        );
    }
}

#[tokio::test]
async fn sqlite_graphql_counts() {
    let pool = <sqlx::Sqlite as TestDb>::pool().await.unwrap();
    load(&pool).await;
    let schema = Schema::build(on_sqlite::Query, EmptyMutation, EmptySubscription)
        .data(pool)
        .finish();
    graphql_counts(schema, false).await;
}

#[tokio::test]
async fn postgres_graphql_counts() {
    let Some(pool) = <sqlx::Postgres as TestDb>::pool().await else {
        return;
    };
    load(&pool).await;
    let schema = Schema::build(on_postgres::Query, EmptyMutation, EmptySubscription)
        .data(pool)
        .finish();
    graphql_counts(schema, true).await;
}
