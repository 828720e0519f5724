//! Keyset predicates: "rows strictly after (or before) this key", in the
//! shape the planners turn into an index seek.
//!
//! The shapes were chosen by measurement (1,000,000 rows, an index on
//! `(created_at DESC, id DESC)`, 20 rows at depth 500,000):
//!
//! * the row value `(created_at, id) < (?, ?)` seeks on SQLite 3.40 and
//!   PostgreSQL 15, about the cost of the first page;
//! * the textbook expansion `created_at < ? OR (created_at = ? AND id < ?)`
//!   does not: both planners walk the index from its start and filter every
//!   row before the cursor, as slow as `OFFSET`;
//! * the same logic with a bound on the leading key,
//!   `created_at <= ? AND (created_at < ? OR id < ?)`, seeks again.
//!
//! So row values are used when every key sorts in one direction, none is
//! nullable and the dialect seeks on them (PostgreSQL; SQLite 3.51 seeks
//! them too, but not for a small `LIMIT` far from the index's start, see
//! [`KeyBound::shape`]); everything else (mixed directions, nullable keys,
//! SQLite, MySQL/MariaDB) gets the expansion with a
//! leading bound, applied at every level:
//! `a <= ? AND (a < ? OR (b <= ? AND (b < ? OR c < ?)))`.
//!
//! The expansion seeks on the leading key only, and then filters the rows
//! tied with the cursor on it. Where that measured costly, a page seeks the
//! bound in parts instead, each an exact index range (see
//! [`KeyBound::parts`]): a nullable leading key crossing its NULLs
//! ([`KeyBound::splits`]), and on PostgreSQL and SQLite an ordering with
//! mixed directions, split at the leading key ([`KeyBound::ladders`]).

use super::{Dialect, SqlWriter};
use crate::cursor::Value;
use crate::ordering::{KeySpec, Nulls, SortOrder};

/// Which side of a key a bound keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    /// Rows after the key in the ordering.
    After,
    /// Rows before the key in the ordering.
    Before,
}

/// The SQL form a predicate takes, chosen by measurement (this module's
/// doc says which and why; [`KeyBound::shape`] decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// One row-value comparison: `(a, b) < (?, ?)`.
    RowValue,
    /// The expansion with a bound on the leading key:
    /// `a <= ? AND (a < ? OR b < ?)`, NULL-aware for nullable keys.
    Expanded,
}

/// A position in an ordering and the rows on one side of it: strictly after
/// or before a key, or (`inclusive`) at-or-after / at-or-before it.
///
/// `inclusive` only changes the comparison of the last, unique key; it is
/// what the `EXISTS` probe for the opposite page flag asks.
/// (`a_bound_renders_in_each_dialects_shape` below shows one.)
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyBound {
    /// Which side of the key to keep.
    pub side: Side,
    /// Whether rows equal to the key are kept too.
    pub inclusive: bool,
    /// The key's values, one per key of the ordering ([`Value::Null`] for
    /// NULL, which is never bound: the SQL says `IS NULL`).
    pub values: Vec<Value>,
}

impl KeyBound {
    /// A bound on the key `values`.
    pub(crate) fn new(side: Side, inclusive: bool, values: Vec<Value>) -> Self {
        KeyBound {
            side,
            inclusive,
            values,
        }
    }

    /// Rows strictly after `key`.
    #[cfg(test)]
    pub(crate) fn after<K: crate::Keyset>(key: &K) -> Self {
        Self::new(Side::After, false, key.values())
    }

