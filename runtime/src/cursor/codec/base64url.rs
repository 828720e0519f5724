//! URL-safe base64 without padding (RFC 4648 §5), canonical, by the
//! `base64` crate: the cursors' alphabet.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::PAD;
use crate::error::CursorError;

/// The length of the base64 of `len` bytes, without padding: `4 * len / 3`
/// rounded up (as one multiply-shift; `div_ceil` adds a remainder test).
#[inline]
#[allow(clippy::manual_div_ceil)]
pub(in crate::cursor) const fn encoded_len(len: usize) -> usize {
    (len * 4 + 2) / 3
}

/// URL-safe base64 without padding (RFC 4648 §5), by the `base64` crate.
#[inline]
pub(in crate::cursor) fn encode_base64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The length `input` decodes to, if it can be unpadded base64 at all.
#[inline]
pub(in crate::cursor) fn decoded_len(input: usize) -> Option<usize> {
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
pub(in crate::cursor) fn decode_base64(input: &[u8], out: &mut [u8]) -> Result<(), CursorError> {
    match URL_SAFE_NO_PAD.decode_slice(input, out) {
        Ok(n) if Some(n) == decoded_len(input.len()) => Ok(()),
        _ => Err(CursorError::NotBase64),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
}
