//! Page arguments (`first`/`after`/`last`/`before`) and their validation.

use crate::error::PageError;
use crate::keyset::{Keyset, Paginate};

/// The four Relay connection arguments, as a client sent them.
///
/// `first`/`last` are `i32` because GraphQL's `Int` is 32-bit.
///
/// ```
/// let args = keypage_runtime::PageArgs { first: Some(10), ..Default::default() };
/// assert_eq!(args, keypage_runtime::PageArgs::first(10));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageArgs {
    /// Take the first N rows of the window.
    pub first: Option<i32>,
    /// The window starts strictly after this cursor.
    pub after: Option<String>,
    /// Take the last N rows of the window.
    pub last: Option<i32>,
    /// The window ends strictly before this cursor.
    pub before: Option<String>,
}

impl PageArgs {
    /// `first: n`.
    pub fn first(n: i32) -> Self {
        PageArgs {
            first: Some(n),
            ..Self::default()
        }
    }

    /// `last: n`.
    pub fn last(n: i32) -> Self {
        PageArgs {
            last: Some(n),
            ..Self::default()
        }
    }

    /// Sets `after`.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Sets `before`.
    pub fn before(mut self, cursor: impl Into<String>) -> Self {
        self.before = Some(cursor.into());
        self
    }

    /// Validates the arguments for the ordering `K`: page size within
    /// `0..=MAX_PAGE_SIZE` (never clamped), not both `first` and `last`,
    /// cursors decoded and belonging to `K`'s ordering.
    pub fn validate<K: Keyset>(&self) -> Result<KeysetQuery<K>, PageError> {
        let max = <K::Row as Paginate>::MAX_PAGE_SIZE;
        let (direction, limit) = match (self.first, self.last) {
            (Some(_), Some(_)) => return Err(PageError::FirstAndLast),
            (Some(n), None) => (PageDirection::Forward, check_size("first", n, max)?),
            (None, Some(n)) => (PageDirection::Backward, check_size("last", n, max)?),
            (None, None) => (
                PageDirection::Forward,
                <K::Row as Paginate>::DEFAULT_PAGE_SIZE,
            ),
        };
        Ok(KeysetQuery {
            after: decode_arg("after", self.after.as_deref())?,
            before: decode_arg("before", self.before.as_deref())?,
            direction,
            limit,
        })
    }
}

fn check_size(argument: &'static str, value: i32, max: u32) -> Result<u32, PageError> {
    u32::try_from(value)
        .ok()
        .filter(|&n| n <= max)
        .ok_or(PageError::PageSizeOutOfRange {
            argument,
            value: i64::from(value),
            max,
        })
}

fn decode_arg<K: Keyset>(
    argument: &'static str,
    raw: Option<&str>,
) -> Result<Option<K>, PageError> {
    raw.map(|s| K::decode(s).map_err(|source| PageError::InvalidCursor { argument, source }))
        .transpose()
}

/// Which end of the window a page is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageDirection {
    /// `first`: the first rows of the window.
    Forward,
    /// `last`: the last rows of the window.
    Backward,
}

/// Validated page arguments for the ordering `K`: what every backend pages by.
#[derive(Debug, Clone, PartialEq)]
pub struct KeysetQuery<K> {
    /// The window's rows are strictly after this key.
    pub after: Option<K>,
    /// The window's rows are strictly before this key.
    pub before: Option<K>,
    /// Which end of the window to take.
    pub direction: PageDirection,
    /// How many rows at most.
    pub limit: u32,
}
