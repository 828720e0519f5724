//! [`CursorValue`]: the types a key field may have, and [`Value`], their
//! form as SQL bind parameters.

use core::cmp::Ordering;

use super::codec::{varint_len, varint_len_of};
use super::{CursorReader, CursorWriter};
use crate::error::CursorError;

/// The longest text key a cursor holds, in bytes of UTF-8: 32 KiB, room for
/// titles of a few thousand words in any script. A `String` key takes at
/// most this plus a 3-byte length in a cursor; a longer one makes
/// [`Cursor::try_encode`](crate::Cursor::try_encode) fail with
/// [`KeyTooLong`](crate::KeyTooLong), and a cursor claiming one is refused
/// when decoded, so every text cursor handed out is one that is accepted.
pub const MAX_TEXT_KEY_LEN: usize = 32 * 1024;

/// A type that can be a pagination key: it has a compact encoding inside a
/// cursor, a total order, and a form as an SQL bind value.
///
/// Implemented for the integer types, `bool`, `char`, `String`, `f32`/`f64`
/// (ordered by `total_cmp`, so NaN has a place), `Option<T>` of those, and
/// behind features `chrono`, `time` and `uuid` for their date-time and UUID
/// types. Implement it for your own newtypes by delegating to the inner type:
///
/// ```
/// use keypage_runtime::{CursorReader, CursorValue, CursorWriter, CursorError, Value};
/// #[derive(Clone, Debug, PartialEq)]
/// struct UserId(i64);
/// impl CursorValue for UserId {
///     const MAX_ENCODED_LEN: usize = i64::MAX_ENCODED_LEN;
///     fn write_to(&self, out: &mut CursorWriter) { self.0.write_to(out) }
///     fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
///         i64::read_from(input).map(UserId)
///     }
///     fn cmp_key(&self, other: &Self) -> core::cmp::Ordering { self.0.cmp(&other.0) }
///     fn to_value(&self) -> Value { Value::Int(self.0) }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a pagination key: it does not implement `keypage::CursorValue`",
    label = "this key field's type cannot be stored in a cursor",
    note = "keys may be integers, `bool`, `char`, `String`, `f32`/`f64`, an `Option` of one of those, or (with keypage's features `chrono`, `time`, `uuid`) their date-time and UUID types; for your own type, implement `keypage::CursorValue`"
)]
pub trait CursorValue: Sized {
    /// The most bytes [`write_to`](CursorValue::write_to) appends for one
    /// value that keypage accepts back: at most 10 for a 64-bit integer,
    /// `1 +` the inner type's for `Option`, and for `String` 3 more than
    /// [`MAX_TEXT_KEY_LEN`]. The derive sums these over an ordering's keys
    /// into the longest cursor its `decode` accepts
    /// ([`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN)); longer input is
    /// refused before it is decoded, and a value that writes more makes
    /// [`Cursor::try_encode`](crate::Cursor::try_encode) fail naming its key.
    ///
    /// No default: any default would be wrong for some type, either
    /// unbounded (no limit before decoding) or too small (cursors handed out
    /// that are then refused). A newtype takes its inner type's.
    const MAX_ENCODED_LEN: usize;
    /// Appends this value's encoding.
    fn write_to(&self, out: &mut CursorWriter);
    /// Reads a value written by [`write_to`](CursorValue::write_to); any
    /// other bytes are an error.
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError>;
    /// The natural (ascending) total order of non-null values.
    fn cmp_key(&self, other: &Self) -> Ordering;
    /// Whether this is SQL NULL (`None`); NULL placement is the ordering's business.
    #[inline]
    fn is_null(&self) -> bool {
        false
    }
    /// The value as an SQL bind parameter.
    fn to_value(&self) -> Value;
}

