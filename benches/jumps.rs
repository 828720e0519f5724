//! Benchmark 11: page jumps and offsets, the cost model of
//! `ConnectionRequest::offset`.
//!
//! The feed ordering (`created_at desc, id desc`) of the 1,000,000 articles
//! of `benches/common/db.rs`, on SQLite (and PostgreSQL when
//! `KEYPAGE_PG_URL` is set), a 20-row page through keypage's one statement:
//!
//! * a jump of 0, 1, 2 and 5 pages (`offset` 0, 20, 40, 100) from a cursor
//!   at depth 1%, 50% and 99%: the claim is that the cost grows with the
//!   jump, not with the depth;
//! * an offset from nothing (`offset` 0, 100, 1,000, 10,000): a bounded
//!   `OFFSET`, growing with the offset, which is why `max_offset` bounds it.
//!
//! The cases of one table are interleaved round after round (see
//! `benches/deep_pages.rs` for why), each reported as its median.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench jumps
//! ```

use std::time::{Duration, Instant};

use keypage::PageArgs;
use keypage::ordering::AnyKeysetQuery;

#[path = "common/db.rs"]
mod db;
#[path = "common/report.rs"]
mod report;

use db::{Article, ArticleOrder, Db, Ordering};

const PAGE: i32 = 20;
const JUMPS: [i32; 4] = [0, 1, 2, 5];
const OFFSETS: [i32; 4] = [0, 100, 1_000, 10_000];

fn rounds() -> usize {
    std::env::var("KEYPAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// One page: its arguments and offset.
struct Case {
    args: PageArgs,
    offset: i32,
}

/// keypage's page for `case`: `fetch_any` on the table, as
/// `ConnectionRequest::select` runs it; the number of rows it returned.
async fn run(conn: &mut Db, case: &Case) -> usize {
    let query = AnyKeysetQuery::<Article>::with_offset(
        ArticleOrder::Default,
        &case.args,
        Some(case.offset),
    )
    .expect("valid arguments");
    let page = match conn {
        Db::Sqlite(c) => {
            Article::table::<sqlx::Sqlite>()
                .fetch_any(&mut *c, query)
                .await
        }
        Db::Pg(c) => {
            Article::table::<sqlx::Postgres>()
                .fetch_any(&mut *c, query)
                .await
        }
    };
    page.expect("keypage page").edges.len()
}

/// Medians of `cases`, interleaved round after round.
async fn time(conn: &mut Db, cases: &[Case]) -> Vec<Duration> {
    const WARM_UP: usize = 5;
    let mut samples = vec![Vec::new(); cases.len()];
    for round in 0..rounds() + WARM_UP {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let t = Instant::now();
            let rows = run(conn, &cases[i]).await;
            let elapsed = t.elapsed();
            assert_eq!(rows, PAGE as usize);
            if round >= WARM_UP {
                samples[i].push(elapsed);
            }
        }
    }
    report::medians(samples)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

async fn bench_db(mut conn: Db) -> String {
    let n = db::rows();
    let name = conn.name();
    let mut text = String::new();

    // Jumps from cursors at three depths, all twelve cases in one table's rounds.
    let depths = [("1%", n / 100), ("50%", n / 2), ("99%", n / 100 * 99)];
    let mut cases = Vec::new();
    for (_, depth) in depths {
        let row = db::row_at(&mut conn, Ordering::Uniform, depth - 1).await;
        let args = PageArgs::first(PAGE).after(Ordering::Uniform.cursor(&row));
        for jump in JUMPS {
            cases.push(Case {
                args: args.clone(),
                offset: jump * PAGE,
            });
        }
    }
    eprintln!("[keypage-bench] {name}: jumps...");
    let t = time(&mut conn, &cases).await;
    text += &format!(
        "#### {name}: a jump of k pages of {PAGE} from a cursor, {n} rows (medians of {} rounds)\n\n\
         | cursor at | k = 0 (a keyset page) | k = 1 | k = 2 | k = 5 | k = 5 / k = 0 |\n\
         | --- | --- | --- | --- | --- | --- |\n",
        rounds()
    );
    for (d, (label, _)) in depths.iter().enumerate() {
        let row = &t[d * JUMPS.len()..(d + 1) * JUMPS.len()];
        text += &format!(
            "| {label} | {} | {} | {} | {} | {:.2}× |\n",
            us(row[0]),
            us(row[1]),
            us(row[2]),
            us(row[3]),
            row[3].as_secs_f64() / row[0].as_secs_f64()
        );
    }
    let deep = |k: usize| t[2 * JUMPS.len() + k].as_secs_f64() / t[k].as_secs_f64();
    text += &format!(
        "\nDepth 99% / depth 1%, per jump: {}.\n\n",
        (0..JUMPS.len())
            .map(|k| format!("k = {}: {:.2}×", JUMPS[k], deep(k)))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Offsets from nothing.
    let cases: Vec<Case> = OFFSETS
        .iter()
        .map(|&offset| Case {
            args: PageArgs::first(PAGE),
            offset,
        })
        .collect();
    eprintln!("[keypage-bench] {name}: offsets...");
    let t = time(&mut conn, &cases).await;
    text += &format!(
        "#### {name}: page `first: {PAGE}, offset: N` from the start (medians of {} rounds)\n\n\
         | offset | time | / offset 0 |\n| --- | --- | --- |\n",
        rounds()
    );
    for (i, offset) in OFFSETS.iter().enumerate() {
        text += &format!(
            "| {offset} | {} | {:.2}× |\n",
            us(t[i]),
            t[i].as_secs_f64() / t[0].as_secs_f64()
        );
    }
    text + "\n"
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    report::started();
    let mut text = bench_db(db::sqlite().await).await;
    if let Some(pg) = db::postgres().await {
        text += &bench_db(pg).await;
    }
    report::emit("jumps.md", &text);
}
