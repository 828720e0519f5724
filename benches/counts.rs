//! `totalCount` on 1,000,000 rows: the exact `COUNT(*)` beside the bounded
//! forms a schema author can choose (`TotalCountMode`): a count capped at
//! 1,000 and at 10,000 rows (`Select::count_at_most`), and PostgreSQL's
//! planner estimate (`Select::estimate_count`). Over the whole table and
//! with a filter on an indexed column (`score < 500`, half the rows), on
//! SQLite (and PostgreSQL when `KEYPAGE_PG_URL` is set), through keypage's
//! `Select`. The data set is `deep_pages`'s (`benches/common/db.rs`).
//!
//! Interleaved rounds, medians. `KEYPAGE_BENCH_ROUNDS` sets the rounds (30).
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench counts
//! ```

use std::time::{Duration, Instant};

use keypage::sql::sqlx::{Select, SqlxDatabase, Total};

#[path = "common/db.rs"]
mod db;
#[path = "common/report.rs"]
mod report;

fn rounds() -> usize {
    std::env::var("KEYPAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    Exact,
    AtMost(u32),
    Estimate,
}

impl Mode {
    fn name(self) -> String {
        match self {
            Mode::Exact => "exact `COUNT(*)`".into(),
            Mode::AtMost(cap) => format!("at most {cap}"),
            Mode::Estimate => "estimate".into(),
        }
    }
}

fn select<DB: SqlxDatabase>(filtered: bool) -> Select<'static, DB> {
    let select = Select::<DB>::of_table("articles", &["id"]);
    if filtered {
        select.filter(|qb| {
            qb.push("score < 500");
        })
    } else {
        select
    }
}

async fn count<DB: SqlxDatabase>(
    conn: &mut DB::Connection,
    mode: Mode,
    filtered: bool,
) -> Option<Total>
where
    for<'c> &'c mut DB::Connection: sqlx::Acquire<'c, Database = DB>,
{
    let select = select::<DB>(filtered);
    match mode {
        Mode::Exact => Some(Total {
            count: select.count(&mut *conn).await.unwrap(),
            exact: true,
        }),
        Mode::AtMost(cap) => Some(select.count_at_most(&mut *conn, cap).await.unwrap()),
        Mode::Estimate => select.estimate_count(&mut *conn).await.unwrap(),
    }
}

/// Medians per (mode, filtered), interleaved; modes without a result on this
/// database are left out.
async fn run<DB: SqlxDatabase>(conn: &mut DB::Connection, db: &str) -> String
where
    for<'c> &'c mut DB::Connection: sqlx::Acquire<'c, Database = DB>,
{
    let mut cases = Vec::new();
    for filtered in [false, true] {
        for mode in [
            Mode::Exact,
            Mode::AtMost(1_000),
            Mode::AtMost(10_000),
            Mode::Estimate,
        ] {
            if let Some(total) = count::<DB>(conn, mode, filtered).await {
                cases.push((mode, filtered, total));
            }
        }
    }
    let mut samples = vec![Vec::new(); cases.len()];
    for round in 0..rounds() + 2 {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let (mode, filtered, _) = cases[i];
            let t = Instant::now();
            count::<DB>(conn, mode, filtered).await;
            if round >= 2 {
                samples[i].push(t.elapsed());
            }
        }
    }
    let medians: Vec<Duration> = report::medians(samples);
    let mut s = format!(
        "#### {db}: `totalCount` of {} rows (medians of {} rounds)\n\n\
         | rows | mode | result | exact | median | / exact |\n| --- | --- | --- | --- | --- | --- |\n",
        db::rows(),
        rounds()
    );
    for (i, (mode, filtered, total)) in cases.iter().enumerate() {
        let exact = cases
            .iter()
            .position(|c| matches!(c.0, Mode::Exact) && c.1 == *filtered)
            .unwrap();
        s += &format!(
            "| {} | {} | {} | {} | {:.2} ms | {:.4}× |\n",
            if *filtered { "`score < 500`" } else { "all" },
            mode.name(),
            total.count,
            total.exact,
            medians[i].as_secs_f64() * 1e3,
            medians[i].as_secs_f64() / medians[exact].as_secs_f64()
        );
    }
    s
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut out = String::new();
    if let db::Db::Sqlite(mut conn) = db::sqlite().await {
        out += &run::<sqlx::Sqlite>(&mut conn, "SQLite").await;
    }
    if let Some(db::Db::Pg(mut conn)) = db::postgres().await {
        out += &format!("\n{}", run::<sqlx::Postgres>(&mut conn, "PostgreSQL").await);
    }
    println!("{out}");
    let path = report::bench_dir().join("counts.md");
    std::fs::write(&path, &out).unwrap();
    eprintln!("[keypage-bench] wrote {}", path.display());
}
