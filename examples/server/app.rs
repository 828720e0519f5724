//! HTTP: GraphiQL at `GET /`, the GraphQL endpoint at `POST /` and `/graphql`.

use async_graphql::Executor;
use async_graphql_axum::GraphQL;
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use tokio::net::TcpListener;

/// The routes, over any async-graphql schema.
pub fn router<E: Executor>(schema: E) -> Router {
    let graphql = GraphQL::new(schema);
    Router::new()
        .route("/", get(graphiql).post_service(graphql.clone()))
        .route("/graphql", get(graphiql).post_service(graphql))
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
