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
//! could read by decoding them, and tampering only moves the position.

mod codec;
mod value;

pub use codec::{CursorReader, CursorWriter, MAX_CURSOR_LEN, VERSION};
pub use value::{CursorValue, Value};

use crate::error::CursorError;

/// A cursor type: the key values of one row in one ordering, and their
/// string form. The derive generates one per ordering (`ArticleCursor`,
/// `ArticleTitleCursor`, ...).
pub trait Cursor: Sized {
    /// The compact, opaque string form.
    fn encode(&self) -> String;
    /// Parses a string from [`encode`](Cursor::encode); any other input is an
    /// error (never a panic), including a cursor of another ordering.
    fn decode(s: &str) -> Result<Self, CursorError>;
}
