//! Pages stay consistent while the table changes, through the derive's
//! `Event::fetch_page`; `LIMIT/OFFSET` does not.
//!
//! * Concurrent: one future walks every page (10 rows each) while another
//!   inserts rows all over the ordering and deletes some of the original
//!   ones, both polled at once on their own connections (a fixed number of operations, the whole test time-bounded). Every
//!   row that existed for the whole walk is returned exactly once, and the
//!   rows come strictly in the ordering.
//! * Deterministic: the same writes interleaved between page fetches at
//!   fixed points, once deleting a row already read and once inserting a row
//!   at the top. `OFFSET` then provably skips, resp. duplicates, rows; the
//!   keyset walk under the very same writes is exact.
//!
//! On SQLite (a file in WAL mode, so the two tasks use two connections),
//! PostgreSQL and MariaDB.

mod sql_common;
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use keypage::{Keyset, PageArgs, Paginate};
use sql_common::{Event, TestDb};
use sqlx::Pool;

const PAGE: i32 = 10;
const LIMIT: Duration = Duration::from_secs(120);

fn event(id: i64, created_at: i64) -> Event {
    Event {
        id,
        created_at,
        rank: None,
        title: format!("event {id}"),
    }
}

async fn fresh_events<DB: TestDb>(pool: &Pool<DB>, rows: &[Event]) {
    let ddl = DB::EVENTS_DDL.replacen("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1);
    let index = DB::EVENTS_INDEXES[0].replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1);
    DB::exec(pool, &ddl).await;
    DB::exec(pool, &index).await;
    DB::exec(pool, "DELETE FROM events").await;
    DB::insert_events(pool, rows).await;
}

/// Every row is returned at most once and strictly after the one before it
/// in the ordering; every id of `stable` is returned.
fn assert_exact(db: &str, walked: &[Event], stable: &BTreeSet<i64>) {
    for pair in walked.windows(2) {
        assert!(
            <Event as Paginate>::Cursor::cmp_row(
                &pair[1],
                &<Event as Paginate>::Cursor::from_row(&pair[0])
            )
            .is_gt(),
            "{db}: out of order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    let ids: Vec<i64> = walked.iter().map(|e| e.id).collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{db}: a row was returned twice");
    let missing: Vec<_> = stable.difference(&unique).collect();
    assert!(missing.is_empty(), "{db}: rows skipped: {missing:?}");
}

/// Walks every page forward with `Event::fetch_page`, calling `between`
/// after each page with the page's index.
async fn keyset_walk<DB: TestDb, F, Fut>(pool: &Pool<DB>, mut between: F) -> Vec<Event>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut walked = Vec::new();
    let mut args = PageArgs::first(PAGE);
    for index in 0.. {
        let page = DB::events_page(pool, &args).await.unwrap();
        walked.extend(page.nodes().cloned());
        if !page.page_info.has_next_page {
            break;
        }
        args = PageArgs::first(PAGE).after(page.page_info.end_cursor.unwrap());
        between(index).await;
    }
    walked
}

/// Walks every page with `LIMIT/OFFSET` in the same order, calling `between`
/// after each page.
async fn offset_walk<DB: TestDb, F, Fut>(pool: &Pool<DB>, mut between: F) -> Vec<Event>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut walked = Vec::new();
    for index in 0.. {
        let page =
            DB::events_offset_page(pool, i64::from(PAGE), index as i64 * i64::from(PAGE)).await;
        let full = page.len() == PAGE as usize;
        walked.extend(page);
        if !full {
            break;
        }
        between(index).await;
    }
    walked
}