/// A key value as a bind parameter, for SQL rendering and for drivers other
/// than sqlx. NULL keys are never bound (predicates use `IS NULL`), but
/// [`Value::Null`] exists so a row's values can be listed whole.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer (every integer type up to `i64`, and `u8`..`u32`).
    Int(i64),
    /// An unsigned 64-bit integer (`u64`, `usize`).
    UInt(u64),
    /// A 128-bit integer; few databases store these natively.
    Int128(i128),
    /// An unsigned 128-bit integer.
    UInt128(u128),
    /// A floating point number (`f32` widens exactly).
    Float(f64),
    /// Text (`String`, `char`).
    Text(String),
    /// `chrono::DateTime<Utc>`.
    #[cfg(feature = "chrono")]
    ChronoDateTimeUtc(chrono::DateTime<chrono::Utc>),
    /// `chrono::NaiveDateTime`.
    #[cfg(feature = "chrono")]
    ChronoNaiveDateTime(chrono::NaiveDateTime),
    /// `chrono::NaiveDate`.
    #[cfg(feature = "chrono")]
    ChronoNaiveDate(chrono::NaiveDate),
    /// `chrono::NaiveTime`.
    #[cfg(feature = "chrono")]
    ChronoNaiveTime(chrono::NaiveTime),
    /// `time::OffsetDateTime`.
    #[cfg(feature = "time")]
    TimeOffsetDateTime(time::OffsetDateTime),
    /// `time::PrimitiveDateTime`.
    #[cfg(feature = "time")]
    TimePrimitiveDateTime(time::PrimitiveDateTime),
    /// `time::Date`.
    #[cfg(feature = "time")]
    TimeDate(time::Date),
    /// `time::Time`.
    #[cfg(feature = "time")]
    TimeTime(time::Time),
    /// `uuid::Uuid`.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
}

/// An integer key whose value does not fit its type.
const OUT_OF_RANGE: CursorError = CursorError::Malformed("an integer is out of range");

macro_rules! signed {
    ($($t:ident => $bits:expr),*) => {$(
        impl CursorValue for $t {
            /// A zig-zag varint of `$bits` bits.
            const MAX_ENCODED_LEN: usize = varint_len($bits);
            #[inline]
            fn write_to(&self, out: &mut CursorWriter) {
                out.put_zigzag(*self as i128);
            }
            /// Always inlined, like the reader's varint decoding, into the
            /// generated `decode`.
            #[inline(always)]
            fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
                // `$bits` is a constant: one branch remains, in 64-bit
                // arithmetic for every type but 128-bit ones.
                if $bits <= 64 {
                    <$t>::try_from(input.get_zigzag64($bits)?).map_err(|_| OUT_OF_RANGE)
                } else {
                    <$t>::try_from(input.get_zigzag($bits)?).map_err(|_| OUT_OF_RANGE)
                }
            }
            #[inline]
            fn cmp_key(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
            #[inline]
            fn to_value(&self) -> Value {
                signed!(@value self, $t)
            }
        }
    )*};
    (@value $v:ident, i128) => { Value::Int128(*$v) };
    (@value $v:ident, isize) => { Value::Int(*$v as i64) };
    (@value $v:ident, $t:ident) => { Value::Int(i64::from(*$v)) };
}

macro_rules! unsigned {
    ($($t:ident => $bits:expr),*) => {$(
        impl CursorValue for $t {
            /// A varint of `$bits` bits.
            const MAX_ENCODED_LEN: usize = varint_len($bits);
            #[inline]
            fn write_to(&self, out: &mut CursorWriter) {
                out.put_varint(*self as u128);
            }
            #[inline(always)]
            fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
                if $bits <= 64 {
                    <$t>::try_from(input.get_varint64($bits)?).map_err(|_| OUT_OF_RANGE)
                } else {
                    <$t>::try_from(input.get_varint($bits)?).map_err(|_| OUT_OF_RANGE)
                }
            }
            #[inline]
            fn cmp_key(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
            #[inline]
            fn to_value(&self) -> Value {
                unsigned!(@value self, $t)
            }
        }
    )*};
    (@value $v:ident, u64) => { Value::UInt(*$v) };
    (@value $v:ident, usize) => { Value::UInt(*$v as u64) };
    (@value $v:ident, u128) => { Value::UInt128(*$v) };
    (@value $v:ident, $t:ident) => { Value::Int(i64::from(*$v)) };
}

