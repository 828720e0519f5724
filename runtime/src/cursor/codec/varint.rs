//! LEB128 varints: their lengths, the writer's and reader's word-at-a-time
//! group shuffles, and the byte-wise encoder and decoders behind them.

use crate::error::CursorError;

/// The most bytes a varint of a value of `bits` bits takes.
pub(crate) const fn varint_len(bits: u32) -> usize {
    (bits as usize).div_ceil(7)
}

/// The bytes the varint of `value` takes (one for zero).
pub(crate) const fn varint_len_of(value: usize) -> usize {
    varint_len(usize::BITS - (value | 1).leading_zeros())
}

/// Bit 7 of every byte of a word: the continuation bits of eight varint
/// bytes.
pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;

/// Spreads the low 56 bits of `v` into eight 7-bit groups, one in each byte
/// (little-endian, high bits clear): LEB128 without its continuation bits.
/// Each step moves the upper half of every lane up into a lane twice as
/// narrow; `x + t * 15` is `x - t + (t << 4)`.
#[inline(always)]
pub(super) const fn spread_groups(v: u64) -> u64 {
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
pub(super) const fn pack_groups(x: u64) -> u64 {
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
pub(in crate::cursor) fn write_varint(mut v: u128, out: &mut [u8]) -> usize {
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
        pub(in crate::cursor) fn $name(
            bytes: &[u8],
            max_bits: u32,
        ) -> Result<($t, usize), CursorError> {
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
    use super::super::{CursorReader, CursorWriter, HEADER, INLINE, PAD, VERSION};
    use super::*;

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
