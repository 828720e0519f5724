//! # keypage
//!
//! Correct, fast keyset pagination for GraphQL Relay connections, derived
//! from one annotated struct.
//!
//! ```
//! #[derive(keypage::Paginate)]
//! #[paginate(order_by = "created_at desc, id desc")]
//! struct Article {
//!     #[paginate(unique)]
//!     id: i64,
//!     title: String,
//!     created_at: i64,
//! }
//!
//! let rows: Vec<Article> = (1..=5)
//!     .map(|id| Article { id, title: format!("#{id}"), created_at: 100 + id / 2 })
//!     .collect();
//! let page = Article::paginate_slice(&rows, &keypage::PageArgs::first(2)).unwrap();
//! assert_eq!(page.nodes().map(|a| a.id).collect::<Vec<_>>(), [5, 4]);
//! assert!(page.page_info.has_next_page);
//!
//! let after = page.page_info.end_cursor.unwrap();
//! let next = Article::paginate_slice(&rows, &keypage::PageArgs::first(2).after(after)).unwrap();
//! assert_eq!(next.nodes().map(|a| a.id).collect::<Vec<_>>(), [3, 2]);
//! ```
//!
//! See the README for the attribute reference.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub use keypage_macros::Paginate;
/// The connection arguments of a resolver, as one parameter (feature
/// `graphql`): see [`graphql`].
#[cfg(feature = "graphql")]
pub use keypage_macros::connections;
pub use keypage_runtime::{
    Cursor, CursorError, CursorValue, Edge, KeyColumn, KeyRange, KeyTooLong, Keyset, KeysetQuery,
    MAX_TEXT_KEY_LEN, Page, PageArgs, PageDirection, PageError, PageInfo, Paginate, page_slice,
    paginate_slice, paginate_slice_by,
};

/// The cursor format, for a [`CursorValue`] of your own key type (it writes
/// and reads its value with [`CursorWriter`](cursor::CursorWriter) and
/// [`CursorReader`](cursor::CursorReader), and binds as a
/// [`Value`](cursor::Value)), and cursors bound to the filters they were
/// minted under ([`FilterBinding`](cursor::FilterBinding): see the README's
/// "Range filters").
pub mod cursor {
    pub use keypage_runtime::cursor::{
        CursorReader, CursorWriter, FilterBinding, MAX_CURSOR_LEN, Value,
    };
}

/// The ordering model every backend reads: the derive's
/// [`OrderingSpec`](ordering::OrderingSpec)s of [`KeySpec`](ordering::KeySpec)s,
/// [`OrderVisitor`](ordering::OrderVisitor) for code generic over an
/// ordering chosen at run time, and
/// [`AnyKeysetQuery`](ordering::AnyKeysetQuery), the validated query of
/// such an ordering, for a data source of your own.
///
/// The words, each with one meaning: an *ordering* is a named total order,
/// a list of keys ending in a unique one (`OrderingSpec`); a key's *sort
/// order* is ascending or descending (`SortOrder`, [`KeySpec::sort_order`](ordering::KeySpec::sort_order));
/// the *order* a request asks for is a value of the type's order enum
/// (`ArticleOrder`, [`Paginate::Order`]), which names one ordering; a
/// page's *direction* is the end it is read from (`first`: forward, `last`:
/// backward, [`PageDirection`]); `order_by` is the attribute and the SQL
/// clause.
pub mod ordering {
    pub use keypage_runtime::{
        AnyKeysetQuery, KeySpec, Nulls, OrderVisitor, OrderingSpec, SortOrder,
    };
}

/// SQL rendering for every dialect, and (features `sqlite`, `postgres`,
/// `mysql`) the sqlx integration: `sql::sqlx::Select` for your own
/// queries (`Article::table()` starts one from the type's table), and the
/// derive's `Article::fetch_page(&pool, &args)`,
/// `Article::fetch_page_by(&pool, ArticleOrder::Title, &args)` and
/// `Article::total_count(&pool)` for a type with `#[paginate(table = "...")]`
/// that also derives `sqlx::FromRow`.
pub use keypage_runtime::sql;

#[cfg(feature = "graphql")]
pub mod graphql;

/// Signed cursors (feature `signed`): HMAC-SHA-256 tags under server keys,
/// key rotation and expiry. A resolver opts in with
/// `Article::connection(order_by, args).signed(&keys)`; other code with
/// [`CursorKeys::verify_args`](signed::CursorKeys::verify_args) and
/// [`CursorKeys::sign_page`](signed::CursorKeys::sign_page). See the
/// README's "Signed cursors".
#[cfg(feature = "signed")]
pub mod signed {
    pub use keypage_runtime::cursor::{
        CursorKeys, DEFAULT_TAG_LEN, MAX_TAG_LEN, MIN_SECRET_LEN, MIN_TAG_LEN, SigningKeyError,
    };
}

/// Walking any server's Relay connection over HTTP (feature `client`):
/// typed pages and nodes as a stream, retries under rate limits,
/// checkpoints to resume from. See the README's "Client" section.
#[cfg(feature = "client")]
pub use keypage_runtime::client;

/// Not public API: what `#[derive(Paginate)]` expands to calls into here,
/// at a path versioned with the crates (see the runtime's `private.rs`).
#[doc(hidden)]
pub use keypage_runtime::__private_v0_1_0;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
