//! Pages stay consistent while the table changes, through the derive's
//! `Event::fetch_page` / `Event::fetch_page_by` in all three orderings of
//! `Event` (`created_at desc, id desc`; `created_at desc, id asc`;
//! `rank desc nulls last, id desc`, nullable), walking forward by
//! `endCursor` and backward by `startCursor`; `LIMIT/OFFSET` does not.
//!
//! * Writes between pages (proptest): random rows (ties, NULL ranks), then a
//!   walk with a random batch of writes after each page: inserts (new ids;
//!   key values anywhere, tied with an existing row's, or equal to the
//!   cursor's), deletes (of a row not read yet, of one already read, of the
//!   cursor's row) and updates of the key values (moving rows across the
//!   cursor either way). A model of the table in the test (integer keys:
//!   Rust's order is the databases' order here) knows the table at each
//!   page's statement, so every page is checked against it: its rows, and
//!   its flags (`hasNextPage`, `hasPreviousPage` true of the table then).
//! * A concurrent writer (proptest): the same kinds of writes from a second
//!   future on the same pool, so on another connection than the page query
//!   in flight, while the walk runs.
//! * Stable walks: the first page pins the largest id (`Select::max_of`),
//!   every page keeps `id <= pin` (`Select::range`), while a writer inserts
//!   rows all over the ordering and deletes rows not read yet, at least one
//!   write between any two pages: no inserted row appears, every row there
//!   throughout appears once, in order; the unpinned walk sees new rows.
//! * OFFSET: the same writes at fixed points between pages, once deleting a
//!   row already read and once inserting a row at the top. `OFFSET` then
//!   provably skips, resp. duplicates, rows; the keyset walk under the very
//!   same writes is exact. This is why keyset.
//!
//! Every walk: (a) every row that existed, unchanged, from before the first
//! page to after the last is returned exactly once; (b) no row is returned
//! twice (a row whose key was updated may come again, at its new position);
//! (c) the rows come strictly in the ordering; (d) the walk ends within
//! (rows + writes + 1) pages: every page but the last brings a row version
//! not seen before, and each row and each write makes one version at most.
//!
//! On SQLite (a file in WAL mode, so the walker and the writer use two
//! connections), PostgreSQL and MariaDB. Each test is bounded by [`LIMIT`].

mod sql_common;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use keypage::{Keyset, Page, PageArgs, Paginate};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sql_common::{Event, EventOrder, TestDb};
use sqlx::Pool;

/// All cases of one test on one database, shrinking excluded.
const LIMIT: Duration = Duration::from_secs(120);
/// Shrinking a failure, on top of [`LIMIT`].
const SHRINK_LIMIT: Duration = Duration::from_secs(60);
/// Cases per database of the tests with writes between pages.
const BETWEEN_PAGES_CASES: u32 = 48;
/// Cases per database of the tests with a concurrent writer.
const CONCURRENT_CASES: u32 = 24;

fn event(id: i64, created_at: i64) -> Event {
    Event {
        id,
        created_at,
        rank: None,
        title: format!("event {id}"),
    }
}

/// The table and its indexes (all three orderings), if not there yet.
async fn create_events<DB: TestDb>(pool: &Pool<DB>) {
    let ddl = DB::EVENTS_DDL.replacen("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1);
    DB::exec(pool, &ddl).await;
    for index in DB::EVENTS_INDEXES {
        let index = index.replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1);
        DB::exec(pool, &index).await;
    }
}

/// The table holds `rows`, and only them.
async fn reset_events<DB: TestDb>(pool: &Pool<DB>, rows: &[Event]) {
    DB::exec(pool, "DELETE FROM events").await;
    DB::insert_events(pool, rows).await;
}

async fn fresh_events<DB: TestDb>(pool: &Pool<DB>, rows: &[Event]) {
    create_events(pool).await;
    reset_events(pool, rows).await;
}

// ---------------------------------------------------------------------------
// The model: positions, walks, the table.

/// A row's position in an ordering, as a tuple Rust compares in that
/// ordering's order. Written out here rather than taken from the derive, so
/// the model does not share the code under test.
type Pos = (i64, i64, i64);

