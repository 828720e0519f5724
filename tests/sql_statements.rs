//! What a page costs in statements, counted from sqlx's own per-statement
//! `tracing` events (target `sqlx::query`), on SQLite, PostgreSQL and
//! MariaDB:
//!
//! * every page is exactly one statement: forward and backward, without a
//!   cursor, with one (the page and its `LIMIT 1` probe for the other flag
//!   in one `UNION ALL`), with both, on an empty window, and split (a
//!   nullable leading key across its NULLs: two seeks and their `LIMIT`);
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

    // One statement per page, in every direction, with and without cursors.
    let one = |what: &str, stmts: &[String]| {
        assert_eq!(stmts.len(), 1, "{name} {what}: {stmts:#?}");
        assert!(!stmts[0].contains("COUNT("), "{name} {what}: {stmts:#?}");
    };
    let (first, stmts) = statements(|| page(PageArgs::first(10))).await;
    one("first", &stmts);
    assert!(!first.page_info.has_previous_page && first.page_info.has_next_page);
    let (last, stmts) = statements(|| page(PageArgs::last(10))).await;
    one("last", &stmts);
    assert!(last.page_info.has_previous_page && !last.page_info.has_next_page);

    // A cursor: the page and the probe for the other flag, in one statement.
    let after = first.page_info.end_cursor.clone().unwrap();
    let (next, stmts) = statements(|| page(PageArgs::first(10).after(after.clone()))).await;
    one("first after", &stmts);
    assert!(support::has_probe(&stmts[0]), "{name}: {stmts:#?}");
    assert!(next.page_info.has_previous_page && next.page_info.has_next_page);
    let before = last.page_info.start_cursor.clone().unwrap();
    let (prev, stmts) = statements(|| page(PageArgs::last(10).before(before.clone()))).await;
    one("last before", &stmts);
    assert!(prev.page_info.has_previous_page && prev.page_info.has_next_page);

    // Both cursors, both directions, and an empty window.
    for (what, args) in [
        (
            "first after before",
            PageArgs::first(5)
                .after(after.clone())
                .before(before.clone()),
        ),
        (
            "last after before",
            PageArgs::last(5)
                .after(after.clone())
                .before(before.clone()),
        ),
        (
            "empty window",
            PageArgs::first(5)
                .after(before.clone())
                .before(after.clone()),
        ),
    ] {
        let (got, stmts) = statements(|| page(args)).await;
        one(what, &stmts);
        assert_eq!(
            got.edges.is_empty(),
            what == "empty window",
            "{name} {what}"
        );
    }

    // Split pages (a value cursor, NULLs beyond it; a NULL cursor, values
    // beyond it): the two seeks, their LIMIT and the probe, one statement.
    let value = EventRankCursor {
        rank: Some(0),
        id: 25,
    }
    .encode();
    let null = EventRankCursor { rank: None, id: 24 }.encode();
    for (what, args) in [
        ("split forward", PageArgs::first(5).after(value)),
        ("split backward", PageArgs::last(5).before(null)),
    ] {
        let (split, stmts) = statements(|| async {
            DB::events_page_by(pool, EventOrder::Rank, &args)
                .await
                .unwrap()
        })
        .await;
        one(what, &stmts);
        assert!(stmts[0].contains("keypage_seek1"), "{name}: {stmts:#?}");
        assert!(
            split.page_info.has_previous_page && split.page_info.has_next_page,
            "{name} {what}"
        );
    }

    // Nothing above counted; total_count is one COUNT.
    let (total, stmts) = statements(|| async { DB::events_count(pool).await }).await;
    assert_eq!(total, 50);
    assert_eq!(stmts.len(), 1, "{name}: {stmts:#?}");
    assert!(stmts[0].contains("COUNT(*)"), "{name}: {stmts:#?}");
    eprintln!("{name}: 1 statement per page in every direction, COUNT only when asked");
}

#[test]
fn a_page_costs_one_statement() {
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
