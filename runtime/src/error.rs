//! Typed errors. Messages name the argument at fault and the allowed range,
//! and never leak internals (no SQL, no Rust type paths), because they are
//! shown to API clients.

/// Why a cursor string was refused. Cursors come from clients, so every
/// malformed input lands here; decoding never panics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CursorError {
    /// The cursor is longer than any its ordering hands out
    /// ([`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN), derived from the key
    /// types; [`MAX_CURSOR_LEN`](crate::MAX_CURSOR_LEN) for
    /// [`CursorReader::open`](crate::CursorReader::open)); refused before any work.
    #[error("cursor is {len} characters long; at most {max} are allowed")]
    TooLong {
        /// The length received.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The cursor is empty.
    #[error("cursor is empty")]
    Empty,
    /// Not URL-safe base64 without padding.
    #[error("cursor is not valid: it is not URL-safe base64")]
    NotBase64,
    /// Minted by a format version this build does not read.
    #[error("cursor has format version {found}; this server reads version {expected}")]
    UnsupportedVersion {
        /// The version byte received.
        found: u8,
        /// The version this build reads.
        expected: u8,
    },
    /// Minted for another ordering or another type: paging with it would
    /// compare unrelated keys.
    #[error("cursor belongs to a different ordering or type than the one requested")]
    OrderingMismatch,
    /// The bytes do not hold the values the ordering needs.
    #[error("cursor is not valid: {0}")]
    Malformed(&'static str),
    /// A plain cursor where the server signs its cursors (`CursorKeys`,
    /// feature `signed`).
    #[error("cursor is not signed; pass a cursor this server handed out")]
    Unsigned,
    /// The signature does not match: the cursor was altered, or not signed
    /// by this server.
    #[error("cursor signature does not match; pass a cursor this server handed out")]
    BadSignature,
    /// Signed with a key the server no longer accepts (rotated out).
    #[error(
        "cursor was signed with key {key_id}, which this server no longer accepts; start again from the first page"
    )]
    RetiredKey {
        /// The id of the key it names.
        key_id: u8,
    },
    /// Bound to other filters than the request's (or to none, where the
    /// connection binds its cursors): a cursor of one filtered list reused
    /// with another ([`FilterBinding`](crate::cursor::FilterBinding)).
    #[error(
        "cursor was handed out under other filters than this request's; start again from the first page"
    )]
    FilterMismatch,
    /// A cursor without a stable walk's pin where the connection walks
    /// stably (`ConnectionRequest::stable`), or `after` and `before` of two
    /// different walks.
    #[error("cursor is not from this stable walk; start again from the first page")]
    Unpinned,
    /// Past the expiry it was signed with.
    #[error("cursor expired at {at} (Unix seconds); start again from the first page")]
    Expired {
        /// When it expired, in Unix seconds.
        at: u64,
    },
}

/// Why a row's cursor was not made: one of its key values is longer than a
/// cursor of its type holds (a text key over
/// [`MAX_TEXT_KEY_LEN`](crate::MAX_TEXT_KEY_LEN) bytes). Handing the cursor
/// out anyway would give the client one that is then refused, so the walk
/// could not get past the row; this error names the key instead.
///
/// ```
/// use keypage_runtime::{CursorWriter, KeyTooLong, MAX_TEXT_KEY_LEN};
/// let mut w = CursorWriter::new(7);
/// let err = w.write_key("title", &"é".repeat(MAX_TEXT_KEY_LEN)).unwrap_err();
/// // Twice the limit in bytes, behind a 3-byte length.
/// assert_eq!(err, KeyTooLong { key: "title", len: 3 + 2 * MAX_TEXT_KEY_LEN, max: 3 + MAX_TEXT_KEY_LEN });
/// assert_eq!(
///     err.to_string(),
///     "the key `title` of a row takes 65539 bytes in a cursor; at most 32771 fit"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the key `{key}` of a row takes {len} bytes in a cursor; at most {max} fit")]
pub struct KeyTooLong {
    /// The key's field name.
    pub key: &'static str,
    /// The bytes its value took in the cursor (for text: its length in
    /// UTF-8 plus a length prefix of up to 3 bytes).
    pub len: usize,
    /// The most its type takes,
    /// [`CursorValue::MAX_ENCODED_LEN`](crate::CursorValue::MAX_ENCODED_LEN).
    pub max: usize,
}

