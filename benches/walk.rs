//! Benchmark 3: walking the whole 1,000,000-row table in pages of 100 by
//! `endCursor` (ordering `created_at desc, id desc`), keypage against
//! `LIMIT 100 OFFSET n`, on SQLite (and PostgreSQL when `KEYPAGE_PG_URL` is
//! set).
//!
//! * keypage: every page through the sqlx glue (one statement: the page and
//!   the `hasPreviousPage` probe), the whole table, median of 3 walks;
//! * hand-written keyset (row values, one query a page), median of 3 walks;
//! * OFFSET: quadratic, so it walks the first 2% of the table (median of 3
//!   walks, beside keypage's and the hand-written walk of the same rows),
//!   and the full walk is *estimated*: the cost of one page is measured at
//!   11 evenly spaced offsets (median of 3 calls, or one call when a page
//!   takes over 100 ms) and integrated over the 10,000 pages (trapezoid
//!   rule). Nothing is extrapolated for keypage.
//!
//! Not criterion: one walk takes seconds, so it is timed directly.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench walk
//! ```

use std::time::{Duration, Instant};

use keypage::PageArgs;

#[path = "common/db.rs"]
mod db;
#[path = "common/report.rs"]
mod report;

use db::{Db, Ordering};

const PAGE: i64 = 100;
const RUNS: usize = 3;
const ORDERING: Ordering = Ordering::Uniform;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// keypage walk over the first `rows` rows (stops at the table's end).
async fn keypage_walk(conn: &mut Db, rows: i64) -> (Duration, i64, i64) {
    let t = Instant::now();
    let (mut seen, mut checksum) = (0, 0i64);
    let mut args = PageArgs::first(PAGE as i32);
    loop {
        let page = db::keypage_page(conn, ORDERING, &args).await;
        seen += page.edges.len() as i64;
        checksum = page
            .nodes()
            .fold(checksum, |s, r| s.wrapping_mul(31).wrapping_add(r.id));
        if !page.page_info.has_next_page || seen >= rows {
            break;
        }
        args = PageArgs::first(PAGE as i32).after(page.page_info.end_cursor.unwrap());
    }
    (t.elapsed(), seen, checksum)
}

/// Hand-written keyset walk: `(created_at, id) < (?, ?)`, `LIMIT 101`.
async fn hand_walk(conn: &mut Db, rows: i64) -> (Duration, i64, i64) {
    let t = Instant::now();
    let (mut seen, mut checksum) = (0, 0i64);
    let mut after: Option<db::Article> = None;
    loop {
        let h = ORDERING.careful(after.as_ref(), PAGE + 1);
        let sql = conn.sql(&h.sql);
        let mut page = db::run_hand(conn, &sql, &h.binds).await;
        let more = page.len() as i64 > PAGE;
        page.truncate(PAGE as usize);
        seen += page.len() as i64;
        checksum = page
            .iter()
            .fold(checksum, |s, r| s.wrapping_mul(31).wrapping_add(r.id));
        if !more || seen >= rows {
            break;
        }
        after = page.pop();
    }
    (t.elapsed(), seen, checksum)
}

/// OFFSET walk over the first `rows` rows: `LIMIT 100 OFFSET k*100`.
async fn offset_walk(conn: &mut Db, rows: i64) -> (Duration, i64, i64) {
    let t = Instant::now();
    let (mut seen, mut checksum) = (0, 0i64);
    loop {
        let h = ORDERING.offset(seen, PAGE);
        let sql = conn.sql(&h.sql);
        let page = db::run_hand(conn, &sql, &h.binds).await;
        seen += page.len() as i64;
        checksum = page
            .iter()
            .fold(checksum, |s, r| s.wrapping_mul(31).wrapping_add(r.id));
        if (page.len() as i64) < PAGE || seen >= rows {
            break;
        }
    }
    (t.elapsed(), seen, checksum)
}

#[derive(Clone, Copy)]
enum Walker {
    Keypage,
    Hand,
    Offset,
}

/// Walks the first `rows` rows `RUNS` times: the median time, and the rows
/// seen and their checksum (every walk must agree).
async fn runs(conn: &mut Db, walker: Walker, rows: i64) -> (Duration, i64, i64) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let (t, seen, sum) = match walker {
            Walker::Keypage => keypage_walk(conn, rows).await,
            Walker::Hand => hand_walk(conn, rows).await,
            Walker::Offset => offset_walk(conn, rows).await,
        };
        if let Some(prev) = last {
            assert_eq!(prev, (seen, sum), "walks disagree");
        }
        last = Some((seen, sum));
        times.push(t);
    }
    let (seen, sum) = last.unwrap();
    (median(times), seen, sum)
}

fn rate(rows: i64, t: Duration) -> String {
    format!("{:.0}", rows as f64 / t.as_secs_f64())
}

