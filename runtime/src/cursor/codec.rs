//! The byte-level codec under every generated cursor type.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
    buf: Vec<u8>,
}

impl CursorWriter {
    /// Starts a cursor of the ordering with this fingerprint.
    #[inline]
    pub fn new(fingerprint: u32) -> Self {
        let mut buf = Vec::with_capacity(32);
        buf.push(VERSION);
        buf.extend_from_slice(&fingerprint.to_le_bytes());
        CursorWriter { buf }
    }

    /// Appends one key value.
    #[inline]
    pub fn write<T: CursorValue>(&mut self, value: &T) {
        value.write_to(self);
    }

    /// Appends one byte.
    #[inline]
    pub fn put_u8(&mut self, byte: u8) {
        self.buf.push(byte);
    }

    /// Appends raw bytes (fixed-width values).
    #[inline]
    pub fn put_raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends an unsigned LEB128 varint.
    #[inline]
    pub fn put_varint(&mut self, mut v: u128) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// Appends a signed integer as a zig-zag varint (small magnitudes, small bytes).
    #[inline]
    pub fn put_zigzag(&mut self, v: i128) {
        self.put_varint(((v << 1) ^ (v >> 127)) as u128);
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
        URL_SAFE_NO_PAD.encode(&self.buf)
    }
}

/// Reads a cursor string back: checks size, alphabet, version and
/// fingerprint up front, then hands out key values in order.
#[derive(Debug)]
pub struct CursorReader {
    buf: [u8; MAX_DECODED],
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
        let mut reader = CursorReader {
            buf: [0; MAX_DECODED],
            len: 0,
            pos: HEADER,
        };
        reader.len = URL_SAFE_NO_PAD
            .decode_slice(s.as_bytes(), &mut reader.buf)
            .map_err(|_| CursorError::NotBase64)?;
        // Canonical form only: base64 lets a few strings decode to the same
        // bytes (non-zero trailing bits); refusing them keeps one cursor per
        // position, so cursors can be compared as strings.
        if base64::encoded_len(reader.len, false) != Some(s.len()) {
            return Err(CursorError::NotBase64);
        }
        let bytes = &reader.buf[..reader.len];
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

    /// Reads the next key value.
    #[inline]
    pub fn read<T: CursorValue>(&mut self) -> Result<T, CursorError> {
        T::read_from(self)
    }

    /// Reads one byte.
    #[inline]
    pub fn get_u8(&mut self) -> Result<u8, CursorError> {
        let byte = *self.buf[..self.len]
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
        let bytes = &self.buf[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    /// Reads an unsigned LEB128 varint of at most `max_bits` bits, refusing
    /// overlong and non-canonical encodings.
    #[inline]
    pub fn get_varint(&mut self, max_bits: u32) -> Result<u128, CursorError> {
        let mut value: u128 = 0;
        let mut shift = 0u32;
        loop {
            let byte = self.get_u8()?;
            let low = u128::from(byte & 0x7f);
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
                return Ok(value);
            }
            shift += 7;
        }
    }

    /// Reads a zig-zag varint of a signed integer of at most `bits` bits.
    #[inline]
    pub fn get_zigzag(&mut self, bits: u32) -> Result<i128, CursorError> {
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
