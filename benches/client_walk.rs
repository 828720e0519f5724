//! Benchmark 7: a whole walk of the example server's `articles` connection
//! (`orderBy: NEWEST`, pages of 100) over HTTP on 127.0.0.1, through
//! `keypage::client`'s walker beside a hand-written reqwest loop doing the
//! same requests (same query, same variables, one POST a page, following
//! `endCursor`, the response parsed straight into a typed struct), that loop
//! parsing through a `serde_json::Value` as the walker does, and the walker
//! again with a checkpoint (an fsynced file rewrite per page).
//!
//! The server runs in the same process (the example's modules, unchanged,
//! over a temporary SQLite file), so both contenders share the 2 cores with
//! it alike. The contenders alternate, `RUNS` walks each; the medians are
//! reported. Not criterion: one walk takes a good fraction of a second.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench client_walk
//! KEYPAGE_BENCH_CLIENT_ROWS=5000 cargo bench --bench client_walk   # a quick look
//! ```

use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use keypage::client::Client;
use serde::Deserialize;
use serde_json::json;

#[path = "../tests/support/example_server.rs"]
mod example_server;

const PAGE: u32 = 100;
const RUNS: usize = 15;

const QUERY: &str = "query($first: Int, $after: String, $order: ArticleOrder) {
  articles(first: $first, after: $after, orderBy: $order) {
    nodes { id title createdAt }
    pageInfo { hasNextPage endCursor }
  }
}";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Article {
    id: i64,
    #[allow(dead_code)]
    title: String,
    #[allow(dead_code)]
    created_at: i64,
}

#[derive(Deserialize)]
struct Response {
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    articles: Connection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    nodes: Vec<Article>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

/// The loop a user would write with reqwest alone.
async fn by_hand(http: &reqwest::Client, url: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = json!({
            "query": QUERY,
            "variables": { "first": PAGE, "after": after, "order": "NEWEST" },
        });
        let bytes = http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let response: Response = serde_json::from_slice(&bytes).unwrap();
        let connection = response.data.articles;
        ids.extend(connection.nodes.iter().map(|a| a.id));
        if !connection.page_info.has_next_page {
            return ids;
        }
        after = connection.page_info.end_cursor;
    }
}

/// The same loop, parsing each response into a `serde_json::Value` first
/// and the nodes from it, as the walker does: what that step costs.
async fn by_hand_through_value(http: &reqwest::Client, url: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = json!({
            "query": QUERY,
            "variables": { "first": PAGE, "after": after, "order": "NEWEST" },
        });
        let bytes = http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let response: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let connection = &response["data"]["articles"];
        let nodes = Vec::<Article>::deserialize(&connection["nodes"]).unwrap();
        ids.extend(nodes.iter().map(|a| a.id));
        let info = PageInfo::deserialize(&connection["pageInfo"]).unwrap();
        if !info.has_next_page {
            return ids;
        }
        after = info.end_cursor;
    }
}

async fn walker(client: &Client, checkpoint: Option<&std::path::Path>) -> Vec<i64> {
    let mut walk = client
        .walk(QUERY)
        .variable("order", "NEWEST")
        .page_size(PAGE);
    if let Some(file) = checkpoint {
        walk = walk.checkpoint(file);
    }
    walk.nodes::<Article>()
        .map_ok(|a| a.id)
        .try_collect()
        .await
        .unwrap()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rows: i64 = std::env::var("KEYPAGE_BENCH_CLIENT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let server = example_server::start(rows).await;
    let client = Client::new(&server.url).unwrap();
    let http = reqwest::Client::new();
    let checkpoint = std::env::temp_dir().join(format!(
        "keypage-bench-client-{}.checkpoint",
        std::process::id()
    ));

    // Warm up both (connections, SQLite's cache), and check they agree.
    assert!(walker(&client, None).await == server.newest);
    assert!(by_hand(&http, &server.url).await == server.newest);

    let names = [
        "keypage walker",
        "hand-written reqwest loop",
        "keypage walker + checkpoint",
        "hand-written loop through a `Value`",
    ];
    let mut times: [Vec<Duration>; 4] = Default::default();
    for run in 0..RUNS {
        // Rotate who goes first, to cancel drift.
        let order: [usize; 4] = std::array::from_fn(|i| (i + run) % 4);
        for contender in order {
            let started = Instant::now();
            let ids = match contender {
                0 => walker(&client, None).await,
                1 => by_hand(&http, &server.url).await,
                2 => walker(&client, Some(&checkpoint)).await,
                _ => by_hand_through_value(&http, &server.url).await,
            };
            times[contender].push(started.elapsed());
            assert!(
                ids == server.newest,
                "{}: not the connection",
                names[contender]
            );
        }
    }
    let pages = (rows as u64).div_ceil(u64::from(PAGE));
    let hand = median(times[1].clone());
    println!(
        "\nWhole walk of {rows} articles, {pages} pages of {PAGE}, median of {RUNS} walks each:\n"
    );
    println!("| contender | walk | rows/s | per page | vs hand-written |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, runs) in names.iter().zip(&times) {
        let walk = median(runs.clone());
        println!(
            "| {name} | {:.1} ms | {:.0} | {:.0} µs | {:.3}× |",
            walk.as_secs_f64() * 1e3,
            rows as f64 / walk.as_secs_f64(),
            walk.as_secs_f64() * 1e6 / pages as f64,
            walk.as_secs_f64() / hand.as_secs_f64()
        );
    }
    let spread: Vec<String> = names
        .iter()
        .zip(&times)
        .map(|(name, runs)| {
            let (min, max) = (runs.iter().min().unwrap(), runs.iter().max().unwrap());
            format!(
                "{name} {:.1}–{:.1} ms",
                min.as_secs_f64() * 1e3,
                max.as_secs_f64() * 1e3
            )
        })
        .collect();
    println!("\nRange of the runs: {}.", spread.join("; "));
}
