//! Walking any server's Relay connection over HTTP (feature `client`): the
//! consumer's side of pagination, done once.
//!
//! A [`Client`] is an endpoint with its headers (bearer token, API key), a
//! [`RetryPolicy`] and a [`RateLimiter`]; [`Client::walk`] gives a [`Walk`]
//! of the connection a query selects, run as a `futures` stream of typed
//! [`Page`]s or nodes.
//!
//! - **Errors inside HTTP 200.** `errors` with no `data` ends the walk
//!   ([`ClientError::Graphql`], or [`ClientError::PageSizeRefused`] naming
//!   the size when the errors are about it); `data` with `errors` is a
//!   partial page, handled under the [`PartialPolicy`] the caller picks.
//! - **No endless walks.** `hasNextPage: true` with a null `endCursor`, and a
//!   cursor the walk has followed before, end it with an error.
//! - **Retries.** 429 and 503 wait as `Retry-After` says (seconds or an HTTP
//!   date), every walk of the limiter together; other 5xx, timeouts and
//!   dropped connections back off exponentially with full jitter; the count
//!   and time are bounded. Optionally, GitHub's `rateLimit { remaining
//!   resetAt }` makes every walk wait before the budget runs out.
//! - **Checkpoints.** [`Walk::checkpoint`]: at-least-once; a walk killed at
//!   any moment and resumed loses no row and repeats at most one page.
//! - **Several walks** on clones of one client share its limiter; nested
//!   connections are finished with [`Client::follow_up`].
//!
//! ```no_run
//! # async fn run() -> Result<(), keypage_runtime::client::ClientError> {
//! use futures_util::TryStreamExt as _;
//! use keypage_runtime::client::{Client, ErrorLog, PartialPolicy};
//!
//! #[derive(serde::Deserialize)]
//! struct Article { id: i64, title: String }
//!
//! let client = Client::new("http://127.0.0.1:8000/graphql")?;
//! let log = ErrorLog::new();
//! let mut pages = std::pin::pin!(client
//!     .walk("query($first: Int, $after: String, $order: ArticleOrder) {
//!         articles(first: $first, after: $after, orderBy: $order) {
//!             totalCount nodes { id title } pageInfo { hasNextPage endCursor } } }")
//!     .variable("order", "TITLE")
//!     .page_size(100)
//!     .checkpoint("articles.checkpoint")
//!     .on_partial(PartialPolicy::Collect(log.clone()))
//!     .pages::<Article>());
//! while let Some(page) = pages.try_next().await? {
//!     println!("page {}: {} of {:?}", page.number, page.nodes.len(), page.total_count);
//! }
//! # Ok(()) }
//! ```

mod checkpoint;
mod config;
mod error;
mod locate;
mod nested;
mod page;
mod rate_limit;
mod transport;
mod walker;

pub use config::{ErrorLog, PartialErrors, PartialPolicy, RetryPolicy};
pub use error::{ClientError, GraphqlError, PathSegment};
pub use page::{Page, PageInfo};
pub use rate_limit::RateLimiter;
pub use transport::{Client, ClientBuilder, RetryEvent};
pub use walker::Walk;
