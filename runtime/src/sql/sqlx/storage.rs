//! Whether each key column stores what keypage binds for its field's type.
//!
//! A page is exact only when the database compares the bound cursor values
//! the way it orders the column: the bound value of a row's cursor must be
//! the very value the row stores. keypage binds each [`Value`] through
//! sqlx's own `Encode` of the Rust type (a `DateTime<Utc>` as the text
//! `2024-01-01T12:00:00+00:00` on SQLite, as a `timestamptz` on
//! PostgreSQL); a column holding something else (unix seconds, the text
//! `CURRENT_TIMESTAMP` writes) decodes fine into the field but compares
//! differently, and the walk repeats or loses rows. So every page row's key
//! values are checked against the raw `keypage_k<i>` columns before the
//! page is handed out, and a mismatch is a [`KeyStorageError`].
//!
//! What is checked, and why it is enough:
//!
//! * SQLite types values, not columns: each value has its own storage
//!   class, so every page row is checked (one row proves nothing about the
//!   next). The raw value must have the storage class keypage binds and be
//!   equal to the bound value: the same integer, the same float, the same
//!   bytes of text or blob. Text is compared byte for byte with sqlx's
//!   encoding of the decoded value, since text compares by bytes and
//!   `2024-01-01 12:00:00` and `2024-01-01T12:00:00+00:00` sort apart.
//!   Equality of the bound and the stored value is all a seek needs: the
//!   database then compares the cursor's row with itself and its neighbours
//!   in its own order. The cost is one storage-class read and an equality
//!   test per key and row (a date-time's canonical text is written into a
//!   stack buffer, no allocation).
//! * PostgreSQL and MySQL/MariaDB type columns: a column's type is the same
//!   on every row, so each key is checked once per page, on the first page
//!   row where it is not NULL. The column's type must be one that compares
//!   with keypage's bind as it orders (a `timestamptz` for `DateTime<Utc>`,
//!   not a `timestamp`; text, not `char(n)` or an `ENUM`). Values of a
//!   strictly typed column are what the field decodes them to, except on
//!   MySQL/MariaDB, where sqlx reads a `DOUBLE` into an `f32` and any
//!   integer into a `bool`: float and boolean keys are compared with the
//!   stored value on every row there.
//! * A key column sqlx cannot decode into the field (a mismatched type, a
//!   UUID stored as text, a NULL in a non-`Option` field) is reported as the
//!   same error, naming the key, instead of a bare decode error.
//!
//! The check runs on every page, the first included, so a walk over a
//! column in the wrong storage is refused at once.

#[cfg(all(feature = "sqlite", any(feature = "chrono", feature = "time")))]
use std::fmt::Write as _;

use sqlx::{Database, Row, TypeInfo, ValueRef};

use crate::cursor::Value;
use crate::ordering::KeySpec;
use crate::sql::Dialect;

/// A key column stores its values in another form than keypage binds for
/// the key field's type: pages would repeat or lose rows, so none is
/// handed out.
///
/// A fault of the schema or the data, not of the request: fix the column's
/// storage or the field's type as the message says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "key `{key}` (column `{column}`) on {db}: the column holds {found}, where keypage needs \
     {expected}, so the database would not compare cursors as it orders the column; {advice}",
    db = database_name(*.dialect)
)]
#[non_exhaustive]
pub struct KeyStorageError {
    /// The key's field name.
    pub key: &'static str,
    /// The key's column.
    pub column: &'static str,
    /// The database's dialect.
    pub dialect: Dialect,
    /// What the column holds: a storage class and value on SQLite (`INTEGER
    /// 1704067200`), a column type on PostgreSQL and MySQL (`TIMESTAMP`).
    pub found: String,
    /// What keypage binds for the field's type (`TEXT
    /// "2024-01-01T12:00:00+00:00"`, `TIMESTAMPTZ (columns of type TIMESTAMPTZ)`), or, when sqlx could
    /// not decode the column as the field's type, sqlx's reason.
    pub expected: String,
    /// What to do about it.
    pub advice: &'static str,
}

fn database_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "SQLite",
        Dialect::Postgres => "PostgreSQL",
        Dialect::MySql => "MySQL/MariaDB",
    }
}

/// A key value's storage that differs from keypage's bind.
pub(crate) struct Mismatch {
    found: String,
    expected: String,
    advice: &'static str,
}

