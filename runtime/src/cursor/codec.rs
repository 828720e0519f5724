//! The byte-level codec under every generated cursor type.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::CursorValue;
use crate::error::{CursorError, KeyTooLong};

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

/// The length of the base64 of `len` bytes, without padding: `4 * len / 3`
/// rounded up (as one multiply-shift; `div_ceil` adds a remainder test).
#[inline]
#[allow(clippy::manual_div_ceil)]
pub(super) const fn encoded_len(len: usize) -> usize {
    (len * 4 + 2) / 3
}

/// URL-safe base64 without padding (RFC 4648 §5), by the `base64` crate.
#[inline]
pub(super) fn encode_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The most bytes a varint of a value of `bits` bits takes.
pub(crate) const fn varint_len(bits: u32) -> usize {
    (bits as usize).div_ceil(7)
}

/// The bytes the varint of `value` takes (one for zero).
pub(crate) const fn varint_len_of(value: usize) -> usize {
    varint_len(usize::BITS - (value | 1).leading_zeros())
}

/// The longest cursor string of an ordering whose keys take at most
/// `keys[i]` bytes each ([`CursorValue::MAX_ENCODED_LEN`] of its key
/// types): the base64 length of the header and every key at its longest.
/// The derive makes it the ordering's [`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN),
/// the limit its `decode` passes to [`CursorReader::open_within`].
///
/// ```
/// use keypage_runtime::{CursorValue, max_cursor_len};
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

/// The length `input` decodes to, if it can be unpadded base64 at all.
#[inline]
pub(super) fn decoded_len(input: usize) -> Option<usize> {
    let tail = match input % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(input / 4 * 3 + tail)
}

/// Room [`decode_base64`] needs after the decoded bytes: the `base64`
/// crate asks for room for whole groups of three.
const DECODE_SLACK: usize = 2;

const _: () = assert!(PAD >= DECODE_SLACK);

/// Decodes unpadded URL-safe base64 into the start of `out`, which has room
/// for [`decoded_len`] bytes and [`DECODE_SLACK`] more (left as they were or
/// overwritten). Refuses any other character (padding included) and
/// non-canonical input: unused low bits of the last character must be zero,
/// so each byte string has exactly one encoding (the engine's default,
/// `decode_allow_trailing_bits(false)`).
#[inline]
pub(super) fn decode_base64(input: &[u8], out: &mut [u8]) -> Result<(), CursorError> {
    match URL_SAFE_NO_PAD.decode_slice(input, out) {
        Ok(n) if Some(n) == decoded_len(input.len()) => Ok(()),
        _ => Err(CursorError::NotBase64),
    }
}

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
    /// The bytes while they fit.
    inline: [u8; INLINE],
    len: usize,
    /// All the bytes once they do not (then `inline` is unused).
    heap: Vec<u8>,
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

