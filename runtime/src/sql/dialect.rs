//! [`Dialect`]: what differs between the SQL databases keypage renders for.

use crate::cursor::Value;
use crate::ordering::{Nulls, SortOrder};

/// An SQL dialect: how identifiers are quoted, how bind placeholders look,
/// and which constructs its planner turns into index seeks.
///
/// ```
/// use keypage_runtime::sql::Dialect;
/// assert_eq!(Dialect::Postgres.quote("public.articles"), r#""public"."articles""#);
/// assert_eq!(Dialect::MySql.quote("created_at"), "`created_at`");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL: `$1, $2, ...` placeholders, `"x"` identifiers, row values
    /// seek, `NULLS FIRST/LAST` exists and an index can serve either.
    Postgres,
    /// SQLite: `?` placeholders, `"x"` identifiers, NULLs sort as the
    /// smallest value. Row values seek (3.15+), but 3.51 skip-scans them
    /// under a small `LIMIT` far from the index's start, so keypage's page
    /// statements write the expanded predicate here (`KeyBound` docs).
    Sqlite,
    /// MySQL and MariaDB: `?` placeholders, `` `x` `` identifiers, no
    /// `NULLS FIRST/LAST`, NULLs sort as the smallest value, and row-value
    /// comparisons are not turned into index range scans.
    MySql,
}

impl Dialect {
    /// Quotes an identifier for this dialect. Dots separate qualified parts
    /// (`schema.table`, `alias.column`), each quoted on its own; quote
    /// characters inside a part are doubled, so any name is safe to quote.
    ///
    /// ```
    /// use keypage_runtime::sql::Dialect;
    /// assert_eq!(Dialect::Sqlite.quote(r#"we"ird"#), r#""we""ird""#);
    /// assert_eq!(Dialect::MySql.quote("a.b"), "`a`.`b`");
    /// ```
    pub fn quote(self, identifier: &str) -> String {
        let mut out = String::with_capacity(identifier.len() + 2);
        self.quote_into(&mut out, identifier);
        out
    }

    /// An integer literal every dialect reads as `BIGINT`, for keypage's
    /// marker columns: PostgreSQL types a bare literal `int4` (which sqlx
    /// will not decode as `i64`), and in a `UNION` or `VALUES` list the
    /// first row's type is every row's.
    pub(crate) fn bigint(self, n: i64) -> String {
        match self {
            Dialect::Postgres => format!("CAST({n} AS BIGINT)"),
            Dialect::Sqlite | Dialect::MySql => n.to_string(),
        }
    }

