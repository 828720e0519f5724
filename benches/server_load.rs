//! Load test of the example server (`examples/server.rs`): 8 well-behaved
//! clients walk connections over HTTP on loopback while, in the second
//! phase, one more client sends the worst request the limits allow, back
//! to back. Reported: the well-behaved clients' p50/p99/max latency,
//! throughput and error count in each phase, the abusive client's, and
//! that the server still answers afterwards. Also the latency of one page
//! with and without its authors, one client alone (the authors' batch adds
//! one query, no timer).
//!
//! Bounded: each phase runs [`PHASE`] and at most [`MAX_REQUESTS`] requests
//! per client; loopback only. The server runs in this process on its own
//! 2-thread runtime, the clients on another; on a 2-core machine they share
//! the cores.
//!
//! ```sh
//! CARGO_TARGET_DIR=target cargo bench --bench server_load
//! ```
//!
//! The database is the example's (100,000 articles, 1,000 authors), cached
//! under `$CARGO_TARGET_DIR/keypage-bench/`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

/// The example server and its modules.
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use server::{app, db, schema};

const ARTICLES: i64 = 100_000;
/// Well-behaved clients.
const CLIENTS: usize = 8;
/// How long each phase runs.
const PHASE: Duration = Duration::from_secs(8);
/// Most requests one client sends in a phase.
const MAX_REQUESTS: usize = 50_000;

/// What a well-behaved client asks for: a 20-article page with authors,
/// following `endCursor`.
const PAGE: &str = "query($after: String, $orderBy: ArticleOrder) {
  articles(first: 20, after: $after, orderBy: $orderBy) {
    edges { cursor node { id title createdAt author { name } } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// The worst single request within the limits: `max_aliases` aliased
/// connections, each a page with authors and a `COUNT(*)` over the whole
/// table, as large as the complexity limit lets them be (10 × (1 + 60 × 4)
/// = 2,410 of 2,500).
fn abusive_query(aliases: usize) -> String {
    let fields: Vec<String> = (0..aliases)
        .map(|i| {
            let order = if i.is_multiple_of(2) { "NEWEST" } else { "TITLE" };
            format!(
                "a{i}: articles(first: 60, orderBy: {order}) {{ totalCount nodes {{ author {{ name }} }} }}"
            )
        })
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

/// A kept-alive HTTP/1.1 connection POSTing GraphQL requests.
struct Client {
    stream: BufReader<TcpStream>,
    address: SocketAddr,
}

impl Client {
    async fn connect(address: SocketAddr) -> std::io::Result<Client> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Client {
            stream: BufReader::new(stream),
            address,
        })
    }

    /// POSTs `body`; the status and the JSON body.
    async fn post(&mut self, body: &str) -> std::io::Result<(u16, Json)> {
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            self.address,
            body.len()
        );
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        let mut status = 0;
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let lower = line.trim_end().to_ascii_lowercase();
            if lower.is_empty() {
                break;
            }
            if let Some(code) = lower.strip_prefix("http/1.1 ") {
                status = code.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            } else if let Some(value) = lower.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        let json = serde_json::from_slice(&body).unwrap_or(Json::Null);
        Ok((status, json))
    }
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }

    fn quantile(sorted: &[Duration], q: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let i = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[i]
    }

    fn report(&mut self, label: &str, seconds: f64) -> String {
        self.latencies.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "| {label} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            self.latencies.len(),
            self.latencies.len() as f64 / seconds,
            ms(Self::quantile(&self.latencies, 0.5)),
            ms(Self::quantile(&self.latencies, 0.99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            self.errors,
        )
    }
}

/// One well-behaved client: walks the connection 20 at a time (restarting
/// at the end), alternating orderings, until `stop`.
async fn walker(address: SocketAddr, index: usize, stop: Arc<AtomicBool>) -> Tally {
    let mut tally = Tally::default();
    let Ok(mut client) = Client::connect(address).await else {
        tally.error("connect".into());
        return tally;
    };
    let order = if index.is_multiple_of(2) {
        "NEWEST"
    } else {
        "TITLE"
    };
    let mut after: Option<String> = None;
    while !stop.load(Ordering::Relaxed) && tally.latencies.len() < MAX_REQUESTS {
        let body = json!({ "query": PAGE, "variables": { "after": after, "orderBy": order } });
        let started = Instant::now();
        match client.post(&body.to_string()).await {
            Ok((200, json)) if json.get("errors").is_none() => {
                tally.latencies.push(started.elapsed());
                let info = &json["data"]["articles"]["pageInfo"];
                after = match info["hasNextPage"].as_bool() {
                    Some(true) => info["endCursor"].as_str().map(str::to_owned),
                    _ => None,
                };
            }
            Ok((status, json)) => {
                tally.latencies.push(started.elapsed());
                tally.error(format!("{status} {json}"));
            }
            Err(e) => {
                tally.error(format!("I/O: {e}"));
                match Client::connect(address).await {
                    Ok(c) => client = c,
                    Err(_) => return tally,
                }
            }
        }
    }
    tally
}