signed!(i8 => 8, i16 => 16, i32 => 32, i64 => 64, i128 => 128, isize => usize::BITS);
unsigned!(u8 => 8, u16 => 16, u32 => 32, u64 => 64, u128 => 128, usize => usize::BITS);

impl CursorValue for bool {
    const MAX_ENCODED_LEN: usize = 1;
    #[inline]
    fn write_to(&self, out: &mut CursorWriter) {
        out.put_u8(u8::from(*self));
    }
    #[inline]
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        match input.get_u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(CursorError::Malformed("a boolean is neither 0 nor 1")),
        }
    }
    #[inline]
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
    #[inline]
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl CursorValue for char {
    /// A varint of a scalar value, at most `0x10FFFF` (21 bits).
    const MAX_ENCODED_LEN: usize = varint_len(21);
    #[inline]
    fn write_to(&self, out: &mut CursorWriter) {
        out.put_varint(u128::from(u32::from(*self)));
    }
    #[inline]
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        let raw = input.get_varint(32)? as u32;
        char::from_u32(raw).ok_or(CursorError::Malformed(
            "a character is not a Unicode scalar value",
        ))
    }
    #[inline]
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
    #[inline]
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl CursorValue for String {
    /// The length as a varint, then the bytes.
    const MAX_ENCODED_LEN: usize = varint_len_of(MAX_TEXT_KEY_LEN) + MAX_TEXT_KEY_LEN;
    #[inline]
    fn write_to(&self, out: &mut CursorWriter) {
        out.put_bytes(self.as_bytes());
    }
    #[inline]
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        let bytes = input.get_bytes()?;
        // Never minted (`try_encode` refuses such keys), so never accepted.
        if bytes.len() > MAX_TEXT_KEY_LEN {
            return Err(CursorError::Malformed(
                "a text value is longer than 32 KiB (32768 bytes)",
            ));
        }
        let text = core::str::from_utf8(bytes)
            .map_err(|_| CursorError::Malformed("a text value is not UTF-8"))?;
        Ok(text.to_owned())
    }
    /// Byte order, which is code point order: how the slice backend orders
    /// text. The SQL backends never compare in Rust: there the column's own
    /// collation orders the rows.
    #[inline]
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
    #[inline]
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

macro_rules! float {
    ($($t:ty => $bits:ty, $n:expr),*) => {$(
        impl CursorValue for $t {
            /// The IEEE bits.
            const MAX_ENCODED_LEN: usize = $n;
            #[inline]
            fn write_to(&self, out: &mut CursorWriter) {
                out.put_raw(&self.to_bits().to_le_bytes());
            }
            #[inline]
            fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
                let raw = input.get_raw($n)?;
                let mut bytes = [0u8; $n];
                bytes.copy_from_slice(raw);
                Ok(<$t>::from_bits(<$bits>::from_le_bytes(bytes)))
            }
            /// `total_cmp`: a total order, with NaN after +inf and -0 before +0.
            #[inline]
            fn cmp_key(&self, other: &Self) -> Ordering {
                self.total_cmp(other)
            }
            #[inline]
            fn to_value(&self) -> Value {
                Value::Float(f64::from(*self))
            }
        }
    )*};
}

float!(f32 => u32, 4, f64 => u64, 8);

