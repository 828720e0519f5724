//! Stable walks: the pin a walk's first page takes (the largest value of a
//! monotonic key then, an insertion id, say), carried in every cursor of
//! the walk so each page keeps to the rows at or below it.
//!
//! # Wire format
//!
//! ```text
//! <plain cursor> "!" <the pin, as a one-value cursor of its own>
//! ```
//!
//! The pin is written by the cursor codec ([`CursorWriter`]) under a
//! fingerprint of its own, so its value is bounded and decoded as strictly
//! as a key's. Filter binding (`~`) and signing (`.`) wrap the pinned
//! cursor, so a signature covers the pin.

use super::{CursorReader, CursorValue, CursorWriter, Value, max_cursor_len};
use crate::error::{CursorError, KeyTooLong};
use crate::ordering::fingerprint;

/// Between the plain cursor and the pin: not a base64url character, so a
/// plain cursor never holds one.
const SEPARATOR: char = '!';
/// Marks a pin's bytes as a pin's.
const FINGERPRINT: u32 = fingerprint(&["keypage stable walk pin"]);

/// The characters a pin of type `T` adds to a cursor, at most.
pub(crate) const fn overhead<T: CursorValue>() -> usize {
    let keys = [T::MAX_ENCODED_LEN];
    1 + max_cursor_len(&keys)
}

/// `value`, of the key `field`, as a pin: one [`decode`] accepts, or the
/// key is too long for a cursor.
pub(crate) fn encode<T: CursorValue>(field: &'static str, value: &T) -> Result<String, KeyTooLong> {
    let mut w = CursorWriter::new(FINGERPRINT);
    w.write_key(field, value)?;
    Ok(w.finish())
}

/// The value of a pin written by [`encode`] for `T`, as SQL binds it.
pub(crate) fn decode<T: CursorValue>(pin: &str) -> Result<Value, CursorError> {
    let mut r = CursorReader::open_within(pin, FINGERPRINT, overhead::<T>() - 1)?;
    let value: T = r.read()?;
    r.finish()?;
    Ok(value.to_value())
}

/// The plain cursor and the pin of a pinned cursor.
pub(crate) fn split(cursor: &str) -> Result<(&str, &str), CursorError> {
    cursor.rsplit_once(SEPARATOR).ok_or(CursorError::Unpinned)
}

/// `cursor` carrying `pin`.
pub(crate) fn attach(cursor: &str, pin: &str) -> String {
    let mut out = String::with_capacity(cursor.len() + 1 + pin.len());
    out.push_str(cursor);
    out.push(SEPARATOR);
    out.push_str(pin);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_round_trip_and_refuse_what_they_did_not_write() {
        let pin = encode("id", &123_456_i64).unwrap();
        assert_eq!(decode::<i64>(&pin), Ok(Value::Int(123_456)));
        let pinned = attach("AZQPaeIf", &pin);
        assert_eq!(split(&pinned), Ok(("AZQPaeIf", pin.as_str())));
        assert!(pinned.len() <= "AZQPaeIf".len() + overhead::<i64>());
        assert_eq!(split("AZQPaeIf"), Err(CursorError::Unpinned));
        // A key cursor is not a pin, nor is a pin of another type.
        assert_eq!(
            decode::<i64>("AZQPaeIf"),
            Err(CursorError::OrderingMismatch)
        );
        assert!(decode::<i64>(&encode("title", &String::from("x")).unwrap()).is_err());
        // Every pin handed out is one that opens, or none is.
        let long = "é".repeat(crate::MAX_TEXT_KEY_LEN);
        assert!(encode("title", &long).is_err());
        let longest = "x".repeat(crate::MAX_TEXT_KEY_LEN);
        let pin = encode("title", &longest).unwrap();
        assert_eq!(decode::<String>(&pin), Ok(Value::Text(longest)));
        assert!(decode::<i64>(&"A".repeat(100)).is_err());
    }
}
