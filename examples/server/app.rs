//! HTTP: the GraphQL endpoint at `/graphql` (and `/`), GraphiQL for a
//! browser, and the transport's limits.
//!
//! * `POST` with `Content-Type: application/json`: one request
//!   (`{"query": ..., "variables": ..., "operationName": ...}`) or a batch
//!   (a JSON array of them, at most [`Limits::max_batch`], run one after the
//!   other). Any other content type is refused (`415`): a web page can POST
//!   `text/plain`, form or multipart bodies to any origin without asking,
//!   but not `application/json`.
//! * `GET /graphql?query=...&variables=...&operationName=...`: a query (not
//!   a mutation, `405`), as urql and other clients send it by default.
//!   `GET` without `query` from a browser asking for HTML
//!   (`Accept: text/html`): GraphiQL.
//! * Every connection: its request headers within
//!   [`Connections::header_timeout`] (and no longer idle between requests),
//!   at most [`Connections::max_open`] open at once.
//! * Every request: a body of at most [`Limits::body_bytes`] (`413`), done
//!   within [`Limits::request_timeout`] (`503`), at most
//!   [`Limits::max_in_flight`] at once (`503` beyond, at once rather than
//!   queued), at most [`Limits::max_aliases`] aliases in a document. The
//!   schema itself limits complexity and depth (`schema.rs`).
//!
//! Every refusal is a GraphQL error with a stable `extensions.code`
//! (`BAD_REQUEST`, `UNSUPPORTED_MEDIA_TYPE`, `BODY_TOO_LARGE`,
//! `METHOD_NOT_ALLOWED`, `BATCH_TOO_LARGE`, `TIMEOUT`, `OVERLOADED`,
//! `GRAPHQL_PARSE_FAILED`, `TOO_MANY_ALIASES`, `QUERY_TOO_COMPLEX`,
//! `QUERY_TOO_DEEP`, `TOO_MANY_DIRECTIVES`); refusals of the HTTP request
//! itself come with a 4xx or 5xx status, refusals of a query with 200, as
//! async-graphql answers other invalid queries.

use std::time::Duration;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Executor, Positioned, Response, ServerError, Variables};
use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{DefaultBodyLimit, FromRequest as _, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse as _};
use axum::routing::any;
use axum::{BoxError, Router};
use keypage::sql::sqlx::FetchError;
use serde::Deserialize;
use serde_json::{Value as Json, json};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

/// The transport's limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Longest a request may take, from its headers to its response
    /// (reading the body included).
    pub request_timeout: Duration,
    /// Most requests handled at once; more are refused, not queued.
    pub max_in_flight: usize,
    /// Most requests in one batch.
    pub max_batch: usize,
    /// Most aliases in one GraphQL document (each aliased `articles` is a
    /// page query and perhaps a `COUNT(*)`).
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 32 * 1024,
            request_timeout: Duration::from_secs(10),
            max_in_flight: 64,
            max_batch: 8,
            max_aliases: 10,
        }
    }
}

#[derive(Clone)]
struct App<E> {
    schema: E,
    limits: Limits,
}

/// The routes, over any async-graphql executor, with `limits`.
pub fn router<E: Executor>(schema: E, limits: Limits) -> Router {
    let timeout = limits.request_timeout;
    Router::new()
        .route("/", any(graphql::<E>))
        .route("/graphql", any(graphql::<E>))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(move |error: BoxError| async move {
                    layer_error(&error, timeout)
                }))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(limits.max_in_flight))
                .timeout(timeout),
        )
        .with_state(App { schema, limits })
}

/// How [`serve`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every connection was done before the deadline.
    Drained,
    /// The deadline passed with connections still open; they were dropped.
    Deadline,
}

/// The connections' limits, below the requests' ([`Limits`]): what a
/// client that opens connections and sends nothing (or a header a byte at
/// a time) can hold.
#[derive(Debug, Clone, Copy)]
pub struct Connections {
    /// Longest a connection may take to send a request's headers, and
    /// longest it may stay idle between requests; then it is closed. The
    /// request timeout only starts once the headers are in.
    pub header_timeout: Duration,
    /// Most connections open at once; more wait in the listener's backlog.
    pub max_open: usize,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            header_timeout: Duration::from_secs(10),
            max_open: 1024,
        }
    }
}