    /// [`quote`](Dialect::quote), appending to `out`.
    pub fn quote_into(self, out: &mut String, identifier: &str) {
        let q = match self {
            Dialect::Postgres | Dialect::Sqlite => '"',
            Dialect::MySql => '`',
        };
        for (i, part) in identifier.split('.').enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push(q);
            for c in part.chars() {
                if c == q {
                    out.push(q);
                }
                out.push(c);
            }
            out.push(q);
        }
    }

    /// Whether the planner turns a row-value comparison `(a, b) < (?, ?)`
    /// into an index range scan. Measured: PostgreSQL 15 and SQLite 3.40
    /// seek on it; MySQL/MariaDB do not, so they get the expanded form.
    ///
    /// ```
    /// use keypage_runtime::sql::Dialect;
    /// assert!(Dialect::Postgres.seeks_row_values() && !Dialect::MySql.seeks_row_values());
    /// ```
    pub const fn seeks_row_values(self) -> bool {
        match self {
            Dialect::Postgres | Dialect::Sqlite => true,
            Dialect::MySql => false,
        }
    }

    /// Whether `ORDER BY ... NULLS FIRST/LAST` exists. SQLite has it since
    /// 3.30; MySQL and MariaDB do not.
    ///
    /// ```
    /// use keypage_runtime::sql::Dialect;
    /// assert!(Dialect::Sqlite.has_nulls_keyword() && !Dialect::MySql.has_nulls_keyword());
    /// ```
    pub const fn has_nulls_keyword(self) -> bool {
        match self {
            Dialect::Postgres | Dialect::Sqlite => true,
            Dialect::MySql => false,
        }
    }

    /// Where NULLs go when `ORDER BY` names no placement: PostgreSQL treats
    /// NULL as the largest value, SQLite and MySQL as the smallest.
    ///
    /// ```
    /// use keypage_runtime::{Nulls, SortOrder, sql::Dialect};
    /// assert_eq!(Dialect::Postgres.native_nulls(SortOrder::Asc), Nulls::Last);
    /// assert_eq!(Dialect::Sqlite.native_nulls(SortOrder::Asc), Nulls::First);
    /// ```
    pub const fn native_nulls(self, sort: SortOrder) -> Nulls {
        let smallest = match self {
            Dialect::Postgres => false,
            Dialect::Sqlite | Dialect::MySql => true,
        };
        match (sort, smallest) {
            (SortOrder::Asc, true) | (SortOrder::Desc, false) => Nulls::First,
            (SortOrder::Asc, false) | (SortOrder::Desc, true) => Nulls::Last,
        }
    }

    /// What keypage writes around the placeholder of each value it binds,
    /// so that the planner plans a statement without its values, once per
    /// statement text: `+?` on SQLite, `(SELECT CAST($n AS <type>))` on
    /// PostgreSQL, a bare `?` on MySQL.
    ///
    /// * SQLite built with `SQLITE_ENABLE_STAT4` (as sqlx bundles it) reads
    ///   a bare `?` on an `ANALYZE`d index while planning, and from then on
    ///   every new binding of that parameter expires the prepared statement,
    ///   so sqlx's cached statement is parsed and planned again on every page
    ///   (measured: 46% of a deep page's instructions, BENCHMARKS.md §2). The
    ///   unary `+` is a no-op on the value (same value, type, affinity and,
    ///   from the column, collation) that the planner does not read through.
    /// * PostgreSQL under the default `plan_cache_mode = auto` plans a
    ///   prepared statement with its values for five executions and then
    ///   keeps planning it per execution whenever its generic plan is
    ///   estimated dearer than those: for a mixed-direction page, always.
    ///   A scalar subquery is an init plan whose value the planner does not
    ///   see even in a custom plan, so the two estimates agree and the plan
    ///   is cached after five executions; its value is still an index
    ///   condition. Measured with `pgbench -M prepared`, a mixed-direction
    ///   page 99% deep in 1,000,000 rows: 0.48 ms with `$n`, 0.16–0.18 ms
    ///   wrapped; a uniform page within noise (0.12–0.15 ms either way). The
    ///   `CAST` names the type keypage binds the value as, which a bare
    ///   `(SELECT $n)` would not give a driver that lets the server infer
    ///   parameter types (it would infer `text`).
    pub(crate) fn bind_wrap(self, value: &Value) -> (&'static str, &'static str) {
        match self {
            Dialect::Sqlite => ("+", ""),
            Dialect::Postgres => match postgres_type(value) {
                Some((_, close)) => ("(SELECT CAST(", close),
                None => ("", ""),
            },
            Dialect::MySql => ("", ""),
        }
    }

    /// Writes the placeholder of the bind parameter numbered `n` (from 1):
    /// `$n` on PostgreSQL, `?` elsewhere.
    ///
    /// ```
    /// use keypage_runtime::sql::Dialect;
    /// let mut s = String::new();
    /// Dialect::Postgres.placeholder(&mut s, 3);
    /// Dialect::Sqlite.placeholder(&mut s, 3);
    /// assert_eq!(s, "$3?");
    /// ```
    pub fn placeholder(self, out: &mut String, n: usize) {
        match self {
            Dialect::Postgres => {
                use core::fmt::Write as _;
                let _ = write!(out, "${n}");
            }
            Dialect::Sqlite | Dialect::MySql => out.push('?'),
        }
    }
}

/// The PostgreSQL type keypage binds `value` as, and the text that closes
/// its wrapped placeholder (see [`Dialect::bind_wrap`]); `None` for NULL,
/// which is never bound.
pub(crate) fn postgres_type(value: &Value) -> Option<(&'static str, &'static str)> {
    macro_rules! ty {
        ($name:literal) => {
            Some(($name, concat!(" AS ", $name, "))")))
        };
    }
    match value {
        Value::Null => None,
        Value::Bool(_) => ty!("BOOL"),
        Value::Int(_) | Value::UInt(_) | Value::Int128(_) | Value::UInt128(_) => ty!("INT8"),
        Value::Float(_) => ty!("FLOAT8"),
        Value::Text(_) => ty!("TEXT"),
        #[cfg(feature = "chrono")]
        Value::ChronoDateTimeUtc(_) => ty!("TIMESTAMPTZ"),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveDateTime(_) => ty!("TIMESTAMP"),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveDate(_) => ty!("DATE"),
        #[cfg(feature = "chrono")]
        Value::ChronoNaiveTime(_) => ty!("TIME"),
        #[cfg(feature = "time")]
        Value::TimeOffsetDateTime(_) => ty!("TIMESTAMPTZ"),
        #[cfg(feature = "time")]
        Value::TimePrimitiveDateTime(_) => ty!("TIMESTAMP"),
        #[cfg(feature = "time")]
        Value::TimeDate(_) => ty!("DATE"),
        #[cfg(feature = "time")]
        Value::TimeTime(_) => ty!("TIME"),
        #[cfg(feature = "uuid")]
        Value::Uuid(_) => ty!("UUID"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quote_characters_per_part() {
        assert_eq!(Dialect::Postgres.quote("s.t"), r#""s"."t""#);
        assert_eq!(
            Dialect::Postgres.quote(r#"a"; DROP TABLE x; --"#),
            r#""a""; DROP TABLE x; --""#
        );
        assert_eq!(Dialect::MySql.quote("a`b"), "`a``b`");
        assert_eq!(Dialect::MySql.quote(r#"a"b"#), r#"`a"b`"#);
    }

    #[test]
    fn native_nulls() {
        for sort in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(
                Dialect::Sqlite.native_nulls(sort),
                Dialect::MySql.native_nulls(sort)
            );
            assert_eq!(
                Dialect::Postgres.native_nulls(sort),
                Dialect::Sqlite.native_nulls(sort).reverse()
            );
        }
    }
}
