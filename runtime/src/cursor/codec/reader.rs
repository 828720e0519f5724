//! [`CursorReader`]: a cursor string checked and decoded, then its key
//! values read in order.

use super::base64url::{decode_base64, decoded_len};
use super::varint::{HIGH, pack_groups, varint_u64, varint_u128};
use super::{HEADER, INLINE, MAX_CURSOR_LEN, MAX_VARINT64, PAD, VERSION};
use crate::cursor::CursorValue;
use crate::error::CursorError;

/// Reads a cursor string back: checks size, alphabet, version and
/// fingerprint up front, then hands out key values in order.
#[derive(Debug)]
pub struct CursorReader {
    // `pub(super)`: the varint tests read from buffers they fill.
    /// The decoded bytes when they fit, then zeros.
    pub(super) inline: [u8; INLINE + PAD],
    /// The decoded bytes when they do not (then `inline` is unused), then
    /// [`PAD`] zeros.
    pub(super) heap: Vec<u8>,
    pub(super) len: usize,
    pub(super) pos: usize,
}

impl CursorReader {
    /// Opens a cursor expected to belong to the ordering with `fingerprint`,
    /// refusing input over [`MAX_CURSOR_LEN`] characters; for hand-written
    /// cursor types whose keys fit in it (no text keys).
    pub fn open(s: &str, fingerprint: u32) -> Result<Self, CursorError> {
        Self::open_within(s, fingerprint, MAX_CURSOR_LEN)
    }

    /// Opens a cursor expected to belong to the ordering with `fingerprint`,
    /// refusing input over `max_len` characters before decoding it
    /// ([`CursorError::TooLong`] names the limit). Derived cursor types pass
    /// their [`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN), the longest cursor
    /// their keys can make ([`max_cursor_len`](super::max_cursor_len)).
    ///
    /// ```
    /// use keypage_runtime::{CursorError, CursorReader, CursorWriter};
    /// let mut w = CursorWriter::new(7);
    /// w.write(&"a title".to_string());
    /// let s = w.finish();
    /// assert_eq!(s.len(), 18);
    /// assert!(CursorReader::open_within(&s, 7, 18).is_ok());
    /// assert_eq!(
    ///     CursorReader::open_within(&s, 7, 17).unwrap_err(),
    ///     CursorError::TooLong { len: 18, max: 17 },
    /// );
    /// ```
    pub fn open_within(s: &str, fingerprint: u32, max_len: usize) -> Result<Self, CursorError> {
        let mut reader = CursorReader {
            inline: [0; INLINE + PAD],
            heap: Vec::new(),
            len: 0,
            pos: HEADER,
        };
        reader.load(s.as_bytes(), fingerprint, max_len)?;
        Ok(reader)
    }

    /// Decodes `input` into the buffer and checks the header.
    #[inline]
    fn load(&mut self, input: &[u8], fingerprint: u32, max_len: usize) -> Result<(), CursorError> {
        if input.len() > max_len {
            return Err(CursorError::TooLong {
                len: input.len(),
                max: max_len,
            });
        }
        if input.is_empty() {
            return Err(CursorError::Empty);
        }
        let len = decoded_len(input.len()).ok_or(CursorError::NotBase64)?;
        let buf = if len <= INLINE {
            &mut self.inline[..]
        } else {
            self.heap = vec![0; len + PAD];
            &mut self.heap[..]
        };
        // `PAD` covers the decoder's slack.
        decode_base64(input, buf)?;
        let bytes = &buf[..len];
        if bytes[0] != VERSION {
            return Err(CursorError::UnsupportedVersion {
                found: bytes[0],
                expected: VERSION,
            });
        }
        let Some(&[_, a, b, c, d]) = bytes.get(..HEADER) else {
            return Err(CursorError::Malformed("it is truncated"));
        };
        if u32::from_le_bytes([a, b, c, d]) != fingerprint {
            return Err(CursorError::OrderingMismatch);
        }
        self.len = len;
        Ok(())
    }