/// Reads a cursor string back: checks size, alphabet, version and
/// fingerprint up front, then hands out key values in order.
#[derive(Debug)]
pub struct CursorReader {
    /// The decoded bytes when they fit, then zeros.
    inline: [u8; INLINE + PAD],
    /// The decoded bytes when they do not (then `inline` is unused), then
    /// [`PAD`] zeros.
    heap: Vec<u8>,
    len: usize,
    pos: usize,
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
    /// their keys can make ([`max_cursor_len`]).
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

/// Bit 7 of every byte of a word: the continuation bits of eight varint
/// bytes.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Spreads the low 56 bits of `v` into eight 7-bit groups, one in each byte
/// (little-endian, high bits clear): LEB128 without its continuation bits.
/// Each step moves the upper half of every lane up into a lane twice as
/// narrow; `x + t * 15` is `x - t + (t << 4)`.
#[inline(always)]
const fn spread_groups(v: u64) -> u64 {
    let x = v & ((1 << 56) - 1);
    let x = x + (x & 0x00ff_ffff_f000_0000) * 15;
    let x = x + (x & 0x0fff_c000_0fff_c000) * 3;
    x + (x & 0x3f80_3f80_3f80_3f80)
}

/// The inverse of [`spread_groups`]: packs the low 7 bits of each byte of
/// `x` into one 56-bit value (bit 7 of each byte is ignored). Each step
/// moves the upper half of every lane down next to the lower half: 7-bit
/// pairs to 14 bits in 16, then 28 in 32, then 56 in 64.
#[inline(always)]
const fn pack_groups(x: u64) -> u64 {
    let x = x & !HIGH;
    let t = x & 0x7f00_7f00_7f00_7f00;
    let x = x - t + (t >> 1);
    let t = x & 0x3fff_0000_3fff_0000;
    let x = x - t + (t >> 2);
    let t = x & 0x0fff_ffff_0000_0000;
    x - t + (t >> 4)
}

/// `v` as LEB128 (seven bits a byte, low first) at the start of `out`, which
/// has room for it (19 bytes hold any `u128`); returns the bytes written.
pub(super) fn write_varint(mut v: u128, out: &mut [u8]) -> usize {
    let mut n = 0;
    while v >= 0x80 {
        out[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    out[n] = v as u8;
    n + 1
}

/// One LEB128 decoder, instantiated for `u64` (every integer key up to 64
/// bits) and `u128`: returns the value and the bytes it took, refusing values
/// over `max_bits`, overlong (non-canonical) forms and truncated input.
macro_rules! varint_decoder {
    ($name:ident, $t:ty) => {
        #[inline]
        pub(super) fn $name(bytes: &[u8], max_bits: u32) -> Result<($t, usize), CursorError> {
            let mut value: $t = 0;
            let mut shift = 0u32;
            for (i, &byte) in bytes.iter().enumerate() {
                let low = <$t>::from(byte & 0x7f);
                if shift >= max_bits || low >> (max_bits - shift).min(7) != 0 {
                    return Err(CursorError::Malformed("an integer is out of range"));
                }
                value |= low << shift;
                if byte & 0x80 == 0 {
                    if byte == 0 && shift > 0 {
                        return Err(CursorError::Malformed(
                            "an integer is not in canonical form",
                        ));
                    }
                    return Ok((value, i + 1));
                }
                shift += 7;
            }
            Err(CursorError::Malformed("it is truncated"))
        }
    };
}

varint_decoder!(varint_u64, u64);
varint_decoder!(varint_u128, u128);

#[cfg(test)]
mod tests {
    use super::*;

    /// Decoding into the reader's buffers (`decoded_len` bytes and the
    /// slack) agrees with the `base64` crate's allocating decoder, byte for
    /// byte, on every length up to 200 and on every corruption of one
    /// character: the buffers are always large enough, and a refusal is a
    /// refusal.
    #[test]
    fn base64_decodes_into_exact_buffers() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        };
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| next()).collect();
            let ours = encode_base64(&bytes);
            assert_eq!(ours, URL_SAFE_NO_PAD.encode(&bytes), "{bytes:?}");
            let n = decoded_len(ours.len()).unwrap();
            let mut back = vec![0; n + DECODE_SLACK];
            decode_base64(ours.as_bytes(), &mut back).unwrap();
            assert_eq!(back[..n], bytes);
            for i in 0..ours.len() {
                for c in [b'=', b'+', b'/', b' ', b'A', b'_', b'z', 0xc3] {
                    let mut bad = ours.clone().into_bytes();
                    bad[i] = c;
                    let theirs = URL_SAFE_NO_PAD.decode(&bad);
                    let n = decoded_len(bad.len()).unwrap();
                    let mut out = vec![0; n + DECODE_SLACK];
                    let mine = decode_base64(&bad, &mut out);
                    assert_eq!(mine.is_ok(), theirs.is_ok(), "{bad:?}");
                    if let Ok(theirs) = theirs {
                        assert_eq!(out[..n], theirs);
                    }
                }
            }
        }
        for len in [1, 5, 9] {
            assert_eq!(decoded_len(len), None);
        }
        for (len, decoded) in [
            (0, 0),
            (2, 1),
            (3, 2),
            (4, 3),
            (6, 4),
            (7, 5),
            (8, 6),
            (1024, 768),
        ] {
            assert_eq!(decoded_len(len), Some(decoded));
        }
    }

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

    /// A xorshift generator: deterministic test data without a dependency.
    fn rng(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// LEB128, a byte at a time: what the fast paths must agree with.
    fn leb128(mut v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
        out
    }

    /// Random values of every bit length, and the edges of each.
    fn sample_values() -> Vec<u64> {
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        let mut values = vec![0, 1, u64::MAX];
        for bits in 1..=64 {
            let top = u64::MAX >> (64 - bits);
            values.extend([top, top >> 1, top ^ (top >> 1), top.wrapping_add(1)]);
            values.extend((0..40).map(|_| next() & top));
        }
        values
    }

    #[test]
    fn groups_spread_and_pack() {
        for v in sample_values() {
            let spread = spread_groups(v);
            for (i, byte) in spread.to_le_bytes().into_iter().enumerate() {
                assert_eq!(u64::from(byte), v >> (7 * i) & 0x7f, "{v:#x}");
            }
            assert_eq!(pack_groups(spread), v & ((1 << 56) - 1), "{v:#x}");
            // Bit 7 of each byte is ignored.
            assert_eq!(pack_groups(spread | HIGH), v & ((1 << 56) - 1), "{v:#x}");
        }
    }

    /// The writer's varints are LEB128, wherever they fall: inline, across
    /// the end of the inline buffer, on the heap.
    #[test]
    fn varints_are_leb128() {
        for v in sample_values() {
            for before in [
                0,
                1,
                40,
                INLINE - HEADER - 11,
                INLINE - HEADER - 10,
                INLINE - HEADER - 3,
                100,
            ] {
                let mut w = CursorWriter::new(0);
                w.put_raw(&vec![0xaa; before]);
                w.put_varint64(v);
                w.put_u8(0x55);
                let bytes = if w.heap.is_empty() {
                    w.inline[..w.len].to_vec()
                } else {
                    w.heap.clone()
                };
                let mut expected = vec![VERSION, 0, 0, 0, 0];
                expected.extend(vec![0xaa; before]);
                expected.extend(leb128(v));
                expected.push(0x55);
                assert_eq!(bytes, expected, "{v:#x} after {before}");
            }
        }
    }

    /// The reader's fast varint path agrees with the byte-at-a-time decoder
    /// on every input: value, bytes taken, and error, whatever follows the
    /// data (the padding after it is not always zero).
    #[test]
    fn varint_fast_path_agrees_with_the_reference() {
        let mut next = rng(0x2545_f491_4f6c_dd1d);
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for v in sample_values() {
            let bytes = leb128(v);
            // Canonical, truncated, overlong, and with the last byte changed.
            inputs.push(bytes.clone());
            inputs.push(bytes[..bytes.len() - 1].to_vec());
            let mut overlong = bytes.clone();
            *overlong.last_mut().unwrap() |= 0x80;
            overlong.push(0);
            inputs.push(overlong);
            let mut changed = bytes.clone();
            *changed.last_mut().unwrap() = next() as u8;
            inputs.push(changed);
        }
        for len in 0..=12 {
            for _ in 0..300 {
                inputs.push(
                    (0..len)
                        .map(|_| next() as u8 | (0x80 * u8::from(!next().is_multiple_of(4))))
                        .collect(),
                );
            }
        }
        for input in &inputs {
            for max_bits in [0, 1, 7, 8, 14, 16, 21, 31, 32, 49, 56, 57, 62, 63, 64] {
                for heap in [false, true] {
                    let data: Vec<u8> =
                        [VERSION, 0, 0, 0, 0].iter().chain(input).copied().collect();
                    let len = data.len();
                    let mut reader = CursorReader {
                        inline: [0; INLINE + PAD],
                        heap: Vec::new(),
                        len,
                        pos: HEADER,
                    };
                    let buf = if heap {
                        reader.heap = vec![0; len + PAD];
                        &mut reader.heap[..]
                    } else {
                        &mut reader.inline[..]
                    };
                    for b in buf.iter_mut() {
                        *b = next() as u8;
                    }
                    buf[..len].copy_from_slice(&data);
                    let fast = reader
                        .get_varint64(max_bits)
                        .map(|v| (v, reader.pos - HEADER));
                    let slow = varint_u64(input, max_bits);
                    assert_eq!(fast, slow, "{input:02x?}, max_bits {max_bits}, heap {heap}");
                }
            }
        }
    }
}
