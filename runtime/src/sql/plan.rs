//! [`PagePlan`]: which SQL a page takes and how its rows become a
//! [`Page`], for any driver.
//!
//! A page is exact in both directions with one extra query at most:
//!
//! * Forward (`first`): fetch the rows strictly after `after`, in order,
//!   `LIMIT limit + 1`. In memory keep those strictly before `before` (if
//!   given) and take `limit`. `hasNextPage` is whether more rows were
//!   fetched than returned (the extra row, or the rows cut at `before`, show
//!   that a row follows the page). `hasPreviousPage` is `after` given and a
//!   row at-or-before `after` existing: one indexed `EXISTS`-style probe,
//!   `SELECT 1 ... WHERE <filters> AND <at-or-before after> LIMIT 1`.
//! * Backward (`last`) mirrors it: rows strictly before `before` in reverse
//!   order, cut at `after` in memory, put back in order; `hasPreviousPage`
//!   from the count, `hasNextPage` from a probe at-or-after `before`.
//!
//! This matches [`page_slice`](crate::page_slice) row for row and flag for
//! flag: only the near bound goes to SQL, so the row count answers the near
//! flag even when the far bound cuts the page.

use super::{Dialect, KeyBound, Side, SqlWriter};
use crate::args::{KeysetQuery, PageDirection};
use crate::keyset::Keyset;
use crate::ordering::KeySpec;
use crate::page::{Edge, Page};

/// Whether the SQL the keyset clauses follow already has a `WHERE` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WhereClause {
    /// No `WHERE` yet: the keyset condition opens one.
    Absent,
    /// The SQL ends inside a `WHERE` clause: the keyset condition is joined
    /// with `AND`. Parenthesize a filter with a top-level `OR`, since `AND`
    /// binds tighter.
    Present,
}

impl WhereClause {
    fn keyword(self) -> &'static str {
        match self {
            WhereClause::Absent => " WHERE ",
            WhereClause::Present => " AND ",
        }
    }
}

/// The SQL side of one page request in the ordering `K`, and the assembly
/// of its result. Exact in both directions with one extra query at most:
///
/// * Forward (`first`): the rows strictly after `after`, in order,
///   `LIMIT limit + 1`; in memory, those strictly before `before` (if given),
///   `limit` of them. `hasNextPage` is whether more rows were fetched than
///   returned. `hasPreviousPage` is `after` given and a row at-or-before it
///   existing: one indexed probe, `SELECT 1 ... AND <bound> ORDER BY ..
///   LIMIT 1`, read from the cursor outwards.
/// * Backward (`last`) mirrors it: rows strictly before `before` in reverse
///   order, cut at `after` in memory, put back in order; `hasPreviousPage`
///   from the count, `hasNextPage` from a probe at-or-after `before`.
///
/// This matches [`page_slice`](crate::page_slice) row for row and flag for
/// flag.
///
/// ```
/// # use keypage_runtime as keypage;
/// # use keypage::{Cursor, CursorError, CursorReader, CursorWriter, Keyset, KeySpec, OrderingSpec, Paginate, OrderVisitor, SortOrder, Value, PageArgs};
/// # #[derive(Clone, Debug)] struct Row { id: i64 }
/// # #[derive(Clone, Debug)] struct RowCursor { id: i64 }
/// # static KEYS: [KeySpec; 1] = [KeySpec { field: "id", column: "id", order: SortOrder::Asc, nulls: None }];
/// # static SPEC: OrderingSpec = OrderingSpec { type_name: "Row", name: "DEFAULT", keys: &KEYS, fingerprint: 7 };
/// # impl Cursor for RowCursor {
/// #     fn encode(&self) -> String { let mut w = CursorWriter::new(7); w.write(&self.id); w.finish() }
/// #     fn decode(s: &str) -> Result<Self, CursorError> { let mut r = CursorReader::open(s, 7)?; let id = r.read()?; r.finish()?; Ok(RowCursor { id }) }
/// # }
/// # impl Keyset for RowCursor {
/// #     type Row = Row; const ORDERING: &'static OrderingSpec = &SPEC;
/// #     fn from_row(r: &Row) -> Self { RowCursor { id: r.id } }
/// #     fn cmp_row(r: &Row, c: &Self) -> core::cmp::Ordering { KEYS[0].compare(&r.id, &c.id) }
/// #     fn cmp_rows(a: &Row, b: &Row) -> core::cmp::Ordering { KEYS[0].compare(&a.id, &b.id) }
/// #     fn values(&self) -> Vec<Value> { vec![Value::Int(self.id)] }
/// # }
/// # impl Paginate for Row {
/// #     type Cursor = RowCursor; type Order = ();
/// #     const ORDERINGS: &'static [&'static OrderingSpec] = &[&SPEC];
/// #     const MAX_PAGE_SIZE: u32 = 100; const DEFAULT_PAGE_SIZE: u32 = 20;
/// #     const TABLE: Option<&'static str> = None; const COLUMNS: &'static [&'static str] = &["id"];
/// #     fn with_order<V: OrderVisitor<Self>>(_: (), v: V) -> V::Output { v.visit::<RowCursor>() }
/// # }
/// use keypage::sql::{Dialect, PagePlan, RenderedSql, SqlWriter, WhereClause};
/// let after = RowCursor { id: 10 }.encode();
/// let query = PageArgs::first(2).after(after).validate::<RowCursor>().unwrap();
/// let plan = PagePlan::new(query);
///
/// // The page: the caller's filter is `$1`, keypage's binds follow.
/// let mut sql = RenderedSql::new(Dialect::Postgres).starting_at(2);
/// sql.push_sql("SELECT id FROM items WHERE owner = $1");
/// let Ok(()) = plan.push_fetch(&mut sql, WhereClause::Present);
/// assert_eq!(sql.sql, r#"SELECT id FROM items WHERE owner = $1 AND ("id" > $2) ORDER BY "id" ASC LIMIT 3"#);
/// assert_eq!(sql.binds, [Value::Int(10)]);
///
/// // The probe for `hasPreviousPage`, with the same filter.
/// assert!(plan.needs_probe());
/// let mut probe = RenderedSql::new(Dialect::Postgres).starting_at(2);
/// probe.push_sql("SELECT 1 FROM items WHERE owner = $1");
/// let Ok(()) = plan.push_probe(&mut probe, WhereClause::Present);
/// assert_eq!(probe.sql, r#"SELECT 1 FROM items WHERE owner = $1 AND ("id" <= $2) ORDER BY "id" DESC LIMIT 1"#);
///
/// // Run both, then assemble: rows 11, 12, 13 came back, the probe found a row.
/// let rows = vec![Row { id: 11 }, Row { id: 12 }, Row { id: 13 }];
/// let page = plan.finish(rows, true);
/// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [11, 12]);
/// assert!(page.page_info.has_previous_page && page.page_info.has_next_page);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan<K> {
    query: KeysetQuery<K>,
}