/// Why a page request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// `first` and `last` were both given. Relay allows it but its meaning is
    /// confusing; like GitHub, keypage refuses it.
    #[error("`first` and `last` cannot be given together; pass one of them")]
    FirstAndLast,
    /// `first` or `last` was negative or above the maximum. Never clamped:
    /// a client asking for 1000 rows must learn it gets at most 100.
    #[error("`{argument}` must be between 0 and {max}, got {value}")]
    PageSizeOutOfRange {
        /// `"first"` or `"last"`.
        argument: &'static str,
        /// The value received.
        value: i64,
        /// The largest allowed value.
        max: u32,
    },
    /// `offset` was negative or above the row type's `max_offset`. Never
    /// clamped, as page sizes are not.
    #[error("`offset` must be between 0 and {max}, got {value}")]
    OffsetOutOfRange {
        /// The value received.
        value: i64,
        /// The largest allowed value (`Paginate::MAX_OFFSET`).
        max: u32,
    },
    /// `after` or `before` could not be decoded.
    #[error("`{argument}` is not a valid cursor: {source}")]
    InvalidCursor {
        /// `"after"` or `"before"`.
        argument: &'static str,
        /// What was wrong with it.
        #[source]
        source: CursorError,
    },
    /// A row of the page has a key value too long for a cursor (see
    /// [`KeyTooLong`]): the page is refused rather than handing out a
    /// cursor that would be refused in turn.
    #[error(transparent)]
    KeyTooLong(#[from] KeyTooLong),
}

impl PageError {
    /// A stable machine-readable code, e.g. for GraphQL `extensions.code`.
    ///
    /// ```
    /// assert_eq!(keypage_runtime::PageError::FirstAndLast.code(), "FIRST_AND_LAST");
    /// ```
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// [`code`](Self::code), from the table of codes.
    pub(crate) fn error_code(&self) -> Code {
        match self {
            PageError::FirstAndLast => Code::FirstAndLast,
            PageError::PageSizeOutOfRange { .. } => Code::PageSizeOutOfRange,
            PageError::OffsetOutOfRange { .. } => Code::OffsetOutOfRange,
            PageError::InvalidCursor { source, .. } => source.code(),
            PageError::KeyTooLong(_) => Code::KeyTooLong,
        }
    }

    /// The argument at fault (`first`, `last`, `after`, `before`), if one is.
    pub fn argument(&self) -> Option<&'static str> {
        match self {
            PageError::FirstAndLast | PageError::KeyTooLong(_) => None,
            PageError::OffsetOutOfRange { .. } => Some("offset"),
            PageError::PageSizeOutOfRange { argument, .. }
            | PageError::InvalidCursor { argument, .. } => Some(argument),
        }
    }
}

impl CursorError {
    /// The code of a cursor refused for this reason.
    pub(crate) fn code(&self) -> Code {
        match self {
            CursorError::OrderingMismatch => Code::CursorOrderMismatch,
            CursorError::FilterMismatch => Code::CursorFilterMismatch,
            _ => Code::InvalidCursor,
        }
    }
}

/// Every machine-readable code keypage gives an error (GraphQL
/// `extensions.code`), in one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Which codes are given depends on the features (`graphql`, the SQL ones).
#[allow(dead_code)]
pub(crate) enum Code {
    FirstAndLast,
    PageSizeOutOfRange,
    OffsetOutOfRange,
    InvalidCursor,
    CursorOrderMismatch,
    CursorFilterMismatch,
    KeyTooLong,
    InvalidRange,
    TotalCountUnavailable,
    TotalCountOutOfRange,
    Internal,
}

impl Code {
    /// The code as clients read it.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Code::FirstAndLast => "FIRST_AND_LAST",
            Code::PageSizeOutOfRange => "PAGE_SIZE_OUT_OF_RANGE",
            Code::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            Code::InvalidCursor => "INVALID_CURSOR",
            Code::CursorOrderMismatch => "CURSOR_ORDER_MISMATCH",
            Code::CursorFilterMismatch => "CURSOR_FILTER_MISMATCH",
            Code::KeyTooLong => "KEY_TOO_LONG",
            Code::InvalidRange => "INVALID_RANGE",
            Code::TotalCountUnavailable => "TOTAL_COUNT_UNAVAILABLE",
            Code::TotalCountOutOfRange => "TOTAL_COUNT_OUT_OF_RANGE",
            Code::Internal => "INTERNAL",
        }
    }
}