    /// The shape this bound renders in for `dialect` over `keys`.
    pub(crate) fn shape(&self, dialect: Dialect, keys: &[KeySpec]) -> Shape {
        let uniform = keys.windows(2).all(|w| w[0].sort == w[1].sort);
        let not_null = keys.iter().all(|k| !k.nullable())
            && self.values.iter().all(|v| !matches!(v, Value::Null));
        // SQLite 3.51 (the one sqlx bundles, with STAT4) seeks row values,
        // but costs them wrongly for a small LIMIT over most of the table:
        // for `(created_at, id) >= (?, ?) ... LIMIT 1` (the probe) or
        // `LIMIT 2` (a `first: 1` page) 99% deep in 1,000,000 rows it
        // skip-scans another index and sorts (130 ms against 14 µs); the
        // expansion was sought at every limit and depth measured.
        let row_values = dialect.seeks_row_values() && dialect != Dialect::Sqlite;
        if keys.len() > 1 && uniform && not_null && row_values {
            Shape::RowValue
        } else {
            Shape::Expanded
        }
    }

    /// Writes the predicate (no leading `WHERE`/`AND`, no surrounding
    /// parentheses) for the ordering `keys`, binding every value in order.
    ///
    /// # Panics
    ///
    /// If `values` and `keys` differ in length: a [`Keyset`](crate::Keyset) implementation
    /// always lists one value per key.
    pub(crate) fn push_sql<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        keys: &[KeySpec],
    ) -> Result<(), W::Error> {
        assert_eq!(
            keys.len(),
            self.values.len(),
            "a keyset bound needs one value per key"
        );
        let dialect = out.dialect();
        match self.shape(dialect, keys) {
            Shape::RowValue => self.push_row_value(out, keys),
            Shape::Expanded => render(out, keys, &self.expand(keys)),
        }
    }

    /// Renders the predicate on its own, placeholders numbered from 1.
    #[cfg(test)]
    pub(crate) fn render(&self, dialect: Dialect, keys: &[KeySpec]) -> super::RenderedSql {
        let mut out = super::RenderedSql::new(dialect);
        let Ok(()) = self.push_sql(&mut out, keys);
        out
    }

    fn push_row_value<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        keys: &[KeySpec],
    ) -> Result<(), W::Error> {
        self.push_compare_with(out, keys, |out: &mut W, i| {
            out.push_bind(self.values[i].clone())
        })
    }

    /// This bound as one comparison of the key columns with what
    /// `value(out, i)` writes for key `i` (an SQL expression, not a value of
    /// this bound): `a < V0` for one key, the row value `(a, b) < (V0, V1)`
    /// for more. Only for keys that sort in one direction and are never
    /// NULL ([`Shape::RowValue`]'s keys, or a single non-nullable key),
    /// where that comparison is the whole bound.
    pub(crate) fn push_compare_with<W, V>(
        &self,
        out: &mut W,
        keys: &[KeySpec],
        mut value: V,
    ) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        V: FnMut(&mut W, usize) -> Result<(), W::Error>,
    {
        debug_assert!(
            keys.windows(2).all(|w| w[0].sort == w[1].sort) && keys.iter().all(|k| !k.nullable())
        );
        let dialect = out.dialect();
        let row = keys.len() > 1;
        let mut sql = String::from(if row { "(" } else { "" });
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            dialect.quote_into(&mut sql, key.column);
        }
        let sort = effective_sort(keys[0].sort, self.side);
        sql.push_str(if row { ") " } else { " " });
        sql.push_str(greater(sort, self.inclusive));
        sql.push_str(if row { " (" } else { " " });
        out.push_sql(&sql);
        for i in 0..keys.len() {
            if i > 0 {
                out.push_sql(", ");
            }
            value(out, i)?;
        }
        if row {
            out.push_sql(")");
        }
        Ok(())
    }

    /// The expansion `GE_1 AND (G_1 OR (GE_2 AND (G_2 OR ... G_n)))`, where
    /// `G_i`/`GE_i` keep rows whose key `i` is beyond / at-or-beyond the
    /// cursor's on this bound's side. It equals the lexicographic
    /// `G_1 OR (E_1 AND (G_2 OR ...))`, since `GE_1 AND (G_1 OR X)` is
    /// `G_1 OR (E_1 AND X)`; the extra `GE_1` is the leading bound the
    /// planner seeks on.
    fn expand(&self, keys: &[KeySpec]) -> Expr {
        self.expand_from(keys, 0)
    }

    /// [`expand`](Self::expand) over `keys[start..]`.
    fn expand_from(&self, keys: &[KeySpec], start: usize) -> Expr {
        let mut expr = None;
        for i in (start..keys.len()).rev() {
            let (beyond, at_or_beyond) = key_conditions(i, &keys[i], &self.values[i], self.side);
            expr = Some(match expr {
                None if self.inclusive => at_or_beyond,
                None => beyond,
                Some(rest) => Expr::and(at_or_beyond, Expr::or(beyond, rest)),
            });
        }
        expr.unwrap_or(Expr::True)
    }

    /// Whether the rows beyond this bound form two index ranges rather than
    /// one, so that a single predicate cannot seek (measured: PostgreSQL and
    /// SQLite then filter every row from the start of the index). That is
    /// the case when the leading key is nullable and the rows beyond the
    /// cursor run across the boundary of its NULLs:
    ///
    /// * the cursor's value is not NULL and NULLs lie beyond it on this side:
    ///   `(a > ? OR a IS NULL) ...` is the values beyond, then every NULL;
    /// * the cursor's value is NULL and values lie beyond it on this side:
    ///   `a IS NOT NULL OR id > ?` is the NULLs beyond, then every value.
    ///
    /// Each part alone seeks; [`PagePlan`](super::PagePlan) then fetches
    /// both parts in one `UNION ALL`.
    pub(crate) fn splits(&self, keys: &[KeySpec]) -> bool {
        self.split(keys).is_some()
    }

    /// The two parts of a [`splits`](Self::splits) bound, in the order they
    /// come on this side.
    fn split(&self, keys: &[KeySpec]) -> Option<[Expr; 2]> {
        let (key, value) = (keys.first()?, self.values.first()?);
        if keys.len() < 2 || !(key.nullable() || matches!(value, Value::Null)) {
            return None;
        }
        let sort = effective_sort(key.sort, self.side);
        let nulls = effective_nulls(key, self.side);
        let rest = self.expand_from(keys, 1);
        match (value, nulls) {
            (Value::Null, Nulls::First) => {
                Some([Expr::and(Expr::IsNull(0), rest), Expr::IsNotNull(0)])
            }
            (Value::Null, Nulls::Last) => None,
            (_, Nulls::Last) => {
                let cmp = |inclusive| Expr::Cmp {
                    key: 0,
                    op: greater(sort, inclusive),
                    value: value.clone(),
                };
                Some([
                    Expr::and(cmp(true), Expr::or(cmp(false), rest)),
                    Expr::IsNull(0),
                ])
            }
            (_, Nulls::First) => None,
        }
    }

    /// How many parts the page statement seeks this bound in on `dialect`
    /// (each its own `ORDER BY ... LIMIT`, concatenated in this order): 2
    /// for a bound that [`splits`](Self::splits) or
    /// [`ladders`](Self::ladders), else 1 (the whole predicate).
    pub(crate) fn parts(&self, dialect: Dialect, keys: &[KeySpec]) -> usize {
        self.pieces(dialect, keys).map_or(1, |p| p.len())
    }

    /// Whether the bound is sought in two parts on `dialect`, split at the
    /// leading key: for keys `(a, b, id)` after `(x, y, z)`, first
    /// `a = x AND b <= y AND (b < y OR id > z)` (an index range that starts
    /// at the cursor), then `a > x`, each its own `ORDER BY ... LIMIT`.
    ///
    /// The expansion `a >= x AND (a > x OR ...)` seeks on `a` alone and
    /// then filters every row tied with the cursor on `a` that lies before
    /// it; PostgreSQL fetches each from the heap first. Measured on
    /// 1,000,000 rows with 1,000 per `score` (`score asc, created_at desc,
    /// id asc`, 50% deep, PostgreSQL 15, the page with its probe, prepared,
    /// median of 50 executions through psql): 0.37 ms expanded, 0.29 ms in
    /// two parts. SQLite 3.51 (`benches/deep_pages.rs`, the same ordering
    /// 99% deep, values bound as `+?`): 0.88× the hand-written expansion in
    /// two parts, 1.00–1.05× expanded. Only where it measured better:
    /// PostgreSQL and SQLite, orderings with mixed directions (others have
    /// row values) and no nullable key (those split at their NULLs), and not
    /// the `LIMIT 1` probe (0.35 ms split too, PostgreSQL). Rejected by
    /// measurement: one part per prefix level (`a = x AND b = y AND id > z`,
    /// `a = x AND b < y`, `a > x`), which executes in 0.085 ms against
    /// 0.36 ms with a generic plan, but which PostgreSQL's plan cache
    /// re-planned on every execution (its generic estimate for the small
    /// middle range is high): 0.46 ms in all. On SQLite the split first
    /// measured slower, by hand through pysqlite3 with bare `?` (151 µs
    /// against 100 µs); through sqlx with `+?`, the way keypage binds now,
    /// it is the faster. MySQL/MariaDB: not measured. BENCHMARKS.md has the
    /// plans.
    pub(crate) fn ladders(&self, dialect: Dialect, keys: &[KeySpec]) -> bool {
        let uniform = keys.windows(2).all(|w| w[0].sort == w[1].sort);
        let not_null = keys.iter().all(|k| !k.nullable())
            && self.values.iter().all(|v| !matches!(v, Value::Null));
        keys.len() > 1
            && keys.len() == self.values.len()
            && !uniform
            && not_null
            && !self.inclusive
            && matches!(dialect, Dialect::Postgres | Dialect::Sqlite)
    }

    /// The parts of a bound sought in several, in reading order: the
    /// [`split`](Self::split) or the two parts of a
    /// [`ladder`](Self::ladders).
    fn pieces(&self, dialect: Dialect, keys: &[KeySpec]) -> Option<Vec<Expr>> {
        if let Some(split) = self.split(keys) {
            return Some(split.into());
        }
        if !self.ladders(dialect, keys) {
            return None;
        }
        let tied = Expr::and(
            Expr::Cmp {
                key: 0,
                op: "=",
                value: self.values[0].clone(),
            },
            self.expand_from(keys, 1),
        );
        let (beyond, _) = key_conditions(0, &keys[0], &self.values[0], self.side);
        // The rows tied with the cursor on the leading key come first.
        Some(vec![tied, beyond])
    }

    /// What the rows of the bound (`part: None`) or of its part `part` (see
    /// [`parts`](Self::parts)) are known to hold in the leading key:
    /// `Some(true)` only NULLs, `Some(false)` no NULL, `None` either.
    pub(super) fn leading_null(
        &self,
        dialect: Dialect,
        keys: &[KeySpec],
        part: Option<usize>,
    ) -> Option<bool> {
        if keys.len() != self.values.len() {
            return None;
        }
        match part {
            None => self.expand(keys).leading_null(),
            Some(part) => self.pieces(dialect, keys)?.get(part)?.leading_null(),
        }
    }

    /// This bound as a filter on rows whose leading key is known to be NULL
    /// (`Some(true)`) or not (`Some(false)`): SQL's NULL semantics alone
    /// decide (`x IS NULL`, and no comparison with NULL is true), never a
    /// comparison of values in Rust.
    pub(super) fn filter_given(
        &self,
        dialect: Dialect,
        keys: &[KeySpec],
        leading_null: Option<bool>,
    ) -> Filter {
        if self.shape(dialect, keys) == Shape::RowValue || keys.len() != self.values.len() {
            return Filter::Some;
        }
        match self.expand(keys).given(leading_null) {
            Expr::True => Filter::All,
            Expr::False => Filter::Nothing,
            _ => Filter::Some,
        }
    }

    /// Writes [`push_sql`](Self::push_sql)'s predicate, folded for rows
    /// whose leading key is known to be NULL or not (see
    /// [`filter_given`](Self::filter_given)).
    pub(super) fn push_sql_given<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        keys: &[KeySpec],
        leading_null: Option<bool>,
    ) -> Result<(), W::Error> {
        match (self.shape(out.dialect(), keys), leading_null) {
            (Shape::Expanded, Some(_)) if keys.len() == self.values.len() => {
                render(out, keys, &self.expand(keys).given(leading_null))
            }
            _ => self.push_sql(out, keys),
        }
    }

    /// Writes part `part` of a bound sought in [`parts`](Self::parts) > 1
    /// on the writer's dialect; the parts together select what
    /// [`push_sql`](Self::push_sql) does, every row of a part before every
    /// row of the next.
    ///
    /// # Panics
    ///
    /// If the bound is one part, or `part` is not below
    /// [`parts`](Self::parts).
    pub(crate) fn push_part_sql<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        keys: &[KeySpec],
        part: usize,
    ) -> Result<(), W::Error> {
        let parts = self
            .pieces(out.dialect(), keys)
            .expect("the bound is sought in one part");
        render(out, keys, &parts[part])
    }
}

