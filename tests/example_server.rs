//! End to end: the example server (`examples/server.rs`'s modules: the
//! seeded SQLite file, the schema, the axum routes) on a free loopback port,
//! walked over HTTP with plain HTTP/1.1 requests: every row arrives exactly
//! once and in order, in both orderings and both directions.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The database the example's schema runs on.
type Db = sqlx::Sqlite;

#[allow(dead_code)]
#[path = "../examples/server/app.rs"]
mod app;
#[allow(dead_code)]
#[path = "../examples/server/db.rs"]
mod db;
#[allow(dead_code)]
#[path = "../examples/server/schema.rs"]
mod schema;

/// Articles seeded for the test: enough for 25 pages of 100.
const ARTICLES: i64 = 2_500;
/// The whole test, seeding included, must finish within this.
const BUDGET: Duration = Duration::from_secs(120);

/// A temporary database file, deleted (with its WAL files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        let dir = std::env::temp_dir().join("keypage-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        TempDb(dir.join(format!("example-{}-{nanos}.db", std::process::id())))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_the_whole_connection_over_http() {
    tokio::time::timeout(BUDGET, scenario())
        .await
        .expect("the end-to-end walk took too long");
}

async fn scenario() {
    let file = TempDb::new();
    let (pool, articles, seeded) = db::open(&file.0, ARTICLES).await.expect("seed");
    assert_eq!(articles, ARTICLES);
    assert!(matches!(seeded, db::Seeded::Now(_)));
    // A second start reuses the data.
    let (again, articles, seeded) = db::open(&file.0, 7).await.expect("reopen");
    assert_eq!((articles, seeded), (ARTICLES, db::Seeded::Earlier));
    again.close().await;

    // The orders the server must produce, straight from SQL.
    let newest: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM articles ORDER BY created_at DESC, id DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
    let title: Vec<i64> = sqlx::query_scalar("SELECT id FROM articles ORDER BY title, id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(newest.len(), ARTICLES as usize);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app::serve(listener, schema::schema(pool.clone()), async {
        let _ = stopped.await;
    }));

    // GraphiQL at `GET /`.
    let (status, page) = http(address, "GET", "/", None).await;
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains("graphiql") && page.contains("articles(first: 5"),
        "{page}"
    );

    // `POST /` answers queries as `POST /graphql` does.
    let root = graphql(
        address,
        "/",
        "{ articles(first: 1) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(root["data"]["articles"]["nodes"][0]["id"], newest[0]);

    let started = Instant::now();
    let walked = walk(address, "NEWEST", "first", 100).await;
    assert_exactly_once_in_order(&walked, &newest, "NEWEST forward");
    eprintln!(
        "walked {} articles in {} pages over HTTP in {:?}",
        walked.len(),
        walked.len().div_ceil(100),
        started.elapsed()
    );
    let walked = walk(address, "TITLE", "first", 100).await;
    assert_exactly_once_in_order(&walked, &title, "TITLE forward");
    let walked = walk(address, "NEWEST", "last", 99).await;
    assert_exactly_once_in_order(&walked, &newest, "NEWEST backward");
    let walked = walk(address, "TITLE", "last", 100).await;
    assert_exactly_once_in_order(&walked, &title, "TITLE backward");

    // An error travels as a GraphQL error with its code, not as an HTTP failure.
    let error = graphql(
        address,
        "/graphql",
        "{ articles(first: 101) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(
        error["errors"][0]["extensions"]["code"],
        "PAGE_SIZE_OUT_OF_RANGE"
    );

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    pool.close().await;
}

fn assert_exactly_once_in_order(walked: &[i64], expected: &[i64], what: &str) {
    let mut seen = std::collections::HashSet::new();
    for id in walked {
        assert!(seen.insert(*id), "{what}: article {id} arrived twice");
    }
    assert_eq!(walked.len(), expected.len(), "{what}: rows missing");
    assert!(walked == expected, "{what}: rows out of order");
}

/// Walks the whole connection with `first` (forward) or `last` (backward)
/// pages of `size`, following the cursors, checking `totalCount` and the
/// flags on the way. Returns the ids in the ordering's order.
async fn walk(address: SocketAddr, order: &str, direction: &str, size: usize) -> Vec<i64> {
    let query =
        "query($first: Int, $after: String, $last: Int, $before: String, $orderBy: ArticleOrder) {
      articles(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
        totalCount
        edges { cursor node { id title createdAt author { name } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }";
    let forward = direction == "first";
    let mut cursor: Option<String> = None;
    let mut pages: Vec<Vec<i64>> = Vec::new();
    loop {
        let variables = if forward {
            json!({ "first": size, "after": cursor, "orderBy": order })
        } else {
            json!({ "last": size, "before": cursor, "orderBy": order })
        };
        let response = graphql(address, "/graphql", query, variables).await;
        assert!(response.get("errors").is_none(), "{response:#}");
        let connection = &response["data"]["articles"];
        assert_eq!(connection["totalCount"], ARTICLES);
        let edges = connection["edges"].as_array().unwrap();
        assert!(
            !edges.is_empty() && edges.len() <= size,
            "{order} {direction}: {} edges",
            edges.len()
        );
        for edge in edges {
            let name = edge["node"]["author"]["name"].as_str().unwrap_or_default();
            assert!(!name.is_empty(), "{edge}");
        }
        pages.push(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_i64().unwrap())
                .collect(),
        );
        let info = &connection["pageInfo"];
        let (more, back) = if forward {
            (
                info["hasNextPage"].as_bool().unwrap(),
                info["hasPreviousPage"].as_bool().unwrap(),
            )
        } else {
            (
                info["hasPreviousPage"].as_bool().unwrap(),
                info["hasNextPage"].as_bool().unwrap(),
            )
        };
        assert_eq!(
            back,
            cursor.is_some(),
            "{order} {direction}: the flag behind the cursor"
        );
        if !more {
            break;
        }
        let next = if forward {
            &info["endCursor"]
        } else {
            &info["startCursor"]
        };
        cursor = Some(next.as_str().unwrap().to_owned());
        assert!(
            pages.len() <= ARTICLES as usize,
            "{order} {direction}: the walk does not end"
        );
    }
    if !forward {
        pages.reverse();
    }
    pages.concat()
}

/// POSTs a GraphQL request to `path` and returns the JSON response.
async fn graphql(address: SocketAddr, path: &str, query: &str, variables: Json) -> Json {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, body) = http(address, "POST", path, Some(&body)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("a JSON response")
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`): the
/// status and the body.
async fn http(address: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let body = body.unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("receive");

    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let body = response[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    (status, body)
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = input
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&input[..line]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("chunk size");
        input = &input[line + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&input[..size]);
        input = &input[size + 2..];
    }
}
