//! `ORDER BY` for a page: the ordering as declared for forward pages, fully
//! reversed (directions and NULL placement) for backward ones.

use super::{Dialect, SqlWriter};
use crate::ordering::KeySpec;

/// Writes the `ORDER BY` list (without the keyword) of the ordering `keys`,
/// reversed when `reversed` (a backward page reads the window from its end).
///
/// Nullable keys state their NULL placement: `NULLS FIRST/LAST` where the
/// dialect has the keyword (PostgreSQL, SQLite 3.30+; both serve either
/// placement from an index). MySQL has no keyword: a placement that is its
/// native one (NULLs smallest) is left implicit so an index on the column
/// still serves the order, and the other one is emulated by sorting on
/// `col IS NULL` first. Keys that cannot be NULL never get a placement, so
/// a plain index such as `(created_at DESC, id DESC)` matches.
///
/// ```
/// use keypage_runtime::{KeySpec, Nulls, SortOrder};
/// use keypage_runtime::sql::{order_by, Dialect};
/// static KEYS: [KeySpec; 2] = [
///     KeySpec::new("rank", "rank", SortOrder::Asc, Some(Nulls::Last)),
///     KeySpec::new("id", "id", SortOrder::Desc, None),
/// ];
/// assert_eq!(order_by(Dialect::Postgres, &KEYS, false), r#""rank" ASC NULLS LAST, "id" DESC"#);
/// assert_eq!(order_by(Dialect::Postgres, &KEYS, true), r#""rank" DESC NULLS FIRST, "id" ASC"#);
/// assert_eq!(order_by(Dialect::MySql, &KEYS, false), "`rank` IS NULL ASC, `rank` ASC, `id` DESC");
/// assert_eq!(order_by(Dialect::MySql, &KEYS, true), "`rank` IS NULL DESC, `rank` DESC, `id` ASC");
/// // NULLs last in a descending order is MySQL's own placement: left implicit.
/// static DESC: [KeySpec; 1] = [
///     KeySpec::new("rank", "rank", SortOrder::Desc, Some(Nulls::Last)),
/// ];
/// assert_eq!(order_by(Dialect::MySql, &DESC, false), "`rank` DESC");
/// ```
pub fn order_by(dialect: Dialect, keys: &[KeySpec], reversed: bool) -> String {
    let mut sql = String::new();
    order_list(&mut sql, dialect, keys, reversed, |out, _, key, is_null| {
        dialect.quote_into(out, key.column);
        if is_null {
            out.push_str(" IS NULL");
        }
    });
    sql
}

/// [`order_by`] over the key columns a page statement's parts carry
/// (`keypage_k0`, and on MySQL `keypage_n0` for `keypage_k0 IS NULL`): the
/// order of their `UNION ALL`, whose `ORDER BY` may only name columns.
pub(crate) fn marked_order_by(dialect: Dialect, keys: &[KeySpec], reversed: bool) -> String {
    let mut sql = String::new();
    order_list(&mut sql, dialect, keys, reversed, |out, i, _, is_null| {
        use core::fmt::Write as _;
        let _ = write!(out, "keypage_{}{i}", if is_null { 'n' } else { 'k' });
    });
    sql
}

/// Appends the `ORDER BY` list to `sql`; `column(out, i, key, false)`
/// writes key `i`'s column, `column(out, i, key, true)` its `IS NULL` term.
fn order_list(
    sql: &mut String,
    dialect: Dialect,
    keys: &[KeySpec],
    reversed: bool,
    column: impl Fn(&mut String, usize, &KeySpec, bool),
) {
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let (sort, nulls) = if reversed {
            (key.sort.reverse(), key.nulls.map(|n| n.reverse()))
        } else {
            (key.sort, key.nulls)
        };
        // MySQL has no `NULLS FIRST/LAST`: a placement other than its own
        // sorts on `IS NULL` first (0 for values, 1 for NULLs: ASC puts
        // NULLs last).
        let emulated =
            nulls.filter(|&n| !dialect.has_nulls_keyword() && n != dialect.native_nulls(sort));
        if let Some(nulls) = emulated {
            column(sql, i, key, true);
            sql.push_str(match nulls {
                crate::ordering::Nulls::Last => " ASC, ",
                crate::ordering::Nulls::First => " DESC, ",
            });
        }
        column(sql, i, key, false);
        sql.push(' ');
        sql.push_str(sort.sql());
        if let Some(nulls) = nulls.filter(|_| dialect.has_nulls_keyword()) {
            sql.push(' ');
            sql.push_str(nulls.sql());
        }
    }
}

/// Writes [`order_by`] into `out`.
pub fn push_order_by<W: SqlWriter + ?Sized>(out: &mut W, keys: &[KeySpec], reversed: bool) {
    let sql = order_by(out.dialect(), keys, reversed);
    out.push_sql(&sql);
}
