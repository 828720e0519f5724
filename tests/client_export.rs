//! `cargo run --example export` as a child process against the example
//! server: killed with SIGKILL mid-walk, twice, and run again with the same
//! checkpoint, its output holds every row in order, none skipped, at most
//! one page repeated per kill; fatal errors exit non-zero with one message.
//!
//! The test runs the built example binary (`tests/support/export_binary.rs`
//! finds it, and builds it when a run of only this test did not).

#![cfg(all(feature = "client", unix))]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "support/example_server.rs"]
mod example_server;
#[path = "support/export_binary.rs"]
mod export_binary;

use export_binary::export_binary;

const ARTICLES: i64 = 2_000;
const PAGE: usize = 10;
const BUDGET: Duration = Duration::from_secs(180);

const QUERY: &str = "query($first: Int, $after: String, $order: ArticleOrder) {
  articles(first: $first, after: $after, orderBy: $order) {
    totalCount
    nodes { id title }
    pageInfo { hasNextPage endCursor }
  }
}";

struct Run<'a> {
    binary: &'a Path,
    url: &'a str,
    dir: &'a Path,
}

impl Run<'_> {
    fn command(&self, extra: &[&str]) -> Command {
        let mut command = Command::new(self.binary);
        command
            .arg("--url")
            .arg(self.url)
            .arg("--query")
            .arg(self.dir.join("query.graphql"))
            .args([
                "--var",
                "order=\"NEWEST\"",
                "--page-size",
                &PAGE.to_string(),
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn run(&self, extra: &[&str]) -> Output {
        let child = self.command(extra).spawn().expect("the export example");
        child.wait_with_output().expect("its output")
    }
}

fn lines(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |bytes| bytes.iter().filter(|b| **b == b'\n').count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_export_resumes_without_losing_rows() {
    let server = example_server::start(ARTICLES).await;
    let url = server.url.clone();
    let expected = server.newest.clone();
    tokio::time::timeout(
        BUDGET,
        tokio::task::spawn_blocking(move || scenario(&url, &expected)),
    )
    .await
    .expect("the export test took too long")
    .unwrap();
}

fn scenario(url: &str, expected: &[i64]) {
    let binary = export_binary();
    let dir = std::env::temp_dir().join(format!("keypage-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("query.graphql"), QUERY).unwrap();
    let (out, checkpoint) = (dir.join("out.jsonl"), dir.join("walk.checkpoint"));
    let _ = std::fs::remove_file(&checkpoint);
    let run = Run {
        binary: &binary,
        url,
        dir: &dir,
    };
    let args = [
        "--checkpoint",
        checkpoint.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        // 200 pages, at least 5 ms apart: the kills land mid-walk.
        "--min-interval",
        "5",
    ];

    for kill_at in [300, 1_100] {
        let mut child = run.command(&args).spawn().expect("the export example");
        let started = Instant::now();
        while lines(&out) < kill_at {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the export ended before the kill at {kill_at} rows"
            );
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no progress: {} rows",
                lines(&out)
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        // SIGKILL: no chance to clean up.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "the export was killed, not finished");
        assert!(checkpoint.exists(), "a killed walk keeps its checkpoint");
        assert!(lines(&out) < expected.len(), "killed mid-walk");
    }

    // Another query's walk may not resume from this checkpoint.
    let refused = run.run(&[&args[..], &["--var", "authorId=3"]].concat());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("checkpoint") && stderr.contains("another query"),
        "{stderr}"
    );

    let done = run.run(&args);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(stderr.contains("resuming from"), "{stderr}");
    assert!(
        stderr.contains(&format!(" rows of {}, ", expected.len())),
        "{stderr}"
    );
    eprintln!("{stderr}");
    assert!(
        !checkpoint.exists(),
        "the checkpoint is removed when the walk completes"
    );

    let text = std::fs::read_to_string(&out).unwrap();
    let ids: Vec<i64> = text
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).expect("every line is whole JSON")["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_resumed_exactly(&ids, expected, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `walked` is the connection `expected` in at most `kills + 1` runs of
/// consecutive rows, each starting no later than right after the previous
/// one ended (nothing skipped) and at most one page before it (at most one
/// page repeated), the last ending at the connection's end.
fn assert_resumed_exactly(walked: &[i64], expected: &[i64], kills: usize) {
    let position: std::collections::HashMap<i64, usize> = expected
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let mut runs = 0;
    let mut previous: Option<usize> = None;
    for id in walked {
        let at = *position
            .get(id)
            .unwrap_or_else(|| panic!("row {id} is not in the connection"));
        match previous {
            None => {
                assert_eq!(at, 0, "the output starts at the first row");
                runs = 1;
            }
            Some(p) if at == p + 1 => {}
            Some(p) => {
                runs += 1;
                assert!(
                    at <= p,
                    "row {} skipped: {id} came after {}",
                    expected[p + 1],
                    expected[p]
                );
                assert!(
                    p + 1 - at <= PAGE,
                    "{} rows repeated after row {}, more than one page",
                    p + 1 - at,
                    expected[p]
                );
            }
        }
        previous = Some(at);
    }
    assert_eq!(
        previous,
        Some(expected.len() - 1),
        "the output ends at the last row"
    );
    assert!(runs <= kills + 1, "{runs} runs for {kills} kills");
    assert!(walked.len() <= expected.len() + kills * PAGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fatal_errors_exit_non_zero_with_one_message() {
    let server = example_server::start(50).await;
    let url = server.url.clone();
    tokio::time::timeout(
        BUDGET,
        tokio::task::spawn_blocking(move || {
            let binary = export_binary();
            let dir =
                std::env::temp_dir().join(format!("keypage-export-fatal-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("query.graphql"), QUERY).unwrap();
            let run = Run {
                binary: &binary,
                url: &url,
                dir: &dir,
            };

            // A complete walk to stdout, plain progress lines on stderr.
            let done = run.run(&[]);
            assert!(
                done.status.success(),
                "{}",
                String::from_utf8_lossy(&done.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&done.stdout).lines().count(), 50);
            let stderr = String::from_utf8_lossy(&done.stderr);
            assert!(stderr.contains("done: 50 rows of 50, 5 pages"), "{stderr}");

            let refused = run.run(&["--page-size", "101"]);
            let stderr = String::from_utf8_lossy(&refused.stderr);
            assert_eq!(refused.status.code(), Some(1), "{stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.starts_with("error: ") && stderr.contains("page size 101"),
                "{stderr}"
            );

            let usage = run.run(&["--page-size", "x"]);
            assert_eq!(usage.status.code(), Some(2));
            let _ = std::fs::remove_dir_all(&dir);
        }),
    )
    .await
    .expect("took too long")
    .unwrap();
}