fn pos(order: EventOrder, e: &Event) -> Pos {
    match order {
        EventOrder::Default => (-e.created_at, -e.id, 0),
        EventOrder::Mixed => (-e.created_at, e.id, 0),
        // NULLs last.
        EventOrder::Rank => match e.rank {
            Some(rank) => (0, -rank, -e.id),
            None => (1, 0, -e.id),
        },
    }
}

/// One walk: its ordering, direction and page size.
#[derive(Debug, Clone, Copy)]
struct Walk {
    order: EventOrder,
    forward: bool,
    size: i32,
}

impl Walk {
    fn first_args(self) -> PageArgs {
        if self.forward {
            PageArgs::first(self.size)
        } else {
            PageArgs::last(self.size)
        }
    }

    /// The next page's arguments (`after` the end cursor, resp. `before`
    /// the start cursor), or `None` when the flag says the walk is over.
    fn next_args(self, page: &Page<Event>) -> Result<Option<PageArgs>, TestCaseError> {
        let info = &page.page_info;
        let (more, cursor) = if self.forward {
            (info.has_next_page, &info.end_cursor)
        } else {
            (info.has_previous_page, &info.start_cursor)
        };
        if !more {
            return Ok(None);
        }
        let Some(cursor) = cursor.clone() else {
            return Err(TestCaseError::fail(format!(
                "{self:?}: an empty page says more rows follow"
            )));
        };
        Ok(Some(if self.forward {
            PageArgs::first(self.size).after(cursor)
        } else {
            PageArgs::last(self.size).before(cursor)
        }))
    }

    /// The row the next page's cursor is taken from.
    fn cursor_row(self, page: &Page<Event>) -> Option<Event> {
        let edge = if self.forward {
            page.edges.last()
        } else {
            page.edges.first()
        };
        edge.map(|e| e.node.clone())
    }

    async fn page<DB: TestDb>(
        self,
        pool: &Pool<DB>,
        args: &PageArgs,
    ) -> Result<Page<Event>, TestCaseError> {
        let page = match self.order {
            EventOrder::Default => DB::events_page(pool, args).await,
            order => DB::events_page_by(pool, order, args).await,
        };
        page.map_err(|e| TestCaseError::fail(format!("{} {self:?} {args:?}: {e}", DB::DB_NAME)))
    }

    /// Whether position `p` lies beyond `q` in the walk's direction.
    fn beyond(self, p: Pos, q: Pos) -> bool {
        if self.forward { p > q } else { p < q }
    }
}

/// The table as the test knows it.
#[derive(Debug, Clone)]
struct Table {
    rows: BTreeMap<i64, Event>,
    next_id: i64,
}

impl Table {
    fn new(rows: &[Event]) -> Self {
        Table {
            rows: rows.iter().map(|e| (e.id, e.clone())).collect(),
            next_id: 10_000,
        }
    }

    fn any(&self, order: EventOrder, f: impl Fn(Pos) -> bool) -> bool {
        self.rows.values().any(|e| f(pos(order, e)))
    }

    /// The page the walk asks for with its cursor at `at`: the next `size`
    /// rows beyond `at` (all rows, without a cursor), in the ordering.
    fn page(&self, walk: Walk, at: Option<Pos>) -> Vec<Event> {
        let mut rows: Vec<&Event> = self
            .rows
            .values()
            .filter(|e| at.is_none_or(|a| walk.beyond(pos(walk.order, e), a)))
            .collect();
        rows.sort_by_key(|e| pos(walk.order, e));
        let size = walk.size as usize;
        let page = if walk.forward {
            &rows[..size.min(rows.len())]
        } else {
            &rows[rows.len().saturating_sub(size)..]
        };
        page.iter().map(|&e| e.clone()).collect()
    }

    /// `(hasPreviousPage, hasNextPage)` true of this table for a page of
    /// `nodes` requested with the cursor at `at`. Forward: a row after the
    /// last edge (after `at` on an empty page; any row without `at`), and
    /// `at` given with a row at-or-before it. Backward mirrors it.
    fn flags(&self, walk: Walk, at: Option<Pos>, nodes: &[Event]) -> (bool, bool) {
        let order = walk.order;
        let far = if walk.forward {
            nodes.last()
        } else {
            nodes.first()
        };
        let from = far.map(|e| pos(order, e)).or(at);
        let onward = self.any(order, |p| from.is_none_or(|f| walk.beyond(p, f)));
        let back = at.is_some_and(|a| self.any(order, |p| !walk.beyond(p, a)));
        if walk.forward {
            (back, onward)
        } else {
            (onward, back)
        }
    }
}