    /// The decoded bytes followed by [`PAD`] zeros.
    #[inline]
    fn padded(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline
        } else {
            &self.heap
        }
    }

    #[inline]
    fn data(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap[..self.len]
        }
    }

    /// Reads the next key value.
    #[inline(always)]
    pub fn read<T: CursorValue>(&mut self) -> Result<T, CursorError> {
        T::read_from(self)
    }

    /// Reads one byte.
    #[inline]
    pub fn get_u8(&mut self) -> Result<u8, CursorError> {
        let byte = *self
            .data()
            .get(self.pos)
            .ok_or(CursorError::Malformed("it is truncated"))?;
        self.pos += 1;
        Ok(byte)
    }

    /// Reads `n` raw bytes.
    #[inline]
    pub fn get_raw(&mut self, n: usize) -> Result<&[u8], CursorError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.len)
            .ok_or(CursorError::Malformed("it is truncated"))?;
        let start = self.pos;
        self.pos = end;
        Ok(&self.data()[start..end])
    }

    /// Reads an unsigned LEB128 varint of at most `max_bits` bits, refusing
    /// overlong and non-canonical encodings.
    #[inline]
    pub fn get_varint(&mut self, max_bits: u32) -> Result<u128, CursorError> {
        if max_bits <= 64 {
            return self.get_varint64(max_bits).map(u128::from);
        }
        let (value, used) = varint_u128(&self.data()[self.pos..], max_bits)?;
        self.pos += used;
        Ok(value)
    }

    /// [`get_varint`](Self::get_varint) for `max_bits <= 64`, in 64-bit
    /// arithmetic (128-bit shifts cost about 170 instructions a round trip).
    ///
    /// The common case, a canonical varint in range, is decoded from a
    /// 10-byte window (the reader keeps [`PAD`] bytes after its data, so the
    /// window is always there) with one bounds check at the end: a single
    /// byte as is; 2 to 8 bytes at once, as one little-endian word whose
    /// 7-bit groups are packed together in three steps; 9 or 10 with the
    /// last bytes added. Anything else goes to [`varint_u64`], which says
    /// what is wrong (it accepts exactly what this accepts, see the tests).
    ///
    /// Always inlined: `max_bits` is a constant at every call site, which
    /// folds the range checks away, and the call itself would cost a third
    /// of the work.
    #[inline(always)]
    pub(crate) fn get_varint64(&mut self, max_bits: u32) -> Result<u64, CursorError> {
        let pos = self.pos;
        if let Some(window) = self.padded().get(pos..)
            && let Some(window) = window.first_chunk::<MAX_VARINT64>()
        {
            let (first, ninth, tenth) = (window[0], window[8], window[9]);
            if first & 0x80 == 0 {
                // One byte (small integers, lengths, tags): canonical, and in
                // range unless `max_bits` is under 7.
                let value = u64::from(first);
                if max_bits != 0 && (max_bits >= 7 || value >> max_bits == 0) && pos < self.len {
                    self.pos = pos + 1;
                    return Ok(value);
                }
                return self.get_varint64_slow(max_bits);
            }
            // The value, the bytes it took (2 to 10) and its last byte; a
            // last byte of 0 fails below.
            let (value, used, last) = {
                let [a, b, c, d, e, f, g, h, ..] = *window;
                let word = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
                // Bit 7 of each byte that ends the varint (the first counts).
                let stops = !word & HIGH;
                // The groups up to the last byte (of the first eight).
                let x = pack_groups(word & (stops ^ stops.wrapping_sub(1)));
                if stops != 0 {
                    let end = stops.trailing_zeros();
                    (x, (end / 8 + 1) as usize, (word >> (end - 7)) as u8)
                } else if ninth & 0x80 == 0 {
                    // Bits 56 to 62 in a ninth byte.
                    (x | u64::from(ninth) << 56, 9, ninth)
                } else if tenth <= 1 {
                    // And bit 63 alone in a tenth.
                    (
                        x | u64::from(ninth & 0x7f) << 56 | u64::from(tenth) << 63,
                        10,
                        tenth,
                    )
                } else {
                    (0, 0, 0)
                }
            };
            // Canonical: the last byte is not zero. In range: the value fits
            // in `max_bits` (then no byte starts at or past it either).
            let canonical = last != 0;
            let in_range = max_bits >= 64 || value >> max_bits == 0;
            if canonical && in_range && pos + used <= self.len {
                self.pos = pos + used;
                return Ok(value);
            }
        }
        self.get_varint64_slow(max_bits)
    }

    #[cold]
    #[inline(never)]
    fn get_varint64_slow(&mut self, max_bits: u32) -> Result<u64, CursorError> {
        let (value, used) = varint_u64(&self.data()[self.pos..], max_bits)?;
        self.pos += used;
        Ok(value)
    }

    /// Reads a zig-zag varint of a signed integer of at most `bits` bits.
    #[inline]
    pub fn get_zigzag(&mut self, bits: u32) -> Result<i128, CursorError> {
        if bits <= 64 {
            return self.get_zigzag64(bits).map(i128::from);
        }
        let raw = self.get_varint(bits)?;
        Ok(((raw >> 1) as i128) ^ -((raw & 1) as i128))
    }

    /// [`get_zigzag`](Self::get_zigzag) for `bits <= 64`, in 64-bit
    /// arithmetic; always inlined, as [`get_varint64`](Self::get_varint64).
    #[inline(always)]
    pub(crate) fn get_zigzag64(&mut self, bits: u32) -> Result<i64, CursorError> {
        let raw = self.get_varint64(bits)?;
        Ok(((raw >> 1) as i64) ^ -((raw & 1) as i64))
    }

    /// Reads a length-prefixed byte string.
    #[inline]
    pub fn get_bytes(&mut self) -> Result<&[u8], CursorError> {
        let len = self.get_varint(32)?;
        let len = usize::try_from(len).map_err(|_| CursorError::Malformed("it is truncated"))?;
        self.get_raw(len)
    }

    /// Ends reading: bytes left over mean the cursor is not one of ours.
    #[inline]
    pub fn finish(self) -> Result<(), CursorError> {
        if self.pos == self.len {
            Ok(())
        } else {
            Err(CursorError::Malformed("it has trailing bytes"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::CursorWriter;
    use super::*;

    /// Cursors longer than the inline buffer spill to the heap and read back.
    #[test]
    fn long_cursors_spill_and_read_back() {
        let text = "x".repeat(300);
        let mut w = CursorWriter::new(7);
        w.write(&1_i64);
        w.write(&text);
        w.write(&u128::MAX);
        let s = w.finish();
        let mut r = CursorReader::open(&s, 7).unwrap();
        assert!(!r.heap.is_empty());
        assert_eq!(r.read::<i64>().unwrap(), 1);
        assert_eq!(r.read::<String>().unwrap(), text);
        assert_eq!(r.read::<u128>().unwrap(), u128::MAX);
        r.finish().unwrap();
    }
}
