//! End to end: the example server (`examples/server.rs` and its modules: the
//! seeded SQLite file, the schema, the axum routes) on a free loopback port,
//! over HTTP with plain HTTP/1.1 requests: walked (every row arrives exactly
//! once and in order, in both orderings and both directions), and every
//! limit and transport rule of the server, each refusal with its code;
//! graceful shutdown on SIGTERM with the server as a child process; two
//! servers starting on one new database file; the bound on statements.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The example server itself (its `main` is run by [`child_server`]).
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use server::{app, db, schema};

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
    let router = app::router(schema::schema(pool.clone()), app::Limits::default());
    let server = tokio::spawn(app::serve(
        listener,
        router,
        app::Connections::default(),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(10),
    ));

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

// ---------------------------------------------------------------------------
// The limits and transport rules, each on a server of its own.

/// Each of the tests below must finish within this.
const SHORT: Duration = Duration::from_secs(60);

/// Articles seeded for the tests below.
const FEW: i64 = 300;

/// A server on a free loopback port over a new seeded file, with `limits`.
struct Server {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<app::Stopped>>,
    pool: sqlx::SqlitePool,
    _file: TempDb,
}

impl Server {
    async fn start(limits: app::Limits) -> Server {
        Server::start_with(limits, app::Connections::default()).await
    }

    async fn start_with(limits: app::Limits, connections: app::Connections) -> Server {
        let file = TempDb::new();
        let (pool, _, _) = db::open(&file.0, FEW).await.expect("seed");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let router = app::router(schema::schema(pool.clone()), limits);
        let shutdown = async {
            let _ = stopped.await;
        };
        let task = tokio::spawn(app::serve(
            listener,
            router,
            connections,
            shutdown,
            Duration::from_secs(5),
        ));
        Server {
            address,
            stop: Some(stop),
            task,
            pool,
            _file: file,
        }
    }

    /// POSTs `body` as `application/json` to `/graphql`.
    async fn post(&self, body: &str) -> Reply {
        send(
            self.address,
            "POST /graphql HTTP/1.1\r\nContent-Type: application/json\r\n",
            body.as_bytes(),
        )
        .await
    }

    /// POSTs one query.
    async fn query(&self, query: &str, variables: Json) -> Reply {
        self.post(&json!({ "query": query, "variables": variables }).to_string())
            .await
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let stopped = self.task.await.unwrap().unwrap();
        assert_eq!(stopped, app::Stopped::Drained);
        self.pool.close().await;
    }
}