impl<T: CursorValue> CursorValue for Option<T> {
    /// A tag byte, then the value.
    const MAX_ENCODED_LEN: usize = 1 + T::MAX_ENCODED_LEN;
    #[inline]
    fn write_to(&self, out: &mut CursorWriter) {
        match self {
            None => out.put_u8(0),
            Some(v) => {
                out.put_u8(1);
                v.write_to(out);
            }
        }
    }
    #[inline]
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        match input.get_u8()? {
            0 => Ok(None),
            1 => T::read_from(input).map(Some),
            _ => Err(CursorError::Malformed(
                "an optional value has an unknown tag",
            )),
        }
    }
    /// `None` before `Some`; orderings place NULLs themselves, this only
    /// makes the order total on its own.
    #[inline]
    fn cmp_key(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Some(a), Some(b)) => a.cmp_key(b),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
        }
    }
    #[inline]
    fn is_null(&self) -> bool {
        self.is_none()
    }
    #[inline]
    fn to_value(&self) -> Value {
        match self {
            None => Value::Null,
            Some(v) => v.to_value(),
        }
    }
}

impl<T: CursorValue> CursorValue for Box<T> {
    const MAX_ENCODED_LEN: usize = T::MAX_ENCODED_LEN;
    #[inline]
    fn write_to(&self, out: &mut CursorWriter) {
        (**self).write_to(out)
    }
    #[inline]
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        T::read_from(input).map(Box::new)
    }
    #[inline]
    fn cmp_key(&self, other: &Self) -> Ordering {
        (**self).cmp_key(other)
    }
    #[inline]
    fn is_null(&self) -> bool {
        (**self).is_null()
    }
    #[inline]
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use super::*;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

    /// Seconds since the epoch, then the sub-second nanoseconds (which may
    /// exceed 10^9 during a leap second, as chrono allows).
    fn write_naive(out: &mut CursorWriter, dt: &NaiveDateTime) {
        let utc = dt.and_utc();
        out.put_zigzag(i128::from(utc.timestamp()));
        out.put_varint(u128::from(utc.timestamp_subsec_nanos()));
    }

    fn read_naive(input: &mut CursorReader) -> Result<NaiveDateTime, CursorError> {
        let secs = i64::try_from(input.get_zigzag(64)?)
            .map_err(|_| CursorError::Malformed("a timestamp is out of range"))?;
        let nanos = input.get_varint(32)? as u32;
        DateTime::<Utc>::from_timestamp(secs, nanos)
            .map(|dt| dt.naive_utc())
            .ok_or(CursorError::Malformed("a timestamp is out of range"))
    }

    /// Seconds as a zig-zag varint of 64 bits, nanoseconds as one of 32.
    const NAIVE_LEN: usize = varint_len(64) + varint_len(32);

    impl CursorValue for DateTime<Utc> {
        const MAX_ENCODED_LEN: usize = NAIVE_LEN;
        fn write_to(&self, out: &mut CursorWriter) {
            write_naive(out, &self.naive_utc())
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            read_naive(input).map(|n| n.and_utc())
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::ChronoDateTimeUtc(*self)
        }
    }

    impl CursorValue for NaiveDateTime {
        const MAX_ENCODED_LEN: usize = NAIVE_LEN;
        fn write_to(&self, out: &mut CursorWriter) {
            write_naive(out, self)
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            read_naive(input)
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::ChronoNaiveDateTime(*self)
        }
    }

    impl CursorValue for NaiveDate {
        /// Days since the epoch, a zig-zag varint of 32 bits.
        const MAX_ENCODED_LEN: usize = varint_len(32);
        fn write_to(&self, out: &mut CursorWriter) {
            out.put_zigzag(i128::from(self.to_epoch_days()));
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            i32::try_from(input.get_zigzag(32)?)
                .ok()
                .and_then(NaiveDate::from_epoch_days)
                .ok_or(CursorError::Malformed("a date is out of range"))
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::ChronoNaiveDate(*self)
        }
    }

    impl CursorValue for NaiveTime {
        /// Seconds since midnight and nanoseconds, varints of 32 bits.
        const MAX_ENCODED_LEN: usize = 2 * varint_len(32);
        fn write_to(&self, out: &mut CursorWriter) {
            out.put_varint(u128::from(self.num_seconds_from_midnight()));
            out.put_varint(u128::from(self.nanosecond()));
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            let secs = input.get_varint(32)? as u32;
            let nanos = input.get_varint(32)? as u32;
            NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
                .ok_or(CursorError::Malformed("a time of day is out of range"))
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::ChronoNaiveTime(*self)
        }
    }
}

