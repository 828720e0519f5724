//! The fetch functions and the GraphQL `select_in` take whatever sqlx
//! executor the caller holds: a pool, a pooled connection, or a
//! `&mut Transaction`, on SQLite, PostgreSQL and MariaDB.
//!
//! * Inside a transaction a page sees the transaction's own uncommitted
//!   rows (so it really ran on that connection), and after a rollback a
//!   page from the pool no longer does.
//! * On PostgreSQL, a page after `SET LOCAL statement_timeout` is bound by
//!   it: with a filter that sleeps, the page fails with the timeout
//!   (SQLSTATE 57014), and the next transaction is not.
//! * `ConnectionRequest::select_in` pages inside the resolver's transaction,
//!   and its `totalCount` (run only when selected) counts in that
//!   transaction too.

mod sql_common;
mod support;

use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};
use keypage::PageArgs;
use keypage::sql::sqlx::FetchError;
use serde_json::json;
use sql_common::{Event, runtime};

/// `events` as a GraphQL node (the shared `Event` is not one).
#[derive(keypage::Paginate, sqlx::FromRow, async_graphql::SimpleObject, Debug, Clone)]
#[paginate(order_by = "created_at desc, id desc", table = "events")]
struct Ev {
    #[paginate(unique)]
    id: i64,
    created_at: i64,
    rank: Option<i64>,
    title: String,
}

fn event(id: i64) -> Event {
    Event {
        id,
        created_at: id / 2,
        rank: None,
        title: format!("event {id}"),
    }
}

fn ids(page: &keypage::Page<Ev>) -> Vec<i64> {
    page.nodes().map(|e| e.id).collect()
}

/// Runs the executor checks on one database, `$pool` a `Pool<$db>`.
macro_rules! executors {
    ($pool:expr, $db:ty) => {{
        let pool: sqlx::Pool<$db> = $pool;
        let name = <$db as sql_common::TestDb>::DB_NAME;
        <$db as sql_common::TestDb>::exec(&pool, <$db as sql_common::TestDb>::EVENTS_DDL).await;
        let rows: Vec<Event> = (1..=10).map(event).collect();
        <$db as sql_common::TestDb>::insert_events(&pool, &rows).await;
        let args = PageArgs::first(3);

        // A pool, and a connection taken from it.
        let from_pool = Ev::fetch_page(&pool, &args).await.unwrap();
        assert_eq!(ids(&from_pool), [10, 9, 8], "{name} pool");
        let mut conn = pool.acquire().await.unwrap();
        let from_conn = Ev::fetch_page(&mut conn, &args).await.unwrap();
        assert_eq!(ids(&from_conn), [10, 9, 8], "{name} connection");
        drop(conn);

        // A transaction: its own uncommitted row is on the page, and the
        // next page after it and the count are read in it too.
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("INSERT INTO events (id, created_at, rank, title) VALUES (11, 100, NULL, 'new')")
            .execute(&mut *tx)
            .await
            .unwrap();
        let inside = Ev::fetch_page(&mut tx, &args).await.unwrap();
        assert_eq!(ids(&inside), [11, 10, 9], "{name} transaction");
        let after = inside.page_info.end_cursor.clone().unwrap();
        let next = Ev::fetch_page(&mut tx, &PageArgs::first(3).after(after))
            .await
            .unwrap();
        assert_eq!(ids(&next), [8, 7, 6], "{name} transaction, next page");
        assert!(next.page_info.has_previous_page && next.page_info.has_next_page);
        assert_eq!(Ev::total_count(&mut tx).await.unwrap(), 11, "{name}");
        tx.rollback().await.unwrap();
        let outside = Ev::fetch_page(&pool, &args).await.unwrap();
        assert_eq!(ids(&outside), [10, 9, 8], "{name} after rollback");

        // The GraphQL resolver's transaction.
        let schema = Schema::build(TxQuery::<$db>::default(), EmptyMutation, EmptySubscription)
            .data(pool.clone())
            .finish();
        let response = schema
            .execute("{ events(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }")
            .await;
        assert!(response.errors.is_empty(), "{name}: {:?}", response.errors);
        let data = response.data.into_json().unwrap();
        assert_eq!(
            data,
            json!({ "events": { "totalCount": 11, "nodes": [{ "id": 11 }, { "id": 10 }],
                                "pageInfo": { "hasNextPage": true } } }),
            "{name}"
        );
        // `pageCount` alone is counted from the same look-ahead.
        let response = schema.execute("{ events(first: 3) { pageCount } }").await;
        assert!(response.errors.is_empty(), "{name}: {:?}", response.errors);
        let data = response.data.into_json().unwrap();
        assert_eq!(data, json!({ "events": { "pageCount": 4 } }), "{name}");
        pool
    }};
}

/// `Query.events`: inserts a row in a transaction it never commits, then
/// pages inside it with `select_in`.
struct TxQuery<DB>(std::marker::PhantomData<DB>);

impl<DB> Default for TxQuery<DB> {
    fn default() -> Self {
        TxQuery(std::marker::PhantomData)
    }
}

macro_rules! tx_query {
    ($db:ty) => {
        #[Object]
        impl TxQuery<$db> {
            async fn events(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
            ) -> async_graphql::Result<EvConnection> {
                let pool = ctx.data::<sqlx::Pool<$db>>()?;
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "INSERT INTO events (id, created_at, rank, title) VALUES (11, 100, NULL, 'new')",
                )
                .execute(&mut *tx)
                .await?;
                let args = PageArgs { first, ..PageArgs::default() };
                Ev::connection(None, args)
                    .select_in(ctx, &mut *tx, Ev::table())
                    .await
            }
        }
    };
}

tx_query!(sqlx::Sqlite);
tx_query!(sqlx::Postgres);
tx_query!(sqlx::MySql);

#[test]
fn sqlite_pool_connection_and_transaction() {
    runtime().block_on(async {
        // A file in WAL mode, so the pool has several connections.
        executors!(support::sqlite_file_pool().await, sqlx::Sqlite);
    });
}

#[test]
fn mariadb_pool_connection_and_transaction() {
    runtime().block_on(async {
        let Some(pool) = support::mysql_pool().await else {
            return;
        };
        executors!(pool, sqlx::MySql);
    });
}

#[test]
fn postgres_pool_connection_transaction_and_statement_timeout() {
    runtime().block_on(async {
        let Some(pool) = support::pg_pool().await else {
            return;
        };
        let pool = executors!(pool, sqlx::Postgres);

        // A page after `SET LOCAL statement_timeout` is bound by it.
        let slow = || {
            Ev::table::<sqlx::Postgres>().filter(|qb| {
                qb.push("pg_sleep(0.2) IS NOT NULL");
            })
        };
        let query = || {
            keypage::ordering::AnyKeysetQuery::<Ev>::new(Default::default(), &PageArgs::first(3))
                .unwrap()
        };
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("SET LOCAL statement_timeout = 50")
            .execute(&mut *tx)
            .await
            .unwrap();
        let err = slow().fetch_any(&mut tx, query()).await.unwrap_err();
        match &err {
            FetchError::Database(sqlx::Error::Database(db)) => {
                assert_eq!(db.code().as_deref(), Some("57014"), "{err}");
            }
            other => panic!("expected the statement timeout, got {other:?}"),
        }
        tx.rollback().await.unwrap();
        // Outside that transaction the setting is gone and the page runs.
        let mut tx = pool.begin().await.unwrap();
        let page = slow().fetch_any(&mut tx, query()).await.unwrap();
        assert_eq!(ids(&page), [10, 9, 8]);
        tx.commit().await.unwrap();
    });
}