/// The per-database check of one raw key value against the value keypage
/// binds for the decoded key.
pub(crate) trait KeyStorage: Database {
    const DIALECT: Dialect;
    /// Whether each value has its own type (SQLite), so every row is
    /// checked, rather than each column (once per page).
    const PER_ROW: bool;
    /// Whether `value`'s kind is checked on every row even where columns
    /// are typed: a typed column can still hold values the field's type
    /// does not (a MariaDB `DOUBLE` under an `f32` field, a `BOOLEAN`
    /// holding 2).
    fn value_per_row(_value: &Value) -> bool {
        false
    }
    /// Checks the raw, non-NULL `raw` against `value`, the decoded key.
    fn check(raw: <Self as Database>::ValueRef<'_>, value: &Value) -> Result<(), Mismatch>;
    /// What `raw` holds, for an error message.
    fn describe(raw: <Self as Database>::ValueRef<'_>) -> String;
}

/// The check of one page's rows, in the order they are decoded.
pub(crate) struct PageCheck {
    keys: &'static [KeySpec],
    /// The index of `keypage_k<i>` in the row, found on the first row.
    columns: Vec<usize>,
    /// Per-column databases: the keys not checked yet on this page.
    pending: Vec<bool>,
    /// Whether some key is checked on every row (see
    /// [`KeyStorage::value_per_row`]), known after the first row.
    every_row: Option<bool>,
}

impl PageCheck {
    pub(crate) fn new(keys: &'static [KeySpec]) -> Self {
        PageCheck {
            keys,
            columns: Vec::new(),
            pending: vec![true; keys.len()],
            every_row: None,
        }
    }

    fn columns<R: Row>(&mut self, row: &R) -> &[usize] {
        if self.columns.is_empty() {
            use sqlx::Column as _;
            let names = row.columns();
            self.columns = (0..self.keys.len())
                .map(|i| {
                    let name = format!("keypage_k{i}");
                    names
                        .iter()
                        .position(|c| c.name() == name)
                        .unwrap_or(usize::MAX)
                })
                .collect();
        }
        &self.columns
    }

    fn error(&self, i: usize, dialect: Dialect, m: Mismatch) -> KeyStorageError {
        KeyStorageError {
            key: self.keys[i].field,
            column: self.keys[i].column,
            dialect,
            found: m.found,
            expected: m.expected,
            advice: m.advice,
        }
    }

    /// Checks a decoded page row; `values` gives its key values (called
    /// only when a key is to be checked).
    pub(crate) fn row<DB: KeyStorage>(
        &mut self,
        row: &DB::Row,
        values: impl FnOnce() -> Vec<Value>,
    ) -> Result<(), KeyStorageError>
    where
        usize: sqlx::ColumnIndex<DB::Row>,
    {
        if !DB::PER_ROW && self.every_row == Some(false) && !self.pending.contains(&true) {
            return Ok(());
        }
        let values = values();
        self.columns(row);
        if self.every_row.is_none() {
            self.every_row = Some(values.iter().any(DB::value_per_row));
        }
        for (i, value) in values.iter().enumerate() {
            let due = DB::PER_ROW || self.pending[i] || DB::value_per_row(value);
            if matches!(value, Value::Null) || !due {
                continue;
            }
            // The statement always selects the key columns; a missing one is
            // a statement not written by `PagePlan`, not checked.
            let Some(&column) = self.columns.get(i).filter(|&&c| c != usize::MAX) else {
                continue;
            };
            let Ok(raw) = row.try_get_raw(column) else {
                continue;
            };
            if raw.is_null() {
                continue;
            }
            DB::check(raw, value).map_err(|m| self.error(i, DB::DIALECT, m))?;
            self.pending[i] = false;
        }
        Ok(())
    }

    /// A row sqlx could not decode: when the failing column is a key's, the
    /// key's storage is the fault, reported as a [`KeyStorageError`].
    pub(crate) fn decode_error<DB: KeyStorage>(
        &mut self,
        row: &DB::Row,
        error: sqlx::Error,
    ) -> super::FetchError
    where
        usize: sqlx::ColumnIndex<DB::Row>,
    {
        let sqlx::Error::ColumnDecode { index, source } = &error else {
            return error.into();
        };
        let name = index.trim_matches('"');
        let Some(i) = self.keys.iter().position(|k| {
            k.column == name || k.column.rsplit('.').next() == Some(name) || k.field == name
        }) else {
            return error.into();
        };
        let column = self.columns(row).get(i).copied().unwrap_or(usize::MAX);
        let found = match row.try_get_raw(column) {
            Ok(raw) if raw.is_null() => "NULL".to_owned(),
            Ok(raw) => DB::describe(raw),
            Err(_) => "a value".to_owned(),
        };
        let null = found == "NULL";
        let m = Mismatch {
            found,
            expected: format!("what sqlx decodes as the field's type ({source})"),
            advice: if null {
                "declare the field `Option<_>` (with `nulls first` or `last`) or keep NULL out of \
                 the column (SQLite stores a NaN float as NULL)"
            } else {
                "declare the field with the Rust type sqlx reads this column as, or store the \
                 column as sqlx writes the field's type (see keypage's README, key storage)"
            },
        };
        self.error(i, DB::DIALECT, m).into()
    }
}

/// What keypage binds for `value` on PostgreSQL, and the column types that
/// compare with that bind as they order.
#[cfg(feature = "postgres")]
fn pg_types(value: &Value) -> (&'static str, &'static [&'static str]) {
    let bound = crate::sql::dialect::postgres_type(value).map_or("NULL", |(name, _)| name);
    let accepted: &'static [&'static str] = match bound {
        "INT8" => &["INT2", "INT4", "INT8"],
        "FLOAT8" => &["FLOAT4", "FLOAT8"],
        "TEXT" => &["TEXT", "VARCHAR"],
        "NULL" => &[],
        // The other types accept only themselves; a type missing here
        // accepts nothing, so every row of it fails the check loudly.
        _ => {
            static ALONE: [&str; 6] = ["BOOL", "TIMESTAMPTZ", "TIMESTAMP", "DATE", "TIME", "UUID"];
            match ALONE.iter().position(|t| *t == bound) {
                Some(i) => &ALONE[i..=i],
                None => &[],
            }
        }
    };
    (bound, accepted)
}

#[cfg(feature = "postgres")]
impl KeyStorage for sqlx::Postgres {
    const DIALECT: Dialect = Dialect::Postgres;
    const PER_ROW: bool = false;

    fn check(raw: sqlx::postgres::PgValueRef<'_>, value: &Value) -> Result<(), Mismatch> {
        let (bound, accepted) = pg_types(value);
        let found = raw.type_info();
        if accepted.contains(&found.name()) {
            return Ok(());
        }
        Err(Mismatch {
            found: found.name().to_owned(),
            expected: format!("{bound} (columns of type {})", accepted.join(", ")),
            advice: "declare the column with a type from the list (`timestamptz` for \
                     `DateTime<Utc>`/`OffsetDateTime`, `timestamp` for naive date-times, `text` \
                     or `varchar` for `String`), or the field with the Rust type of the column",
        })
    }

    fn describe(raw: sqlx::postgres::PgValueRef<'_>) -> String {
        raw.type_info().name().to_owned()
    }
}

/// MySQL/MariaDB column types of integers (any of them compares exactly
/// with a bound `BIGINT`).
#[cfg(feature = "mysql")]
const MYSQL_INTEGERS: &[&str] = &[
    "BOOLEAN",
    "TINYINT",
    "SMALLINT",
    "MEDIUMINT",
    "INT",
    "BIGINT",
    "TINYINT UNSIGNED",
    "SMALLINT UNSIGNED",
    "MEDIUMINT UNSIGNED",
    "INT UNSIGNED",
    "BIGINT UNSIGNED",
];

/// What keypage binds for `value` on MySQL/MariaDB, and the column types
/// that compare with that bind as they order.
#[cfg(feature = "mysql")]
fn mysql_types(value: &Value) -> (&'static str, &'static [&'static str]) {
    #[cfg(any(feature = "chrono", feature = "time"))]
    const DATETIMES: &[&str] = &["DATETIME", "TIMESTAMP"];
    match value {
        Value::Bool(_) => ("BOOLEAN", MYSQL_INTEGERS),
        Value::Int(_) | Value::Int128(_) => ("BIGINT", MYSQL_INTEGERS),
        Value::UInt(_) | Value::UInt128(_) => ("BIGINT UNSIGNED", MYSQL_INTEGERS),
        Value::Float(_) => ("DOUBLE", &["FLOAT", "DOUBLE"]),
        // Not `ENUM`/`SET`: they sort by their definition's order, not as
        // the text bound. sqlx names text of a binary collation
        // (`utf8mb4_bin`) as the binary type; both compare by bytes, as
        // they sort.
        Value::Text(_) => (
            "VARCHAR",
            &[
                "VARCHAR",
                "CHAR",
                "TEXT",
                "TINYTEXT",
                "MEDIUMTEXT",
                "LONGTEXT",
                "VARBINARY",
                "BINARY",
                "TINYBLOB",
                "BLOB",
                "MEDIUMBLOB",
                "LONGBLOB",
            ],
        ),
        #[cfg(feature = "chrono")]
        Value::ChronoDateTimeUtc(_) | Value::ChronoNaiveDateTime(_) => ("DATETIME", DATETIMES),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveDate(_) => ("DATE", &["DATE"]),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveTime(_) => ("TIME", &["TIME"]),
        #[cfg(feature = "time")]
        Value::TimeOffsetDateTime(_) | Value::TimePrimitiveDateTime(_) => ("DATETIME", DATETIMES),
        #[cfg(feature = "time")]
        Value::TimeDate(_) => ("DATE", &["DATE"]),
        #[cfg(feature = "time")]
        Value::TimeTime(_) => ("TIME", &["TIME"]),
        #[cfg(feature = "uuid")]
        Value::Uuid(_) => ("BINARY(16)", &["BINARY", "VARBINARY", "BLOB", "TINYBLOB"]),
        Value::Null => ("NULL", &[]),
    }
}

/// `ENUM` or `SET` when the column is one. sqlx names an `ENUM` of a
/// binary collation `BINARY` (it tests that flag first) and keeps the flags
/// private; its `Debug` shows them. Only the page statement without a
/// `UNION` (every walk's first page) still has the flag, which is enough
/// to refuse the walk at once.
#[cfg(feature = "mysql")]
fn mysql_enum_or_set(info: &sqlx::mysql::MySqlTypeInfo) -> Option<&'static str> {
    let debug = format!("{info:?}");
    debug
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find_map(|flag| match flag {
            "ENUM" => Some("ENUM"),
            "SET" => Some("SET"),
            _ => None,
        })
}

#[cfg(feature = "mysql")]
impl KeyStorage for sqlx::MySql {
    const DIALECT: Dialect = Dialect::MySql;
    const PER_ROW: bool = false;

    fn value_per_row(value: &Value) -> bool {
        matches!(value, Value::Float(_) | Value::Bool(_))
    }

    fn check(raw: sqlx::mysql::MySqlValueRef<'_>, value: &Value) -> Result<(), Mismatch> {
        let (bound, accepted) = mysql_types(value);
        let found = raw.type_info().into_owned();
        let name = match value {
            Value::Text(_) => mysql_enum_or_set(&found).unwrap_or(found.name()),
            _ => found.name(),
        };
        if accepted.contains(&name) {
            // The value itself, where the field's type may not hold it:
            // sqlx reads a `DOUBLE` into an `f32` and any integer into a
            // `bool`, and the bound value then differs from the stored one.
            return match value {
                Value::Float(v) => match <f64 as sqlx::Decode<sqlx::MySql>>::decode(raw) {
                    Ok(stored) if stored == *v => Ok(()),
                    Ok(stored) => Err(Mismatch {
                        found: format!("{name} {stored:?}"),
                        expected: format!("DOUBLE {v:?}"),
                        advice: "declare the field `f64` for a `DOUBLE` column (an `f32` field \
                                 reads a rounded value), or the column `FLOAT`",
                    }),
                    Err(_) => Ok(()),
                },
                Value::Bool(v) => match <i64 as sqlx::Decode<sqlx::MySql>>::decode(raw) {
                    Ok(stored) if stored == i64::from(*v) => Ok(()),
                    Ok(stored) => Err(Mismatch {
                        found: format!("{name} {stored}"),
                        expected: format!("BOOLEAN {}", i64::from(*v)),
                        advice: "store booleans as 0 and 1, or declare the field as an integer",
                    }),
                    Err(_) => Ok(()),
                },
                _ => Ok(()),
            };
        }
        Err(Mismatch {
            found: name.to_owned(),
            expected: format!("{bound} (columns of type {})", accepted.join(", ")),
            advice: "declare the column with a type from the list (`DATETIME(6)` or \
                     `TIMESTAMP(6)` for date-times, `DATE` for dates, `VARCHAR`/`TEXT`, not \
                     `ENUM`, for `String`), or the field with the Rust type of the column",
        })
    }

    fn describe(raw: sqlx::mysql::MySqlValueRef<'_>) -> String {
        raw.type_info().name().to_owned()
    }
}

/// A SQLite value's storage class and content.
#[cfg(feature = "sqlite")]
enum Stored<'a> {
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

#[cfg(feature = "sqlite")]
impl Stored<'_> {
    fn describe(&self) -> String {
        match self {
            Stored::Integer(v) => format!("INTEGER {v}"),
            Stored::Real(v) => format!("REAL {v:?}"),
            Stored::Text(v) => format!("TEXT {v:?}"),
            Stored::Blob(v) => format!("a BLOB of {} bytes", v.len()),
        }
    }
}

#[cfg(feature = "sqlite")]
fn sqlite_stored(raw: sqlx::sqlite::SqliteValueRef<'_>) -> Result<Stored<'_>, String> {
    use sqlx::Decode;
    use sqlx::sqlite::Sqlite;
    // The value's own storage class (sqlx reports it for a non-NULL value).
    let class = match raw.type_info().name() {
        "INTEGER" => 0,
        "REAL" => 1,
        "TEXT" => 2,
        "BLOB" => 3,
        other => return Err(other.to_owned()),
    };
    let stored = match class {
        0 => <i64 as Decode<Sqlite>>::decode(raw).map(Stored::Integer),
        1 => <f64 as Decode<Sqlite>>::decode(raw).map(Stored::Real),
        2 => <&str as Decode<Sqlite>>::decode(raw).map(Stored::Text),
        _ => <&[u8] as Decode<Sqlite>>::decode(raw).map(Stored::Blob),
    };
    stored.map_err(|e| e.to_string())
}

/// A date-time's text, as sqlx's SQLite `Encode` writes it, in a stack
/// buffer (see [`canonical_text`]).
#[cfg(feature = "sqlite")]
struct Buf {
    bytes: [u8; 48],
    len: usize,
}

#[cfg(feature = "sqlite")]
impl core::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.bytes.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(feature = "sqlite")]
impl Buf {
    fn new() -> Self {
        Buf {
            bytes: [0; 48],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        // Only `write_str` fills it, with whole `str`s.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

/// `.123`, `.123456` or `.123456789`, or nothing for a whole second: the
/// fraction as chrono's `%.f` and `SecondsFormat::AutoSi` write it.
#[cfg(all(feature = "sqlite", feature = "chrono"))]
fn chrono_fraction(out: &mut Buf, nanos: u32) -> core::fmt::Result {
    if nanos == 0 {
        Ok(())
    } else if nanos.is_multiple_of(1_000_000) {
        write!(out, ".{:03}", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        write!(out, ".{:06}", nanos / 1_000)
    } else {
        write!(out, ".{nanos:09}")
    }
}

/// `.5`, `.123456789`: the fraction as `time`'s `[subsecond]` (one or more
/// digits) and `Rfc3339` write it, trailing zeros dropped; `whole` for a
/// whole second.
#[cfg(all(feature = "sqlite", feature = "time"))]
fn time_fraction(out: &mut Buf, nanos: u32, whole: &str) -> core::fmt::Result {
    if nanos == 0 {
        return out.write_str(whole);
    }
    let mut digits = 9;
    let mut n = nanos;
    while n.is_multiple_of(10) {
        n /= 10;
        digits -= 1;
    }
    write!(out, ".{n:0digits$}")
}

/// The text sqlx's SQLite `Encode` writes for a date-time `value` (what
/// keypage binds for it), or `None` when `value` is not a date-time. The
/// common years (0 to 9999) and whole seconds are written here without
/// allocating; anything else by the crate's own formatting, as sqlx does.
#[cfg(feature = "sqlite")]
fn canonical_text(value: &Value) -> Option<Buf> {
    #[cfg_attr(not(any(feature = "chrono", feature = "time")), allow(unused_mut))]
    let mut out = Buf::new();
    let written: Option<core::fmt::Result> = match value {
        #[cfg(feature = "chrono")]
        Value::ChronoDateTimeUtc(v) => Some(
            chrono_text(&mut out, &v.naive_utc(), "T", "+00:00").unwrap_or_else(|| {
                out.write_str(&v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
            }),
        ),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveDateTime(v) => Some(
            chrono_text(&mut out, v, " ", "")
                .unwrap_or_else(|| out.write_str(&v.format("%F %T%.f").to_string())),
        ),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveDate(v) => Some({
            use chrono::Datelike as _;
            if (0..=9999).contains(&v.year()) {
                write!(out, "{:04}-{:02}-{:02}", v.year(), v.month(), v.day())
            } else {
                out.write_str(&v.format("%F").to_string())
            }
        }),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveTime(v) => Some({
            use chrono::Timelike as _;
            if v.nanosecond() < 1_000_000_000 {
                write!(out, "{:02}:{:02}:{:02}", v.hour(), v.minute(), v.second())
                    .and_then(|()| chrono_fraction(&mut out, v.nanosecond()))
            } else {
                out.write_str(&v.format("%T%.f").to_string())
            }
        }),
        #[cfg(feature = "time")]
        Value::TimeOffsetDateTime(v) => Some({
            // The cursor keeps the instant, in UTC: what its bind writes.
            match v.checked_to_offset(time::UtcOffset::UTC) {
                Some(v) if (0..=9999).contains(&v.year()) => time_date(&mut out, v.date())
                    .and_then(|()| time_time(&mut out, v.time(), "T", "", "Z")),
                _ => Err(core::fmt::Error),
            }
        }),
        #[cfg(feature = "time")]
        Value::TimePrimitiveDateTime(v) => Some(if (0..=9999).contains(&v.year()) {
            time_date(&mut out, v.date())
                .and_then(|()| time_time(&mut out, v.time(), " ", ".0", ""))
        } else {
            Err(core::fmt::Error)
        }),
        #[cfg(feature = "time")]
        Value::TimeDate(v) => Some(if (0..=9999).contains(&v.year()) {
            time_date(&mut out, *v)
        } else {
            Err(core::fmt::Error)
        }),
        #[cfg(feature = "time")]
        Value::TimeTime(v) => Some(time_time(&mut out, *v, "", ".0", "")),
        _ => None,
    };
    match written? {
        Ok(()) => Some(out),
        // A value sqlx cannot write either (a `time` year beyond 9999):
        // nothing stored can equal it.
        Err(_) => Some(Buf::new()),
    }
}

/// `YYYY-MM-DD{sep}HH:MM:SS{fraction}{zone}` for a chrono date-time with a
/// year from 0 to 9999 and no leap second, else `None`.
#[cfg(all(feature = "sqlite", feature = "chrono"))]
fn chrono_text(
    out: &mut Buf,
    v: &chrono::NaiveDateTime,
    sep: &str,
    zone: &str,
) -> Option<core::fmt::Result> {
    use chrono::{Datelike as _, Timelike as _};
    if !(0..=9999).contains(&v.year()) || v.nanosecond() >= 1_000_000_000 {
        return None;
    }
    Some(
        write!(
            out,
            "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
            v.year(),
            v.month(),
            v.day(),
            v.hour(),
            v.minute(),
            v.second()
        )
        .and_then(|()| chrono_fraction(out, v.nanosecond()))
        .and_then(|()| out.write_str(zone)),
    )
}

#[cfg(all(feature = "sqlite", feature = "time"))]
fn time_date(out: &mut Buf, d: time::Date) -> core::fmt::Result {
    write!(
        out,
        "{:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

#[cfg(all(feature = "sqlite", feature = "time"))]
fn time_time(
    out: &mut Buf,
    t: time::Time,
    sep: &str,
    whole: &str,
    zone: &str,
) -> core::fmt::Result {
    write!(
        out,
        "{sep}{:02}:{:02}:{:02}",
        t.hour(),
        t.minute(),
        t.second()
    )?;
    time_fraction(out, t.nanosecond(), whole)?;
    out.write_str(zone)
}

#[cfg(feature = "sqlite")]
impl KeyStorage for sqlx::Sqlite {
    const DIALECT: Dialect = Dialect::Sqlite;
    const PER_ROW: bool = true;

    fn check(raw: sqlx::sqlite::SqliteValueRef<'_>, value: &Value) -> Result<(), Mismatch> {
        let stored = match sqlite_stored(raw) {
            Ok(stored) => stored,
            Err(found) => {
                return Err(Mismatch {
                    found,
                    expected: "an INTEGER, REAL, TEXT or BLOB value".to_owned(),
                    advice: "store the column as sqlx writes the field's type",
                });
            }
        };
        let int = |v: i128| match stored {
            Stored::Integer(s) => i128::from(s) == v,
            _ => false,
        };
        let ok = match value {
            Value::Null => true,
            Value::Bool(v) => int(i128::from(*v)),
            Value::Int(v) => int(i128::from(*v)),
            Value::UInt(v) => int(i128::from(*v)),
            Value::Int128(v) => int(*v),
            Value::UInt128(v) => i128::try_from(*v).is_ok_and(int),
            // `==`: SQLite compares -0.0 and 0.0 as equal, as this does.
            Value::Float(v) => matches!(stored, Stored::Real(s) if s == *v),
            Value::Text(v) => matches!(stored, Stored::Text(s) if s == v),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => matches!(stored, Stored::Blob(s) if s == v.as_bytes()),
            #[allow(unreachable_patterns)]
            other => match canonical_text(other) {
                Some(text) => matches!(stored, Stored::Text(s) if s == text.as_str()),
                None => false,
            },
        };
        if ok {
            return Ok(());
        }
        Err(sqlite_mismatch(&stored, value))
    }

    fn describe(raw: sqlx::sqlite::SqliteValueRef<'_>) -> String {
        match sqlite_stored(raw) {
            Ok(stored) => stored.describe(),
            Err(found) => found,
        }
    }
}

/// The error for a SQLite value `stored` that is not `value`'s bind.
#[cfg(feature = "sqlite")]
fn sqlite_mismatch(stored: &Stored<'_>, value: &Value) -> Mismatch {
    let (expected, date_time) = match value {
        Value::Bool(v) => (format!("INTEGER {}", i64::from(*v)), false),
        Value::Int(v) => (format!("INTEGER {v}"), false),
        Value::UInt(v) => (format!("INTEGER {v}"), false),
        Value::Int128(v) => (format!("INTEGER {v}"), false),
        Value::UInt128(v) => (format!("INTEGER {v}"), false),
        Value::Float(v) => (format!("REAL {v:?}"), false),
        Value::Text(v) => (format!("TEXT {v:?}"), false),
        #[cfg(feature = "uuid")]
        Value::Uuid(_) => ("a 16-byte BLOB".to_owned(), false),
        #[allow(unreachable_patterns)]
        other => match canonical_text(other) {
            Some(text) => (format!("TEXT {:?}", text.as_str()), true),
            None => ("NULL".to_owned(), false),
        },
    };
    let advice = match (stored, value, date_time) {
        (Stored::Integer(_), _, true) => {
            "declare the field `i64` for unix seconds (`unixepoch()`), or store the column as \
             TEXT written by sqlx binding the field's type"
        }
        (Stored::Real(_), _, true) => {
            "declare the field `f64` for julian days (`julianday()`), or store the column as \
             TEXT written by sqlx binding the field's type"
        }
        (Stored::Text(_), _, true) => {
            "store the text exactly as sqlx binds the field's type (write the column with a sqlx \
             bind, not `CURRENT_TIMESTAMP` or another format), or declare the field with the \
             type whose text the column holds (`chrono::NaiveDateTime` for \
             `CURRENT_TIMESTAMP`'s `YYYY-MM-DD HH:MM:SS`, `String` for any text)"
        }
        #[cfg(feature = "uuid")]
        (_, Value::Uuid(_), _) => {
            "store UUIDs as the 16-byte BLOBs sqlx writes for `Uuid`, or declare the field \
             `String` for UUIDs stored as text"
        }
        (Stored::Integer(_), Value::Float(_), _) => {
            "declare the column `REAL`, so that SQLite stores the floats as floats"
        }
        (Stored::Real(_), Value::Float(_), _) => {
            "declare the field `f64`: the column holds floats an `f32` does not represent"
        }
        (Stored::Integer(_), Value::Bool(_), _) => "store booleans as 0 and 1",
        _ => "declare the field with the Rust type of the values the column stores",
    };
    Mismatch {
        found: stored.describe(),
        expected,
        advice,
    }
}

#[cfg(all(test, feature = "sqlite", any(feature = "chrono", feature = "time")))]
mod tests {
    use super::*;

    /// Fractions of every width sqlx writes (none, 3, 6 and 9 digits).
    #[cfg(any(feature = "chrono", feature = "time"))]
    const NANOS: [u32; 9] = [
        0,
        1,
        10,
        999,
        1_000,
        120_000,
        500_000_000,
        123_456_789,
        999_999_999,
    ];
    /// The first and last years both libraries format, an epoch and a leap day.
    #[cfg(any(feature = "chrono", feature = "time"))]
    const DAYS: [(i32, u8, u8); 4] = [(0, 1, 1), (1970, 1, 1), (2024, 2, 29), (9999, 12, 31)];

    /// The stack-buffer texts are sqlx's: the same calls sqlx's `Encode`
    /// makes, on whole and fractional seconds of each width.
    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_texts_are_sqlx_encodings() {
        use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
        for (y, m, d) in DAYS {
            let date = NaiveDate::from_ymd_opt(y, m.into(), d.into()).unwrap();
            assert_eq!(
                canonical_text(&Value::ChronoNaiveDate(date))
                    .unwrap()
                    .as_str(),
                date.format("%F").to_string()
            );
            for n in NANOS {
                let dt: NaiveDateTime = date.and_hms_nano_opt(23, 5, 9, n).unwrap();
                let utc: DateTime<Utc> = dt.and_utc();
                assert_eq!(
                    canonical_text(&Value::ChronoDateTimeUtc(utc))
                        .unwrap()
                        .as_str(),
                    utc.to_rfc3339_opts(SecondsFormat::AutoSi, false)
                );
                assert_eq!(
                    canonical_text(&Value::ChronoNaiveDateTime(dt))
                        .unwrap()
                        .as_str(),
                    dt.format("%F %T%.f").to_string()
                );
                assert_eq!(
                    canonical_text(&Value::ChronoNaiveTime(dt.time()))
                        .unwrap()
                        .as_str(),
                    dt.time().format("%T%.f").to_string()
                );
            }
        }
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_texts_are_sqlx_encodings() {
        use time::format_description::well_known::Rfc3339;
        use time::macros::format_description as fd;
        use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};
        for (y, m, d) in DAYS {
            let date = Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap();
            assert_eq!(
                canonical_text(&Value::TimeDate(date)).unwrap().as_str(),
                date.format(fd!("[year]-[month]-[day]")).unwrap()
            );
            for n in NANOS {
                let t = Time::from_hms_nano(23, 5, 9, n).unwrap();
                let dt = PrimitiveDateTime::new(date, t);
                assert_eq!(
                    canonical_text(&Value::TimePrimitiveDateTime(dt))
                        .unwrap()
                        .as_str(),
                    dt.format(fd!(
                        "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]"
                    ))
                    .unwrap()
                );
                assert_eq!(
                    canonical_text(&Value::TimeTime(t)).unwrap().as_str(),
                    t.format(fd!("[hour]:[minute]:[second].[subsecond]"))
                        .unwrap()
                );
                let utc = dt.assume_utc();
                assert_eq!(
                    canonical_text(&Value::TimeOffsetDateTime(utc))
                        .unwrap()
                        .as_str(),
                    utc.format(&Rfc3339).unwrap()
                );
                // Another offset: the cursor's UTC instant is what is bound.
                if let Some(east) = utc.checked_to_offset(UtcOffset::from_hms(2, 0, 0).unwrap()) {
                    assert_eq!(
                        canonical_text(&Value::TimeOffsetDateTime(east))
                            .unwrap()
                            .as_str(),
                        utc.format(&Rfc3339).unwrap()
                    );
                }
            }
        }
    }
}

/// A key-storage fault is the server's: GraphQL clients see `INTERNAL`,
/// the schema detail only the server's log.
#[cfg(all(test, feature = "graphql"))]
mod graphql_tests {
    use async_graphql::{ErrorExtensions as _, Value as GqlValue};

    use super::*;
    use crate::graphql::IntoGraphqlError as _;
    use crate::sql::sqlx::FetchError;

    #[test]
    fn key_storage_is_internal() {
        let error = || {
            FetchError::KeyStorage(KeyStorageError {
                key: "created_at",
                column: "created_at",
                dialect: Dialect::Sqlite,
                found: "INTEGER 1704067200".to_owned(),
                expected: "TEXT \"2024-01-01T00:00:00+00:00\"".to_owned(),
                advice: "declare the field `i64` for unix seconds",
            })
        };
        assert!(error().to_string().contains("key `created_at`"));
        for gql in [error().extend(), error().into_graphql_error()] {
            assert_eq!(gql.message, "internal error");
            let code = gql.extensions.as_ref().and_then(|e| e.get("code"));
            assert_eq!(code, Some(&GqlValue::from("INTERNAL")));
        }
    }
}