/// Serves `router` on `listener` with `connections`' limits until
/// `shutdown` resolves, then stops accepting connections and waits for the
/// requests in flight, at most `deadline`.
///
/// hyper's own connection loop rather than `axum::serve`, which sets no
/// timer, so a connection that never finishes its headers is held forever.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    connections: Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
    deadline: Duration,
) -> std::io::Result<Stopped> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt as _;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = std::sync::Arc::new(tokio::sync::Semaphore::new(connections.max_open));
    let mut tasks = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // A connection that failed before it was accepted is the
                // client's; anything else (out of file descriptors) passes
                // with time, as axum::serve does it.
                Err(e) if is_connection_error(&e) => continue,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(|request: Request<hyper::body::Incoming>| request.map(Body::new));
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(connections.header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tasks.spawn(async move {
            // A connection's I/O errors end that connection only.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => Ok(Stopped::Drained),
        () = tokio::time::sleep(deadline) => {
            tasks.abort_all();
            Ok(Stopped::Deadline)
        }
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// A refusal as a JSON GraphQL response with one error.
fn refusal(status: StatusCode, code: &str, message: &str) -> axum::response::Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The timeout's and the concurrency limit's errors.
fn layer_error(error: &BoxError, timeout: Duration) -> axum::response::Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "TIMEOUT",
            &format!("the request took longer than {} s", timeout.as_secs_f64()),
        )
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "OVERLOADED",
            "too many requests at once; try again",
        )
    } else {
        eprintln!("internal error in the HTTP layers: {error}");
        refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
        )
    }
}

/// A GraphQL error with `code`, as the response to one request.
fn query_refusal(message: String, code: &str) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    Response::from_errors(vec![error])
}

/// `GET` parameters (GraphQL over HTTP's names).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

/// Executes a query (or a batch, one request after the other), or serves
/// GraphiQL, or refuses.
async fn graphql<E: Executor>(
    State(app): State<App<E>>,
    request: Request,
) -> axum::response::Response {
    let (requests, batch) = match *request.method() {
        Method::GET => {
            let html = accepts(request.headers(), "text/html");
            match get_request(&request) {
                Ok(Some(one)) => (vec![one], false),
                Ok(None) if html => return graphiql().into_response(),
                Ok(None) => {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        "BAD_REQUEST",
                        "a GET request needs a `query` parameter (GraphiQL is served to \
                         `Accept: text/html`)",
                    );
                }
                Err(refused) => return refused,
            }
        }
        Method::POST => match post_requests(request, &app.limits).await {
            Ok(requests) => requests,
            Err(refused) => return refused,
        },
        _ => {
            let mut refused = refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "GraphQL is served to GET and POST",
            );
            refused
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
            return refused;
        }
    };
    let get = !batch && requests.len() == 1 && requests[0].1;
    let mut responses = Vec::with_capacity(requests.len());
    for (mut request, _) in requests {
        let response = match check(&mut request, &app.limits, get) {
            Check::Run => app.schema.execute(request).await,
            Check::Refuse(response) => response,
            Check::Http(refused) => return refused,
        };
        let response = with_limit_codes(response);
        log_internal(&response);
        responses.push(response);
    }
    let body = if batch {
        serde_json::to_string(&responses)
    } else {
        serde_json::to_string(&responses[0])
    };
    let Ok(body) = body else {
        return refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal error",
        );
    };
    let mut response = axum::response::Response::new(Body::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The GraphQL request of a `GET`, `None` without a `query` parameter.
/// (The `bool` marks it as sent by `GET`, where only queries run.)
#[allow(clippy::result_large_err)]
fn get_request(
    request: &Request,
) -> Result<Option<(async_graphql::Request, bool)>, axum::response::Response> {
    let bad = |message: &str| refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", message);
    let Ok(Query(params)) = Query::<GetParams>::try_from_uri(request.uri()) else {
        return Err(bad(
            "the query string is not `query`, `variables`, `operationName`",
        ));
    };
    let Some(query) = params.query else {
        return Ok(None);
    };
    let mut one = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        one = one.operation_name(name);
    }
    if let Some(variables) = params.variables {
        match serde_json::from_str::<Json>(&variables) {
            Ok(variables @ (Json::Object(_) | Json::Null)) => {
                one = one.variables(Variables::from_json(variables));
            }
            _ => return Err(bad("`variables` is not a JSON object")),
        }
    }
    Ok(Some((one, true)))
}

type Requests = (Vec<(async_graphql::Request, bool)>, bool);

/// The GraphQL request (or batch) of a `POST`.
async fn post_requests(
    request: Request,
    limits: &Limits,
) -> Result<Requests, axum::response::Response> {
    let bad = |message: String| refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message);
    if !is_json(request.headers()) {
        return Err(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "a POST body must be `Content-Type: application/json`",
        ));
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_))) => {
            return Err(refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BODY_TOO_LARGE",
                &format!("the body is larger than {} bytes", limits.body_bytes),
            ));
        }
        Err(_) => return Err(bad("the body could not be read".to_owned())),
    };
    let json: Json =
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let parse = |json: Json| {
        serde_json::from_value::<async_graphql::Request>(json)
            .map(|one| (one, false))
            .map_err(|e| format!("not a GraphQL request: {e}"))
    };
    match json {
        Json::Array(many) => {
            if many.len() > limits.max_batch {
                return Err(refusal(
                    StatusCode::BAD_REQUEST,
                    "BATCH_TOO_LARGE",
                    &format!(
                        "a batch of {} requests, at most {} are allowed",
                        many.len(),
                        limits.max_batch
                    ),
                ));
            }
            if many.is_empty() {
                return Err(bad("an empty batch".to_owned()));
            }
            let mut requests = Vec::with_capacity(many.len());
            for (i, one) in many.into_iter().enumerate() {
                requests.push(parse(one).map_err(|e| bad(format!("batch item {i}: {e}")))?);
            }
            Ok((requests, true))
        }
        one => Ok((vec![parse(one).map_err(bad)?], false)),
    }
}

