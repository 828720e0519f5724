//! The quick mode of the benchmarks (`benches/`, `BENCHMARKS.md`): a few
//! seconds, part of the normal test run, failing only on a *gross*
//! regression of a ratio measured in this same run — never on an absolute
//! time, so a slow or busy machine cannot fail it:
//!
//! * keypage's deep page (99% of 20,000 rows, through the sqlx glue, one
//!   statement with the `hasPreviousPage` probe) slower than 4× its first
//!   page or 5× the hand-written keyset query at the same position, in each
//!   of the three benchmarked orderings (uniform, mixed directions,
//!   nullable): a keyset predicate that stopped seeking, or a statement
//!   whose fixed costs grew;
//! * keypage's cursor round trip slower than async-graphql's
//!   `OpaqueCursor<(i64, i64)>` (serde_json + base64) on the same values.
//!
//! Robust to noise: the contenders alternate within one loop, the medians of
//! many rounds are compared, and a failed comparison is measured again (up
//! to 3 attempts) before the test fails. Both checks hold in debug builds
//! too: the codec comparison is between two unoptimized codecs compiled by
//! the same compiler with the same settings, and keypage's margin there
//! (printed) is wide; the release-mode numbers are in BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use async_graphql::connection::{CursorType, OpaqueCursor};
use keypage::{Cursor as _, PageArgs};

#[path = "../benches/common/db.rs"]
mod db;
#[path = "../benches/common/report.rs"]
mod report;

use db::{ArticleCursor, ORDERINGS};

const ROWS: i64 = 20_000;
/// keypage's deep page against its first page: the first page is the bare
/// page query, a deep one adds the probe, the union and the outer sort.
const DEEP_FIRST: f64 = 4.0;
/// keypage's deep page against the hand-written keyset query at the same
/// position (which answers no `hasPreviousPage`).
const DEEP_HAND: f64 = 5.0;
const ATTEMPTS: usize = 3;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Measures `check` up to `ATTEMPTS` times until it passes; panics with
/// every attempt's numbers when none does.
fn guard(what: &str, mut check: impl FnMut() -> (bool, String)) {
    let mut seen = Vec::new();
    for attempt in 1..=ATTEMPTS {
        let (ok, detail) = check();
        eprintln!("bench_guard: {what}: attempt {attempt}: {detail}");
        if ok {
            return;
        }
        seen.push(detail);
    }
    panic!(
        "gross performance regression: {what}:\n  {}",
        seen.join("\n  ")
    );
}

#[test]
fn deep_keyset_pages_cost_about_the_first_page() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut conn = rt.block_on(db::sqlite_memory(ROWS));
    for ordering in ORDERINGS {
        let deep_row = rt.block_on(db::row_at(&mut conn, ordering, ROWS / 100 * 99 - 1));
        let first = PageArgs::first(20);
        let deep = PageArgs::first(20).after(ordering.cursor(&deep_row));
        let page = rt.block_on(db::keypage_page(&mut conn, ordering, &deep));
        assert_eq!(page.edges.len(), 20);
        assert!(page.page_info.has_previous_page);
        let offset = ordering.offset(ROWS / 100 * 99, 21);
        let offset_sql = conn.sql(&offset.sql);
        let hand = ordering.careful(Some(&deep_row), 21);
        let hand_sql = conn.sql(&hand.sql);
        guard(
            &format!(
                "{} ordering: deep page / first page and / hand-written",
                ordering.name()
            ),
            || {
                let (mut f, mut d, mut h, mut o0, mut o) = (vec![], vec![], vec![], vec![], vec![]);
                let first_offset = ordering.offset(0, 21);
                let first_offset_sql = conn.sql(&first_offset.sql);
                for round in 0..40 {
                    // Rotate which goes first, so drift hits all alike.
                    for k in 0..3 {
                        let which = (k + round) % 3;
                        let t = Instant::now();
                        match which {
                            0 => black_box(
                                rt.block_on(db::keypage_page(&mut conn, ordering, &first))
                                    .edges
                                    .len(),
                            ),
                            1 => black_box(
                                rt.block_on(db::keypage_page(&mut conn, ordering, &deep))
                                    .edges
                                    .len(),
                            ),
                            _ => black_box(
                                rt.block_on(db::run_hand(&mut conn, &hand_sql, &hand.binds))
                                    .len(),
                            ),
                        };
                        [&mut f, &mut d, &mut h][which].push(t.elapsed());
                    }
                    if round % 4 == 0 {
                        let t = Instant::now();
                        rt.block_on(db::run_hand(
                            &mut conn,
                            &first_offset_sql,
                            &first_offset.binds,
                        ));
                        o0.push(t.elapsed());
                        let t = Instant::now();
                        rt.block_on(db::run_hand(&mut conn, &offset_sql, &offset.binds));
                        o.push(t.elapsed());
                    }
                }
                let (f, d, h) = (median(f), median(d), median(h));
                let deep_first = d.as_secs_f64() / f.as_secs_f64();
                let deep_hand = d.as_secs_f64() / h.as_secs_f64();
                let offset_ratio = median(o).as_secs_f64() / median(o0).as_secs_f64();
                (
                    deep_first <= DEEP_FIRST && deep_hand <= DEEP_HAND,
                    format!(
                        "first {f:.0?}, deep {d:.0?}, hand-written deep {h:.0?}: deep / first \
                         {deep_first:.2}× (limit {DEEP_FIRST}×), deep / hand-written \
                         {deep_hand:.2}× (limit {DEEP_HAND}×); OFFSET's deep / first here: \
                         {offset_ratio:.1}×"
                    ),
                )
            },
        );
    }
}

#[test]
fn cursor_round_trip_beats_opaque_cursor() {
    let keypage = ArticleCursor {
        created_at: 1_732_000_000_123,
        id: 123_456,
    };
    let opaque = OpaqueCursor((1_732_000_000_123_i64, 123_456_i64));
    let kp = || {
        let s = black_box(&keypage).encode();
        ArticleCursor::decode(black_box(&s)).unwrap()
    };
    let op = || {
        let s = black_box(&opaque).encode_cursor();
        OpaqueCursor::<(i64, i64)>::decode_cursor(black_box(&s)).unwrap()
    };
    assert_eq!(kp(), keypage);
    assert_eq!(op().0, opaque.0);
    // Batches of 500 round trips, 21 of each, alternating.
    const BATCH: u32 = 500;
    guard("cursor round trip: keypage / OpaqueCursor", || {
        let (mut k, mut o) = (vec![], vec![]);
        for round in 0..21 {
            for which in [round % 2, 1 - round % 2] {
                let t = Instant::now();
                for _ in 0..BATCH {
                    if which == 0 {
                        black_box(kp());
                    } else {
                        black_box(op());
                    }
                }
                if which == 0 { &mut k } else { &mut o }.push(t.elapsed() / BATCH);
            }
        }
        let (k, o) = (median(k), median(o));
        let ratio = k.as_secs_f64() / o.as_secs_f64();
        (
            ratio <= 1.0,
            format!("keypage {k:.2?}, OpaqueCursor {o:.2?} per round trip: {ratio:.2}× (limit 1×)"),
        )
    });
}
