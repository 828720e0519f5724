//! What a page costs in statements, counted from sqlx's own per-statement
//! `tracing` events (target `sqlx::query`), on SQLite, PostgreSQL and
//! MariaDB:
//!
//! * a page without `after` (forward) or `before` (backward) is exactly one
//!   statement, the page query;
//! * a page with one is exactly two: the page query and one `SELECT 1 ...
//!   LIMIT 1` probe for the opposite-direction flag, both flags exact;
//! * a split page (nullable leading key across its NULLs) is still one
//!   statement (a `UNION ALL`), plus the probe;
//! * no `COUNT` ever runs unless `total_count` is called, and that is one
//!   statement.
//!
//! The collector is process-wide, so this file holds a single test that
//! runs the databases one after the other.

mod sql_common;
mod support;

use std::sync::Mutex;

use keypage::{Cursor, PageArgs};
use sql_common::{Event, EventOrder, EventRankCursor, TestDb, runtime};
use sqlx::Pool;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event as TraceEvent, Metadata, Subscriber};

/// Every statement sqlx reported, as its text.
static STATEMENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A subscriber that only records sqlx's statement events.
struct StatementLog;

struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if matches!(field.name(), "summary" | "db.statement") {
            self.0.push_str(value);
            self.0.push(' ');
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl Subscriber for StatementLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &TraceEvent<'_>) {
        let mut text = Text(String::new());
        event.record(&mut text);
        STATEMENTS.lock().unwrap().push(text.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The statements `f` ran against the `events` table.
async fn statements<T>(f: impl AsyncFnOnce() -> T) -> (T, Vec<String>) {
    STATEMENTS.lock().unwrap().clear();
    let out = f().await;
    let all = std::mem::take(&mut *STATEMENTS.lock().unwrap());
    let mine = all
        .into_iter()
        .filter(|s| s.contains("\"events\"") || s.contains("`events`"))
        .collect();
    (out, mine)
}

fn event(id: i64) -> Event {
    Event {
        id,
        created_at: id / 3,
        rank: (id % 4 != 0).then_some(id % 5),
        title: format!("event {id}"),
    }
}

async fn count_statements<DB: TestDb>(pool: &Pool<DB>) {
    let name = DB::DB_NAME;
    DB::exec(pool, DB::EVENTS_DDL).await;
    let rows: Vec<Event> = (1..=50).map(event).collect();
    DB::insert_events(pool, &rows).await;

    let page = |args: PageArgs| async move { DB::events_page(pool, &args).await.unwrap() };

    // No cursor: the page query only.
    let (first, stmts) = statements(|| page(PageArgs::first(10))).await;
    assert_eq!(stmts.len(), 1, "{name}: {stmts:#?}");
    assert!(!first.page_info.has_previous_page && first.page_info.has_next_page);
    let (last, stmts) = statements(|| page(PageArgs::last(10))).await;
    assert_eq!(stmts.len(), 1, "{name}: {stmts:#?}");
    assert!(last.page_info.has_previous_page && !last.page_info.has_next_page);

    // A cursor: the page query and one probe, never a count.
    let after = first.page_info.end_cursor.clone().unwrap();
    let (next, stmts) = statements(|| page(PageArgs::first(10).after(after))).await;
    assert_eq!(stmts.len(), 2, "{name}: {stmts:#?}");
    assert!(
        stmts[1].contains("SELECT 1 AS keypage_probe"),
        "{name}: {stmts:#?}"
    );
    assert!(next.page_info.has_previous_page && next.page_info.has_next_page);
    let before = last.page_info.start_cursor.clone().unwrap();
    let (prev, stmts) = statements(|| page(PageArgs::last(10).before(before))).await;
    assert_eq!(stmts.len(), 2, "{name}: {stmts:#?}");
    assert!(prev.page_info.has_previous_page && prev.page_info.has_next_page);

    // A split page (a value cursor, NULLs beyond it): one UNION ALL + probe.
    let cursor = EventRankCursor {
        rank: Some(0),
        id: 25,
    }
    .encode();
    let (split, stmts) = statements(|| async {
        let args = PageArgs::first(30).after(cursor);
        DB::events_page_by(pool, EventOrder::Rank, &args)
            .await
            .unwrap()
    })
    .await;
    assert_eq!(stmts.len(), 2, "{name}: {stmts:#?}");
    assert!(stmts[0].contains("UNION ALL"), "{name}: {stmts:#?}");
    assert!(split.page_info.has_previous_page);

    // Nothing above counted; total_count is one COUNT.
    let (total, stmts) = statements(|| async { DB::events_count(pool).await }).await;
    assert_eq!(total, 50);
    assert_eq!(stmts.len(), 1, "{name}: {stmts:#?}");
    assert!(stmts[0].contains("COUNT(*)"), "{name}: {stmts:#?}");
    eprintln!("{name}: 1 statement without a cursor, 2 with one, COUNT only when asked");
}

#[test]
fn a_page_costs_one_statement_plus_at_most_one_probe() {
    tracing::subscriber::set_global_default(StatementLog).unwrap();
    let rt = runtime();
    rt.block_on(async {
        count_statements(&support::sqlite_pool().await).await;
        if let Some(pool) = support::pg_pool().await {
            count_statements(&pool).await;
        }
        if let Some(pool) = support::mysql_pool().await {
            count_statements(&pool).await;
        }
    });
}
