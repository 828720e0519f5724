//! Hostile strings reach the database only as bound values, through the
//! derive's methods: as text key values inside cursors (pages walked in two
//! text orderings, and cursors forged with hostile contents) and as filter
//! values. Every page equals the in-memory page, and afterwards the table
//! and a canary table are intact, on SQLite, PostgreSQL and MariaDB.

mod sql_common;
mod support;

use keypage::{Cursor, PageArgs};
use sql_common::{Item, ItemOrder, ItemTextCursor, TestDb, runtime, summary};
use sqlx::Pool;

/// Quotes of every dialect, statement separators, comment markers,
/// backslash escapes (MySQL treats `\'` as a quote by default), and
/// placeholder look-alikes.
const HOSTILE: &[&str] = &[
    "'",
    "''",
    "\"",
    "`",
    "'; DROP TABLE items; --",
    "Robert'); DROP TABLE canary;--",
    "\" OR 1=1 --",
    "` OR 1=1 #",
    "x' OR 'x'='x",
    "/* unterminated comment",
    "*/ --",
    "\\",
    "\\'; DELETE FROM items; #",
    "a\\' OR 1=1 -- ",
    ";",
    "--",
    "$1",
    "?",
    "%s",
];

fn rows() -> Vec<Item> {
    HOSTILE
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            // Two rows per string, so a text key value is also a tie.
            (0..2).map(move |k| Item {
                id: (i * 2 + k) as i64,
                a: None,
                b: k as i64,
                c: 0,
                s: Some((*s).to_owned()),
            })
        })
        .collect()
}

async fn hostile_values_are_only_bound<DB: TestDb>(pool: &Pool<DB>) {
    let rows = rows();
    DB::exec(pool, DB::ITEMS_DDL).await;
    DB::exec(pool, "CREATE TABLE canary (id INTEGER NOT NULL)").await;
    DB::exec(pool, "INSERT INTO canary (id) VALUES (1)").await;
    DB::insert_items(pool, &rows).await;

    // Walks in both text orderings: every cursor after the first page
    // carries hostile text.
    for order in [ItemOrder::Text, ItemOrder::TextDesc] {
        let mut args = PageArgs::first(3);
        let mut pages = 0;
        loop {
            let want = summary::<Item, _>(&Item::paginate_slice_by(&rows, order, &args).unwrap());
            let got = summary::<Item, _>(&DB::items_page(pool, order, &args).await.unwrap());
            assert_eq!(got, want, "{} {order:?} {args:?}", DB::DB_NAME);
            pages += 1;
            if !got.3 {
                break;
            }
            args = PageArgs::first(3).after(got.1.last().unwrap().clone());
        }
        assert_eq!(pages, rows.len().div_ceil(3), "{} {order:?}", DB::DB_NAME);
    }

    // Forged cursors: any text a client can encode into a cursor.
    for (i, s) in HOSTILE.iter().enumerate() {
        let forged = ItemTextCursor {
            s: Some(format!("{s}{i}")),
            id: -1,
        }
        .encode();
        for args in [
            PageArgs::first(4).after(forged.clone()),
            PageArgs::last(4).before(forged.clone()),
        ] {
            let want = summary::<Item, _>(
                &Item::paginate_slice_by(&rows, ItemOrder::Text, &args).unwrap(),
            );
            let got =
                summary::<Item, _>(&DB::items_page(pool, ItemOrder::Text, &args).await.unwrap());
            assert_eq!(got, want, "{} forged {s:?}", DB::DB_NAME);
        }
    }

    // Filter values, with a hostile cursor on top.
    for s in HOSTILE {
        let mine: Vec<Item> = rows
            .iter()
            .filter(|r| r.s.as_deref() == Some(s))
            .cloned()
            .collect();
        let (page, count) = DB::items_with_label(pool, s, &PageArgs::first(10))
            .await
            .unwrap();
        assert_eq!(
            page.nodes().cloned().collect::<Vec<_>>(),
            mine,
            "{} filter {s:?}",
            DB::DB_NAME
        );
        assert_eq!(count, 2, "{} filter {s:?}", DB::DB_NAME);
        let after = page.edges[0].cursor.clone();
        let (page, _) = DB::items_with_label(pool, s, &PageArgs::first(10).after(after))
            .await
            .unwrap();
        assert_eq!(
            page.nodes().cloned().collect::<Vec<_>>(),
            mine[1..],
            "{} filter {s:?}",
            DB::DB_NAME
        );
    }

    // Nothing was dropped or deleted.
    assert_eq!(
        DB::items_count(pool).await,
        rows.len() as i64,
        "{}",
        DB::DB_NAME
    );
    DB::exec(pool, "INSERT INTO canary (id) VALUES (2)").await;
}

fn run<DB: TestDb>() {
    let rt = runtime();
    rt.block_on(async {
        if let Some(pool) = DB::pool().await {
            hostile_values_are_only_bound(&pool).await;
        }
    });
}

#[test]
fn sqlite_hostile_values_are_only_bound() {
    run::<sqlx::Sqlite>();
}

#[test]
fn postgres_hostile_values_are_only_bound() {
    run::<sqlx::Postgres>();
}

#[test]
fn mariadb_hostile_values_are_only_bound() {
    run::<sqlx::MySql>();
}