/// The direction "after" moves in on `side`: the ordering's own for
/// `After`, reversed for `Before`.
fn effective_sort(sort: SortOrder, side: Side) -> SortOrder {
    match side {
        Side::After => sort,
        Side::Before => sort.reverse(),
    }
}

/// Where NULLs of `key` lie when moving to `side`: `Last` means beyond
/// every value. `KeySpec::compare` puts NULLs last when no placement is
/// declared.
fn effective_nulls(key: &KeySpec, side: Side) -> Nulls {
    let declared = key.nulls.unwrap_or(Nulls::Last);
    match side {
        Side::After => declared,
        Side::Before => declared.reverse(),
    }
}

/// The comparison operator for "beyond" in `order`.
fn greater(sort: SortOrder, inclusive: bool) -> &'static str {
    match (sort, inclusive) {
        (SortOrder::Asc, false) => ">",
        (SortOrder::Asc, true) => ">=",
        (SortOrder::Desc, false) => "<",
        (SortOrder::Desc, true) => "<=",
    }
}

/// `(beyond, at_or_beyond)` for key `i` with cursor value `value`: the rows
/// whose value of this key compares past the cursor's on `side` (as
/// [`KeySpec::compare`] orders them), and those past or equal.
fn key_conditions(i: usize, key: &KeySpec, value: &Value, side: Side) -> (Expr, Expr) {
    let sort = effective_sort(key.sort, side);
    let nulls = effective_nulls(key, side);
    let nullable = key.nullable() || matches!(value, Value::Null);
    let cmp = |inclusive| Expr::Cmp {
        key: i,
        op: greater(sort, inclusive),
        value: value.clone(),
    };
    match value {
        // A NULL cursor value is never bound. NULLs first on this side:
        // every non-NULL row is beyond it, and every row at-or-beyond.
        Value::Null if nulls == Nulls::First => (Expr::IsNotNull(i), Expr::True),
        // NULLs last on this side: nothing is beyond it, only NULLs equal.
        Value::Null => (Expr::False, Expr::IsNull(i)),
        // No NULLs, or NULLs before every value on this side: a plain
        // comparison leaves them out, as `NULL > x` is never true.
        _ if !nullable || nulls == Nulls::First => (cmp(false), cmp(true)),
        // NULLs after every value on this side: they are beyond it too.
        _ => (
            Expr::or(cmp(false), Expr::IsNull(i)),
            Expr::or(cmp(true), Expr::IsNull(i)),
        ),
    }
}