/// The abusive client: the worst request, back to back, until `stop`.
async fn abuser(address: SocketAddr, query: String, stop: Arc<AtomicBool>) -> Tally {
    let mut tally = Tally::default();
    let Ok(mut client) = Client::connect(address).await else {
        tally.error("connect".into());
        return tally;
    };
    let body = json!({ "query": query }).to_string();
    while !stop.load(Ordering::Relaxed) && tally.latencies.len() < MAX_REQUESTS {
        let started = Instant::now();
        match client.post(&body).await {
            Ok((200, json)) if json.get("errors").is_none() => {
                tally.latencies.push(started.elapsed());
            }
            Ok((status, json)) => {
                tally.latencies.push(started.elapsed());
                tally.error(format!("{status} {json}"));
            }
            Err(e) => {
                tally.error(format!("I/O: {e}"));
                match Client::connect(address).await {
                    Ok(c) => client = c,
                    Err(_) => return tally,
                }
            }
        }
    }
    tally
}

/// One phase: the walkers, plus the abuser if `abusive`; their tallies.
async fn phase(address: SocketAddr, abusive: Option<String>) -> (Tally, Option<Tally>, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let walkers: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(walker(address, i, stop.clone())))
        .collect();
    let abuser = abusive.map(|q| tokio::spawn(abuser(address, q, stop.clone())));
    let started = Instant::now();
    tokio::time::sleep(PHASE).await;
    stop.store(true, Ordering::Relaxed);
    let mut good = Tally::default();
    for walker in walkers {
        good.merge(walker.await.expect("walker"));
    }
    let bad = match abuser {
        Some(task) => Some(task.await.expect("abuser")),
        None => None,
    };
    (good, bad, started.elapsed().as_secs_f64())
}

/// p50 of `n` sequential requests of `query` from one client.
async fn alone(address: SocketAddr, query: &str, n: usize) -> Duration {
    let mut client = Client::connect(address).await.expect("connect");
    let body = json!({ "query": query }).to_string();
    let mut latencies = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let (status, json) = client.post(&body).await.expect("request");
        assert!(status == 200 && json.get("errors").is_none(), "{json}");
        latencies.push(started.elapsed());
    }
    latencies.sort();
    Tally::quantile(&latencies, 0.5)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches`
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let dir = target.join("keypage-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join("server-load.db");

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (pool, address, limits) = server_rt.block_on(async {
        let (pool, n, _) = db::open(&path, ARTICLES).await.expect("database");
        assert_eq!(n, ARTICLES, "{} holds another data set", path.display());
        let limits = app::Limits::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = app::router(schema::schema(pool.clone()), limits);
        tokio::spawn(app::serve(
            listener,
            router,
            app::Connections::default(),
            std::future::pending(),
            Duration::from_secs(1),
        ));
        (pool, address, limits)
    });

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let abusive = abusive_query(limits.max_aliases);
    let report = client_rt.block_on(async {
        // The worst request is allowed, and what it costs alone.
        let worst_alone = alone(address, &abusive, 20).await;
        let with_authors = "{ articles(first: 50) { nodes { id title author { name } } } }";
        let without = "{ articles(first: 50) { nodes { id title } } }";
        let (authors_p50, plain_p50) = (
            alone(address, with_authors, 300).await,
            alone(address, without, 300).await,
        );

        let (mut calm, _, calm_s) = phase(address, None).await;
        let (mut stormy, bad, stormy_s) = phase(address, Some(abusive.clone())).await;
        let mut bad = bad.expect("abuser tally");

        // Still up.
        let mut client = Client::connect(address).await.expect("the server is down");
        let (status, json) = client
            .post(&json!({ "query": "{ articles(first: 1) { nodes { id } } }" }).to_string())
            .await
            .expect("the server does not answer");
        assert!(
            status == 200 && json["data"]["articles"].is_object(),
            "{json}"
        );

        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut out = String::new();
        out += &format!(
            "one client alone, p50: 50-article page with authors {:.2} ms, without {:.2} ms; \
             the worst request {:.2} ms\n\n",
            ms(authors_p50),
            ms(plain_p50),
            ms(worst_alone)
        );
        out += "| clients | requests | per s | p50 ms | p99 ms | max ms | errors |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|\n";
        out += &calm.report("8 walkers alone", calm_s);
        out += "\n";
        out += &stormy.report("8 walkers + abuser", stormy_s);
        out += "\n";
        out += &bad.report("the abuser", stormy_s);
        out += "\n";
        for (who, tally) in [
            ("walkers alone", &calm),
            ("walkers", &stormy),
            ("abuser", &bad),
        ] {
            if let Some(e) = &tally.first_error {
                out += &format!("\nfirst error ({who}): {e}");
            }
        }
        out += "\nserver up afterwards: yes\n";
        out
    });
    println!("{report}");
    server_rt.block_on(pool.close());
}