// ---------------------------------------------------------------------------
// Writes.

/// Where a written row's key values come from.
#[derive(Debug, Clone)]
enum Keys {
    /// These `created_at`, `rank`.
    Anywhere(i64, Option<i64>),
    /// Those of a row of the table: ties.
    LikeRow(Index),
    /// Those of a row beyond the cursor: ties, and mostly beyond it.
    LikeAhead(Index),
    /// Those of a row behind the cursor: ties, and mostly behind it.
    LikePassed(Index),
    /// Those of the cursor's row as the walk read it: ties with the cursor.
    LikeCursor,
}

/// Which row a delete or an update hits (none when there is no such row).
#[derive(Debug, Clone)]
enum Target {
    /// A row beyond the cursor: not read yet.
    Ahead(Index),
    /// A row behind the cursor: already read.
    Passed(Index),
    /// The row the cursor was taken from.
    Cursor,
}

#[derive(Debug, Clone)]
enum Write {
    Insert(Keys),
    Delete(Target),
    Update(Target, Keys),
    /// Deletes every row beyond the cursor: the next page is empty.
    ClearAhead,
}

/// What the writes did, for the invariants.
#[derive(Debug, Default)]
struct Log {
    /// Ids deleted or updated: not unchanged for the whole walk.
    touched: BTreeSet<i64>,
    /// How often each id's key values were updated.
    updates: BTreeMap<i64, u32>,
}

/// How often the cases reached the situations they are for, over all cases.
#[derive(Debug, Default)]
struct Coverage {
    insert_at_cursor: usize,
    insert_tied: usize,
    delete_ahead: usize,
    delete_passed: usize,
    delete_cursor: usize,
    /// Updates moving a read row (or the cursor's) beyond the cursor.
    update_to_ahead: usize,
    /// Updates moving an unread row behind the cursor.
    update_to_passed: usize,
    /// Empty pages after a cursor (everything beyond it deleted or moved).
    empty_pages: usize,
    /// Writes that completed between a concurrent walk's first and last page.
    writes_mid_walk: usize,
}

fn pick<'a>(rows: impl Iterator<Item = &'a Event>, index: &Index) -> Option<Event> {
    let rows: Vec<&Event> = rows.collect();
    (!rows.is_empty()).then(|| rows[index.index(rows.len())].clone())
}

fn target(table: &Table, walk: Walk, cursor: Option<&Event>, target: &Target) -> Option<Event> {
    let at = cursor.map(|c| pos(walk.order, c));
    let ahead = |e: &&Event| at.is_none_or(|a| walk.beyond(pos(walk.order, e), a));
    let passed = |e: &&Event| at.is_some_and(|a| walk.beyond(a, pos(walk.order, e)));
    match target {
        Target::Ahead(i) => pick(table.rows.values().filter(ahead), i),
        Target::Passed(i) => pick(table.rows.values().filter(passed), i),
        Target::Cursor => cursor.and_then(|c| table.rows.get(&c.id).cloned()),
    }
}

/// `(created_at, rank)` from `keys`, and whether they are copied from a
/// row (`(0, NULL)` when there is no row to copy from).
fn keys(
    table: &Table,
    walk: Walk,
    cursor: Option<&Event>,
    keys: &Keys,
) -> (i64, Option<i64>, bool) {
    let row = match keys {
        Keys::Anywhere(created_at, rank) => return (*created_at, *rank, false),
        Keys::LikeRow(i) => pick(table.rows.values(), i),
        Keys::LikeAhead(i) => target(table, walk, cursor, &Target::Ahead(*i)),
        Keys::LikePassed(i) => target(table, walk, cursor, &Target::Passed(*i)),
        Keys::LikeCursor => cursor.cloned(),
    };
    row.map_or((0, None, false), |e| (e.created_at, e.rank, true))
}