/// A bound as a filter on rows already known about (see
/// [`KeyBound::filter_given`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Filter {
    /// No such row passes: a part with this filter is empty.
    Nothing,
    /// Every such row passes: the filter can be left out.
    All,
    /// A real condition.
    Some,
}

/// A predicate, folded as it is built so constants never reach the SQL.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    True,
    False,
    Cmp {
        key: usize,
        op: &'static str,
        value: Value,
    },
    IsNull(usize),
    IsNotNull(usize),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn and(a: Expr, b: Expr) -> Expr {
        match (a, b) {
            (Expr::False, _) | (_, Expr::False) => Expr::False,
            (Expr::True, x) | (x, Expr::True) => x,
            (a, b) => Expr::And(Box::new(a), Box::new(b)),
        }
    }

    fn or(a: Expr, b: Expr) -> Expr {
        match (a, b) {
            (Expr::True, _) | (_, Expr::True) => Expr::True,
            (Expr::False, x) | (x, Expr::False) => x,
            (a, b) => Expr::Or(Box::new(a), Box::new(b)),
        }
    }

    /// What every row this predicate keeps holds in the leading key (key
    /// 0): `Some(true)` NULL, `Some(false)` a value (a comparison is only
    /// true of values), `None` either.
    fn leading_null(&self) -> Option<bool> {
        match self {
            Expr::IsNull(0) => Some(true),
            Expr::IsNotNull(0) | Expr::Cmp { key: 0, .. } => Some(false),
            Expr::And(a, b) => a.leading_null().or_else(|| b.leading_null()),
            Expr::Or(a, b) => match (a.leading_null(), b.leading_null()) {
                (Some(x), Some(y)) if x == y => Some(x),
                _ => None,
            },
            _ => None,
        }
    }

    /// The predicate on rows whose leading key is known to be NULL
    /// (`Some(true)`) or a value (`Some(false)`), folded.
    fn given(self, leading_null: Option<bool>) -> Expr {
        let Some(null) = leading_null else {
            return self;
        };
        match self {
            Expr::IsNull(0) => constant(null),
            Expr::IsNotNull(0) => constant(!null),
            Expr::Cmp { key: 0, .. } if null => Expr::False,
            Expr::And(a, b) => Expr::and(a.given(leading_null), b.given(leading_null)),
            Expr::Or(a, b) => Expr::or(a.given(leading_null), b.given(leading_null)),
            other => other,
        }
    }
}