impl<K: Keyset> PagePlan<K> {
    /// Plans the page `query` asks for.
    pub fn new(query: KeysetQuery<K>) -> Self {
        PagePlan { query }
    }

    /// The validated request.
    pub fn query(&self) -> &KeysetQuery<K> {
        &self.query
    }

    /// Whether the page query reads the ordering backwards (a `last` page).
    pub fn reversed(&self) -> bool {
        self.query.direction == PageDirection::Backward
    }

    /// The page query's bound: rows strictly after `after` (forward) or
    /// strictly before `before` (backward); `None` reads from the start (end).
    pub fn fetch_bound(&self) -> Option<KeyBound> {
        match self.query.direction {
            PageDirection::Forward => self.query.after.as_ref().map(KeyBound::after),
            PageDirection::Backward => self.query.before.as_ref().map(KeyBound::before),
        }
    }

    /// The page query's `LIMIT`: one more row than the page holds, to learn
    /// whether more follow.
    pub fn fetch_limit(&self) -> u64 {
        u64::from(self.query.limit) + 1
    }

    /// The probe's bound for the opposite-direction flag: rows at-or-before
    /// `after` (forward) or at-or-after `before` (backward). `None` when that
    /// cursor is absent, and the flag is then `false` without a query.
    pub fn probe_bound(&self) -> Option<KeyBound> {
        let (cursor, side) = match self.query.direction {
            PageDirection::Forward => (self.query.after.as_ref(), Side::Before),
            PageDirection::Backward => (self.query.before.as_ref(), Side::After),
        };
        cursor.map(|c| KeyBound::new(side, true, c.values()))
    }

    /// Whether [`finish`](PagePlan::finish) needs the probe's answer.
    pub fn needs_probe(&self) -> bool {
        self.probe_bound().is_some()
    }

