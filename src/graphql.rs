//! async-graphql 7 integration (feature `graphql`): Relay connections with
//! validated arguments, coded errors and a lazy `totalCount`.
//!
//! With the feature on, `#[derive(Paginate)]` on `Article` also generates:
//!
//! * `impl async_graphql::connection::CursorType` for every cursor type
//!   (`ArticleCursor`, `ArticleTitleCursor`), with
//!   [`CursorError`](crate::CursorError) as the error;
//! * `ArticleOrder` as a GraphQL enum named `ArticleOrder` (async-graphql's
//!   own `Enum` derive, so an input and an output type that can sit in input
//!   objects), one value per ordering (`DEFAULT`, or the `order_name`, and
//!   each `ordering(name = ..)`) described by its `order_by` keys; take it
//!   as an `orderBy: ArticleOrder` argument (`Option<ArticleOrder>`, `None`
//!   being the default ordering);
//! * `type ArticleConnection = keypage::graphql::Connection<Article>`: the
//!   GraphQL types `ArticleConnection` (`pageInfo`, `edges`, `nodes`,
//!   `totalCount`) and `ArticleEdge` (`cursor`, `node`);
//! * `Article::connection(order_by, args)`, a [`ConnectionRequest`] that a
//!   resolver finishes in one call: [`over_slice`](ConnectionRequest::over_slice)
//!   for an in-memory collection, `select` for a SQL table through a sqlx
//!   pool (with a SQL feature), [`fetch`](ConnectionRequest::fetch) for any
//!   data source, optionally with
//!   [`total_count`](ConnectionRequest::total_count) first.
//!
//! [`#[keypage::connections]`](crate::connections), above `#[Object]`,
//! declares the Relay arguments for a resolver parameter marked
//! `#[connection]` and builds that request from them:
//!
//! ```
//! use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};
//! use keypage::graphql::ConnectionRequest;
//!
//! #[derive(keypage::Paginate, SimpleObject, Clone)]
//! #[paginate(order_by = "created_at desc, id desc")]
//! #[paginate(ordering(name = "TITLE", order_by = "title asc, id asc"))]
//! struct Article {
//!     #[paginate(unique)]
//!     id: i64,
//!     title: String,
//!     created_at: i64,
//! }
//!
//! struct Query;
//!
//! // `page` becomes `first`, `after`, `last`, `before` and `orderBy`.
//! #[keypage::connections]
//! #[Object]
//! impl Query {
//!     async fn articles(
//!         &self,
//!         ctx: &Context<'_>,
//!         #[connection] page: ConnectionRequest<Article>,
//!     ) -> async_graphql::Result<ArticleConnection> {
//!         page.over_slice(ctx.data_unchecked::<Vec<Article>>())
//!     }
//! }
//!
//! let articles: Vec<Article> = (1..=5)
//!     .map(|id| Article { id, title: format!("#{id}"), created_at: 100 + id })
//!     .collect();
//! let schema = Schema::build(Query, EmptyMutation, EmptySubscription).data(articles).finish();
//! let run = |query: &str| {
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     runtime.block_on(schema.execute(query)).into_result()
//! };
//!
//! let page = run("{ articles(first: 2) { nodes { id } pageInfo { hasNextPage } totalCount } }");
//! assert_eq!(
//!     page.unwrap().data,
//!     async_graphql::value!({ "articles": {
//!         "nodes": [{ "id": 5 }, { "id": 4 }],
//!         "pageInfo": { "hasNextPage": true },
//!         "totalCount": 5,
//!     }}),
//! );
//!
//! // Another ordering, and the next page after a cursor.
//! let end = run("{ articles(first: 2, orderBy: TITLE) { pageInfo { endCursor } } }").unwrap().data;
//! let end = end.into_json().unwrap()["articles"]["pageInfo"]["endCursor"].clone();
//! let next = run(&format!("{{ articles(first: 2, orderBy: TITLE, after: {end}) {{ nodes {{ title }} }} }}"));
//! assert_eq!(
//!     next.unwrap().data,
//!     async_graphql::value!({ "articles": { "nodes": [{ "title": "#3" }, { "title": "#4" }] } }),
//! );
//!
//! // Invalid arguments are GraphQL errors with a stable `extensions.code`.
//! let errors = run("{ articles(first: 1000) { totalCount } }").unwrap_err();
//! assert_eq!(errors[0].message, "`first` must be between 0 and 100, got 1000");
//! let code = errors[0].extensions.as_ref().and_then(|e| e.get("code")).cloned();
//! assert_eq!(code, Some(async_graphql::Value::from("PAGE_SIZE_OUT_OF_RANGE")));
//! ```
//!
//! Over a SQL table (features `sqlite`, `postgres`, `mysql`, and
//! `table = "..."` on the struct), `ConnectionRequest::select` takes the
//! pool and `Article::table()` with your own filters, and counts
//! `totalCount` with the same filters only when a query selects it: a
//! resolver body is
//! `page.select(ctx.data::<SqlitePool>()?, Article::table()).await`
//! (the README's GraphQL section has it whole, with a filter).
//!
//! Every [`PageError`](crate::PageError) reaches the client as a GraphQL
//! error whose message names the argument and the allowed range, with
//! `extensions.code` one of `FIRST_AND_LAST`, `PAGE_SIZE_OUT_OF_RANGE`,
//! `OFFSET_OUT_OF_RANGE`, `INVALID_CURSOR`, `CURSOR_ORDER_MISMATCH`,
//! `CURSOR_FILTER_MISMATCH`, `KEY_TOO_LONG`, `INVALID_RANGE`, and
//! `extensions.argument` the argument at fault (see
//! [`ErrorExtensions`](async_graphql::ErrorExtensions) on `PageError` to
//! convert one yourself). A database failure reaches the client as
//! `internal error` with code `INTERNAL`, never its SQL or driver text; the
//! cause is the error's `source`, for the server's log. Errors of your own
//! data sources go through [`IntoGraphqlError`], which has no blanket
//! implementation for `Display` types, so none of their text reaches the
//! client by accident.
//!
//! For another data source, [`ConnectionRequest::fetch`] hands the
//! validated query of the chosen ordering
//! ([`AnyKeysetQuery`](crate::ordering::AnyKeysetQuery)) to an async
//! closure that returns a [`Page`](crate::Page); `totalCount` comes from
//! [`ConnectionRequest::total_count`], called only when a query selects
//! it. The items below are documented in full where they are defined.

pub use keypage_runtime::graphql::{
    Connection, ConnectionName, ConnectionRequest, EdgeName, FromConnectionArgs, IntoGraphqlError,
    SharedCounts, TotalCount, TotalCountMode, async_graphql,
};

/// Nested connections (a connection inside a list, every parent's page in
/// one statement), with a SQL feature: see [`ConnectionRequest::children`].
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use keypage_runtime::graphql::{
    ChildCounts, ChildKey, ChildPage, ChildPages, LoadOne, ParentKey,
};
