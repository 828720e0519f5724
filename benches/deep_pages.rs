//! Benchmark 2: a 20-row page at depth 0, 1%, 50% and 99% of 1,000,000
//! rows, for three orderings, on SQLite (and PostgreSQL when
//! `KEYPAGE_PG_URL` is set), with:
//!
//! * `keypage`: keypage through its sqlx glue (`fetch_page`): one
//!   statement, the page plus, with a cursor, the `hasPreviousPage` probe in
//!   the same `UNION ALL`, with argument validation (cursor decoding) and
//!   page assembly (a cursor per edge);
//! * `hand`: the keyset query a careful engineer writes;
//! * `naive`: the textbook expansion `a > ? OR (a = ? AND b > ?)`;
//! * `offset`: `LIMIT 21 OFFSET depth`.
//!
//! Every variant fetches 21 rows (20 and one to learn `hasNextPage`), and
//! all return the same rows (checked before timing).
//!
//! Not criterion, on purpose: criterion times one benchmark after another,
//! and on a shared 2-core machine the load drifts between them, which shows
//! up as false ratios (seen here: the same first-page SQL timed 2.3× apart
//! by two criterion benchmarks a minute apart). So the variants of one page
//! are *interleaved*: round after round, each variant runs once (a slow one
//! only in some rounds, spread evenly), and each gets the median of its
//! samples. Ratios come from the same rounds.
//!
//! Prints the query plans, then a table per database and ordering, and
//! writes them to `$CARGO_TARGET_DIR/keypage-bench/`.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench deep_pages
//! ```

use std::collections::HashMap;
use std::time::{Duration, Instant};

use keypage::PageArgs;

#[path = "common/db.rs"]
mod db;
#[path = "common/report.rs"]
mod report;

use db::{Db, ORDERINGS, Ordering};

const PAGE: i32 = 20;
const VARIANTS: [&str; 4] = ["keypage", "hand", "naive", "offset"];

/// (label, position of the page's first row).
fn depths(n: i64) -> [(&'static str, i64); 4] {
    [
        ("0", 0),
        ("1%", n / 100),
        ("50%", n / 2),
        ("99%", n / 100 * 99),
    ]
}

/// Everything one page needs, prepared outside the timed loop.
struct Prepared {
    label: &'static str,
    args: PageArgs,
    hand: db::Hand,
    naive: db::Hand,
    offset: db::Hand,
}

async fn prepare(conn: &mut Db, ordering: Ordering) -> Vec<Prepared> {
    let n = db::rows();
    let mut out = Vec::new();
    for (label, depth) in depths(n) {
        let after = match depth {
            0 => None,
            d => Some(db::row_at(conn, ordering, d - 1).await),
        };
        let mut args = PageArgs::first(PAGE);
        if let Some(r) = &after {
            args = args.after(ordering.cursor(r));
        }
        let limit = i64::from(PAGE) + 1;
        let mut p = Prepared {
            label,
            args,
            hand: ordering.careful(after.as_ref(), limit),
            naive: ordering.naive(after.as_ref(), limit),
            offset: ordering.offset(depth, limit),
        };
        for h in [&mut p.hand, &mut p.naive, &mut p.offset] {
            h.sql = conn.sql(&h.sql);
        }
        // Every variant returns the same rows.
        let expect: Vec<i64> = db::keypage_page(conn, ordering, &p.args)
            .await
            .edges
            .iter()
            .map(|e| e.node.id)
            .collect();
        for (name, h) in [
            ("hand", &p.hand),
            ("naive", &p.naive),
            ("offset", &p.offset),
        ] {
            let got: Vec<i64> = db::run_hand(conn, &h.sql, &h.binds)
                .await
                .iter()
                .take(PAGE as usize)
                .map(|r| r.id)
                .collect();
            assert_eq!(
                got, expect,
                "{ordering:?} {label}: {name} returns other rows"
            );
        }
        out.push(p);
    }
    out
}

async fn plans(conn: &mut Db, ordering: Ordering, pages: &[Prepared]) -> String {
    let mut s = format!(
        "## {} {} ({})\n",
        conn.name(),
        ordering.name(),
        ordering.order_by_text()
    );
    for p in pages.iter().filter(|p| p.label != "1%") {
        s += &format!("### depth {}\nkeypage:\n", p.label);
        s += &db::explain_keypage(conn, ordering, &p.args).await;
        for (name, h) in [
            ("hand", &p.hand),
            ("naive", &p.naive),
            ("offset", &p.offset),
        ] {
            s += &format!("{name}:\n{}", db::explain_hand(conn, h).await);
        }
    }
    s
}

/// Time spent on each variant of one page, at most (and 7 samples at least).
fn budget() -> Duration {
    let ms = std::env::var("KEYPAGE_BENCH_BUDGET_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    Duration::from_millis(ms)
}

const MIN_SAMPLES: usize = 7;
const MAX_SAMPLES: usize = 301;

async fn run(conn: &mut Db, ordering: Ordering, variant: &str, p: &Prepared) -> usize {
    match variant {
        "keypage" => db::keypage_page(conn, ordering, &p.args).await.edges.len(),
        "hand" => db::run_hand(conn, &p.hand.sql, &p.hand.binds).await.len(),
        "naive" => db::run_hand(conn, &p.naive.sql, &p.naive.binds).await.len(),
        "offset" => db::run_hand(conn, &p.offset.sql, &p.offset.binds)
            .await
            .len(),
        _ => unreachable!(),
    }
}

/// Interleaved medians of every variant of one page.
async fn measure(
    conn: &mut Db,
    ordering: Ordering,
    p: &Prepared,
) -> HashMap<&'static str, (Duration, usize)> {
    // Warm up (and calibrate): three calls each.
    let mut targets = Vec::new();
    for v in VARIANTS {
        let t = Instant::now();
        for _ in 0..3 {
            std::hint::black_box(run(conn, ordering, v, p).await);
        }
        let one = t.elapsed() / 3;
        let n = (budget().as_secs_f64() / one.as_secs_f64().max(1e-9)) as usize;
        targets.push(n.clamp(MIN_SAMPLES, MAX_SAMPLES));
    }
    let rounds = *targets.iter().max().unwrap();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); VARIANTS.len()];
    for round in 0..rounds {
        for k in 0..VARIANTS.len() {
            // Rotate the order, so no variant always runs right after another.
            let i = (k + round) % VARIANTS.len();
            // Variant i runs in `targets[i]` of the rounds, evenly spread.
            if (round + 1) * targets[i] / rounds == round * targets[i] / rounds {
                continue;
            }
            let t = Instant::now();
            std::hint::black_box(run(conn, ordering, VARIANTS[i], p).await);
            samples[i].push(t.elapsed());
        }
    }
    VARIANTS
        .iter()
        .zip(samples)
        .map(|(v, mut s)| {
            s.sort();
            (*v, (s[s.len() / 2], s.len()))
        })
        .collect()
}