    /// Writes the page query's clauses after the caller's
    /// `SELECT ... FROM ... [WHERE ...]`: the keyset condition (if any) in
    /// parentheses, `ORDER BY` and `LIMIT` (a literal,
    /// [`fetch_limit`](PagePlan::fetch_limit)).
    pub fn push_fetch<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        where_clause: WhereClause,
    ) -> Result<(), W::Error> {
        if let Some(bound) = self.fetch_bound() {
            push_condition(out, &bound, K::ORDERING.keys, where_clause)?;
        }
        let pinned = self
            .fetch_bound()
            .is_some_and(|b| b.pins_leading_null(K::ORDERING.keys, None));
        self.push_order_and_limit(out, pinned)
    }

    /// Whether the page query is two seeks in a `UNION ALL` (see
    /// [`KeyBound::splits`]): the leading key is nullable and the page runs
    /// across the boundary of its NULLs. Only
    /// [`push_fetch_with`](PagePlan::push_fetch_with) writes that form.
    pub fn splits(&self) -> bool {
        self.fetch_bound()
            .is_some_and(|b| b.splits(K::ORDERING.keys))
    }

    /// Writes the whole page query, calling `select` for the caller's
    /// `SELECT ... FROM ... [WHERE ...]` (it returns which) once per part:
    /// that prefix followed by [`push_fetch`](PagePlan::push_fetch)'s
    /// clauses, or, when the plan [`splits`](PagePlan::splits),
    /// `SELECT * FROM (<prefix> AND <part 1> ORDER BY .. LIMIT ..) AS
    /// keypage_1 UNION ALL SELECT * FROM (<prefix> AND <part 2> ...) AS
    /// keypage_2`, where each part seeks the index on its own.
    /// [`finish`](PagePlan::finish) puts the union's rows in order.
    ///
    /// Binds written by `select` are written again for the second part, so
    /// push them through the writer rather than numbering them yourself.
    pub fn push_fetch_with<W, F>(&self, out: &mut W, mut select: F) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        F: FnMut(&mut W) -> Result<WhereClause, W::Error>,
    {
        match self.fetch_bound() {
            Some(bound) if bound.splits(K::ORDERING.keys) => {
                let keys = K::ORDERING.keys;
                push_union(out, keys, &bound, select, |out, part| {
                    self.push_order_and_limit(out, bound.pins_leading_null(keys, Some(part)))
                })
            }
            _ => {
                let where_clause = select(out)?;
                self.push_fetch(out, where_clause)
            }
        }
    }

    /// ` ORDER BY ... LIMIT n`; `pinned_null` as in [`push_order`].
    fn push_order_and_limit<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        pinned_null: bool,
    ) -> Result<(), W::Error> {
        push_order(out, K::ORDERING.keys, self.reversed(), pinned_null);
        // A literal, not a bind: the limit is a validated integer from this
        // code, never client text, and a literal lets PostgreSQL cache one
        // generic plan per page size (a bound LIMIT kept it re-planning every
        // execution, measured in benches/deep_pages.rs).
        out.push_sql(&format!(" LIMIT {}", self.fetch_limit()));
        Ok(())
    }

    /// The order the probe reads in: from the cursor outwards, so the index
    /// scan that answers it starts at the bound and stops at the first row.
    /// Without an `ORDER BY`, PostgreSQL may answer `LIMIT 1` with a
    /// sequential scan (3.5 ms at 1% depth of 1,000,000 rows, measured).
    fn probe_reversed(&self) -> bool {
        !self.reversed()
    }

    /// Writes the probe's clauses after the caller's
    /// `SELECT 1 FROM ... [WHERE ...]` (same filters as the page query): the
    /// [`probe_bound`](PagePlan::probe_bound) condition, an `ORDER BY` that
    /// reads from the cursor outwards (so the index answers it with one
    /// seek), and `LIMIT 1`. The flag is whether the probe returns a row.
    /// Without a probe bound there is nothing to ask; check
    /// [`needs_probe`](PagePlan::needs_probe) first to save the query.
    pub fn push_probe<W: SqlWriter + ?Sized>(
        &self,
        out: &mut W,
        where_clause: WhereClause,
    ) -> Result<(), W::Error> {
        let bound = self.probe_bound();
        if let Some(bound) = &bound {
            push_condition(out, bound, K::ORDERING.keys, where_clause)?;
        }
        let pinned = bound.is_some_and(|b| b.pins_leading_null(K::ORDERING.keys, None));
        push_order(out, K::ORDERING.keys, self.probe_reversed(), pinned);
        out.push_sql(" LIMIT 1");
        Ok(())
    }

    /// Writes the whole probe query, calling `select` for the caller's
    /// `SELECT 1 FROM ... [WHERE ...]` once per part: like
    /// [`push_fetch_with`](PagePlan::push_fetch_with), a `UNION ALL` of two
    /// seeks when the probe's bound [splits](KeyBound::splits) (each part
    /// `LIMIT 1`), else the prefix and [`push_probe`](PagePlan::push_probe)'s
    /// clauses. The flag is whether it returns a row.
    pub fn push_probe_with<W, F>(&self, out: &mut W, mut select: F) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        F: FnMut(&mut W) -> Result<WhereClause, W::Error>,
    {
        match self.probe_bound() {
            Some(bound) if bound.splits(K::ORDERING.keys) => {
                let keys = K::ORDERING.keys;
                push_union(out, keys, &bound, select, |out, part| {
                    let pinned = bound.pins_leading_null(keys, Some(part));
                    push_order(out, keys, self.probe_reversed(), pinned);
                    out.push_sql(" LIMIT 1");
                    Ok(())
                })
            }
            _ => {
                let where_clause = select(out)?;
                self.push_probe(out, where_clause)
            }
        }
    }

    /// Builds the page from the rows the page query returned (in its order,
    /// so reversed for a backward page; in any order for a split query) and the probe's answer (ignored when
    /// no probe was needed). Edge cursors come from
    /// [`Keyset::from_row`].
    pub fn finish(&self, mut fetched: Vec<K::Row>, probe: bool) -> Page<K::Row> {
        if self.splits() {
            // A `UNION ALL` has no order of its own; each part is sorted.
            match self.query.direction {
                PageDirection::Forward => fetched.sort_by(K::cmp_rows),
                PageDirection::Backward => fetched.sort_by(|a, b| K::cmp_rows(b, a)),
            }
        }
        let fetched_len = fetched.len();
        let limit = self.query.limit as usize;
        let probe = probe && self.needs_probe();
        let edge = |row: K::Row| Edge {
            cursor: K::from_row(&row).encode(),
            node: row,
        };
        match self.query.direction {
            PageDirection::Forward => {
                let before = self.query.before.as_ref();
                let edges: Vec<_> = fetched
                    .into_iter()
                    .take_while(|r| before.is_none_or(|c| K::cmp_row(r, c).is_lt()))
                    .take(limit)
                    .map(edge)
                    .collect();
                let has_next = fetched_len > edges.len();
                Page::new(edges, probe, has_next)
            }
            PageDirection::Backward => {
                let after = self.query.after.as_ref();
                let mut edges: Vec<_> = fetched
                    .into_iter()
                    .take_while(|r| after.is_none_or(|c| K::cmp_row(r, c).is_gt()))
                    .take(limit)
                    .map(edge)
                    .collect();
                edges.reverse();
                let has_previous = fetched_len > edges.len();
                Page::new(edges, has_previous, probe)
            }
        }
    }
}

