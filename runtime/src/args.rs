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
        self.validate_with_offset(None)
    }

    /// [`validate`](Self::validate), the page also passing over `offset`
    /// rows of the window first: from its start for `first` (or without
    /// `first`/`last`), from its end for `last`. The offset must be within
    /// `0..=MAX_OFFSET` (the attribute's `max_offset`, default 1,000): the
    /// database reads every row it passes over, so it is bounded, and never
    /// clamped.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::{PageArgs, page_slice};
    /// let rows: Vec<Row> = (1..=50).map(|id| Row { id }).collect();
    /// // Page 3 of 10 rows: rows 21 to 30.
    /// let query = PageArgs::first(10).validate_with_offset::<RowCursor>(Some(20)).unwrap();
    /// let page = page_slice(&rows, &query).unwrap();
    /// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), (21..=30).collect::<Vec<_>>());
    /// assert!(page.page_info.has_previous_page && page.page_info.has_next_page);
    /// // Then on by keyset, from the page's cursor.
    /// let err = PageArgs::first(10).validate_with_offset::<RowCursor>(Some(5_000)).unwrap_err();
    /// assert_eq!(err.to_string(), "`offset` must be between 0 and 1000, got 5000");
    /// assert_eq!(err.code(), "OFFSET_OUT_OF_RANGE");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate), and
    /// [`PageError::OffsetOutOfRange`].
    pub fn validate_with_offset<K: Keyset>(
        &self,
        offset: Option<i32>,
    ) -> Result<KeysetQuery<K>, PageError> {
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
        let max_offset = <K::Row as Paginate>::MAX_OFFSET;
        let offset = match offset {
            None => 0,
            Some(n) => u32::try_from(n).ok().filter(|&n| n <= max_offset).ok_or(
                PageError::OffsetOutOfRange {
                    value: i64::from(n),
                    max: max_offset,
                },
            )?,
        };
        Ok(KeysetQuery {
            after: decode_arg("after", self.after.as_deref())?,
            before: decode_arg("before", self.before.as_deref())?,
            direction,
            limit,
            offset,
        })
    }
}

impl PageArgs {
    /// The arguments with `after` and `before` each replaced by what
    /// `open` makes of it (given the argument's name, `after` first) (a cursor inside a signed or bound one), input
    /// longer than `max_len` characters refused first, with the argument
    /// named in the error.
    pub(crate) fn open_cursors<'a>(
        &'a self,
        max_len: usize,
        mut open: impl FnMut(&'static str, &'a str) -> Result<&'a str, crate::CursorError>,
    ) -> Result<PageArgs, PageError> {
        let mut open = |argument: &'static str, cursor: &'a Option<String>| {
            let Some(cursor) = cursor else {
                return Ok(None);
            };
            let invalid = |source| PageError::InvalidCursor { argument, source };
            if cursor.len() > max_len {
                return Err(invalid(crate::CursorError::TooLong {
                    len: cursor.len(),
                    max: max_len,
                }));
            }
            Ok(Some(open(argument, cursor).map_err(invalid)?.to_owned()))
        };
        let after = open("after", &self.after)?;
        let before = open("before", &self.before)?;
        Ok(PageArgs {
            first: self.first,
            after,
            last: self.last,
            before,
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
    /// How many rows of the window the page passes over first: from its
    /// start (`Forward`) or its end (`Backward`). 0 for a keyset page.
    pub offset: u32,
}