fn constant(value: bool) -> Expr {
    if value { Expr::True } else { Expr::False }
}

/// Renders a folded predicate; a constant one becomes `1 = 1` / `1 = 0`.
/// A child is parenthesized when it is an `AND` under an `OR` or the
/// reverse, so the text reads as the tree.
fn render<W: SqlWriter + ?Sized>(
    out: &mut W,
    keys: &[KeySpec],
    expr: &Expr,
) -> Result<(), W::Error> {
    let dialect = out.dialect();
    // `<column><tail>` in one push.
    let column = |out: &mut W, i: usize, tail: &str| {
        let mut sql = String::with_capacity(keys[i].column.len() + tail.len() + 2);
        dialect.quote_into(&mut sql, keys[i].column);
        sql.push_str(tail);
        out.push_sql(&sql);
    };
    match expr {
        Expr::True => out.push_sql("1 = 1"),
        Expr::False => out.push_sql("1 = 0"),
        Expr::Cmp { key, op, value } => {
            column(out, *key, " ");
            out.push_sql(op);
            out.push_sql(" ");
            out.push_bind(value.clone())?;
        }
        Expr::IsNull(key) => column(out, *key, " IS NULL"),
        Expr::IsNotNull(key) => column(out, *key, " IS NOT NULL"),
        Expr::And(a, b) | Expr::Or(a, b) => {
            let is_and = matches!(expr, Expr::And(..));
            let joiner = if is_and { " AND " } else { " OR " };
            for (i, child) in [a, b].into_iter().enumerate() {
                if i > 0 {
                    out.push_sql(joiner);
                }
                let nested = match &**child {
                    Expr::And(..) => !is_and,
                    Expr::Or(..) => is_and,
                    _ => false,
                };
                if nested {
                    out.push_sql("(");
                }
                render(out, keys, child)?;
                if nested {
                    out.push_sql(")");
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ordering::Nulls;

    const fn key(column: &'static str, sort: SortOrder, nulls: Option<Nulls>) -> KeySpec {
        KeySpec {
            field: column,
            column,
            sort,
            nulls,
        }
    }

    fn sql(bound: KeyBound, keys: &[KeySpec]) -> String {
        bound.render(Dialect::Sqlite, keys).sql
    }

    #[test]
    fn one_key_is_a_plain_comparison() {
        let keys = [key("id", SortOrder::Desc, None)];
        let b = KeyBound::new(Side::After, false, vec![Value::Int(3)]);
        assert_eq!(b.shape(Dialect::Postgres, &keys), Shape::Expanded);
        assert_eq!(sql(b, &keys), r#""id" < +?"#);
    }

    #[test]
    fn a_bound_renders_in_each_dialects_shape() {
        static KEYS: [KeySpec; 2] = [
            KeySpec::new("created_at", "created_at", SortOrder::Desc, None),
            KeySpec::new("id", "id", SortOrder::Desc, None),
        ];
        let bound = KeyBound::new(Side::After, false, vec![Value::Int(1700), Value::Int(42)]);
        let pg = bound.render(Dialect::Postgres, &KEYS);
        assert_eq!(
            pg.sql,
            r#"("created_at", "id") < ((SELECT CAST($1 AS INT8)), (SELECT CAST($2 AS INT8)))"#
        );
        let my = bound.render(Dialect::MySql, &KEYS);
        assert_eq!(
            my.sql,
            "`created_at` <= ? AND (`created_at` < ? OR `id` < ?)"
        );
        assert_eq!(
            my.binds,
            [Value::Int(1700), Value::Int(1700), Value::Int(42)]
        );
    }

    #[test]
    fn constant_predicates_fold() {
        // Nothing is after a NULL that sorts last, on a (degenerate) last key.
        let keys = [key("a", SortOrder::Asc, Some(Nulls::Last))];
        assert_eq!(
            sql(KeyBound::new(Side::After, false, vec![Value::Null]), &keys),
            "1 = 0"
        );
        assert_eq!(
            sql(KeyBound::new(Side::Before, true, vec![Value::Null]), &keys),
            "1 = 1"
        );
    }

    #[test]
    fn null_cursor_values_are_never_bound() {
        let keys = [
            key("a", SortOrder::Asc, Some(Nulls::First)),
            key("id", SortOrder::Asc, None),
        ];
        let out = KeyBound::new(Side::After, false, vec![Value::Null, Value::Int(1)])
            .render(Dialect::Postgres, &keys);
        assert_eq!(
            out.sql,
            r#""a" IS NOT NULL OR "id" > (SELECT CAST($1 AS INT8))"#
        );
        assert_eq!(out.binds, [Value::Int(1)]);
    }

    #[test]
    fn a_null_value_disables_row_values() {
        let keys = [
            key("a", SortOrder::Asc, None),
            key("id", SortOrder::Asc, None),
        ];
        let b = KeyBound::new(Side::After, false, vec![Value::Null, Value::Int(1)]);
        assert_eq!(b.shape(Dialect::Postgres, &keys), Shape::Expanded);
    }

    #[test]
    #[should_panic(expected = "one value per key")]
    fn values_must_match_keys() {
        let keys = [key("id", SortOrder::Asc, None)];
        let _ = KeyBound::new(Side::After, false, vec![]).render(Dialect::Sqlite, &keys);
    }
}
