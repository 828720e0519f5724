//! The byte-level codec under every generated cursor type.

use super::CursorValue;
use crate::error::CursorError;

/// The cursor format version this build writes and reads.
pub const VERSION: u8 = 1;

/// The longest cursor string accepted, in bytes. Longer inputs are refused
/// before they are decoded, so a hostile client cannot make the server
/// allocate or parse much.
pub const MAX_CURSOR_LEN: usize = 1024;

/// Room for the decoded bytes of the longest accepted cursor.
const MAX_DECODED: usize = MAX_CURSOR_LEN / 4 * 3;

const HEADER: usize = 5;

/// Cursors up to this many bytes (before base64; 85 characters) are built
/// and read in a buffer inside the writer/reader, without a heap allocation;
/// longer ones (long text keys) spill to a `Vec`.
const INLINE: usize = 64;

/// The URL-safe base64 alphabet (RFC 4648 §5).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Not a base64 character.
const INVALID: u8 = 0xff;

/// Each byte's value in [`ALPHABET`], or [`INVALID`].
static DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// URL-safe base64 without padding. Hand-written rather than the `base64`
/// crate's engine: cursors are a few dozen bytes, where the engine's
/// general-purpose chunking and its zeroed, then UTF-8-checked, output
/// buffer cost more than the encoding itself.
fn encode_base64(bytes: &[u8]) -> String {
    // Encoded on the stack, then copied once into the `String`.
    let mut buf = [0u8; ENCODED_INLINE];
    let Some(out) = buf.get_mut(..(bytes.len() * 4).div_ceil(3)) else {
        return encode_base64_long(bytes);
    };
    let sextet = |n: u32, shift: u32| ALPHABET[(n >> shift & 63) as usize];
    let mut chunks = bytes.chunks_exact(3);
    let mut outs = out.chunks_exact_mut(4);
    for (c, o) in (&mut chunks).zip(&mut outs) {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        o.copy_from_slice(&[sextet(n, 18), sextet(n, 12), sextet(n, 6), sextet(n, 0)]);
    }
    match (chunks.remainder(), outs.into_remainder()) {
        (&[a], [o0, o1]) => {
            let n = u32::from(a) << 16;
            (*o0, *o1) = (sextet(n, 18), sextet(n, 12));
        }
        (&[a, b], [o0, o1, o2]) => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            (*o0, *o1, *o2) = (sextet(n, 18), sextet(n, 12), sextet(n, 6));
        }
        _ => {}
    }
    String::from(core::str::from_utf8(out).expect("the base64 alphabet is ASCII"))
}

/// Room on the stack for the base64 of an inline-sized cursor.
const ENCODED_INLINE: usize = (INLINE * 4).div_ceil(3);

/// [`encode_base64`] for cursors longer than the inline buffer.
#[cold]
#[inline(never)]
fn encode_base64_long(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 4).div_ceil(3));
    for c in bytes.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=c.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The length `input` decodes to, if it can be unpadded base64 at all.
fn decoded_len(input: usize) -> Option<usize> {
    let tail = match input % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(input / 4 * 3 + tail)
}