/// Runs `write` on the database and on `table`, with the walk's cursor
/// (the row as the walk read it) at `cursor`.
async fn apply<DB: TestDb>(
    pool: &Pool<DB>,
    table: &mut Table,
    walk: Walk,
    cursor: Option<&Event>,
    write: &Write,
    log: &mut Log,
    coverage: &Mutex<Coverage>,
) {
    let at = cursor.map(|c| pos(walk.order, c));
    let ahead = |e: &Event| at.is_none_or(|a| walk.beyond(pos(walk.order, e), a));
    match write {
        Write::Insert(from) => {
            let (created_at, rank, tied) = keys(table, walk, cursor, from);
            let id = table.next_id;
            table.next_id += 1;
            let row = Event {
                id,
                created_at,
                rank,
                title: format!("event {id}"),
            };
            DB::insert_events(pool, std::slice::from_ref(&row)).await;
            let mut c = coverage.lock().unwrap();
            match from {
                Keys::LikeCursor if tied => c.insert_at_cursor += 1,
                _ if tied => c.insert_tied += 1,
                _ => {}
            }
            table.rows.insert(id, row);
        }
        Write::Delete(which) => {
            let Some(row) = target(table, walk, cursor, which) else {
                return;
            };
            DB::delete_event(pool, row.id).await;
            table.rows.remove(&row.id);
            log.touched.insert(row.id);
            let mut c = coverage.lock().unwrap();
            match which {
                Target::Ahead(_) => c.delete_ahead += 1,
                Target::Passed(_) => c.delete_passed += 1,
                Target::Cursor => c.delete_cursor += 1,
            }
        }
        Write::Update(which, to) => {
            let Some(row) = target(table, walk, cursor, which) else {
                return;
            };
            let (created_at, rank, _) = keys(table, walk, cursor, to);
            DB::update_event_key(pool, row.id, created_at, rank).await;
            let new = Event {
                created_at,
                rank,
                ..row.clone()
            };
            let mut c = coverage.lock().unwrap();
            match (ahead(&row), ahead(&new)) {
                (false, true) => c.update_to_ahead += 1,
                (true, false) => c.update_to_passed += 1,
                _ => {}
            }
            table.rows.insert(row.id, new);
            log.touched.insert(row.id);
            *log.updates.entry(row.id).or_default() += 1;
        }
        Write::ClearAhead => {
            let ids: Vec<i64> = table
                .rows
                .values()
                .filter(|e| ahead(e))
                .map(|e| e.id)
                .collect();
            for id in ids {
                DB::delete_event(pool, id).await;
                table.rows.remove(&id);
                log.touched.insert(id);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The invariants of a whole walk.

/// (b), (c), (a) over the pages of a walk, in the order they were fetched.
fn check_walk(
    what: &str,
    walk: Walk,
    pages: &[Vec<Event>],
    stable: &BTreeSet<i64>,
    log: &Log,
) -> Result<(), TestCaseError> {
    // In the ordering's order: a backward walk fetches the last page first.
    let rows: Vec<&Event> = if walk.forward {
        pages.iter().flatten().collect()
    } else {
        pages.iter().rev().flatten().collect()
    };
    let mut times: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &rows {
        *times.entry(e.id).or_default() += 1;
    }
    for (id, n) in &times {
        prop_assert!(
            *n == 1 || log.updates.contains_key(id),
            "{}: row {} returned {} times, never updated",
            what,
            id,
            n
        );
    }
    for pair in rows.windows(2) {
        prop_assert!(
            pos(walk.order, pair[0]) < pos(walk.order, pair[1]),
            "{}: out of order: {:?} then {:?}",
            what,
            pair[0],
            pair[1]
        );
    }
    let missing: Vec<_> = stable.iter().filter(|id| !times.contains_key(id)).collect();
    prop_assert!(missing.is_empty(), "{}: rows skipped: {:?}", what, missing);
    Ok(())
}

// ---------------------------------------------------------------------------
// Writes between pages.

#[derive(Debug, Clone)]
struct BetweenPages {
    rows: Vec<Event>,
    walk: Walk,
    /// The writes after page `i`: `batches[i]`.
    batches: Vec<Vec<Write>>,
}

/// Walks with `case.batches` run between the pages. Nothing else writes,
/// so the model holds the table each page's statements saw: each page's
/// rows and flags are checked against it, then the whole walk.
async fn between_pages<DB: TestDb>(
    pool: Pool<DB>,
    case: BetweenPages,
    coverage: &Mutex<Coverage>,
) -> Result<(), TestCaseError> {
    reset_events(&pool, &case.rows).await;
    let walk = case.walk;
    let what = format!("{} {walk:?}", DB::DB_NAME);
    let mut table = Table::new(&case.rows);
    let mut log = Log::default();
    let writes: usize = case.batches.iter().map(Vec::len).sum();
    let max_pages = case.rows.len() + writes + 1;
    let mut seen = BTreeSet::new();
    let mut pages = Vec::new();
    let mut args = walk.first_args();
    let mut cursor: Option<Event> = None;
    loop {
        let index = pages.len();
        prop_assert!(
            index < max_pages,
            "{}: the walk did not end within {} pages",
            what,
            max_pages
        );
        let page = walk.page(&pool, &args).await?;
        let nodes: Vec<Event> = page.nodes().cloned().collect();
        let at = cursor.as_ref().map(|c| pos(walk.order, c));
        prop_assert_eq!(
            &nodes,
            &table.page(walk, at),
            "{}: rows of page {} after {:?}",
            what,
            index,
            cursor
        );
        let info = &page.page_info;
        prop_assert_eq!(
            (info.has_previous_page, info.has_next_page),
            table.flags(walk, at, &nodes),
            "{}: (hasPreviousPage, hasNextPage) of page {} after {:?}, rows {:?}",
            what,
            index,
            cursor,
            nodes
        );
        if nodes.is_empty() && cursor.is_some() {
            coverage.lock().unwrap().empty_pages += 1;
        }
        for e in &nodes {
            let version = log.updates.get(&e.id).copied().unwrap_or(0);
            prop_assert!(
                seen.insert((e.id, version)),
                "{}: row {:?} returned twice (page {})",
                what,
                e,
                index
            );
        }
        let next = walk.next_args(&page)?;
        pages.push(nodes);
        let Some(next) = next else { break };
        args = next;
        cursor = walk.cursor_row(&page);
        for write in case.batches.get(index).into_iter().flatten() {
            apply(
                &pool,
                &mut table,
                walk,
                cursor.as_ref(),
                write,
                &mut log,
                coverage,
            )
            .await;
        }
    }
    let stable = case
        .rows
        .iter()
        .map(|e| e.id)
        .filter(|id| !log.touched.contains(id))
        .collect();
    check_walk(&what, walk, &pages, &stable, &log)
}

// ---------------------------------------------------------------------------
// A concurrent writer.

#[derive(Debug, Clone)]
struct Concurrent {
    rows: Vec<Event>,
    walk: Walk,
    writes: Vec<Write>,
}

/// The walk of [`concurrent`]: its pages, and the writes completed before
/// each page. After each page it shows the writer its cursor's row.
async fn concurrent_walk<DB: TestDb>(
    pool: &Pool<DB>,
    walk: Walk,
    max_pages: usize,
    cursor: &Mutex<Option<Event>>,
    writes_done: &AtomicUsize,
) -> Result<(Vec<Vec<Event>>, Vec<usize>), TestCaseError> {
    let mut pages = Vec::new();
    let mut writes = Vec::new();
    let mut args = walk.first_args();
    loop {
        prop_assert!(
            pages.len() < max_pages,
            "{} {:?}: the walk did not end within {} pages",
            DB::DB_NAME,
            walk,
            max_pages
        );
        writes.push(writes_done.load(Ordering::SeqCst));
        let page = walk.page(pool, &args).await?;
        pages.push(page.nodes().cloned().collect());
        let Some(next) = walk.next_args(&page)? else {
            return Ok((pages, writes));
        };
        args = next;
        *cursor.lock().unwrap() = walk.cursor_row(&page);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A walk while a writer runs `case.writes` (1 ms apart, until the walk
/// ends) on connections of its own. Both futures are polled together, so
/// the database sees page queries and writes interleaved. Only (a)–(d) are
/// checked: a page and its flags come from one statement, hence one
/// snapshot, but the test cannot observe that snapshot while the table moves
/// around it (the between-pages tests check the flags against the table).
async fn concurrent<DB: TestDb>(
    pool: Pool<DB>,
    case: Concurrent,
    coverage: &Mutex<Coverage>,
) -> Result<(), TestCaseError> {
    reset_events(&pool, &case.rows).await;
    let walk = case.walk;
    let what = format!("{} {walk:?} (concurrent)", DB::DB_NAME);
    let max_pages = case.rows.len() + case.writes.len() + 1;
    let cursor = Mutex::new(None);
    let done = AtomicBool::new(false);
    let writes_done = AtomicUsize::new(0);

    let walker = async {
        let walked = concurrent_walk(&pool, walk, max_pages, &cursor, &writes_done).await;
        done.store(true, Ordering::SeqCst);
        walked
    };
    let writer = async {
        // The only writer: its model is the table.
        let mut table = Table::new(&case.rows);
        let mut log = Log::default();
        for write in &case.writes {
            if done.load(Ordering::SeqCst) {
                break;
            }
            let at = cursor.lock().unwrap().clone();
            apply(
                &pool,
                &mut table,
                walk,
                at.as_ref(),
                write,
                &mut log,
                coverage,
            )
            .await;
            writes_done.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        log
    };
    let (walked, log) = tokio::join!(walker, writer);
    let (pages, writes) = walked?;
    coverage.lock().unwrap().writes_mid_walk += writes.last().unwrap() - writes[0];
    let stable = case
        .rows
        .iter()
        .map(|e| e.id)
        .filter(|id| !log.touched.contains(id))
        .collect();
    check_walk(&what, walk, &pages, &stable, &log)
}

// ---------------------------------------------------------------------------
// Strategies and the runner.

/// `created_at` with many ties, `rank` with ties and NULLs.
fn arb_keys() -> impl Strategy<Value = (i64, Option<i64>)> {
    (0i64..8, proptest::option::weighted(0.75, 0i64..5))
}

/// Rows with ids `1..`.
fn arb_rows(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(arb_keys(), len).prop_map(|keys| {
        keys.into_iter()
            .zip(1..)
            .map(|((created_at, rank), id)| Event {
                created_at,
                rank,
                ..event(id, 0)
            })
            .collect()
    })
}

fn arb_walk(sizes: std::ops::Range<i32>) -> impl Strategy<Value = Walk> {
    (0..EventOrder::ALL.len(), any::<bool>(), sizes).prop_map(|(order, forward, size)| Walk {
        order: EventOrder::ALL[order],
        forward,
        size,
    })
}

fn arb_keys_from() -> impl Strategy<Value = Keys> {
    prop_oneof![
        arb_keys().prop_map(|(c, r)| Keys::Anywhere(c, r)),
        any::<Index>().prop_map(Keys::LikeRow),
        any::<Index>().prop_map(Keys::LikeAhead),
        any::<Index>().prop_map(Keys::LikePassed),
        Just(Keys::LikeCursor),
    ]
}

fn arb_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        any::<Index>().prop_map(Target::Ahead),
        any::<Index>().prop_map(Target::Passed),
        Just(Target::Cursor),
    ]
}

/// Inserts, deletes and updates; updates aim at unread rows as often as at
/// read ones and the cursor's together, so rows cross the cursor both ways
/// about as often.
fn arb_write() -> impl Strategy<Value = Write> {
    let update_target = prop_oneof![
        2 => any::<Index>().prop_map(Target::Ahead),
        1 => any::<Index>().prop_map(Target::Passed),
        1 => Just(Target::Cursor),
    ];
    prop_oneof![
        2 => arb_keys_from().prop_map(Write::Insert),
        2 => arb_target().prop_map(Write::Delete),
        3 => (update_target, arb_keys_from()).prop_map(|(t, k)| Write::Update(t, k)),
    ]
}

/// Writes between pages, now and then emptying the rest of the walk.
fn arb_write_or_clear() -> impl Strategy<Value = Write> {
    prop_oneof![12 => arb_write(), 1 => Just(Write::ClearAhead)]
}

fn arb_between_pages() -> impl Strategy<Value = BetweenPages> {
    (
        arb_rows(0..40),
        arb_walk(1..6),
        proptest::collection::vec(proptest::collection::vec(arb_write_or_clear(), 0..5), 0..16),
    )
        .prop_map(|(rows, walk, batches)| BetweenPages {
            rows,
            walk,
            batches,
        })
}

fn arb_concurrent() -> impl Strategy<Value = Concurrent> {
    (
        arb_rows(20..100),
        arb_walk(1..8),
        proptest::collection::vec(arb_write(), 10..50),
    )
        .prop_map(|(rows, walk, writes)| Concurrent { rows, walk, writes })
}

/// Runs `cases` cases of `test` on a fresh `events` table of `DB`, all of
/// them within [`LIMIT`] and a failure's shrinking within [`SHRINK_LIMIT`];
/// `None` when `DB` is not configured (skipped).
fn run_cases<DB: TestDb, S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl AsyncFn(Pool<DB>, S::Value, &Mutex<Coverage>) -> Result<(), TestCaseError>,
) -> Option<Coverage> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pool = rt.block_on(DB::pool())?;
    rt.block_on(create_events(&pool));
    let coverage = Mutex::new(Coverage::default());
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_time: SHRINK_LIMIT.as_millis() as u32,
        ..Config::default()
    });
    let deadline = Instant::now() + LIMIT;
    let result = runner.run(&strategy, |case| {
        let left = deadline.saturating_duration_since(Instant::now());
        rt.block_on(async {
            tokio::time::timeout(left, test(pool.clone(), case, &coverage))
                .await
                .unwrap_or_else(|_| {
                    Err(TestCaseError::fail(format!(
                        "{}: timed out ({LIMIT:?} for all cases)",
                        DB::DB_NAME
                    )))
                })
        })
    });
    if let Err(e) = result {
        panic!("{}: {e}", DB::DB_NAME);
    }
    Some(coverage.into_inner().unwrap())
}

fn writes_between_pages<DB: TestDb>() {
    let Some(c) = run_cases::<DB, _>(
        BETWEEN_PAGES_CASES,
        arb_between_pages(),
        between_pages::<DB>,
    ) else {
        return;
    };
    eprintln!("{}: {BETWEEN_PAGES_CASES} walks, {c:?}", DB::DB_NAME);
    // The cases reached what they are for.
    for (what, n) in [
        ("inserts tied with the cursor", c.insert_at_cursor),
        ("inserts tied with a row", c.insert_tied),
        ("deletes of unread rows", c.delete_ahead),
        ("deletes of read rows", c.delete_passed),
        ("deletes of the cursor's row", c.delete_cursor),
        ("updates moving a row beyond the cursor", c.update_to_ahead),
        ("updates moving a row behind the cursor", c.update_to_passed),
        ("empty pages after a cursor", c.empty_pages),
    ] {
        assert!(n > 0, "{}: no {what}", DB::DB_NAME);
    }
}

fn concurrent_writer<DB: TestDb>() {
    let Some(c) = run_cases::<DB, _>(CONCURRENT_CASES, arb_concurrent(), concurrent::<DB>) else {
        return;
    };
    eprintln!("{}: {CONCURRENT_CASES} walks, {c:?}", DB::DB_NAME);
    assert!(
        c.writes_mid_walk > 0,
        "{}: no write landed during a walk",
        DB::DB_NAME
    );
}

// ---------------------------------------------------------------------------
// Why keyset: OFFSET under the same writes.

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

const PAGE: i32 = 10;

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
    // The walk has 10 pages, so 9 writes between them.
    let deleted: BTreeSet<i64> = (0..9).map(|i| 100 - i).collect();

    // Deletes: OFFSET skips a row per delete.
    fresh_events(&pool, &rows).await;
    let walked = offset_walk(&pool, delete_top(pool.clone())).await;
    let stable: BTreeSet<i64> = all.difference(&deleted).copied().collect();
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

/// A stable walk (`Select::max_of` pins the largest id at the first page,
/// every page keeps `id <= pin` with `Select::range`) while a writer on
/// other connections inserts rows all over the ordering (new, larger ids;
/// `created_at` anywhere, ties included) and deletes rows not read yet:
/// none of the inserted rows appears, every row there throughout appears
/// once, in order. Without the pin the same writes make the walk see new
/// rows.
async fn stable_walk_sees_no_inserts<DB: TestDb>(pool: Pool<DB>) {
    let rows: Vec<Event> = (1..=200).map(|id| event(id, id * 7 % 61)).collect();
    for pinned in [true, false] {
        fresh_events(&pool, &rows).await;
        let done = AtomicBool::new(false);
        let deleted = Mutex::new(BTreeSet::new());
        let inserted = Mutex::new(BTreeSet::new());
        let writes = AtomicUsize::new(0);
        // The first page's pin, before the writer starts.
        let pin = DB::events_max_id(&pool).await.unwrap();
        assert_eq!(pin, 200);
        let walker = async {
            let mut walked = Vec::new();
            let mut args = PageArgs::first(PAGE);
            for _ in 0..100 {
                let page = if pinned {
                    DB::events_page_pinned(&pool, &args, pin).await.unwrap()
                } else {
                    DB::events_page(&pool, &args).await.unwrap()
                };
                walked.extend(page.nodes().cloned());
                if !page.page_info.has_next_page {
                    break;
                }
                args = PageArgs::first(PAGE).after(page.page_info.end_cursor.unwrap());
                // At least one write between any two pages.
                let seen = writes.load(Ordering::SeqCst);
                while writes.load(Ordering::SeqCst) == seen {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            done.store(true, Ordering::SeqCst);
            walked
        };
        let writer = async {
            let mut id = 1_000;
            while !done.load(Ordering::SeqCst) {
                id += 1;
                DB::insert_events(&pool, &[event(id, id * 13 % 61)]).await;
                inserted.lock().unwrap().insert(id);
                // A row low in the listing, most likely not read yet.
                let victim = 200 - (id - 1_000) * 3;
                if victim > 0 {
                    DB::delete_event(&pool, victim).await;
                    deleted.lock().unwrap().insert(victim);
                }
                writes.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        let (walked, ()) = tokio::join!(walker, writer);
        let (inserted, deleted) = (
            inserted.into_inner().unwrap(),
            deleted.into_inner().unwrap(),
        );
        assert!(inserted.len() >= 15, "{}: too few writes", DB::DB_NAME);
        let there: BTreeSet<i64> = (1..=200).filter(|id| !deleted.contains(id)).collect();
        assert_exact(DB::DB_NAME, &walked, &there);
        let new = walked.iter().filter(|e| inserted.contains(&e.id)).count();
        if pinned {
            assert_eq!(new, 0, "{}: a stable walk saw new rows", DB::DB_NAME);
        } else {
            assert!(
                new > 0,
                "{}: the unpinned walk saw no new rows",
                DB::DB_NAME
            );
        }
        eprintln!(
            "{}: {} walk under {} inserts and {} deletes: {} rows, {new} of them new",
            DB::DB_NAME,
            if pinned { "stable" } else { "keyset" },
            inserted.len(),
            deleted.len(),
            walked.len()
        );
    }
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
fn sqlite_stable_walk_sees_no_inserts() {
    run::<sqlx::Sqlite>(stable_walk_sees_no_inserts);
}

#[test]
fn postgres_stable_walk_sees_no_inserts() {
    run::<sqlx::Postgres>(stable_walk_sees_no_inserts);
}

#[test]
fn mariadb_stable_walk_sees_no_inserts() {
    run::<sqlx::MySql>(stable_walk_sees_no_inserts);
}

#[test]
fn sqlite_writes_between_pages() {
    writes_between_pages::<sqlx::Sqlite>();
}

#[test]
fn postgres_writes_between_pages() {
    writes_between_pages::<sqlx::Postgres>();
}

#[test]
fn mariadb_writes_between_pages() {
    writes_between_pages::<sqlx::MySql>();
}

#[test]
fn sqlite_concurrent_writer() {
    concurrent_writer::<sqlx::Sqlite>();
}

#[test]
fn postgres_concurrent_writer() {
    concurrent_writer::<sqlx::Postgres>();
}

#[test]
fn mariadb_concurrent_writer() {
    concurrent_writer::<sqlx::MySql>();
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
