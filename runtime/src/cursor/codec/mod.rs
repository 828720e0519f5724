//! The byte-level codec under every generated cursor type: the layout's
//! constants and bounds here; URL-safe base64 ([`base64url`]), LEB128
//! varints ([`varint`]), the [`CursorWriter`] and the [`CursorReader`] in
//! modules of their own.

mod base64url;
mod reader;
mod varint;
mod writer;

pub(in crate::cursor) use base64url::{decode_base64, decoded_len, encode_base64, encoded_len};
pub use reader::CursorReader;
pub(crate) use varint::{varint_len, varint_len_of};
#[cfg(feature = "signed")]
pub(in crate::cursor) use varint::{varint_u64, write_varint};
pub use writer::CursorWriter;

/// The cursor format version this build writes and reads.
pub const VERSION: u8 = 1;

/// The longest cursor string [`CursorReader::open`] accepts, in bytes, and
/// the default of [`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN) for cursor
/// types written by hand. Longer inputs are refused before they are decoded,
/// so a hostile client cannot make the server allocate or parse much.
///
/// Derived cursor types have a limit of their own, computed from their
/// ordering's key types by [`max_cursor_len`] and applied by
/// [`CursorReader::open_within`]: 34 characters for two `i64` keys, 43,715
/// for a `String` and an `i64` (text keys hold up to
/// [`MAX_TEXT_KEY_LEN`](crate::MAX_TEXT_KEY_LEN) bytes). 1024 characters
/// (768 bytes) hold up to 38 keys of the built-in types other than `String`,
/// the longest of which (`Option<i128>`) takes 20 bytes.
pub const MAX_CURSOR_LEN: usize = 1024;

/// The version byte and the fingerprint.
const HEADER: usize = 5;

/// Cursors up to this many bytes (before base64; 85 characters) are built
/// and read in a buffer inside the writer/reader, without a heap allocation;
/// longer ones (long text keys) spill to a `Vec`.
const INLINE: usize = 64;

/// The longest LEB128 varint of a 64-bit integer.
const MAX_VARINT64: usize = 10;

/// Bytes kept after a reader's data, so that a varint can be decoded from a
/// fixed-size window without checking each byte against the end (and
/// base64 decoded a word at a time).
const PAD: usize = MAX_VARINT64;

/// The longest cursor string of an ordering whose keys take at most
/// `keys[i]` bytes each ([`CursorValue::MAX_ENCODED_LEN`](crate::CursorValue::MAX_ENCODED_LEN) of its key
/// types): the base64 length of the header and every key at its longest.
/// The derive makes it the ordering's [`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN),
/// the limit its `decode` passes to [`CursorReader::open_within`].
///
/// ```
/// use keypage_runtime::CursorValue;
/// use keypage_runtime::cursor::max_cursor_len;
/// // 5 header bytes + 10 + 10 = 25 bytes: 34 characters of base64.
/// assert_eq!(max_cursor_len(&[i64::MAX_ENCODED_LEN, i64::MAX_ENCODED_LEN]), 34);
/// // 5 + (3 + 32768) + 10 = 32786 bytes: 43715 characters.
/// assert_eq!(max_cursor_len(&[String::MAX_ENCODED_LEN, i64::MAX_ENCODED_LEN]), 43_715);
/// ```
pub const fn max_cursor_len(keys: &[usize]) -> usize {
    let mut bytes = HEADER;
    let mut i = 0;
    while i < keys.len() {
        bytes = bytes.saturating_add(keys[i]);
        i += 1;
    }
    // `encoded_len` without the overflow for absurd sums.
    bytes / 3 * 4 + (bytes % 3 * 4).div_ceil(3)
}
