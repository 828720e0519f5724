//! sqlx integration (features `sqlite`, `postgres`, `mysql`): keyset
//! clauses pushed into a [`QueryBuilder`], pages fetched with exact
//! `pageInfo`, and `totalCount` as a separate, explicit query.
//!
//! Three levels, from the most to the least control:
//!
//! * [`QueryBuilder`] implements [`SqlWriter`](super::SqlWriter), so
//!   [`PagePlan::push_statement`](super::PagePlan::push_statement) writes a page's one statement around your
//!   own select list and `FROM`; run it yourself and call
//!   [`PagePlan::finish`](super::PagePlan::finish).
//! * [`Select`] runs the statement for you, with your filters pushed into
//!   every part of it (and into [`Select::count`]).
//! * [`fetch_page`] selects a `#[paginate(table = "...")]` type's columns
//!   from its table: what the derive's `Article::fetch_page` calls.
//!
//! ```
//! # fn main() {}
//! # #[cfg(feature = "sqlite")]
//! # async fn demo(pool: &sqlx::SqlitePool, author: i64, args: keypage_runtime::PageArgs) -> Result<(), keypage_runtime::sql::sqlx::FetchError> {
//! # use keypage_runtime as keypage;
//! # #[derive(Clone, Debug, keypage_macros::Paginate)]
//! # #[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
//! # #[paginate(crate = "keypage_runtime", order_by = "id desc", table = "articles")]
//! # struct Article { id: i64 }
//! # impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for Article {
//! #     fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
//! #         use sqlx::Row as _; Ok(Article { id: row.try_get("id")? })
//! #     }
//! # }
//! use keypage::sql::sqlx::Select;
//! let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
//!     .filter(move |qb| { qb.push("author_id = ").push_bind(author); });
//! let page = articles.fetch_page::<ArticleCursor, _>(pool, args.validate()?).await?;
//! let total = articles.count(pool).await?; // only when asked for
//! # let _ = (page, total); Ok(()) }
//! ```

/// Re-exported from sqlx for the bounds of generic code (and the derive).
pub use ::sqlx::{Acquire, Database, FromRow, QueryBuilder};

mod database;
mod error;
mod fetch;
mod select;
mod storage;

pub use database::SqlxDatabase;
pub use error::{FetchError, UnsupportedValue};
pub use fetch::{count, fetch_page, fetch_page_by};
#[cfg(feature = "graphql")]
pub(crate) use select::BoundFrom;
pub use select::{MAX_BATCH_PARENTS, Select, Total};
pub use storage::KeyStorageError;
