//! Runtime support for [keypage](https://docs.rs/keypage): the cursor codec,
//! the ordering model, page arguments and page assembly.
//!
//! Depend on the `keypage` crate, not on this one: its derive generates the
//! code that calls into here, and it pins this crate's exact version.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The unit tests' fixtures derive with `crate = "keypage_runtime"`, as the
// integration tests and doc examples they are shared with must.
#[cfg(test)]
extern crate self as keypage_runtime;

mod args;
#[cfg(feature = "client")]
pub mod client;
pub mod cursor;
#[cfg(test)]
mod doc_support;
mod error;
mod filter;
#[cfg(feature = "graphql")]
pub mod graphql;
mod keyset;
mod ordering;
mod page;
mod query;
mod slice;
pub mod sql;

pub use args::{KeysetQuery, PageArgs, PageDirection};
pub use cursor::{
    Cursor, CursorReader, CursorValue, CursorWriter, MAX_CURSOR_LEN, MAX_TEXT_KEY_LEN, Value,
};
pub use error::{CursorError, KeyTooLong, PageError};
pub use filter::{KeyColumn, KeyRange};
pub use keyset::{Keyset, OrderVisitor, Paginate};
pub use ordering::{KeySpec, Nulls, OrderingSpec, SortOrder};
pub use page::{Edge, Page, PageInfo};
pub use query::AnyKeysetQuery;
pub use slice::{page_slice, paginate_slice, paginate_slice_by};

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private_v0_1_0;
