//! async-graphql 7 integration (feature `graphql`): Relay connections with
//! validated arguments, coded errors and a lazy `totalCount`.
//!
//! With the feature on, `#[derive(Paginate)]` on `Article` also generates:
//!
//! * `impl async_graphql::connection::CursorType` for every cursor type
//!   (`ArticleCursor`, `ArticleTitleCursor`), with
//!   [`CursorError`](crate::CursorError) as the error;
//! * `ArticleOrder` as a GraphQL enum named `ArticleOrder`, one value
//!   per ordering (`DEFAULT`, or the `order_name`, and each
//!   `ordering(name = ..)`) described by its `order_by` keys; take it as an
//!   `orderBy: ArticleOrder` argument (`Option<ArticleOrder>`, `None` being
//!   the default ordering);
//! * `type ArticleConnection = keypage::graphql::Connection<Article>`: the
//!   GraphQL types `ArticleConnection` (`pageInfo`, `edges`, `nodes`,
//!   `totalCount`) and `ArticleEdge` (`cursor`, `node`);
//! * `Article::connection(order_by, args)`, a [`ConnectionRequest`] that a
//!   resolver finishes in one call: [`over_slice`](ConnectionRequest::over_slice)
//!   for an in-memory collection, `select` for a SQL table through a sqlx
//!   pool (with a SQL feature), [`fetch`](ConnectionRequest::fetch) for
//!   any data source, optionally with
//!   [`total_count`](ConnectionRequest::total_count) first.
//!
//! Every [`PageError`](crate::PageError) reaches the client as a GraphQL
//! error whose message names the argument and the allowed range, with
//! `extensions.code` one of `FIRST_AND_LAST`, `PAGE_SIZE_OUT_OF_RANGE`,
//! `OFFSET_OUT_OF_RANGE`, `INVALID_CURSOR`, `CURSOR_ORDER_MISMATCH`,
//! `CURSOR_FILTER_MISMATCH`, `KEY_TOO_LONG`, and `extensions.argument` the
//! argument at fault (see [`ErrorExtensions`](async_graphql::ErrorExtensions)
//! on `PageError` to convert one yourself). A database failure is only
//! `internal error`, code `INTERNAL`, its cause kept as the error's
//! `source` for the server's log; errors of your own data sources go
//! through [`IntoGraphqlError`], which has no blanket implementation for
//! `Display` types, so none of their text reaches the client by accident.
//!
//! The order enum derives async-graphql's own `Enum`, so it is an input and
//! an output type and can sit in input objects; its descriptions are the
//! enum's and the variants' docs.

mod connection;
mod error;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod nested;
mod params;
mod range;

pub use async_graphql;

pub use connection::{
    Connection, ConnectionName, ConnectionRequest, EdgeName, SharedCounts, TotalCount,
    TotalCountMode,
};
pub use error::IntoGraphqlError;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use nested::{ChildCounts, ChildKey, ChildPage, ChildPages, LoadOne, ParentKey};
pub use params::FromConnectionArgs;