/// Writes `SELECT * FROM (<select> AND (<part 0>)<tail>) AS keypage_1
/// UNION ALL SELECT * FROM (<select> AND (<part 1>)<tail>) AS keypage_2`.
fn push_union<W, F, T>(
    out: &mut W,
    keys: &[KeySpec],
    bound: &KeyBound,
    mut select: F,
    tail: T,
) -> Result<(), W::Error>
where
    W: SqlWriter + ?Sized,
    F: FnMut(&mut W) -> Result<WhereClause, W::Error>,
    T: Fn(&mut W, usize) -> Result<(), W::Error>,
{
    for part in 0..2 {
        out.push_sql(if part == 0 {
            "SELECT * FROM ("
        } else {
            " UNION ALL SELECT * FROM ("
        });
        let where_clause = select(out)?;
        out.push_sql(where_clause.keyword());
        out.push_sql("(");
        bound.push_part_sql(out, keys, part)?;
        out.push_sql(")");
        tail(out, part)?;
        out.push_sql(if part == 0 {
            ") AS keypage_1"
        } else {
            ") AS keypage_2"
        });
    }
    Ok(())
}

/// ` ORDER BY ...` of `keys`, reversed for reading backwards. `pinned_null`:
/// the condition keeps only rows whose leading key is NULL. MySQL/MariaDB
/// then get the order without that key: given `rank IS NULL ... ORDER BY
/// rank DESC, id DESC` MariaDB 10.11 sorts every NULL row (a filesort,
/// 10,000 rows read for a 20-row page) instead of reading the index in
/// order, which it does for `ORDER BY id DESC`. Equal on every row, the key
/// orders nothing.
fn push_order<W: SqlWriter + ?Sized>(
    out: &mut W,
    keys: &[KeySpec],
    reversed: bool,
    pinned_null: bool,
) {
    out.push_sql(" ORDER BY ");
    let keys = match keys {
        [_, rest @ ..] if pinned_null && out.dialect() == Dialect::MySql && !rest.is_empty() => {
            rest
        }
        keys => keys,
    };
    super::push_order_by(out, keys, reversed);
}

/// Writes ` WHERE (<bound>)` or ` AND (<bound>)`.
fn push_condition<W: SqlWriter + ?Sized>(
    out: &mut W,
    bound: &KeyBound,
    keys: &[KeySpec],
    where_clause: WhereClause,
) -> Result<(), W::Error> {
    out.push_sql(where_clause.keyword());
    out.push_sql("(");
    bound.push_sql(out, keys)?;
    out.push_sql(")");
    Ok(())
}
