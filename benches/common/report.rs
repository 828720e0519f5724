//! Reading criterion's medians back and printing them as Markdown tables.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::SystemTime;

/// Where the benchmarks keep their data and reports:
/// `$CARGO_TARGET_DIR/keypage-bench` (or `target/keypage-bench`).
pub fn bench_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // target/release/deps/<bench>-<hash>
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    let dir = target.join("keypage-bench");
    std::fs::create_dir_all(&dir).expect("create the benchmark directory");
    dir
}

/// The median of each list of samples (of interleaved rounds).
pub fn medians(samples: Vec<Vec<std::time::Duration>>) -> Vec<std::time::Duration> {
    samples
        .into_iter()
        .map(|mut s| {
            s.sort();
            s[s.len() / 2]
        })
        .collect()
}

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    bench_dir().parent().unwrap().join("criterion")
}

fn safe(s: &str) -> String {
    s.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_")
}

/// Criterion's estimates written by this process (older files, from runs
/// filtered out this time, are ignored).
pub struct Estimates {
    since: SystemTime,
}

impl Estimates {
    /// Only estimates written after `since` count.
    pub fn since(since: SystemTime) -> Self {
        Estimates { since }
    }

    /// Estimates written since this process started.
    pub fn new() -> Self {
        // Conservative: the process's start is not portable to read; a bench
        // creates its `Estimates` right after starting via `started()`.
        Estimates { since: started() }
    }

    /// The median, in nanoseconds, of `group`'s benchmark `function`
    /// (`function` may hold `/`, as `"keypage/50%"` for a
    /// `BenchmarkId::new("keypage", "50%")`).
    pub fn median_ns(&self, group: &str, function: &str) -> Option<f64> {
        let mut path = criterion_dir().join(safe(group));
        for part in function.splitn(2, '/') {
            path.push(safe(part));
        }
        let path = path.join("new").join("estimates.json");
        let meta = std::fs::metadata(&path).ok()?;
        if meta.modified().ok()? < self.since {
            return None;
        }
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
        json["median"]["point_estimate"].as_f64()
    }
}

static START: std::sync::OnceLock<SystemTime> = std::sync::OnceLock::new();

/// The time the benchmark started; call first thing in `main`.
pub fn started() -> SystemTime {
    *START.get_or_init(SystemTime::now)
}

/// A time in nanoseconds, with a unit that keeps 3-4 significant digits.
pub fn ns(v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if v < 1e3 => format!("{v:.1} ns"),
        Some(v) if v < 1e6 => format!("{:.1} µs", v / 1e3),
        Some(v) if v < 1e9 => format!("{:.2} ms", v / 1e6),
        Some(v) => format!("{:.2} s", v / 1e9),
    }
}

/// `a / b` as `1.23×`.
pub fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            if r >= 100.0 {
                format!("{r:.0}×")
            } else {
                format!("{r:.2}×")
            }
        }
        _ => "—".into(),
    }
}

/// A Markdown table.
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Self {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut s = line(&self.head);
        s += &line(
            &self
                .head
                .iter()
                .map(|_| "---".to_string())
                .collect::<Vec<_>>(),
        );
        for r in &self.rows {
            s += &line(r);
        }
        s
    }
}

/// Prints a report and writes it to `bench_dir()/name`.
pub fn emit(name: &str, text: &str) {
    println!("\n{text}");
    let path = bench_dir().join(name);
    std::fs::write(&path, text).expect("write the report");
    println!("(written to {})", path.display());
}
