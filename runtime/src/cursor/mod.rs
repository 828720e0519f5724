//! Cursors: the opaque strings clients hand back to ask for the next page.
//!
//! Wire format, version 1 (before base64, URL-safe alphabet, no padding):
//!
//! ```text
//! [version: u8 = 1][fingerprint: u32 little-endian][key values ...]
//! ```
//!
//! Each key value is self-delimiting (see [`CursorValue`]): integers as
//! zig-zag LEB128 varints (a millisecond timestamp takes 6 bytes, a small id
//! 1 or 2), strings length-prefixed, floats as their IEEE bits, `Option` as a
//! tag byte. The fingerprint binds the cursor to the type and ordering that
//! minted it. Cursors are opaque, not secret: they hold key values a client
//! could read by decoding them, and tampering only moves the position;
//! where a cursor must not be forged or must expire, sign it
//! (`CursorKeys`, feature `signed`).
//!
//! Cursors are bounded: each key type declares the most bytes its value
//! takes ([`CursorValue::MAX_ENCODED_LEN`]; text keys up to
//! [`MAX_TEXT_KEY_LEN`] bytes), an ordering's longest cursor follows from
//! its keys ([`max_cursor_len`], [`Cursor::MAX_LEN`]), and longer input is
//! refused before it is decoded. A row whose key is longer than its type
//! allows gets no cursor: [`Cursor::try_encode`] fails with [`KeyTooLong`].

mod bound;
mod codec;
#[cfg_attr(not(feature = "graphql"), allow(dead_code))]
pub(crate) mod pinned;
#[cfg(feature = "signed")]
mod signed;
mod value;

pub use bound::{FilterBinding, OVERHEAD as FILTER_BINDING_OVERHEAD};
pub use codec::{CursorReader, CursorWriter, MAX_CURSOR_LEN, VERSION, max_cursor_len};
#[cfg(feature = "signed")]
pub use signed::{
    CursorKeys, DEFAULT_TAG_LEN, MAX_TAG_LEN, MIN_SECRET_LEN, MIN_TAG_LEN, SigningKeyError,
};
pub use value::{CursorValue, MAX_TEXT_KEY_LEN, Value};

use crate::error::{CursorError, KeyTooLong};

/// A cursor type: the key values of one row in one ordering, and their
/// string form. The derive generates one per ordering (`ArticleCursor`,
/// `ArticleTitleCursor`, ...).
pub trait Cursor: Sized {
    /// The longest string [`decode`](Cursor::decode) accepts, in characters;
    /// longer input is refused with [`CursorError::TooLong`] before it is
    /// decoded. The derive computes it from the ordering's key types with
    /// [`max_cursor_len`] (34 for two `i64` keys); the default,
    /// [`MAX_CURSOR_LEN`], is the limit of [`CursorReader::open`].
    const MAX_LEN: usize = MAX_CURSOR_LEN;
    /// The compact, opaque string form, unchecked: for a row whose key is
    /// longer than its type allows (a text key over [`MAX_TEXT_KEY_LEN`]
    /// bytes) it is a cursor [`decode`](Cursor::decode) refuses. Pages are
    /// built with [`try_encode`](Cursor::try_encode).
    fn encode(&self) -> String;
    /// The string form, or which key is too long for one: every string it
    /// returns is one [`decode`](Cursor::decode) accepts. The derive checks
    /// each key against its type's
    /// [`MAX_ENCODED_LEN`](CursorValue::MAX_ENCODED_LEN); the default calls
    /// [`encode`](Cursor::encode) unchecked, right for hand-written types
    /// whose keys are all bounded (no text).
    ///
    /// # Errors
    ///
    /// [`KeyTooLong`], naming the key, when a key value takes more bytes
    /// than its type's maximum.
    #[inline]
    fn try_encode(&self) -> Result<String, KeyTooLong> {
        Ok(self.encode())
    }
    /// Parses a string from [`encode`](Cursor::encode); any other input is an
    /// error (never a panic), including a cursor of another ordering.
    fn decode(s: &str) -> Result<Self, CursorError>;
}
