//! The foundation's property tests on real databases, through the derive:
//! for random rows (duplicates, NULLs, text with quotes and comment markers)
//! and every ordering of `Item` (uniform, mixed directions, nullable leading
//! keys with NULLs first and last, text keys), the pages of
//! `Item::fetch_page_by` equal the pages of `Item::paginate_slice_by` over
//! the same rows, row for row, cursor for cursor and flag for flag:
//! whole walks forward (`first`/`after`) and backward (`last`/`before`), and
//! random windows whose cursors come from rows in the table or not. The
//! same with a random range filter on one of the ordering's keys
//! (`Select::range`, the model filtering with `KeyColumn::contains`):
//! every page, flag and count of the filtered rows.

mod sql_common;
mod support;

use keypage::KeyRange;
use keypage::{PageArgs, Paginate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sql_common::{Item, ItemOrder, ItemRange, TestDb, runtime, summary};

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

/// Two walks (forward, backward), the windows and the count in one
/// ordering: of every row through the derive's `fetch_page_by`, or with
/// `range`, of the rows in it through `Select::range`, the model filtering
/// with `KeyColumn::contains`.
async fn check_case<DB: TestDb>(
    pool: &sqlx::Pool<DB>,
    rows: &[Item],
    order: ItemOrder,
    range: Option<&ItemRange>,
    page_size: i32,
    windows: &[Window],
) -> Result<(), TestCaseError> {
    DB::exec(pool, "DELETE FROM items").await;
    DB::insert_items(pool, rows).await;
    let kept: Vec<Item> = (rows.iter())
        .filter(|r| range.is_none_or(|range| range.contains(r)))
        .cloned()
        .collect();
    let kept = &kept;
    let what = |args: &PageArgs| format!("{} {order:?} {range:?} {args:?}", DB::DB_NAME);
    let compare = |args: PageArgs| async move {
        let want = summary(&Item::paginate_slice_by(kept, order, &args).unwrap());
        let (page, count) = match range {
            None => (
                DB::items_page(pool, order, &args).await.unwrap(),
                DB::items_count(pool).await,
            ),
            Some(range) => DB::items_page_in(pool, order, &args, range).await.unwrap(),
        };
        (args, want, summary(&page), count)
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
            let (args_now, want, got, count) = compare(args.clone()).await;
            prop_assert_eq!(&got, &want, "{}", what(&args_now));
            prop_assert_eq!(count, kept.len() as i64, "{}: the count", what(&args_now));
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
        prop_assert_eq!(seen, kept.len(), "{}: walk", what(&PageArgs::default()));
    }

    // Cursors of rows in or out of the range, and of rows not in the table.
    for window in windows {
        let (args, want, got, _) = compare(args_of(rows, order, window)).await;
        prop_assert_eq!(&got, &want, "{}", what(&args));
    }
    Ok(())
}

/// `cases` per database: each loads fresh rows and checks two walks, four
/// windows and the count in one random ordering, over every row or
/// (`ranged`) over a random range on one of the keys.
fn pages_equal_the_in_memory_pages<DB: TestDb>(ranged: bool, cases: u32) {
    let rt = runtime();
    let Some(pool) = rt.block_on(DB::pool()) else {
        return;
    };
    rt.block_on(DB::exec(&pool, DB::ITEMS_DDL));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let orders = <Item as Paginate>::ORDERINGS.len();
    let strategy = (
        arb_items(),
        0..orders,
        arb_range().prop_map(move |range| ranged.then_some(range)),
        1i32..6,
        proptest::collection::vec(arb_window(), 4),
    );
    runner
        .run(&strategy, |(rows, order, range, page_size, windows)| {
            let order = ItemOrder::ALL[order];
            let range = range.as_ref();
            rt.block_on(check_case::<DB>(
                &pool, &rows, order, range, page_size, &windows,
            ))
        })
        .unwrap();
}

/// A range over `lo..hi` values: each bound absent or drawn from there.
fn arb_key_range<T: Clone + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = KeyRange<T>> {
    let bound = move || proptest::option::weighted(0.4, value.clone());
    (bound(), bound(), bound(), bound()).prop_map(|(gt, gte, lt, lte)| KeyRange {
        gt,
        gte,
        lt,
        lte,
    })
}

fn arb_range() -> impl Strategy<Value = ItemRange> {
    prop_oneof![
        arb_key_range(0i64..1000).prop_map(ItemRange::Id),
        arb_key_range(-4i64..5).prop_map(ItemRange::A),
        arb_key_range(-1i64..5).prop_map(ItemRange::B),
        arb_key_range(-1i64..4).prop_map(ItemRange::C),
        arb_key_range(proptest::sample::select(TEXTS).prop_map(str::to_owned))
            .prop_map(ItemRange::S),
    ]
}

#[test]
fn sqlite_ranged_pages_equal_the_filtered_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Sqlite>(true, 64);
}

#[test]
fn postgres_ranged_pages_equal_the_filtered_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Postgres>(true, 64);
}

#[test]
fn mariadb_ranged_pages_equal_the_filtered_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::MySql>(true, 64);
}

#[test]
fn sqlite_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Sqlite>(false, 96);
}

#[test]
fn postgres_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::Postgres>(false, 96);
}

#[test]
fn mariadb_pages_equal_the_in_memory_pages() {
    pages_equal_the_in_memory_pages::<sqlx::MySql>(false, 96);
}
