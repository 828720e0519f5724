//! HTTP: GraphiQL at `GET /`, the GraphQL endpoint at `POST /` and `/graphql`.

use async_graphql::{BatchResponse, Executor, Response};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use keypage::sql::sqlx::FetchError;
use tokio::net::TcpListener;

/// The routes, over any async-graphql schema.
pub fn router<E: Executor>(schema: E) -> Router {
    Router::new()
        .route("/", get(graphiql).post(graphql::<E>))
        .route("/graphql", get(graphiql).post(graphql::<E>))
        .with_state(schema)
}

/// Executes a query (or a batch), and logs the cause of every `INTERNAL`
/// error before answering.
async fn graphql<E: Executor>(
    State(schema): State<E>,
    request: GraphQLBatchRequest,
) -> GraphQLResponse {
    let response = schema.execute_batch(request.into_inner()).await;
    match &response {
        BatchResponse::Single(one) => log_internal(one),
        BatchResponse::Batch(many) => many.iter().for_each(log_internal),
    }
    response.into()
}

/// Prints the cause of each `INTERNAL` error of `response` to stderr.
/// keypage answers a database failure (of a page, a `totalCount` or, here,
/// the authors' DataLoader) with only `internal error`, so no SQL reaches
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
        // shared reference (as the DataLoader's is).
        if let Some(cause) = error.source::<FetchError>() {
            eprintln!("internal error at {:?}: {cause}", error.path);
        } else if let Some(cause) = error.source::<String>() {
            eprintln!("internal error at {:?}: {cause}", error.path);
        }
    }
}

/// Serves `schema` on `listener` until the future is dropped or `shutdown` resolves.
pub async fn serve<E: Executor>(
    listener: TcpListener,
    schema: E,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(schema))
        .with_graceful_shutdown(shutdown)
        .await
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

async fn graphiql() -> Html<String> {
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