#[cfg(feature = "time")]
mod time_impls {
    use super::*;
    use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    fn write_ts(out: &mut CursorWriter, nanos: i128) {
        out.put_zigzag(nanos);
    }

    fn read_utc(input: &mut CursorReader) -> Result<OffsetDateTime, CursorError> {
        OffsetDateTime::from_unix_timestamp_nanos(input.get_zigzag(128)?)
            .map_err(|_| CursorError::Malformed("a timestamp is out of range"))
    }

    impl CursorValue for OffsetDateTime {
        /// Nanoseconds since the epoch, a zig-zag varint of 128 bits.
        const MAX_ENCODED_LEN: usize = varint_len(128);
        /// Stored as the instant (UTC); the offset is not kept, since the
        /// order only depends on the instant. Decoded values are in UTC.
        fn write_to(&self, out: &mut CursorWriter) {
            write_ts(out, self.unix_timestamp_nanos())
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            read_utc(input)
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::TimeOffsetDateTime(*self)
        }
    }

    impl CursorValue for PrimitiveDateTime {
        const MAX_ENCODED_LEN: usize = varint_len(128);
        fn write_to(&self, out: &mut CursorWriter) {
            write_ts(out, self.assume_utc().unix_timestamp_nanos())
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            let utc = read_utc(input)?;
            debug_assert_eq!(utc.offset(), UtcOffset::UTC);
            Ok(PrimitiveDateTime::new(utc.date(), utc.time()))
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::TimePrimitiveDateTime(*self)
        }
    }

    impl CursorValue for Date {
        /// The Julian day, a zig-zag varint of 32 bits.
        const MAX_ENCODED_LEN: usize = varint_len(32);
        fn write_to(&self, out: &mut CursorWriter) {
            out.put_zigzag(i128::from(self.to_julian_day()));
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            i32::try_from(input.get_zigzag(32)?)
                .ok()
                .and_then(|d| Date::from_julian_day(d).ok())
                .ok_or(CursorError::Malformed("a date is out of range"))
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::TimeDate(*self)
        }
    }

    impl CursorValue for Time {
        /// Seconds since midnight and nanoseconds, varints of 32 bits.
        const MAX_ENCODED_LEN: usize = 2 * varint_len(32);
        fn write_to(&self, out: &mut CursorWriter) {
            let (h, m, s, n) = self.as_hms_nano();
            let secs = u32::from(h) * 3600 + u32::from(m) * 60 + u32::from(s);
            out.put_varint(u128::from(secs));
            out.put_varint(u128::from(n));
        }
        fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
            let secs = input.get_varint(32)? as u32;
            let nanos = input.get_varint(32)? as u32;
            if secs >= 86_400 {
                return Err(CursorError::Malformed("a time of day is out of range"));
            }
            Time::from_hms_nano(
                (secs / 3600) as u8,
                (secs / 60 % 60) as u8,
                (secs % 60) as u8,
                nanos,
            )
            .map_err(|_| CursorError::Malformed("a time of day is out of range"))
        }
        fn cmp_key(&self, other: &Self) -> Ordering {
            self.cmp(other)
        }
        fn to_value(&self) -> Value {
            Value::TimeTime(*self)
        }
    }
}

#[cfg(feature = "uuid")]
impl CursorValue for uuid::Uuid {
    const MAX_ENCODED_LEN: usize = 16;
    fn write_to(&self, out: &mut CursorWriter) {
        out.put_raw(self.as_bytes());
    }
    fn read_from(input: &mut CursorReader) -> Result<Self, CursorError> {
        let raw = input.get_raw(16)?;
        uuid::Uuid::from_slice(raw).map_err(|_| CursorError::Malformed("it is truncated"))
    }
    /// Byte order, which is how PostgreSQL's `uuid` type sorts.
    fn cmp_key(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
    fn to_value(&self) -> Value {
        Value::Uuid(*self)
    }
}
