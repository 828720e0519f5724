//! The foundation's property tests on real databases, through the derive:
//! for random rows (duplicates, NULLs, text with quotes and comment markers)
//! and every ordering of `Item` (uniform, mixed directions, nullable leading
//! keys with NULLs first and last, text keys), the pages of
//! `Item::fetch_page_by` equal the pages of `Item::paginate_slice_by` over
//! the same rows, row for row, cursor for cursor and flag for flag:
//! whole walks forward (`first`/`after`) and backward (`last`/`before`), and
//! random windows whose cursors come from rows in the table or not.

mod sql_common;
mod support;

use keypage::{PageArgs, Paginate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sql_common::{Item, ItemOrder, TestDb, runtime, summary};

/// Text values: duplicates, byte-order traps (`"B" < "a"`, `"a" < "a "`),
/// and SQL that would break a query built by pasting values.
const TEXTS: &[&str] = &[
    "a",
    "a ",
    "B",
    "",
    "é",
    "it's",
    "'; DROP TABLE items; --",
    "/* x */",
    "back\\slash",
    "\"q\"",
];

fn arb_item(id: impl Strategy<Value = i64>) -> impl Strategy<Value = Item> {
    (
        id,
        proptest::option::weighted(0.7, -3i64..4),
        0i64..4,
        0i64..3,
        proptest::option::weighted(0.8, proptest::sample::select(TEXTS)),
    )
        .prop_map(|(id, a, b, c, s)| Item {
            id,
            a,
            b,
            c,
            s: s.map(str::to_owned),
        })
}

/// Up to 30 rows with unique ids.
fn arb_items() -> impl Strategy<Value = Vec<Item>> {
    proptest::collection::vec(arb_item(0i64..1000), 0..30).prop_map(|mut rows| {
        rows.sort_by_key(|r| r.id);
        rows.dedup_by_key(|r| r.id);
        rows
    })
}

/// A cursor position: a row of the table (by index) or a row that is not in
/// it.
#[derive(Debug, Clone)]
enum Pos {
    Row(usize),
    Phantom(Item),
}

fn arb_pos() -> impl Strategy<Value = Pos> {
    prop_oneof![
        (0usize..64).prop_map(Pos::Row),
        arb_item(1000i64..1100).prop_map(Pos::Phantom),
    ]
}

/// A window: `after`/`before` positions, `first` or `last`, page size.
type Window = (Option<Pos>, Option<Pos>, bool, i32);

fn arb_window() -> impl Strategy<Value = Window> {
    (
        proptest::option::of(arb_pos()),
        proptest::option::of(arb_pos()),
        any::<bool>(),
        0i32..8,
    )
}

/// The cursor of `pos` in the ordering `order`, as the client would have
/// received it.
fn cursor(rows: &[Item], order: ItemOrder, pos: &Pos) -> String {
    let row = match pos {
        Pos::Row(i) if !rows.is_empty() => rows[i % rows.len()].clone(),
        Pos::Row(_) => Item {
            id: 5000,
            a: None,
            b: 0,
            c: 0,
            s: None,
        },
        Pos::Phantom(row) => row.clone(),
    };
    // A one-row page in that ordering yields exactly that row's cursor.
    let page = Item::paginate_slice_by(std::slice::from_ref(&row), order, &PageArgs::first(1))
        .expect("a one-row page");
    page.edges[0].cursor.clone()
}

fn args_of(rows: &[Item], order: ItemOrder, (after, before, forward, n): &Window) -> PageArgs {
    let mut args = if *forward {
        PageArgs::first(*n)
    } else {
        PageArgs::last(*n)
    };
    args.after = after.as_ref().map(|p| cursor(rows, order, p));
    args.before = before.as_ref().map(|p| cursor(rows, order, p));
    args
}

async fn check_case<DB: TestDb>(
    pool: &sqlx::Pool<DB>,
    rows: &[Item],
    order: ItemOrder,
    page_size: i32,
    windows: &[Window],
) -> Result<(), TestCaseError> {
    DB::exec(pool, "DELETE FROM items").await;
    DB::insert_items(pool, rows).await;
    let what = |args: &PageArgs| format!("{} {order:?} {args:?}", DB::DB_NAME);

    let compare = |args: PageArgs| async move {
        let want = summary(&Item::paginate_slice_by(rows, order, &args).unwrap());
        let got = summary(&DB::items_page(pool, order, &args).await.unwrap());
        (args, want, got)
    };

    // A whole walk forward, then a whole walk backward.
    for forward in [true, false] {
        let mut args = if forward {
            PageArgs::first(page_size)
        } else {
            PageArgs::last(page_size)
        };
        let mut seen = 0;
        loop {
            let (args_now, want, got) = compare(args.clone()).await;
            prop_assert_eq!(&got, &want, "{}", what(&args_now));
            seen += got.0.len();
            let more = if forward { got.3 } else { got.2 };
            if !more {
                break;
            }
            prop_assert!(!got.0.is_empty(), "{}", what(&args_now));
            args = if forward {
                PageArgs::first(page_size).after(got.1.last().unwrap().clone())
            } else {
                PageArgs::last(page_size).before(got.1.first().unwrap().clone())
            };
        }
        prop_assert_eq!(seen, rows.len(), "{} {:?} walk", DB::DB_NAME, order);
    }

    for window in windows {
        let (args, want, got) = compare(args_of(rows, order, window)).await;
        prop_assert_eq!(&got, &want, "{}", what(&args));
    }

    prop_assert_eq!(DB::items_count(pool).await, rows.len() as i64);
    Ok(())
}

/// 96 cases per database: each loads fresh rows and checks two walks, four
/// windows and the count in one random ordering.
fn pages_equal_the_in_memory_pages<DB: TestDb>() {
    let rt = runtime();
    let Some(pool) = rt.block_on(DB::pool()) else {
        return;
    };
    rt.block_on(DB::exec(&pool, DB::ITEMS_DDL));
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let orders = <Item as Paginate>::ORDERINGS.len();
    let strategy = (
        arb_items(),
        0..orders,
        1i32..6,
        proptest::collection::vec(arb_window(), 4),
    );
    runner
        .run(&strategy, |(rows, order, page_size, windows)| {
            let order = ItemOrder::ALL[order];
            rt.block_on(check_case::<DB>(&pool, &rows, order, page_size, &windows))
        })
        .unwrap();
}

#[test]
fn sqlite_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Sqlite>();
}

#[test]
fn postgres_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Postgres>();
}

#[test]
fn mariadb_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::MySql>();
}