type Medians = HashMap<(String, &'static str, &'static str), (Duration, usize)>;

async fn bench_db(mut conn: Db, results: &mut Medians) -> Vec<(String, Ordering)> {
    let mut groups = Vec::new();
    let mut all_plans = String::new();
    for ordering in ORDERINGS {
        let pages = prepare(&mut conn, ordering).await;
        all_plans += &plans(&mut conn, ordering, &pages).await;
        let mode = match &conn {
            Db::Pg(_) => format!(" (plan_cache_mode {})", db::plan_cache_mode()),
            Db::Sqlite(_) => String::new(),
        };
        let group = format!("{}/{}{mode}", conn.name(), ordering.name());
        for p in &pages {
            eprintln!("[keypage-bench] {group} depth {}...", p.label);
            for (variant, m) in measure(&mut conn, ordering, p).await {
                results.insert((group.clone(), variant, p.label), m);
            }
        }
        groups.push((group, ordering));
    }
    report::emit(&format!("plans-{}.txt", conn.name()), &all_plans);
    groups
}

fn summary(groups: &[(String, Ordering)], results: &Medians) {
    let n = db::rows();
    let mut text = String::new();
    for (group, ordering) in groups {
        let m = |variant: &'static str, depth: &'static str| {
            results
                .get(&(group.clone(), variant, depth))
                .map(|(d, _)| d.as_secs_f64() * 1e9)
        };
        let mut t = report::Table::new(&[
            "depth",
            "keypage (one statement)",
            "hand-written",
            "naive expansion",
            "OFFSET",
            "keypage / hand",
            "naive / hand",
            "OFFSET / hand",
        ]);
        for (label, _) in depths(n) {
            let v: Vec<_> = VARIANTS.iter().map(|x| m(x, label)).collect();
            t.row(vec![
                label.into(),
                report::ns(v[0]),
                report::ns(v[1]),
                report::ns(v[2]),
                report::ns(v[3]),
                report::ratio(v[0], v[1]),
                report::ratio(v[2], v[1]),
                report::ratio(v[3], v[1]),
            ]);
        }
        let mut growth = report::Table::new(&[
            "depth / depth 0",
            "keypage (one statement)",
            "hand-written",
            "naive",
            "OFFSET",
        ]);
        for (label, _) in depths(n).into_iter().skip(1) {
            let mut row = vec![label.to_string()];
            for x in VARIANTS {
                row.push(report::ratio(m(x, label), m(x, "0")));
            }
            growth.row(row);
        }
        let samples: Vec<String> = depths(n)
            .iter()
            .map(|(label, _)| {
                let s: Vec<String> = VARIANTS
                    .iter()
                    .map(|v| {
                        results
                            .get(&(group.clone(), *v, *label))
                            .map_or(0, |x| x.1)
                            .to_string()
                    })
                    .collect();
                format!("{label}: {}", s.join("/"))
            })
            .collect();
        text += &format!(
            "### {group}: `{}`, {n} rows, 20-row page (medians)\n\n{}\n{}\nSamples per variant ({}): {}.\n\n",
            ordering.order_by_text(),
            t.markdown(),
            growth.markdown(),
            VARIANTS.join("/"),
            samples.join("; ")
        );
    }
    report::emit("deep_pages.md", &text);
}

fn main() {
    report::started();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut results = Medians::new();
    let t = Instant::now();
    let mut groups = rt.block_on(async { bench_db(db::sqlite().await, &mut results).await });
    if let Some(pg) = rt.block_on(db::postgres()) {
        groups.extend(rt.block_on(bench_db(pg, &mut results)));
    }
    summary(&groups, &results);
    eprintln!("[keypage-bench] deep_pages took {:.0?}", t.elapsed());
}