/// Decodes unpadded URL-safe base64 into `out` (exactly
/// [`decoded_len`] bytes). Refuses any other character (padding included)
/// and non-canonical input: unused low bits of the last character must be
/// zero, so each byte string has exactly one encoding.
fn decode_base64(input: &[u8], out: &mut [u8]) -> Result<(), CursorError> {
    let value = |c: u8| u32::from(DECODE[c as usize]);
    let mut chunks = input.chunks_exact(4);
    let mut outs = out.chunks_exact_mut(3);
    for (c, o) in (&mut chunks).zip(&mut outs) {
        let (a, b, x, d) = (value(c[0]), value(c[1]), value(c[2]), value(c[3]));
        if (a | b | x | d) > 63 {
            return Err(CursorError::NotBase64);
        }
        let n = a << 18 | b << 12 | x << 6 | d;
        o.copy_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    let out = outs.into_remainder();
    match (chunks.remainder(), out) {
        ([], []) => Ok(()),
        (&[a, b], [o]) => {
            let (a, b) = (value(a), value(b));
            if (a | b) > 63 || b & 0b1111 != 0 {
                return Err(CursorError::NotBase64);
            }
            *o = (a << 2 | b >> 4) as u8;
            Ok(())
        }
        (&[a, b, x], [o0, o1]) => {
            let (a, b, x) = (value(a), value(b), value(x));
            if (a | b | x) > 63 || x & 0b11 != 0 {
                return Err(CursorError::NotBase64);
            }
            let n = a << 18 | b << 12 | x << 6;
            *o0 = (n >> 16) as u8;
            *o1 = (n >> 8) as u8;
            Ok(())
        }
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

    fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    /// Appends one key value.
    #[inline]
    pub fn write<T: CursorValue>(&mut self, value: &T) {
        value.write_to(self);
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
        // Integers of 64 bits or less (at most 10 bytes) are written straight
        // into the inline buffer while there is room.
        if let Ok(mut v) = u64::try_from(v)
            && self.heap.is_empty()
            && let Some(out) = self.inline.get_mut(self.len..self.len + 10)
        {
            let mut n = 0;
            while v >= 0x80 {
                out[n] = (v as u8) | 0x80;
                v >>= 7;
                n += 1;
            }
            out[n] = v as u8;
            self.len += n + 1;
            return;
        }
        self.put_varint_slow(v);
    }

    #[cold]
    #[inline(never)]
    fn put_varint_slow(&mut self, mut v: u128) {
        let mut tmp = [0u8; 19];
        let mut n = 0;
        while v >= 0x80 {
            tmp[n] = (v as u8) | 0x80;
            v >>= 7;
            n += 1;
        }
        tmp[n] = v as u8;
        self.extend(&tmp[..=n]);
    }

    /// Appends a signed integer as a zig-zag varint (small magnitudes, small bytes).
    #[inline]
    pub fn put_zigzag(&mut self, v: i128) {
        let zigzag = match i64::try_from(v) {
            Ok(v) => u128::from(((v << 1) ^ (v >> 63)) as u64),
            Err(_) => ((v << 1) ^ (v >> 127)) as u128,
        };
        self.put_varint(zigzag);
    }

    /// Appends a length-prefixed byte string.
    #[inline]
    pub fn put_bytes(&mut self, bytes: &[u8]) {
        self.put_varint(bytes.len() as u128);
        self.put_raw(bytes);
    }

    /// The cursor string.
    #[inline]
    pub fn finish(self) -> String {
        encode_base64(self.bytes())
    }
}

/// Reads a cursor string back: checks size, alphabet, version and
/// fingerprint up front, then hands out key values in order.
#[derive(Debug)]
pub struct CursorReader {
    /// The decoded bytes when they fit.
    inline: [u8; INLINE],
    /// The decoded bytes when they do not (then `inline` is unused).
    heap: Vec<u8>,
    len: usize,
    pos: usize,
}

impl CursorReader {
    /// Opens a cursor expected to belong to the ordering with `fingerprint`.
    pub fn open(s: &str, fingerprint: u32) -> Result<Self, CursorError> {
        if s.len() > MAX_CURSOR_LEN {
            return Err(CursorError::TooLong {
                len: s.len(),
                max: MAX_CURSOR_LEN,
            });
        }
        if s.is_empty() {
            return Err(CursorError::Empty);
        }
        let input = s.as_bytes();
        let len = decoded_len(input.len()).ok_or(CursorError::NotBase64)?;
        debug_assert!(len <= MAX_DECODED);
        let mut reader = CursorReader {
            inline: [0; INLINE],
            heap: Vec::new(),
            len,
            pos: HEADER,
        };
        if len <= INLINE {
            decode_base64(input, &mut reader.inline[..len])?;
        } else {
            reader.heap = vec![0; len];
            decode_base64(input, &mut reader.heap)?;
        }
        let bytes = reader.data();
        if bytes[0] != VERSION {
            return Err(CursorError::UnsupportedVersion {
                found: bytes[0],
                expected: VERSION,
            });
        }
        if bytes.len() < HEADER {
            return Err(CursorError::Malformed("it is truncated"));
        }
        let found = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        if found != fingerprint {
            return Err(CursorError::OrderingMismatch);
        }
        Ok(reader)
    }

    #[inline]
    fn data(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }

    /// Reads the next key value.
    #[inline]
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
    #[inline]
    fn get_varint64(&mut self, max_bits: u32) -> Result<u64, CursorError> {
        let (value, used) = varint_u64(&self.data()[self.pos..], max_bits)?;
        self.pos += used;
        Ok(value)
    }

    /// Reads a zig-zag varint of a signed integer of at most `bits` bits.
    #[inline]
    pub fn get_zigzag(&mut self, bits: u32) -> Result<i128, CursorError> {
        if bits <= 64 {
            let raw = self.get_varint64(bits)?;
            return Ok(i128::from(((raw >> 1) as i64) ^ -((raw & 1) as i64)));
        }
        let raw = self.get_varint(bits)?;
        Ok(((raw >> 1) as i128) ^ -((raw & 1) as i128))
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

/// One LEB128 decoder, instantiated for `u64` (every integer key up to 64
/// bits) and `u128`: returns the value and the bytes it took, refusing values
/// over `max_bits`, overlong (non-canonical) forms and truncated input.
macro_rules! varint_decoder {
    ($name:ident, $t:ty) => {
        #[inline]
        fn $name(bytes: &[u8], max_bits: u32) -> Result<($t, usize), CursorError> {
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
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    /// The hand-written base64 agrees with the `base64` crate's URL-safe,
    /// unpadded engine, byte for byte, on every length up to 200 and on
    /// every corruption of one character.
    #[test]
    fn base64_agrees_with_the_base64_crate() {
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
            let mut back = vec![0; decoded_len(ours.len()).unwrap()];
            decode_base64(ours.as_bytes(), &mut back).unwrap();
            assert_eq!(back, bytes);
            for i in 0..ours.len() {
                for c in [b'=', b'+', b'/', b' ', b'A', b'_', b'z', 0xc3] {
                    let mut bad = ours.clone().into_bytes();
                    bad[i] = c;
                    let theirs = URL_SAFE_NO_PAD.decode(&bad);
                    let mut out = vec![0; decoded_len(bad.len()).unwrap()];
                    let mine = decode_base64(&bad, &mut out);
                    assert_eq!(mine.is_ok(), theirs.is_ok(), "{bad:?}");
                    if let Ok(theirs) = theirs {
                        assert_eq!(out, theirs);
                    }
                }
            }
        }
        for len in [1, 5, 9] {
            assert_eq!(decoded_len(len), None);
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
        assert_eq!(r.read::<i64>().unwrap(), 1);
        assert_eq!(r.read::<String>().unwrap(), text);
        assert_eq!(r.read::<u128>().unwrap(), u128::MAX);
        r.finish().unwrap();
    }
}