async fn walk_db(mut conn: Db) -> String {
    let n = db::rows();
    let name = conn.name();
    let part = n / 50;
    eprintln!("[keypage-bench] {name}: walking {n} rows with keypage ({RUNS} walks)...");
    let kp_full = runs(&mut conn, Walker::Keypage, n).await;
    assert_eq!(kp_full.1, n, "keypage walked every row");
    eprintln!("[keypage-bench] {name}: walking {n} rows with the hand-written keyset query...");
    let hand_full = runs(&mut conn, Walker::Hand, n).await;
    assert_eq!(
        (hand_full.1, hand_full.2),
        (kp_full.1, kp_full.2),
        "same rows, same order"
    );
    eprintln!("[keypage-bench] {name}: walking the first {part} rows with all three...");
    let kp_part = runs(&mut conn, Walker::Keypage, part).await;
    let hand_part = runs(&mut conn, Walker::Hand, part).await;
    let off_part = runs(&mut conn, Walker::Offset, part).await;
    assert_eq!(
        (off_part.1, off_part.2),
        (kp_part.1, kp_part.2),
        "OFFSET walked the same rows"
    );

    // The OFFSET full walk, estimated from the cost of one page at 11
    // evenly spaced offsets (median of 3 calls; one call when a page takes
    // over 100 ms, as on PostgreSQL).
    eprintln!("[keypage-bench] {name}: sampling OFFSET page cost at 11 offsets...");
    let mut samples = Vec::new();
    for k in 0..=10 {
        let off = ((n - PAGE) * k / 10) / PAGE * PAGE;
        let h = ORDERING.offset(off, PAGE);
        let sql = conn.sql(&h.sql);
        let mut ts = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let rows = db::run_hand(&mut conn, &sql, &h.binds).await;
            ts.push(t.elapsed());
            assert_eq!(rows.len() as i64, PAGE);
            if ts[0] > Duration::from_millis(100) {
                break;
            }
        }
        samples.push(median(ts).as_secs_f64());
    }
    // Trapezoid: the mean page cost over the offsets, times the pages.
    let mean = (samples[1..10].iter().sum::<f64>() + (samples[0] + samples[10]) / 2.0) / 10.0;
    let off_full = Duration::from_secs_f64(mean * (n / PAGE) as f64);

    let mut t = report::Table::new(&[
        "walk",
        "rows",
        "keypage (one statement)",
        "hand-written keyset",
        "OFFSET",
        "OFFSET / keypage",
        "keypage / hand",
    ]);
    t.row(vec![
        format!("first 2% (measured, median of {RUNS})"),
        format!("{part}"),
        format!("{:.2?} ({} rows/s)", kp_part.0, rate(part, kp_part.0)),
        format!("{:.2?} ({} rows/s)", hand_part.0, rate(part, hand_part.0)),
        format!("{:.2?} ({} rows/s)", off_part.0, rate(part, off_part.0)),
        report::ratio(
            Some(off_part.0.as_secs_f64()),
            Some(kp_part.0.as_secs_f64()),
        ),
        report::ratio(
            Some(kp_part.0.as_secs_f64()),
            Some(hand_part.0.as_secs_f64()),
        ),
    ]);
    t.row(vec![
        format!("whole table (keyset: measured, median of {RUNS}; OFFSET: **estimated**)"),
        format!("{n}"),
        format!("{:.2?} ({} rows/s)", kp_full.0, rate(n, kp_full.0)),
        format!("{:.2?} ({} rows/s)", hand_full.0, rate(n, hand_full.0)),
        format!("≈ {:.0?} (≈ {} rows/s)", off_full, rate(n, off_full)),
        report::ratio(Some(off_full.as_secs_f64()), Some(kp_full.0.as_secs_f64())),
        report::ratio(
            Some(kp_full.0.as_secs_f64()),
            Some(hand_full.0.as_secs_f64()),
        ),
    ]);
    let mut s = report::Table::new(&["OFFSET", "0", "20%", "50%", "70%", "100%"]);
    let ms = |x: f64| format!("{:.2} ms", x * 1e3);
    s.row(vec![
        "one 100-row page".into(),
        ms(samples[0]),
        ms(samples[2]),
        ms(samples[5]),
        ms(samples[7]),
        ms(samples[10]),
    ]);
    format!(
        "### {name}: walking `{}` in pages of {PAGE}\n\n{}\nOFFSET page cost by depth, the basis of the estimate:\n\n{}\n",
        ORDERING.order_by_text(),
        t.markdown(),
        s.markdown()
    )
}

fn main() {
    report::started();
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and friends: nothing to list.
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut text = rt.block_on(async { walk_db(db::sqlite().await).await });
    if let Some(pg) = rt.block_on(db::postgres()) {
        text += &rt.block_on(walk_db(pg));
    }
    report::emit("walk.md", &text);
}
