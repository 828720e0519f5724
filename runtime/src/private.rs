//! Not public API: every item the code `#[derive(Paginate)]` expands to
//! names, and nothing else, at a path versioned with this crate (the derive
//! builds the same name from its own version, and the two crates are pinned
//! to one exact version), as thiserror's `__private{PATCH}` and serde's
//! `__private` are.

pub use std::string::String;
pub use std::vec::Vec;

pub use crate::args::PageArgs;
pub use crate::cursor::{Cursor, CursorReader, CursorValue, CursorWriter, Value, max_cursor_len};
pub use crate::error::{CursorError, KeyTooLong, PageError};
pub use crate::filter::KeyColumn;
pub use crate::keyset::{Keyset, OrderVisitor, Paginate};
pub use crate::ordering::{KeySpec, Nulls, OrderingSpec, SortOrder, fingerprint};
pub use crate::page::Page;
pub use crate::slice::{paginate_slice, paginate_slice_by};
pub use crate::sql::Relation;

#[cfg(feature = "graphql")]
pub use crate::graphql::{Connection, ConnectionRequest, FromConnectionArgs};
// The order enum derives async-graphql's `Enum` with `crate = ` this path:
// users need no dependency on async-graphql of their own.
#[cfg(feature = "graphql")]
pub use async_graphql;

/// The sqlx items of `Article::table`, `fetch_page`, `fetch_page_by` and
/// `total_count`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod sqlx {
    pub use crate::sql::sqlx::{
        Acquire, Database, FetchError, FromRow, Select, SqlxDatabase, count, fetch_page,
        fetch_page_by,
    };
}

#[cfg(test)]
mod tests {
    /// The derive names this module from its own version, which the pins
    /// keep equal to this crate's: renaming it is part of a version bump.
    #[test]
    fn the_module_is_named_for_this_version() {
        let version = env!("CARGO_PKG_VERSION").replace('.', "_");
        let path = module_path!().trim_end_matches("::tests");
        assert!(
            path.ends_with(&format!("::__private_v{version}")),
            "{path} is not named for version {version}"
        );
    }
}
