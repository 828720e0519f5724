//! [`CursorWriter`]: a cursor's bytes, then its string.

use super::base64url::encode_base64;
use super::varint::{HIGH, spread_groups, write_varint};
use super::{HEADER, INLINE, MAX_VARINT64, VERSION};
use crate::cursor::CursorValue;
use crate::error::KeyTooLong;

/// Builds a cursor string: header first, then each key value in order.
///
/// ```
/// use keypage_runtime::{CursorReader, CursorWriter};
/// let mut w = CursorWriter::new(0xfeed);
/// w.write(&1_700_000_000_000_i64);
/// w.write(&42_i64);
/// let s = w.finish();
/// let mut r = CursorReader::open(&s, 0xfeed).unwrap();
/// assert_eq!(r.read::<i64>().unwrap(), 1_700_000_000_000);
/// assert_eq!(r.read::<i64>().unwrap(), 42);
/// r.finish().unwrap();
/// ```
#[derive(Debug)]
pub struct CursorWriter {
    // `pub(super)`: the varint tests look at the bytes written.
    /// The bytes while they fit.
    pub(super) inline: [u8; INLINE],
    pub(super) len: usize,
    /// All the bytes once they do not (then `inline` is unused).
    pub(super) heap: Vec<u8>,
}

impl CursorWriter {
    /// Starts a cursor of the ordering with this fingerprint.
    #[inline]
    pub fn new(fingerprint: u32) -> Self {
        let mut inline = [0; INLINE];
        inline[0] = VERSION;
        inline[1..HEADER].copy_from_slice(&fingerprint.to_le_bytes());
        CursorWriter {
            inline,
            len: HEADER,
            heap: Vec::new(),
        }
    }

    #[inline]
    fn extend(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if end <= INLINE && self.heap.is_empty() {
            self.inline[self.len..end].copy_from_slice(bytes);
            self.len = end;
        } else {
            self.spill(bytes);
        }
    }

    #[cold]
    #[inline(never)]
    fn spill(&mut self, bytes: &[u8]) {
        if self.heap.is_empty() {
            self.heap.reserve(2 * INLINE + bytes.len());
            self.heap.extend_from_slice(&self.inline[..self.len]);
        }
        self.heap.extend_from_slice(bytes);
    }

    /// Appends one key value.
    #[inline]
    pub fn write<T: CursorValue>(&mut self, value: &T) {
        value.write_to(self);
    }

    /// Appends the value of the key `key`, checking that it took at most
    /// [`T::MAX_ENCODED_LEN`](CursorValue::MAX_ENCODED_LEN) bytes: a longer
    /// one (a text key over [`MAX_TEXT_KEY_LEN`](crate::MAX_TEXT_KEY_LEN))
    /// would make a cursor that decoding refuses, so the error names the key
    /// instead.
    ///
    /// ```
    /// use keypage_runtime::{CursorWriter, MAX_TEXT_KEY_LEN};
    /// let mut w = CursorWriter::new(7);
    /// w.write_key("id", &42_i64).unwrap();
    /// let err = w.write_key("title", &"x".repeat(MAX_TEXT_KEY_LEN + 1)).unwrap_err();
    /// assert_eq!(err.key, "title");
    /// ```
    #[inline]
    pub fn write_key<T: CursorValue>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), KeyTooLong> {
        let start = self.written();
        value.write_to(self);
        let len = self.written() - start;
        if len <= T::MAX_ENCODED_LEN {
            Ok(())
        } else {
            Err(KeyTooLong {
                key,
                len,
                max: T::MAX_ENCODED_LEN,
            })
        }
    }

    /// The bytes written so far, header included.
    #[inline]
    fn written(&self) -> usize {
        if self.heap.is_empty() {
            self.len
        } else {
            self.heap.len()
        }
    }

    /// Appends one byte.
    #[inline]
    pub fn put_u8(&mut self, byte: u8) {
        self.extend(&[byte]);
    }

    /// Appends raw bytes (fixed-width values).
    #[inline]
    pub fn put_raw(&mut self, bytes: &[u8]) {
        self.extend(bytes);
    }

    /// Appends an unsigned LEB128 varint.
    #[inline]
    pub fn put_varint(&mut self, v: u128) {
        match u64::try_from(v) {
            Ok(v) => self.put_varint64(v),
            Err(_) => self.put_varint_slow(v),
        }
    }

    /// [`put_varint`](Self::put_varint) for integers of 64 bits or less (at
    /// most 10 bytes), written straight into the inline buffer while there is
    /// room. Up to three bytes, a byte at a time; longer ones (timestamps,
    /// large ids) branch-free: the low 56 bits are spread into eight 7-bit
    /// groups, one a byte, in three steps, and stored as one word with the
    /// continuation bits of all but the last byte needed set.
    #[inline(always)]
    pub(crate) fn put_varint64(&mut self, v: u64) {
        let len = self.len;
        if self.heap.is_empty()
            && let Some(out) = self.inline.get_mut(len..len + MAX_VARINT64)
        {
            if v < 1 << 21 {
                let (mut v, mut n) = (v, 0);
                while v >= 0x80 {
                    out[n] = v as u8 | 0x80;
                    v >>= 7;
                    n += 1;
                }
                out[n] = v as u8;
                self.len = len + n + 1;
                return;
            }
            let x = spread_groups(v);
            let (word, used) = if v >> 56 == 0 {
                // Up to the highest nonzero group, and at least one byte.
                let zeros = (x | 1).leading_zeros() / 8;
                let more = HIGH & (u64::MAX >> (8 * zeros) >> 8);
                (x | more, 8 - zeros as usize)
            } else {
                // Bits 56 to 62 in a ninth byte, bit 63 in a tenth.
                let top = (v >> 56) as u8;
                out[8] = top;
                out[9] = 1;
                (x | HIGH, if top < 0x80 { 9 } else { 10 })
            };
            out[..8].copy_from_slice(&word.to_le_bytes());
            self.len = len + used;
            return;
        }
        self.put_varint_slow(u128::from(v));
    }

    #[cold]
    #[inline(never)]
    fn put_varint_slow(&mut self, v: u128) {
        let mut tmp = [0u8; 19];
        let n = write_varint(v, &mut tmp);
        self.extend(&tmp[..n]);
    }

    /// Appends a signed integer as a zig-zag varint (small magnitudes, small bytes).
    #[inline]
    pub fn put_zigzag(&mut self, v: i128) {
        match i64::try_from(v) {
            Ok(v) => self.put_varint64(((v << 1) ^ (v >> 63)) as u64),
            Err(_) => self.put_varint_slow(((v << 1) ^ (v >> 127)) as u128),
        }
    }

    /// Appends a length-prefixed byte string.
    #[inline]
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.put_varint(bytes.len() as u128);
        self.put_raw(bytes);
    }

    /// The cursor string.
    #[inline(always)]
    pub fn finish(self) -> String {
        if self.heap.is_empty() {
            encode_base64(&self.inline[..self.len])
        } else {
            encode_base64(&self.heap)
        }
    }
}