/// 300 rows, `created_at` with ties; while the walk runs, 120 writes: new
/// rows anywhere in the ordering, and deletes of rows with `id % 4 == 0`.
async fn concurrent_walk_is_exact<DB: TestDb>(pool: Pool<DB>) {
    let rows: Vec<Event> = (1..=300).map(|id| event(id, id / 3)).collect();
    fresh_events(&pool, &rows).await;
    let stable: BTreeSet<i64> = (1..=300).filter(|id| id % 4 != 0).collect();
    let writes = Arc::new(AtomicUsize::new(0));

    let writer = {
        let pool = pool.clone();
        let writes = Arc::clone(&writes);
        async move {
            let mut victims: Vec<i64> = (1..=300).filter(|id| id % 4 == 0).collect();
            for op in 0..120i64 {
                if op % 2 == 0 {
                    // Spread over the whole ordering, before and after the walker.
                    let created_at = (op * 37) % 101;
                    DB::insert_events(&pool, &[event(1000 + op, created_at)]).await;
                } else {
                    let at = (op as usize * 7) % victims.len();
                    DB::delete_event(&pool, victims.swap_remove(at)).await;
                }
                writes.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    };

    let mut seen_writes = Vec::new();
    // Both futures are polled together, each with its own connection: the
    // database sees the page queries and the writes interleaved.
    let walker = keyset_walk(&pool, |_| {
        seen_writes.push(writes.load(Ordering::SeqCst));
        async { tokio::time::sleep(Duration::from_millis(2)).await }
    });
    let (walked, ()) = tokio::join!(walker, writer);

    assert_exact(DB::DB_NAME, &walked, &stable);
    // The writes really happened during the walk.
    let (first, last) = (seen_writes[0], *seen_writes.last().unwrap());
    assert!(
        last > first,
        "{}: no write landed during the walk ({seen_writes:?})",
        DB::DB_NAME
    );
    eprintln!(
        "{}: walked {} rows in {} pages while {} writes ran; all {} stable rows exactly once",
        DB::DB_NAME,
        walked.len(),
        seen_writes.len() + 1,
        last - first,
        stable.len()
    );
}

/// 100 rows, one per `created_at`. Between pages: delete the first row of
/// the listing (already read), or insert a row at its top. `OFFSET` skips,
/// resp. repeats, one row per write; keyset pages under the same writes are
/// exact.
async fn offset_fails_where_keyset_holds<DB: TestDb>(pool: Pool<DB>) {
    let rows: Vec<Event> = (1..=100).map(|id| event(id, id)).collect();
    let all: BTreeSet<i64> = (1..=100).collect();
    // Deletes go from the top of the listing (largest `created_at` first).
    let delete_top = |pool: Pool<DB>| {
        move |index: usize| {
            let pool = pool.clone();
            async move { DB::delete_event(&pool, 100 - index as i64).await }
        }
    };
    let insert_top = |pool: Pool<DB>| {
        move |index: usize| {
            let pool = pool.clone();
            async move {
                DB::insert_events(&pool, &[event(1000 + index as i64, 1000 + index as i64)]).await;
            }
        }
    };
    let deleted = |walked: &[Event]| -> BTreeSet<i64> {
        let _ = walked;
        (0..9).map(|i| 100 - i).collect()
    };

    // Deletes: OFFSET skips a row per delete.
    fresh_events(&pool, &rows).await;
    let walked = offset_walk(&pool, delete_top(pool.clone())).await;
    let stable: BTreeSet<i64> = all.difference(&deleted(&walked)).copied().collect();
    let got: BTreeSet<i64> = walked.iter().map(|e| e.id).collect();
    let skipped: Vec<_> = stable.difference(&got).collect();
    assert!(
        !skipped.is_empty(),
        "{}: OFFSET was expected to skip rows",
        DB::DB_NAME
    );
    fresh_events(&pool, &rows).await;
    let walked = keyset_walk(&pool, delete_top(pool.clone())).await;
    assert_exact(DB::DB_NAME, &walked, &stable);
    eprintln!(
        "{}: deletes between pages: OFFSET skipped {} rows ({skipped:?}); keyset skipped none",
        DB::DB_NAME,
        skipped.len()
    );

    // Inserts: OFFSET returns a row twice per insert.
    fresh_events(&pool, &rows).await;
    let walked = offset_walk(&pool, insert_top(pool.clone())).await;
    let ids: Vec<i64> = walked.iter().map(|e| e.id).collect();
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    let repeated = ids.len() - unique.len();
    assert!(
        repeated > 0,
        "{}: OFFSET was expected to repeat rows",
        DB::DB_NAME
    );
    fresh_events(&pool, &rows).await;
    let walked = keyset_walk(&pool, insert_top(pool.clone())).await;
    assert_exact(DB::DB_NAME, &walked, &all);
    eprintln!(
        "{}: inserts between pages: OFFSET returned {repeated} rows twice; keyset none",
        DB::DB_NAME
    );
}

fn run<DB: TestDb>(test: impl AsyncFnOnce(Pool<DB>)) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let Some(pool) = DB::pool().await else {
            return;
        };
        tokio::time::timeout(LIMIT, test(pool))
            .await
            .unwrap_or_else(|_| panic!("{}: timed out after {LIMIT:?}", DB::DB_NAME));
    });
}

#[test]
fn sqlite_concurrent_walk_is_exact() {
    run::<sqlx::Sqlite>(concurrent_walk_is_exact);
}

#[test]
fn postgres_concurrent_walk_is_exact() {
    run::<sqlx::Postgres>(concurrent_walk_is_exact);
}

#[test]
fn mariadb_concurrent_walk_is_exact() {
    run::<sqlx::MySql>(concurrent_walk_is_exact);
}

#[test]
fn sqlite_offset_fails_where_keyset_holds() {
    run::<sqlx::Sqlite>(offset_fails_where_keyset_holds);
}

#[test]
fn postgres_offset_fails_where_keyset_holds() {
    run::<sqlx::Postgres>(offset_fails_where_keyset_holds);
}

#[test]
fn mariadb_offset_fails_where_keyset_holds() {
    run::<sqlx::MySql>(offset_fails_where_keyset_holds);
}
