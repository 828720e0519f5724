//! Property tests of the cursor codec: every key type round-trips, order is
//! total and matches the natural order, and no input makes the decoder panic.

use keypage_runtime::cursor::max_cursor_len;
use keypage_runtime::{
    CursorError, CursorReader, CursorValue, CursorWriter, MAX_CURSOR_LEN, MAX_TEXT_KEY_LEN,
};
use proptest::prelude::*;

const FP: u32 = 0xC0FF_EE01;

/// Writes `value` as the one key of a cursor, checked against its type's
/// `MAX_ENCODED_LEN`, and reads it back through a reader limited to the
/// longest cursor of that type: every cursor handed out is accepted.
fn round_trip<T: CursorValue + core::fmt::Debug>(value: &T) -> T {
    let mut w = CursorWriter::new(FP);
    w.write_key("v", value).expect("within its type's maximum");
    let s = w.finish();
    let limit = max_cursor_len(&[T::MAX_ENCODED_LEN]);
    assert!(s.len() <= limit, "{} > {limit}", s.len());
    let mut r = CursorReader::open_within(&s, FP, limit).expect("own cursor opens");
    let back = r.read::<T>().expect("own cursor decodes");
    r.finish().expect("no trailing bytes");
    back
}

macro_rules! round_trips {
    ($($name:ident: $t:ty),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            $(
                #[test]
                fn $name(v in any::<$t>(), o in any::<Option<$t>>()) {
                    prop_assert_eq!(round_trip(&v), v.clone());
                    prop_assert_eq!(round_trip(&o), o.clone());
                }
            )*
        }
    };
}

round_trips! {
    rt_i8: i8, rt_i16: i16, rt_i32: i32, rt_i64: i64, rt_i128: i128, rt_isize: isize,
    rt_u8: u8, rt_u16: u16, rt_u32: u32, rt_u64: u64, rt_u128: u128, rt_usize: usize,
    rt_bool: bool, rt_char: char, rt_string: String,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Floats round-trip bit for bit, NaN payloads and -0.0 included.
    #[test]
    fn rt_floats(a in any::<u64>(), b in any::<u32>()) {
        let (a, b) = (f64::from_bits(a), f32::from_bits(b));
        prop_assert_eq!(round_trip(&a).to_bits(), a.to_bits());
        prop_assert_eq!(round_trip(&b).to_bits(), b.to_bits());
        prop_assert_eq!(round_trip(&Some(a)).map(f64::to_bits), Some(a.to_bits()));
    }

    /// Several values in one cursor come back in order.
    #[test]
    fn rt_tuples(a in any::<i64>(), b in ".{0,40}", c in any::<Option<i32>>(), d in any::<bool>()) {
        let mut w = CursorWriter::new(FP);
        w.write(&a); w.write(&b.to_string()); w.write(&c); w.write(&d);
        let s = w.finish();
        let mut r = CursorReader::open(&s, FP).unwrap();
        prop_assert_eq!(r.read::<i64>().unwrap(), a);
        prop_assert_eq!(r.read::<String>().unwrap(), b);
        prop_assert_eq!(r.read::<Option<i32>>().unwrap(), c);
        prop_assert_eq!(r.read::<bool>().unwrap(), d);
        r.finish().unwrap();
    }

    /// `cmp_key` agrees with the natural order of the type.
    #[test]
    fn cmp_key_is_natural(a in any::<i64>(), b in any::<i64>(), s in ".{0,8}", t in ".{0,8}", x in any::<f64>(), y in any::<f64>()) {
        prop_assert_eq!(a.cmp_key(&b), a.cmp(&b));
        prop_assert_eq!(s.cmp_key(&t), s.cmp(&t));
        prop_assert_eq!(x.cmp_key(&y), x.total_cmp(&y));
    }

    /// Arbitrary strings never panic the decoder, whatever it is asked to read.
    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,200}") {
        let _ = decode_all(&s);
    }

    /// Arbitrary bytes behind a valid header never panic either, and either
    /// decode or give a typed error.
    #[test]
    fn arbitrary_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..120)) {
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(&FP.to_le_bytes());
        bytes.extend_from_slice(&payload);
        let s = base64_url(&bytes);
        let _ = decode_all(&s);
    }

    /// A cursor with another fingerprint is refused as such, not misread.
    #[test]
    fn other_fingerprint_is_refused(v in any::<i64>(), fp in any::<u32>()) {
        prop_assume!(fp != FP);
        let mut w = CursorWriter::new(fp);
        w.write(&v);
        prop_assert_eq!(CursorReader::open(&w.finish(), FP).err(), Some(CursorError::OrderingMismatch));
    }
}

