//! `keypage::client` against a fault-injecting GraphQL server (axum and
//! async-graphql, in-process, real HTTP on 127.0.0.1): 429 with
//! `Retry-After` in seconds and as an HTTP date, 503, 500s, dropped
//! connections, slow responses, partial errors, a null `endCursor` with
//! `hasNextPage: true`, a repeated cursor, errors without data, exhausted
//! retries, the GitHub `rateLimit` budget, several walks sharing one
//! limiter, checkpoints, and follow-up walks of nested connections. Each
//! case asserts its outcome: every row once and in order, or the documented
//! error; retry timing is checked against `Retry-After` (lower bounds
//! strictly, upper bounds loosely).

#![cfg(feature = "client")]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, Object, Schema, SimpleObject,
};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{StreamExt as _, TryStreamExt as _};
use keypage::PageArgs;
use keypage::client::{
    Client, ClientError, ErrorLog, PartialPolicy, PathSegment, RateLimiter, RetryPolicy,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[path = "support/export_binary.rs"]
mod export_binary;

const ITEMS: i64 = 250;
const BUDGET: Duration = Duration::from_secs(60);

#[derive(keypage::Paginate, SimpleObject, Clone, Debug, Deserialize, PartialEq)]
#[paginate(order_by = "id asc", max_page_size = 100)]
struct Item {
    id: i64,
}

#[derive(keypage::Paginate, SimpleObject, Clone, Debug)]
#[paginate(order_by = "id asc")]
#[graphql(complex)]
struct Group {
    id: i64,
}

/// Group `g` holds items `g * 1000 + 1 ..= g * 1000 + 3 * g`.
fn group_items(group: i64) -> Vec<Item> {
    (1..=3 * group)
        .map(|i| Item {
            id: group * 1000 + i,
        })
        .collect()
}

#[ComplexObject]
impl Group {
    async fn items(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<ItemConnection> {
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        Item::connection(None, args).over_slice(&group_items(self.id))
    }
}

#[derive(SimpleObject)]
#[graphql(rename_fields = "camelCase")]
struct RateLimit {
    remaining: i32,
    reset_at: String,
}

struct Query;

#[Object]
impl Query {
    async fn items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<ItemConnection> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Item::connection(None, args).over_slice(ctx.data_unchecked::<Vec<Item>>())
    }

    async fn groups(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<GroupConnection> {
        let groups: Vec<Group> = (1..=6).map(|id| Group { id }).collect();
        let args = PageArgs {
            first,
            after,
            last: None,
            before: None,
        };
        Group::connection(None, args).over_slice(&groups)
    }

    async fn group(&self, id: i64) -> Group {
        Group { id }
    }

    /// GitHub's shape: a budget that is spent, resetting in a second.
    async fn rate_limit(&self) -> RateLimit {
        let reset = SystemTime::now() + Duration::from_millis(1_000);
        RateLimit {
            remaining: 0,
            reset_at: rfc3339(reset),
        }
    }
}

/// `2026-12-01T22:55:01.123Z`.
fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(SystemTime::UNIX_EPOCH).unwrap();
    let (days, secs) = ((since.as_secs() / 86_400) as i64, since.as_secs() % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        since.subsec_millis()
    )
}

/// What the server does to one request.
#[derive(Debug, Clone)]
enum Fault {
    /// Answers this status, with this `Retry-After` if any.
    Status(u16, Option<String>),
    /// Answers this status with `Retry-After: <HTTP date this long from now>`.
    StatusUntil(u16, Duration),
    /// Sends the headers and part of the body, then drops the connection.
    Drop,
    /// Answers normally after this long.
    Slow(Duration),
    /// Nulls the fourth node and reports an error at its path.
    Partial,
    /// Keeps `hasNextPage: true` but nulls `endCursor`.
    NullEndCursor,
    /// Hands out the previous page's `endCursor` again.
    RepeatCursor,
}

#[derive(Default)]
struct Plan {
    /// Faults per lane (the `x-lane` header), in request order; `None` or
    /// an empty queue answers normally.
    faults: HashMap<String, VecDeque<Option<Fault>>>,
    /// Every request: lane, arrival, the `after` variable.
    log: Vec<(String, Instant, Option<String>)>,
    last_end_cursor: Option<Value>,
}

type Shared = Arc<Mutex<Plan>>;
type FaultSchema = Schema<Query, EmptyMutation, EmptySubscription>;

struct FaultServer {
    url: String,
    plan: Shared,
}

impl FaultServer {
    async fn start() -> FaultServer {
        let items: Vec<Item> = (1..=ITEMS).map(|id| Item { id }).collect();
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .data(items)
            .finish();
        let plan = Shared::default();
        let app = axum::Router::new()
            .route("/graphql", axum::routing::post(handle))
            .with_state((schema, Arc::clone(&plan)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/graphql", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FaultServer { url, plan }
    }

    fn plan(&self, lane: &str, faults: impl IntoIterator<Item = Option<Fault>>) {
        self.plan
            .lock()
            .unwrap()
            .faults
            .insert(lane.to_owned(), faults.into_iter().collect());
    }

    fn requests(&self, lane: &str) -> Vec<(Instant, Option<String>)> {
        let plan = self.plan.lock().unwrap();
        plan.log
            .iter()
            .filter(|(l, ..)| l == lane)
            .map(|(_, t, a)| (*t, a.clone()))
            .collect()
    }

    /// A client of lane `lane` with fast retries.
    fn client(&self, lane: &str) -> keypage::client::ClientBuilder {
        Client::builder(&self.url)
            .header("x-lane", lane)
            .retry(fast_retries())
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(5),
        max_elapsed: Duration::from_secs(20),
        request_timeout: Duration::from_millis(500),
    }
}

async fn handle(
    State((schema, plan)): State<(FaultSchema, Shared)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let lane = headers
        .get("x-lane")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let request: Value = serde_json::from_str(&body).unwrap();
    let after = request["variables"]["after"].as_str().map(str::to_owned);
    let fault = {
        let mut plan = plan.lock().unwrap();
        plan.log.push((lane.clone(), Instant::now(), after));
        plan.faults
            .get_mut(&lane)
            .and_then(VecDeque::pop_front)
            .flatten()
    };
    match &fault {
        Some(Fault::Status(status, retry_after)) => {
            let mut response =
                (StatusCode::from_u16(*status).unwrap(), "unavailable").into_response();
            if let Some(value) = retry_after {
                response
                    .headers_mut()
                    .insert("retry-after", value.parse().unwrap());
            }
            return response;
        }
        Some(Fault::StatusUntil(status, wait)) => {
            let date = httpdate::fmt_http_date(SystemTime::now() + *wait);
            let mut response =
                (StatusCode::from_u16(*status).unwrap(), "unavailable").into_response();
            response
                .headers_mut()
                .insert("retry-after", date.parse().unwrap());
            return response;
        }
        Some(Fault::Drop) => {
            let chunks = futures::stream::iter([
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"data\": {\"it")),
                Err(std::io::Error::other("connection dropped")),
            ]);
            return Response::builder()
                .header("content-type", "application/json")
                .header("content-length", "1000")
                .body(Body::from_stream(chunks))
                .unwrap();
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(*delay).await,
        _ => {}
    }
    let request: async_graphql::Request = serde_json::from_str(&body).unwrap();
    let mut response = serde_json::to_value(schema.execute(request).await).unwrap();
    let connection = &mut response["data"]["items"];
    match fault {
        Some(Fault::Partial) => {
            connection["nodes"][3] = Value::Null;
            response["errors"] =
                json!([{ "message": "item 4 is unavailable", "path": ["items", "nodes", 3] }]);
        }
        Some(Fault::NullEndCursor) => connection["pageInfo"]["endCursor"] = Value::Null,
        Some(Fault::RepeatCursor) => {
            let previous = plan.lock().unwrap().last_end_cursor.clone().unwrap();
            connection["pageInfo"]["endCursor"] = previous;
        }
        _ => {}
    }
    if let Some(end) = response["data"]["items"]["pageInfo"].get("endCursor") {
        plan.lock().unwrap().last_end_cursor = Some(end.clone());
    }
    axum::Json(response).into_response()
}

const ITEMS_QUERY: &str = "query($first: Int, $after: String) {
  items(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
}";

fn all_items() -> Vec<i64> {
    (1..=ITEMS).collect()
}

async fn ids(walk: keypage::client::Walk) -> Result<Vec<i64>, ClientError> {
    walk.nodes::<Item>()
        .map_ok(|item| item.id)
        .try_collect()
        .await
}

async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(BUDGET, test)
        .await
        .expect("the test took too long")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_in_seconds_and_as_a_date_is_honoured() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan(
            "a",
            [
                None,
                Some(Fault::Status(429, Some("1".into()))),
                None,
                Some(Fault::StatusUntil(503, Duration::from_secs(2))),
            ],
        );
        let retries = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&retries);
        let client = server
            .client("a")
            .on_retry(move |event| seen.lock().unwrap().push(event.clone()))
            .build()
            .unwrap();
        let pages: Vec<_> = client
            .walk(ITEMS_QUERY)
            .page_size(100)
            .pages::<Item>()
            .try_collect()
            .await
            .unwrap();
        let walked: Vec<i64> = pages
            .iter()
            .flat_map(|p| p.nodes.iter().map(|i| i.id))
            .collect();
        assert_eq!(walked, all_items());
        assert_eq!(
            pages.iter().map(|p| p.retries).collect::<Vec<_>>(),
            [0, 1, 1]
        );

        let requests = server.requests("a");
        assert_eq!(requests.len(), 5);
        // The retried request is the same page: the same cursor.
        assert_eq!(requests[1].1, requests[2].1);
        assert_eq!(requests[3].1, requests[4].1);
        let waited = requests[2].0 - requests[1].0;
        assert!(
            waited >= Duration::from_secs(1),
            "Retry-After: 1, retried after {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(4),
            "Retry-After: 1, retried after {waited:?}"
        );
        // An HTTP date has whole seconds: two seconds from now is over one.
        let waited = requests[4].0 - requests[3].0;
        assert!(
            waited >= Duration::from_millis(900),
            "Retry-After: <date in 2 s>, retried after {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(5),
            "Retry-After: <date in 2 s>, retried after {waited:?}"
        );
        let events = retries.lock().unwrap().clone();
        assert_eq!(events.len(), 2);
        assert!(
            events[0].reason.contains("429") && events[0].wait == Duration::from_secs(1),
            "{events:?}"
        );
        assert!(events[1].reason.contains("503"), "{events:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_without_losing_or_repeating_rows() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan(
            "a",
            [
                Some(Fault::Status(500, None)),
                Some(Fault::Status(502, None)),
                None,
                Some(Fault::Drop),
                None,
                Some(Fault::Slow(Duration::from_secs(2))),
                Some(Fault::Status(503, None)),
                None,
            ],
        );
        let reasons = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&reasons);
        let client = server
            .client("a")
            .on_retry(move |event| seen.lock().unwrap().push(event.reason.clone()))
            .build()
            .unwrap();
        let pages: Vec<_> = client
            .walk(ITEMS_QUERY)
            .page_size(100)
            .pages::<Item>()
            .try_collect()
            .await
            .unwrap();
        let walked: Vec<i64> = pages
            .iter()
            .flat_map(|p| p.nodes.iter().map(|i| i.id))
            .collect();
        assert_eq!(walked, all_items());
        assert_eq!(
            pages.iter().map(|p| p.retries).collect::<Vec<_>>(),
            [2, 1, 2]
        );
        let reasons = reasons.lock().unwrap().clone();
        assert!(
            reasons[0].contains("500") && reasons[1].contains("502"),
            "{reasons:?}"
        );
        assert!(reasons[2].starts_with("connection error"), "{reasons:?}");
        assert!(reasons[3].starts_with("timeout"), "{reasons:?}");
        assert!(reasons[4].contains("503"), "{reasons:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_bounded_in_count_and_in_time() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan("a", (0..10).map(|_| Some(Fault::Status(500, None))));
        let client = server.client("a").build().unwrap();
        let error = ids(client.walk(ITEMS_QUERY)).await.unwrap_err();
        let ClientError::RetriesExhausted {
            attempts, ref last, ..
        } = error
        else {
            panic!("{error}")
        };
        assert_eq!(attempts, 5, "{error}");
        assert!(
            last.contains("500") && last.contains("max_retries is 4"),
            "{error}"
        );
        assert_eq!(server.requests("a").len(), 5);

        // A wait longer than `max_delay` is not waited for.
        server.plan("b", [Some(Fault::Status(429, Some("3600".into())))]);
        let started = Instant::now();
        let error = ids(server.client("b").build().unwrap().walk(ITEMS_QUERY))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::RetriesExhausted { attempts: 1, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("3600s"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(5));

        // Nor one past `max_elapsed`.
        server.plan("c", [Some(Fault::Status(503, Some("1".into())))]);
        let policy = RetryPolicy {
            max_elapsed: Duration::from_millis(500),
            ..fast_retries()
        };
        let client = Client::builder(&server.url)
            .header("x-lane", "c")
            .retry(policy)
            .build()
            .unwrap();
        let error = ids(client.walk(ITEMS_QUERY)).await.unwrap_err();
        assert!(error.to_string().contains("max_elapsed"), "{error}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_pages_fail_or_are_collected_with_their_paths() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan("a", [None, Some(Fault::Partial)]);
        let error = ids(server.client("a").build().unwrap().walk(ITEMS_QUERY))
            .await
            .unwrap_err();
        let ClientError::Partial { page, ref errors } = error else {
            panic!("{error}")
        };
        assert_eq!(page, 2);
        assert!(
            error
                .to_string()
                .contains("item 4 is unavailable (at items.nodes.3)"),
            "{error}"
        );
        assert_eq!(
            errors[0].path.as_deref(),
            Some(
                &[
                    PathSegment::Field("items".into()),
                    PathSegment::Field("nodes".into()),
                    PathSegment::Index(3)
                ][..]
            )
        );

        server.plan("b", [None, Some(Fault::Partial)]);
        let log = ErrorLog::new();
        let walked = ids(server
            .client("b")
            .build()
            .unwrap()
            .walk(ITEMS_QUERY)
            .on_partial(PartialPolicy::Collect(log.clone())))
        .await
        .unwrap();
        let expected: Vec<i64> = all_items().into_iter().filter(|id| *id != 104).collect();
        assert_eq!(
            walked, expected,
            "the nulled node is left out, the rest go on"
        );
        let logged = log.snapshot();
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].page, 2);
        assert_eq!(logged[0].errors[0].message, "item 4 is unavailable");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_null_end_cursor_or_a_repeated_cursor_ends_the_walk() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan("a", [None, Some(Fault::NullEndCursor)]);
        let mut nodes = Vec::new();
        let mut walk = std::pin::pin!(
            server
                .client("a")
                .build()
                .unwrap()
                .walk(ITEMS_QUERY)
                .nodes::<Item>()
        );
        let error = loop {
            match walk.next().await {
                Some(Ok(item)) => nodes.push(item.id),
                Some(Err(error)) => break error,
                None => panic!("the walk ended without an error"),
            }
        };
        assert!(
            matches!(error, ClientError::NullCursor { page: 2, .. }),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("`hasNextPage` is true but `endCursor` is null"),
            "{error}"
        );
        assert_eq!(
            nodes,
            (1..=100).collect::<Vec<_>>(),
            "page 1 arrived; page 2 was refused"
        );
        assert!(
            walk.next().await.is_none(),
            "the stream ends after its error"
        );
        assert_eq!(server.requests("a").len(), 2);

        server.plan("b", [None, Some(Fault::RepeatCursor)]);
        let error = ids(server.client("b").build().unwrap().walk(ITEMS_QUERY))
            .await
            .unwrap_err();
        let ClientError::RepeatedCursor { page, ref cursor } = error else {
            panic!("{error}")
        };
        assert_eq!(page, 2);
        assert_eq!(
            Some(cursor.clone()),
            server.requests("b")[1].1,
            "the cursor named is the one repeated"
        );
        assert_eq!(server.requests("b").len(), 2, "no third request");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_without_data_and_refused_sizes_are_fatal() {
    bounded(async {
        let server = FaultServer::start().await;
        let client = server.client("a").build().unwrap();
        let error = ids(client.walk(
            "query($first: Int, $after: String) { nope(first: $first, after: $after) { id } }",
        ))
        .await
        .unwrap_err();
        assert!(
            matches!(error, ClientError::Graphql { page: 1, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("nope"), "{error}");

        let error = ids(client.walk(ITEMS_QUERY).page_size(101))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::PageSizeRefused { size: 101, .. }),
            "{error}"
        );
        let error = ids(client.walk(ITEMS_QUERY).page_size(0))
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                ClientError::Config {
                    setting: "page_size",
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(
            server.requests("a").len(),
            2,
            "a page size of 0 is refused before any request"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walks_sharing_a_limiter_wait_together() {
    bounded(async {
        let server = FaultServer::start().await;
        server.plan("a", [Some(Fault::Status(429, Some("1".into())))]);
        let limiter = RateLimiter::new();
        let a = server
            .client("a")
            .rate_limiter(limiter.clone())
            .build()
            .unwrap();
        let b = server.client("b").rate_limiter(limiter).build().unwrap();
        let (walked_a, walked_b) = tokio::join!(
            ids(a.walk(ITEMS_QUERY).page_size(100)),
            ids(b.walk(ITEMS_QUERY).page_size(2))
        );
        assert_eq!(walked_a.unwrap(), all_items());
        assert_eq!(walked_b.unwrap(), all_items());

        let refused = server.requests("a")[0].0;
        let b_requests = server.requests("b");
        // b's requests already sent may land just after the 429; after
        // that, none until the second has passed.
        let held: Vec<Duration> = b_requests
            .iter()
            .filter(|(t, _)| {
                *t > refused + Duration::from_millis(100) && *t < refused + Duration::from_secs(1)
            })
            .map(|(t, _)| *t - refused)
            .collect();
        assert!(
            held.is_empty(),
            "walk b went on during walk a's Retry-After: {held:?}"
        );
        assert!(
            b_requests
                .iter()
                .any(|(t, _)| *t >= refused + Duration::from_secs(1)),
            "b walked on after the wait"
        );
        assert_eq!(b_requests.len(), 125);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_rate_limit_budget_waits_for_its_reset() {
    bounded(async {
        let server = FaultServer::start().await;
        let query = "query($first: Int, $after: String) {
          rateLimit { remaining resetAt }
          items(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } }
        }";
        let client = server.client("a").rate_limit_reserve(0).build().unwrap();
        assert_eq!(
            ids(client.walk(query).page_size(100)).await.unwrap(),
            all_items()
        );
        let requests = server.requests("a");
        assert_eq!(requests.len(), 3);
        for pair in requests.windows(2) {
            let waited = pair[1].0 - pair[0].0;
            // resetAt is a second after the server's answer, in milliseconds.
            assert!(
                waited >= Duration::from_millis(990),
                "waited {waited:?} for a spent budget"
            );
            assert!(waited < Duration::from_secs(4), "waited {waited:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_resumes_where_the_consumer_was_and_is_removed_at_the_end() {
    bounded(async {
        let server = FaultServer::start().await;
        let dir =
            std::env::temp_dir().join(format!("keypage-client-faults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("items.checkpoint");
        let _ = std::fs::remove_file(&file);
        let client = server.client("a").build().unwrap();
        let walk = || client.walk(ITEMS_QUERY).page_size(30).checkpoint(&file);

        // Two pages taken, then the consumer stops: page 2 was handed on but
        // the next one not asked for, so the checkpoint is after page 1.
        let mut pages = Box::pin(walk().pages::<Item>());
        let first = pages.next().await.unwrap().unwrap();
        assert!(
            !file.exists(),
            "nothing is recorded before a page is dealt with"
        );
        let second = pages.next().await.unwrap().unwrap();
        assert!(file.exists());
        drop(pages);
        let mut walked: Vec<i64> = first
            .nodes
            .iter()
            .chain(&second.nodes)
            .map(|i| i.id)
            .collect();

        // Another query may not resume from it.
        let other = client
            .walk(ITEMS_QUERY)
            .variable("x", 1)
            .page_size(30)
            .checkpoint(&file);
        let error = ids(other).await.unwrap_err();
        assert!(
            matches!(error, ClientError::CheckpointRefused { .. }),
            "{error}"
        );
        assert!(file.exists());

        let rest: Vec<_> = walk().pages::<Item>().try_collect().await.unwrap();
        assert_eq!(
            rest[0].number, 2,
            "resumed at page 2, handed on but not confirmed"
        );
        walked.extend(rest.iter().flat_map(|p| p.nodes.iter().map(|i| i.id)));
        let mut expected: Vec<i64> = (1..=60).collect();
        expected.extend(31..=ITEMS);
        assert_eq!(walked, expected, "page 2 repeated once, nothing skipped");
        assert!(
            !file.exists(),
            "the checkpoint of a completed walk is removed"
        );
        let _ = std::fs::remove_dir(&dir);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_up_walks_finish_nested_connections() {
    bounded(async {
        let server = FaultServer::start().await;
        let client = server.client("a").build().unwrap();
        let outer = "query($first: Int, $after: String) {
          groups(first: $first, after: $after) {
            nodes { id items(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }
            pageInfo { hasNextPage endCursor }
          }
        }";
        let inner = "query($id: Int!, $first: Int, $after: String) {
          group(id: $id) { items(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }
        }";
        let groups: Vec<Value> = client.walk(outer).page_size(4).nodes().try_collect().await.unwrap();
        assert_eq!(groups.len(), 6);
        let mut follow_ups = 0;
        for group in &groups {
            let mut items: Vec<i64> = group["items"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_i64().unwrap()).collect();
            if let Some(rest) = client.follow_up(group, "items", inner).unwrap() {
                follow_ups += 1;
                items.extend(ids(rest.page_size(2)).await.unwrap());
            }
            let id = group["id"].as_i64().unwrap();
            let expected: Vec<i64> = group_items(id).iter().map(|i| i.id).collect();
            assert_eq!(items, expected, "group {id}");
        }
        assert_eq!(follow_ups, 6, "every group has more than 2 items");
    })
    .await;
}

/// The reference model of a walk interrupted `stops` times (run `i` takes
/// `stops[i]` pages, then the consumer drops the stream), then run to the
/// end: page `p` handed on is recorded only when page `p + 1` is asked for,
/// so each interrupted run's last page comes again in the next run. Returns
/// the rows in the order they arrive.
fn model_of_interrupted_walks(size: usize, stops: &[usize]) -> Vec<i64> {
    let pages: Vec<Vec<i64>> = all_items().chunks(size).map(<[i64]>::to_vec).collect();
    let (mut out, mut at) = (Vec::new(), 0);
    for &stop in stops {
        let taken = stop.min(pages.len() - at);
        out.extend(pages[at..at + taken].iter().flatten());
        if taken < stop {
            // The stream ended within the run: the walk completed.
            return out;
        }
        at += stop - 1;
    }
    out.extend(pages[at..].iter().flatten());
    out
}

#[test]
fn interrupted_walks_with_checkpoints_match_the_model() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(FaultServer::start());
    let dir = std::env::temp_dir().join(format!("keypage-client-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let started = Instant::now();
    let strategy = (
        1usize..=100,
        prop::collection::vec(1usize..=6, 0..5),
        prop::collection::vec(any::<bool>(), 0..12),
    );
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let case = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&strategy, |(size, stops, failures)| {
            let lane = format!(
                "model-{}",
                case.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            // Transient 500s here and there change nothing.
            server.plan(
                &lane,
                failures
                    .iter()
                    .map(|fail| fail.then(|| Fault::Status(500, None))),
            );
            let file = dir.join(format!("{lane}.checkpoint"));
            let retries = RetryPolicy {
                max_retries: 20,
                base_delay: Duration::from_millis(1),
                ..fast_retries()
            };
            let client = Client::builder(&server.url)
                .header("x-lane", &lane)
                .retry(retries)
                .build()
                .unwrap();
            let walk = || {
                client
                    .walk(ITEMS_QUERY)
                    .page_size(size as u32)
                    .checkpoint(&file)
            };
            let walked = runtime.block_on(async {
                let mut walked = Vec::new();
                for &stop in &stops {
                    let mut pages = std::pin::pin!(walk().pages::<Item>());
                    let mut taken = 0;
                    while taken < stop {
                        match pages.next().await {
                            Some(page) => walked.extend(page.unwrap().nodes.iter().map(|i| i.id)),
                            None => return walked,
                        }
                        taken += 1;
                    }
                }
                walked.extend(ids(walk()).await.unwrap());
                walked
            });
            prop_assert_eq!(walked, model_of_interrupted_walks(size, &stops));
            prop_assert!(!file.exists(), "the completed walk's checkpoint is removed");
            Ok(())
        })
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(started.elapsed() < BUDGET, "took {:?}", started.elapsed());
}

/// The export example against this server: a partial page is reported on
/// stderr with its path and the walk goes on (exit 0), a 429 is waited out,
/// a null `endCursor` is fatal (exit 1, one message).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_reports_partial_pages_and_goes_on() {
    bounded(async {
        let server = FaultServer::start().await;
        let url = server.url.clone();
        let dir = std::env::temp_dir().join(format!(
            "keypage-client-export-faults-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let query = dir.join("items.graphql");
        std::fs::write(&query, ITEMS_QUERY).unwrap();
        let export = |lane: &'static str| {
            let (url, query) = (url.clone(), query.clone());
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(export_binary::export_binary())
                    .args([
                        "--url",
                        &url,
                        "--query",
                        query.to_str().unwrap(),
                        "--header",
                        &format!("x-lane: {lane}"),
                    ])
                    .output()
                    .unwrap()
            })
        };

        server.plan(
            "a",
            [
                None,
                Some(Fault::Partial),
                Some(Fault::Status(429, Some("1".into()))),
            ],
        );
        let output = export("a").await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains("page 2: partial data: item 4 is unavailable (at items.nodes.3)"),
            "{stderr}"
        );
        assert!(stderr.contains("retry 1 in 1.0s: HTTP 429"), "{stderr}");
        assert!(stderr.contains("done: 249 rows, 3 pages, "), "{stderr}");
        let ids: Vec<i64> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        let expected: Vec<i64> = all_items().into_iter().filter(|id| *id != 104).collect();
        assert_eq!(ids, expected);

        server.plan("b", [None, Some(Fault::NullEndCursor)]);
        let output = export("b").await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: page 2: `hasNextPage` is true but `endCursor` is null"),
            "{stderr}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}
