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

pub use keypage_macros::Paginate;
pub use keypage_runtime::{
    Cursor, CursorError, CursorReader, CursorValue, CursorWriter, Edge, KeySpec, Keyset,
    KeysetQuery, MAX_CURSOR_LEN, Nulls, OrderVisitor, OrderingSpec, Page, PageArgs, PageDirection,
    PageError, PageInfo, Paginate, SortOrder, Value, fingerprint, page_slice, paginate_slice,
    paginate_slice_by,
};

/// Not public API: what `#[derive(Paginate)]` expands to calls into here.
#[doc(hidden)]
pub mod __private {
    pub use core::cmp::Ordering;
    pub use core::fmt::Debug;
    pub use core::option::Option;
    pub use core::result::Result;
    pub use keypage_runtime::*;
    pub use std::string::String;
    pub use std::vec::Vec;
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