/// Tries every reader on the input; the point is that none panics.
fn decode_all(s: &str) -> Vec<bool> {
    fn one<T: CursorValue>(s: &str) -> bool {
        CursorReader::open(s, FP)
            .and_then(|mut r| {
                let _ = r.read::<T>()?;
                r.finish()
            })
            .is_ok()
    }
    vec![
        one::<i64>(s),
        one::<u128>(s),
        one::<i8>(s),
        one::<String>(s),
        one::<char>(s),
        one::<bool>(s),
        one::<f64>(s),
        one::<Option<String>>(s),
        one::<Option<i64>>(s),
    ]
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = ALPHABET_FOR_TEST;
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn typical_cursor_is_compact() {
    // A millisecond timestamp and a six-digit id: 1 version + 4 fingerprint + 6 + 3 bytes.
    let mut w = CursorWriter::new(FP);
    w.write(&1_732_000_000_000_i64);
    w.write(&123_456_i64);
    let s = w.finish();
    assert_eq!(s.len(), 19, "{s}");
}

#[test]
fn oversized_input_is_refused_before_decoding() {
    let s = "A".repeat(MAX_CURSOR_LEN + 1);
    assert_eq!(
        CursorReader::open(&s, FP).err(),
        Some(CursorError::TooLong {
            len: MAX_CURSOR_LEN + 1,
            max: MAX_CURSOR_LEN
        })
    );
}

/// The integer bounds are exact: the extremes of each type take exactly
/// `MAX_ENCODED_LEN` bytes (a varint carries 7 bits a byte).
#[test]
fn integer_bounds_are_exact() {
    // The bytes behind the 5-byte header (unpadded base64: 3 bytes per 4
    // characters, rounded down).
    fn encoded<T: CursorValue>(v: T) -> usize {
        let mut w = CursorWriter::new(FP);
        w.write(&v);
        w.finish().len() * 3 / 4 - 5
    }
    assert_eq!((i8::MAX_ENCODED_LEN, encoded(i8::MIN)), (2, 2));
    assert_eq!((u8::MAX_ENCODED_LEN, encoded(u8::MAX)), (2, 2));
    assert_eq!((i16::MAX_ENCODED_LEN, encoded(i16::MIN)), (3, 3));
    assert_eq!((i32::MAX_ENCODED_LEN, encoded(i32::MIN)), (5, 5));
    assert_eq!((u32::MAX_ENCODED_LEN, encoded(u32::MAX)), (5, 5));
    assert_eq!((i64::MAX_ENCODED_LEN, encoded(i64::MIN)), (10, 10));
    assert_eq!((u64::MAX_ENCODED_LEN, encoded(u64::MAX)), (10, 10));
    assert_eq!((i128::MAX_ENCODED_LEN, encoded(i128::MIN)), (19, 19));
    assert_eq!((u128::MAX_ENCODED_LEN, encoded(u128::MAX)), (19, 19));
    assert_eq!((char::MAX_ENCODED_LEN, encoded(char::MAX)), (3, 3));
    assert_eq!((bool::MAX_ENCODED_LEN, f64::MAX_ENCODED_LEN), (1, 8));
    assert_eq!(Option::<i64>::MAX_ENCODED_LEN, 11);
    assert_eq!(String::MAX_ENCODED_LEN, 3 + MAX_TEXT_KEY_LEN);
    assert_eq!(MAX_TEXT_KEY_LEN, 32 * 1024);
}

/// Text up to `MAX_TEXT_KEY_LEN` bytes is written, and a cursor holding it
/// opens within its limit; one byte more is refused by the writer, naming
/// the key, and a cursor holding it (written unchecked) by the reader.
#[test]
fn text_keys_up_to_the_maximum() {
    let limit = max_cursor_len(&[String::MAX_ENCODED_LEN]);
    // 5 + 3 + 32768 = 32776 bytes of base64: 43702 characters.
    assert_eq!(limit, 43_702);
    let longest = "é".repeat(MAX_TEXT_KEY_LEN / 2);
    let mut w = CursorWriter::new(FP);
    w.write_key("title", &longest).unwrap();
    let s = w.finish();
    assert_eq!(s.len(), limit);
    let mut r = CursorReader::open_within(&s, FP, limit).unwrap();
    assert_eq!(r.read::<String>().unwrap(), longest);
    r.finish().unwrap();
    // One more character: refused before decoding.
    assert_eq!(
        CursorReader::open_within(&format!("{s}A"), FP, limit).err(),
        Some(CursorError::TooLong {
            len: limit + 1,
            max: limit
        })
    );

    let over = "x".repeat(MAX_TEXT_KEY_LEN + 1);
    let mut w = CursorWriter::new(FP);
    let err = w.write_key("title", &over).unwrap_err();
    assert_eq!(
        (err.key, err.len, err.max),
        ("title", 3 + MAX_TEXT_KEY_LEN + 1, 3 + MAX_TEXT_KEY_LEN)
    );
    // Written unchecked next to a short key, it fits a two-key limit, but
    // the text is refused when read: no cursor keypage accepts holds it.
    let mut w = CursorWriter::new(FP);
    w.write(&over);
    w.write(&String::new());
    let s = w.finish();
    let limit = max_cursor_len(&[String::MAX_ENCODED_LEN; 2]);
    let mut r = CursorReader::open_within(&s, FP, limit).unwrap();
    assert!(matches!(r.read::<String>(), Err(CursorError::Malformed(_))));
}

#[test]
fn named_errors() {
    assert_eq!(CursorReader::open("", FP).err(), Some(CursorError::Empty));
    assert_eq!(
        CursorReader::open("a b", FP).err(),
        Some(CursorError::NotBase64)
    );
    assert_eq!(
        CursorReader::open("a+/=", FP).err(),
        Some(CursorError::NotBase64)
    );
    // Version 2 header.
    let s = base64_url(&[2, 1, 2, 3, 4]);
    assert_eq!(
        CursorReader::open(&s, FP).err(),
        Some(CursorError::UnsupportedVersion {
            found: 2,
            expected: 1
        })
    );
    // Truncated header.
    let s = base64_url(&[1, 1]);
    assert!(matches!(
        CursorReader::open(&s, FP).err(),
        Some(CursorError::Malformed(_))
    ));
    // Non-canonical base64: 7 bytes take 10 characters whose last one
    // carries 4 unused bits; setting one of them must be refused, or two
    // strings would name one position.
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(&FP.to_le_bytes());
    bytes.extend_from_slice(&[0x87, 0x01]);
    let good = base64_url(&bytes);
    assert_eq!(good.len(), 10);
    let mut r = CursorReader::open(&good, FP).unwrap();
    assert_eq!(r.read::<u64>().unwrap(), 135);
    let mut bad = good.into_bytes();
    let last = bad.last_mut().unwrap();
    let pos = ALPHABET_FOR_TEST.iter().position(|c| c == last).unwrap();
    assert_eq!(
        pos & 0b1111,
        0,
        "trailing bits of a canonical encoding are zero"
    );
    *last = ALPHABET_FOR_TEST[pos | 1];
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(
        CursorReader::open(&bad, FP).err(),
        Some(CursorError::NotBase64)
    );
}

const ALPHABET_FOR_TEST: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[test]
fn overlong_varints_are_refused() {
    // 7 encoded as two bytes (0x87 0x00) is not canonical.
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(&FP.to_le_bytes());
    bytes.extend_from_slice(&[0x87, 0x00]);
    let s = base64_url(&bytes);
    let mut r = CursorReader::open(&s, FP).unwrap();
    assert!(matches!(r.read::<u64>(), Err(CursorError::Malformed(_))));
    // An i8 beyond its range.
    let mut w = CursorWriter::new(FP);
    w.write(&1000_i64);
    let mut r = CursorReader::open(&w.finish(), FP).unwrap();
    assert!(matches!(r.read::<i8>(), Err(CursorError::Malformed(_))));
}

#[cfg(feature = "chrono")]
proptest! {
    #[test]
    fn rt_chrono(secs in -50_000_000_000_i64..50_000_000_000, nanos in 0u32..1_000_000_000, days in -700_000i32..700_000) {
        use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
        let dt = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
        prop_assert_eq!(round_trip(&dt), dt);
        prop_assert_eq!(round_trip(&dt.naive_utc()), dt.naive_utc());
        let d = NaiveDate::from_epoch_days(days).unwrap();
        prop_assert_eq!(round_trip(&d), d);
        let t = NaiveTime::from_num_seconds_from_midnight_opt((secs.rem_euclid(86_400)) as u32, nanos).unwrap();
        prop_assert_eq!(round_trip(&t), t);
    }
}

#[cfg(feature = "time")]
proptest! {
    #[test]
    fn rt_time(secs in -50_000_000_000_i64..50_000_000_000, nanos in 0u32..1_000_000_000) {
        use time::{OffsetDateTime, PrimitiveDateTime};
        let dt = OffsetDateTime::from_unix_timestamp(secs).unwrap() + time::Duration::nanoseconds(i64::from(nanos));
        prop_assert_eq!(round_trip(&dt), dt);
        let p = PrimitiveDateTime::new(dt.date(), dt.time());
        prop_assert_eq!(round_trip(&p), p);
        prop_assert_eq!(round_trip(&dt.date()), dt.date());
        prop_assert_eq!(round_trip(&dt.time()), dt.time());
    }
}

#[cfg(feature = "uuid")]
proptest! {
    #[test]
    fn rt_uuid(bytes in any::<[u8; 16]>()) {
        let u = uuid::Uuid::from_bytes(bytes);
        prop_assert_eq!(round_trip(&u), u);
    }
}