enum Check {
    Run,
    Refuse(Response),
    Http(axum::response::Response),
}

/// The checks on the parsed document (parsed once: async-graphql executes
/// the document parsed here): the alias cap, and queries only over `GET`.
/// Done here rather than in a schema extension, which would cost every field
/// of every query a trip through the extension chain.
fn check(request: &mut async_graphql::Request, limits: &Limits, get: bool) -> Check {
    let operation_name = request.operation_name.clone();
    let document = match request.parsed_query() {
        Ok(document) => document,
        Err(error) => {
            return Check::Refuse(query_refusal(error.message, "GRAPHQL_PARSE_FAILED"));
        }
    };
    let aliases = count_aliases(document);
    if aliases > limits.max_aliases {
        return Check::Refuse(query_refusal(
            format!(
                "the query has {aliases} aliases, at most {} are allowed",
                limits.max_aliases
            ),
            "TOO_MANY_ALIASES",
        ));
    }
    if get {
        let operation = match (&document.operations, operation_name.as_deref()) {
            (DocumentOperations::Single(op), _) => Some(op),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
            (DocumentOperations::Multiple(_), None) => None,
        };
        if operation.is_some_and(|op| op.node.ty != OperationType::Query) {
            let mut refused = refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "only queries run over GET; POST mutations",
            );
            refused
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return Check::Http(refused);
        }
    }
    Check::Run
}

/// The aliases written in `document` (in its operations and fragments).
fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(inline) => in_set(&inline.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|fragment| in_set(&fragment.node.selection_set))
        .sum();
    operations + fragments
}

/// Adds `extensions.code` to async-graphql's own limit errors, which have
/// only a message.
fn with_limit_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        if error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some())
        {
            continue;
        }
        let message = error.message.as_str();
        let code = if message == "Query is too complex." {
            "QUERY_TOO_COMPLEX"
        } else if message == "Query is nested too deep."
            || message.starts_with("The recursion depth of the query cannot be greater than")
        {
            "QUERY_TOO_DEEP"
        } else if message.starts_with("The number of directives on the field") {
            "TOO_MANY_DIRECTIVES"
        } else {
            continue;
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    response
}

/// Whether the `Content-Type` is `application/json` (any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether `Accept` names `media_type`.
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| item.split(';').next())
        .any(|item| item.trim().eq_ignore_ascii_case(media_type))
}

/// Prints the cause of each `INTERNAL` error of `response` to stderr.
/// keypage answers a database failure (of a page, a `totalCount` or, here,
/// the authors' batch) with only `internal error`, so no SQL reaches
/// the client, and keeps the failure as the error's source: this is where
/// the server's operator gets to see it. Done here rather than in a schema
/// extension: any extension makes async-graphql run every field of every
/// query through the extension chain (about a fifth more instructions for a
/// 50-article page, measured in `benches/graphql.rs`).
fn log_internal(response: &Response) {
    for error in &response.errors {
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        if code != Some(&async_graphql::Value::from("INTERNAL")) {
            continue;
        }
        // The `FetchError` itself, or its text when it was converted from a
        // shared reference (as the authors' batch's is).
        if let Some(cause) = error.source::<FetchError>() {
            eprintln!("internal error at {:?}: {cause}", error.path);
        } else if let Some(cause) = error.source::<String>() {
            eprintln!("internal error at {:?}: {cause}", error.path);
        }
    }
}

/// A sample query, shown in GraphiQL and printed on start.
pub const SAMPLE_QUERY: &str = "\
{
  articles(first: 5, orderBy: NEWEST) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id title createdAt author { name } } }
  }
}";

fn graphiql() -> Html<String> {
    // GraphiQL from a CDN: the page is the only thing the browser fetches elsewhere.
    let query = serde_json::to_string(SAMPLE_QUERY).unwrap_or_default();
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>keypage example</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css">
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"></script>
</head>
<body>
  <div id="graphiql">Loading GraphiQL… (POST GraphQL queries to /graphql)</div>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: window.location.origin + "/graphql" }});
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery: {query} }})
    );
  </script>
</body>
</html>
"#
    ))
}