/// A response: status, lower-cased head, body.
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Json {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The first error's `extensions.code`, checking that the body is a
    /// GraphQL error response without Rust `Debug` text.
    fn code(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        for debug in [
            "{ inner",
            "Error {",
            "Error(",
            "Some(",
            "InvalidRequest",
            "::",
        ] {
            assert!(!text.contains(debug), "Rust text in the response: {text}");
        }
        assert!(
            self.head.contains("content-type: application/json"),
            "{}",
            self.head
        );
        let json = self.json();
        assert!(
            json["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{json}"
        );
        json["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no code: {json}"))
            .to_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection: `head` is the request line
/// and headers (each ending in CRLF) without `Host`, `Content-Length` and
/// `Connection`.
async fn send(address: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let request = format!(
        "{head}Host: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    stream.write_all(body).await.expect("send body");
    receive(stream).await
}

async fn receive(mut stream: TcpStream) -> Reply {
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("receive");
    parse_reply(&response)
}

fn parse_reply(response: &[u8]) -> Reply {
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers: {}", String::from_utf8_lossy(response)));
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
    Reply { status, head, body }
}

/// `{ articles(first: N) { ... } }` selecting everything once.
const FULL_PAGE: &str = "articles(first: 100) {
    edges { cursor node { id title createdAt author { name } } }
    nodes { id title createdAt author { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complexity_is_costed_by_page_size() {
    tokio::time::timeout(SHORT, async {
        let server = Server::start(app::Limits::default()).await;
        // The largest page selecting everything is allowed...
        let one = server.query(&format!("{{ {FULL_PAGE} }}"), json!({})).await;
        assert_eq!(one.status, 200);
        let json = one.json();
        assert!(json.get("errors").is_none(), "{json}");
        assert_eq!(
            json["data"]["articles"]["nodes"].as_array().unwrap().len(),
            100
        );
        // ...two of them are not.
        let two = format!("{{ a: {FULL_PAGE} b: {FULL_PAGE} }}");
        let reply = server.query(&two, json!({})).await;
        assert_eq!(
            (reply.status, reply.code()),
            (200, "QUERY_TOO_COMPLEX".into())
        );
        // The page size is read from variables too: 5 of the same
        // selection are cheap, 100 of them not.
        let by_variable = "query($n: Int) {
          a: articles(first: $n) { nodes { id title createdAt author { id name } } totalCount }
          b: articles(last: $n) { nodes { id title createdAt author { id name } } totalCount }
          c: articles(first: $n, orderBy: TITLE) { nodes { id title createdAt author { id name } } }
          d: articles(last: $n, orderBy: TITLE) { nodes { id title createdAt author { id name } } }
        }";
        let small = server.query(by_variable, json!({ "n": 5 })).await.json();
        assert!(small.get("errors").is_none(), "{small}");
        let large = server.query(by_variable, json!({ "n": 100 })).await;
        assert_eq!(large.code(), "QUERY_TOO_COMPLEX");
        // An out-of-range page size still gets its own error.
        let reply = server
            .query("{ articles(first: 1000) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(reply.code(), "PAGE_SIZE_OUT_OF_RANGE");
        server.stop().await;
    })
    .await
    .expect("took too long");
}

/// graphql-js 16's `getIntrospectionQuery()`, as GraphiQL 3 sends it.
const INTROSPECTION: &str = "query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_and_directives_are_limited() {
    tokio::time::timeout(SHORT, async {
        let server = Server::start(app::Limits::default()).await;
        // GraphiQL's introspection query passes.
        let reply = server.query(INTROSPECTION, json!({})).await;
        let json = reply.json();
        assert!(json.get("errors").is_none(), "{json}");
        assert!(json["data"]["__schema"]["types"].as_array().unwrap().len() > 5);
        // Deeper than MAX_DEPTH: introspection types nest without end.
        let mut deep = String::from("name");
        for _ in 0..8 {
            deep = format!("fields {{ type {{ {deep} }} }}");
        }
        let reply = server
            .query(
                &format!("{{ __schema {{ types {{ {deep} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(reply.code(), "QUERY_TOO_DEEP");
        // Deeper than MAX_RECURSIVE_DEPTH (checked while parsing).
        let mut nested = String::from("name");
        for _ in 0..30 {
            nested = format!("ofType {{ {nested} }}");
        }
        let reply = server
            .query(
                &format!("{{ __schema {{ queryType {{ {nested} }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(reply.code(), "QUERY_TOO_DEEP");
        let many = "{ articles(first: 1) { nodes { id @skip(if: false) @include(if: true) \
                    @skip(if: false) @include(if: true) @skip(if: false) } } }";
        let reply = server.query(many, json!({})).await;
        assert_eq!(reply.code(), "TOO_MANY_DIRECTIVES");
        server.stop().await;
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_and_batches_are_capped() {
    tokio::time::timeout(SHORT, async {
        let limits = app::Limits::default();
        let server = Server::start(limits).await;
        let aliases = |n: usize| {
            let fields: Vec<String> = (0..n)
                .map(|i| format!("a{i}: articles(first: 1) {{ totalCount }}"))
                .collect();
            format!("{{ {} }}", fields.join(" "))
        };
        let json = server
            .query(&aliases(limits.max_aliases), json!({}))
            .await
            .json();
        assert!(json.get("errors").is_none(), "{json}");
        let reply = server
            .query(&aliases(limits.max_aliases + 1), json!({}))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (200, "TOO_MANY_ALIASES".into())
        );
        // Aliases in fragments count too.
        let fragment = format!(
            "{{ ...F }} fragment F on Query {{ {} }}",
            &aliases(limits.max_aliases + 1)[1..].trim_end_matches('}')
        );
        let reply = server.query(&fragment, json!({})).await;
        assert_eq!(reply.code(), "TOO_MANY_ALIASES");

        // A batch: one response per request, in order.
        let one = json!({ "query": "{ articles(first: 1) { nodes { id } } }" });
        let two = json!({ "query": "{ articles(last: 2) { nodes { id } } }" });
        let reply = server.post(&json!([one, two]).to_string()).await;
        assert_eq!(reply.status, 200);
        let json = reply.json();
        assert_eq!(
            json[0]["data"]["articles"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            json[1]["data"]["articles"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let batch = Json::Array(vec![one; limits.max_batch + 1]);
        let reply = server.post(&batch.to_string()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "BATCH_TOO_LARGE".into())
        );
        server.stop().await;
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_bounded_json_and_refused_without_internal_text() {
    tokio::time::timeout(SHORT, async {
        let limits = app::Limits::default();
        let server = Server::start(limits).await;
        let query = json!({ "query": "{ articles(first: 1) { nodes { id } } }" }).to_string();

        // Over the limit by Content-Length...
        let padded = format!("{query:<width$}", width = limits.body_bytes + 1);
        let reply = server.post(&padded).await;
        assert_eq!((reply.status, reply.code()), (413, "BODY_TOO_LARGE".into()));
        // ...and streamed in chunks, without a length: counted as it arrives.
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            server.address
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b' '; 8192];
        for _ in 0..(limits.body_bytes / chunk.len() + 2) {
            let sent = async {
                stream.write_all(b"2000\r\n").await?;
                stream.write_all(&chunk).await?;
                stream.write_all(b"\r\n").await
            };
            if sent.await.is_err() {
                break; // the server answered and closed
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let reply = receive(stream).await;
        assert_eq!((reply.status, reply.code()), (413, "BODY_TOO_LARGE".into()));
        // Right at the limit: fine.
        let padded = format!("{query:<width$}", width = limits.body_bytes);
        assert_eq!(server.post(&padded).await.status, 200);

        // Only JSON: the content types a web page may POST cross-site
        // without a preflight are refused, and so is none.
        for content_type in [
            "Content-Type: text/plain\r\n",
            "Content-Type: text/plain;charset=UTF-8\r\n",
            "Content-Type: application/x-www-form-urlencoded\r\n",
            "Content-Type: multipart/form-data; boundary=x\r\n",
            "Content-Type: foo\r\n",
            "",
        ] {
            let head = format!("POST /graphql HTTP/1.1\r\n{content_type}");
            let reply = send(server.address, &head, query.as_bytes()).await;
            assert_eq!(
                (reply.status, reply.code()),
                (415, "UNSUPPORTED_MEDIA_TYPE".into()),
                "{content_type}"
            );
        }
        let head = "POST /graphql HTTP/1.1\r\nContent-Type: Application/JSON; charset=utf-8\r\n";
        let reply = send(server.address, head, query.as_bytes()).await;
        assert_eq!(reply.status, 200);
        assert!(reply.json()["data"]["articles"].is_object());

        // Bad bodies: 400 with a message, no Rust text.
        for body in [
            "{\"query\"",
            "[]",
            "42",
            "{\"query\": 1}",
            "[{\"query\": \"{ __typename }\"}, 7]",
            "{\"query\": \"{ __typename }\", \"variables\": [1]}",
        ] {
            let reply = server.post(body).await;
            assert_eq!(
                (reply.status, reply.code()),
                (400, "BAD_REQUEST".into()),
                "{body}"
            );
        }
        let reply = server.query("{ articles(first: 1) { ", json!({})).await;
        assert_eq!(
            (reply.status, reply.code()),
            (200, "GRAPHQL_PARSE_FAILED".into())
        );
        // Not GET or POST.
        let reply = send(server.address, "PUT /graphql HTTP/1.1\r\n", b"").await;
        assert_eq!(
            (reply.status, reply.code()),
            (405, "METHOD_NOT_ALLOWED".into())
        );
        server.stop().await;
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_time_out_and_concurrency_is_limited() {
    tokio::time::timeout(SHORT, async {
        let limits = app::Limits {
            request_timeout: Duration::from_millis(500),
            max_in_flight: 1,
            ..app::Limits::default()
        };
        let server = Server::start(limits).await;
        // A request whose body never ends holds the one slot...
        let mut slow = TcpStream::connect(server.address).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 100\r\nConnection: close\r\n\r\n{{\"query\"",
            server.address
        );
        slow.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        // ...so another is refused at once...
        let started = Instant::now();
        let reply = server
            .query("{ articles(first: 1) { nodes { id } } }", json!({}))
            .await;
        assert_eq!((reply.status, reply.code()), (503, "OVERLOADED".into()));
        assert!(started.elapsed() < Duration::from_millis(400));
        // ...until the slow one times out.
        let reply = receive(slow).await;
        assert_eq!((reply.status, reply.code()), (503, "TIMEOUT".into()));
        let reply = server
            .query("{ articles(first: 1) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(reply.status, 200);
        assert!(reply.json()["data"]["articles"].is_object());
        server.stop().await;
    })
    .await
    .expect("took too long");
}

/// Whether the server closed `stream` (end of stream or a reset) within
/// `within`, reading and discarding anything it sent first.
async fn closed_within<S>(stream: &mut S, within: Duration) -> bool
where
    S: tokio::io::AsyncRead + Unpin,
{
    let mut buf = [0u8; 1024];
    tokio::time::timeout(within, async {
        while let Ok(1..) = stream.read(&mut buf).await {}
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_idle_connections_are_closed() {
    tokio::time::timeout(SHORT, async {
        let connections = app::Connections {
            header_timeout: Duration::from_millis(500),
            max_open: 2,
        };
        let server = Server::start_with(app::Limits::default(), connections).await;
        // A header sent a byte at a time, never finished (slowloris)...
        let mut slow = TcpStream::connect(server.address).await.unwrap();
        let started = Instant::now();
        let (mut read, mut write) = slow.split();
        let trickle = async {
            for b in b"POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            {
                let _ = write.write_all(&[*b]).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            () = trickle => panic!("a header trickled for 3 s and was not cut off"),
            closed = closed_within(&mut read, Duration::from_secs(5)) => assert!(closed),
        }
        // ...is cut off once the header timeout has passed since it began,
        // however steadily its bytes come.
        let held = started.elapsed();
        assert!(held >= Duration::from_millis(450), "{held:?}");
        assert!(held < Duration::from_millis(2500), "{held:?}");

        // An idle connection (nothing sent) is closed too, and so is a
        // kept-alive one after its request, once idle that long.
        let mut idle = TcpStream::connect(server.address).await.unwrap();
        assert!(closed_within(&mut idle, Duration::from_secs(5)).await);
        let mut kept = TcpStream::connect(server.address).await.unwrap();
        let body = json!({ "query": "{ articles(first: 1) { nodes { id } } }" }).to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        kept.write_all(request.as_bytes()).await.unwrap();
        let mut first = vec![0u8; 4096];
        let n = kept.read(&mut first).await.unwrap();
        let answer = String::from_utf8_lossy(&first[..n]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(closed_within(&mut kept, Duration::from_secs(5)).await);

        // At most `max_open` connections at once: two idle ones hold both
        // slots, so a third client's request is served only once the header
        // timeout has closed one of them.
        let _a = TcpStream::connect(server.address).await.unwrap();
        let _b = TcpStream::connect(server.address).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let reply = server
            .query("{ articles(first: 1) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(reply.status, 200);
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
        server.stop().await;
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_serves_queries_and_graphiql_only_to_html() {
    tokio::time::timeout(SHORT, async {
        let server = Server::start(app::Limits::default()).await;
        let address = server.address;
        let get = |target: String, accept: &'static str| {
            let head = format!("GET {target} HTTP/1.1\r\nAccept: {accept}\r\n");
            async move { send(address, &head, b"").await }
        };
        let encode = |text: &str| {
            text.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        // urql's default: a GET with `query` (and `variables`, `operationName`).
        let urql = "application/graphql-response+json, application/graphql+json, \
                    application/json, text/event-stream, multipart/mixed";
        let target = format!(
            "/graphql?query={}&variables={}&operationName=Page",
            encode("query Other { __typename } query Page($n: Int) { articles(first: $n) { nodes { id } } }"),
            encode(r#"{"n": 3}"#),
        );
        let reply = get(target, urql).await;
        assert_eq!(reply.status, 200);
        assert!(reply.head.contains("content-type: application/json"), "{}", reply.head);
        let json = reply.json();
        assert_eq!(json["data"]["articles"]["nodes"].as_array().unwrap().len(), 3, "{json}");
        // Even from a browser, a GET with `query` is a query.
        let target = format!("/?query={}", encode("{ articles(first: 1) { nodes { id } } }"));
        let reply = get(target, "text/html,application/xhtml+xml,*/*;q=0.8").await;
        assert_eq!(reply.json()["data"]["articles"]["nodes"].as_array().unwrap().len(), 1);
        // Never a mutation (this schema has none: refused before it is looked at).
        let target = format!("/graphql?query={}", encode("mutation { anything }"));
        let reply = get(target, urql).await;
        assert_eq!((reply.status, reply.code()), (405, "METHOD_NOT_ALLOWED".into()));
        assert!(reply.head.contains("allow: post"), "{}", reply.head);
        // GraphiQL to a browser asking for HTML...
        for path in ["/", "/graphql"] {
            let reply = get(path.to_owned(), "text/html,application/xhtml+xml,*/*;q=0.8").await;
            assert_eq!(reply.status, 200);
            assert!(reply.head.contains("content-type: text/html"), "{}", reply.head);
            assert!(String::from_utf8_lossy(&reply.body).contains("GraphiQL"));
        }
        // ...and to nobody else.
        let reply = get("/graphql".to_owned(), urql).await;
        assert_eq!((reply.status, reply.code()), (400, "BAD_REQUEST".into()));
        let reply = get("/graphql?query=%7B__typename%7D&variables=%5B1%5D".to_owned(), urql).await;
        assert_eq!((reply.status, reply.code()), (400, "BAD_REQUEST".into()));
        server.stop().await;
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_start_on_one_new_file() {
    tokio::time::timeout(SHORT, async {
        for _ in 0..3 {
            let file = TempDb::new();
            let (a, b) = tokio::join!(db::open(&file.0, 2_000), db::open(&file.0, 2_000));
            let ((pool_a, n_a, seeded_a), (pool_b, n_b, seeded_b)) =
                (a.expect("first server"), b.expect("second server"));
            assert_eq!((n_a, n_b), (2_000, 2_000));
            let now = [seeded_a, seeded_b]
                .iter()
                .filter(|s| matches!(s, db::Seeded::Now(_)))
                .count();
            assert_eq!(now, 1, "{seeded_a:?} {seeded_b:?}");
            for pool in [&pool_a, &pool_b] {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
                    .fetch_one(pool)
                    .await
                    .unwrap();
                assert_eq!(n, 2_000);
            }
            pool_a.close().await;
            pool_b.close().await;
            // No seeding copies left behind.
            let dir = file.0.parent().unwrap();
            let name = file.0.file_name().unwrap().to_string_lossy().into_owned();
            let left: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|f| f.starts_with(&name) && f.contains("seeding"))
                .collect();
            assert!(left.is_empty(), "{left:?}");
        }
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_statements_are_interrupted() {
    tokio::time::timeout(SHORT, async {
        let file = TempDb::new();
        let bound = Duration::from_millis(300);
        let (pool, _, _) = db::open_with(&file.0, FEW, bound).await.expect("seed");
        // A statement that never ends on its own.
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT COUNT(*) FROM n";
        for _ in 0..2 {
            let started = Instant::now();
            let result: Result<i64, _> = sqlx::query_scalar(endless).fetch_one(&pool).await;
            let error = result.expect_err("an endless statement ended");
            assert!(error.to_string().contains("interrupt"), "{error}");
            let took = started.elapsed();
            assert!(took >= bound && took < bound * 10, "{took:?}");
            // The connection is fine afterwards, with a new deadline.
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(n, FEW);
        }
        pool.close().await;
    })
    .await
    .expect("took too long");
}

// ---------------------------------------------------------------------------
// Graceful shutdown: the example's `main` in a child process.

/// The example's `main`, run as a child process by the shutdown tests (this
/// test binary started again with `KEYPAGE_TEST_SERVER_ARGS` set).
#[test]
#[ignore = "the server child process of graceful_shutdown_*; not a test on its own"]
fn child_server() {
    let args = std::env::var("KEYPAGE_TEST_SERVER_ARGS").expect("KEYPAGE_TEST_SERVER_ARGS");
    let code = server::main_with_args(args.split(' ').map(str::to_owned));
    std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 1 });
}

/// A child process running the example server on a free port.
struct ChildServer {
    child: Child,
    address: SocketAddr,
    _file: TempDb,
}

impl ChildServer {
    fn start(deadline_secs: f64) -> ChildServer {
        let file = TempDb::new();
        let args = format!(
            "--port 0 --articles {FEW} --shutdown-deadline {deadline_secs} --db {}",
            file.0.display()
        );
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["child_server", "--exact", "--ignored", "--nocapture"])
            .env("KEYPAGE_TEST_SERVER_ARGS", args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut address = None;
        for line in stdout.by_ref() {
            let line = line.expect("the server's output");
            if let Some(rest) = line.split("GraphiQL at http://").nth(1) {
                address = rest.split('/').next().and_then(|a| a.parse().ok());
                break;
            }
        }
        let address = address.expect("the server's address");
        // Keep reading: the server prints more, and fails on a closed pipe.
        std::thread::spawn(move || stdout.for_each(drop));
        ChildServer {
            child,
            address,
            _file: file,
        }
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the exit, at most `within`.
    fn exit_status(&mut self, within: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > within {
                let _ = self.child.kill();
                panic!("the server did not exit within {within:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request sent but for the end of its body, on a connection the server
/// has already answered one request on (so the request is in the server's
/// hands, not in the listener's backlog, when the test goes on).
async fn half_request(address: SocketAddr, body: &str) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let first = json!({ "query": "{ __typename }" }).to_string();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{first}",
        first.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let reply = read_one_response(&mut stream).await;
    assert_eq!(reply.status, 200);

    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    (stream, rest.to_owned())
}

/// Reads one response with a `Content-Length` off a kept-alive connection.
async fn read_one_response(stream: &mut TcpStream) -> Reply {
    let mut response = Vec::new();
    let mut byte = [0u8; 1];
    while !response.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "connection closed"
        );
        response.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&response).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    response.extend_from_slice(&body);
    parse_reply(&response)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_requests_in_flight() {
    tokio::time::timeout(SHORT, async {
        let mut server = ChildServer::start(5.0);
        let body = json!({ "query": "{ articles(first: 2) { nodes { id } } }" }).to_string();
        let (mut stream, rest) = half_request(server.address, &body).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        server.terminate();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Stopped listening...
        assert!(
            TcpStream::connect(server.address).await.is_err(),
            "new connections are still accepted"
        );
        // ...but the request in flight completes.
        stream.write_all(rest.as_bytes()).await.unwrap();
        let reply = receive(stream).await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.json()["data"]["articles"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let started = Instant::now();
        let status = server.exit_status(Duration::from_secs(4));
        assert!(status.success(), "{status}");
        eprintln!("exited {:?} after the last response", started.elapsed());
    })
    .await
    .expect("took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_has_a_deadline() {
    tokio::time::timeout(SHORT, async {
        let mut server = ChildServer::start(1.0);
        let body = json!({ "query": "{ __typename }" }).to_string();
        // A request that never completes.
        let (stream, _) = half_request(server.address, &body).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        server.terminate();
        let status = server.exit_status(Duration::from_secs(5));
        let took = started.elapsed();
        assert!(status.success(), "{status}");
        assert!(
            took >= Duration::from_millis(900),
            "exited after {took:?}, before the deadline"
        );
        // The stuck client is disconnected, not answered.
        let mut response = Vec::new();
        let mut stream = stream;
        let _ = stream.read_to_end(&mut response).await;
        assert!(
            response.is_empty(),
            "{}",
            String::from_utf8_lossy(&response)
        );
    })
    .await
    .expect("took too long");
}
