//! [`PagePlan`]: the one statement a page takes, and how its rows become a
//! [`Page`], for any driver.
//!
//! The database is the only judge of order. Every bound, the `LIMIT`, the
//! concatenation of the parts of a split seek and both `pageInfo` flags are
//! SQL; Rust never compares, re-sorts or cuts the rows by their keys, so a
//! page is exact under whatever collation, float or date-time semantics the
//! column has. Rust only reads the rows in the order the statement returns
//! them, tells the page's rows from the probe's by a marker column, and
//! drops the one extra row `LIMIT n + 1` fetched.

use super::predicate::Filter;
use super::{Dialect, KeyBound, SqlWriter};
use std::sync::Arc;

use crate::args::{KeysetQuery, PageDirection};
use crate::cursor::Value;
use crate::error::KeyTooLong;
use crate::keyset::{Keyset, Paginate};
use crate::ordering::{KeySpec, OrderingSpec};
use crate::page::{Edge, Page};
use crate::query::{AnyKeysetQuery, CursorArg, ErasedQuery};

/// The column that tells a statement's row apart: a page row (the part of
/// the seek it came from, from 0) or a probe row ([`PROBE_PART`]).
pub const PART_COLUMN: &str = "keypage_part";

/// The [`PART_COLUMN`] value of a probe row: a row behind the page's
/// cursor, which answers the flag on the side the page does not read
/// towards. Never part of the page.
pub const PROBE_PART: i64 = -1;

/// The column that tells the parents' pages of a batch statement apart
/// ([`PagePlan::push_batch_statement`]): the parent's group number, from 0.
pub const GROUP_COLUMN: &str = "keypage_group";

/// Prefixed to every MySQL-dialect page statement: MariaDB sorts text by
/// its first `max_sort_length` bytes only (1,024 by default) while `WHERE`
/// compares whole values, so keys sharing a longer prefix would be ordered
/// by the tie-breaker alone and a seek past one of them would skip rows.
/// `/*M! ... */` runs on MariaDB only (MySQL reads a comment). 64 KiB of
/// sort key covers 21,000 characters of binary-collated text (3 bytes of
/// weight a character), with a sort buffer that holds enough such keys.
/// MariaDB 10.11's priority-queue sort (`ORDER BY ... LIMIT` without an
/// index) still orders such keys by their first KiB: the README says so.
const MARIADB_SORT_LENGTH: &str =
    "/*M! SET STATEMENT max_sort_length = 65536, sort_buffer_size = 8388608 FOR */ ";

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
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            WhereClause::Absent => " WHERE ",
            WhereClause::Present => " AND ",
        }
    }
}

/// A page's rows came back that are not strictly past its cursor: a row
/// with exactly the cursor's key values (the cursor's own row) was returned
/// again.
///
/// That happens when the database compares the cursor's bound value
/// differently from how it stores the column (a date-time bound as text
/// against a column of integers, say): the page would repeat forever. The
/// page is refused instead of handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the page from the `{argument}` cursor returned the cursor's own row again (unique key `{key}`): \
     the database does not compare the key values keypage binds the way it orders the column; \
     check that each key column stores the type its field declares"
)]
#[non_exhaustive]
pub struct NotPastCursor {
    /// The unique key's field name.
    pub key: &'static str,
    /// The cursor argument the page was read from (`"after"` or `"before"`).
    pub argument: &'static str,
}

/// Why the rows a database returned make no page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowError {
    /// The cursor's own row came back: see [`NotPastCursor`].
    #[error(transparent)]
    NotPastCursor(#[from] NotPastCursor),
    /// A row's key is too long for a cursor.
    #[error(transparent)]
    KeyTooLong(#[from] KeyTooLong),
}

/// The SQL side of one page request for rows of `R`, in the ordering its
/// query was validated for, and the assembly of its result: one statement,
/// exact flags in both directions. Planned from a typed
/// [`KeysetQuery<K>`] ([`new`](Self::new)) or from the query of an ordering
/// chosen at run time ([`from_any`](Self::from_any)); either way the
/// ordering's own code reads the rows' keys and cursors.
///
/// * The page: the rows strictly after `after` and strictly before
///   `before` (both in SQL), read from the end the page is taken from
///   (`first`: forward, `last`: backward), `LIMIT limit + 1`. Its paging-side
///   flag (`hasNextPage` for `first`, `hasPreviousPage` for `last`) is
///   whether that extra row came: a row follows the page inside the window,
///   as the Relay specification computes it.
/// * The probe, in the same statement: the nearest row at-or-behind the
///   page's cursor (`after` for `first`, `before` for `last`), `LIMIT 1`,
///   read from the cursor outwards so one index seek answers it. The flag on
///   the other side is whether it returned a row: whether the whole
///   collection has rows there. Without that cursor the page starts at the
///   collection's edge and the flag is `false` with no probe.
///
/// Both come back from one `UNION ALL` whose rows carry a
/// [`PART_COLUMN`] marker and the key values as `keypage_k0`, `keypage_k1`,
/// ...; the outer `ORDER BY` on them is the page's order. When the seek
/// is several index ranges (a nullable leading key
/// crossing its NULLs, or on PostgreSQL and SQLite a mixed-direction ordering split at
/// its leading key), each range is its own `LIMIT n + 1` seek and their
/// concatenation, in order, is cut to `LIMIT n + 1` in SQL; the probe is
/// then one `LIMIT 1` seek per range of its own bound. On PostgreSQL a page
/// behind one cursor in an ordering of non-nullable keys in one direction
/// is one range instead, read from the probe's row, which its marker
/// tells apart.
///
/// ```
/// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
/// # use doc_support::*;
/// use keypage_runtime::{Cursor, Keyset, PageArgs};
/// use keypage_runtime::sql::{Dialect, PagePlan, RenderedSql, SqlWriter, WhereClause};
///
/// let after = RowCursor::from_row(&Row { id: 10 }).encode();
/// let query = PageArgs::first(2).after(after).validate::<RowCursor>().unwrap();
/// let plan = PagePlan::new(query);
///
/// // The page and its probe, in one statement; the caller's filter is `?`.
/// let mut sql = RenderedSql::new(Dialect::Sqlite);
/// let Ok(()) = plan.push_statement(
///     &mut sql,
///     |out| Ok(out.push_sql("id")),
///     |out| Ok({ out.push_sql(" FROM items WHERE owner = +?"); WhereClause::Present }),
/// );
/// assert_eq!(
///     sql.sql,
///     "SELECT * FROM (SELECT id, \"id\" AS keypage_k0, 0 AS keypage_part \
///      FROM items WHERE owner = +? AND (\"id\" > +?) ORDER BY \"id\" ASC LIMIT 3) AS keypage_page \
///      UNION ALL SELECT * FROM (SELECT id, \"id\" AS keypage_k0, -1 AS keypage_part \
///      FROM items WHERE owner = +? AND (\"id\" <= +?) ORDER BY \"id\" DESC LIMIT 1) AS keypage_probe \
///      ORDER BY keypage_part ASC, keypage_k0 ASC"
/// );
///
/// // PostgreSQL reads one range from the probe's row, the first at or
/// // before the cursor (or the cursor itself), and marks that row; the
/// // caller's filter is `$1`.
/// let mut sql = RenderedSql::new(Dialect::Postgres).starting_at(2);
/// let Ok(()) = plan.push_statement(
///     &mut sql,
///     |out| Ok(out.push_sql("id")),
///     |out| Ok({ out.push_sql(" FROM items WHERE owner = $1"); WhereClause::Present }),
/// );
/// assert_eq!(
///     sql.sql,
///     "SELECT id, \"id\" AS keypage_k0, \
///      CASE WHEN (\"id\" <= (SELECT CAST($2 AS INT8))) THEN CAST(-1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS keypage_part \
///      FROM items WHERE owner = $1 AND (\"id\" >= COALESCE((SELECT \"id\" FROM items WHERE owner = $1 \
///      AND (\"id\" <= (SELECT CAST($3 AS INT8))) ORDER BY \"id\" DESC LIMIT 1), (SELECT CAST($4 AS INT8)))) ORDER BY \"id\" ASC LIMIT 4"
/// );
///
/// // Rows 11, 12, 13 came back as page rows, one row as the probe's.
/// let rows = vec![Row { id: 11 }, Row { id: 12 }, Row { id: 13 }];
/// let page = plan.finish(rows, true).unwrap();
/// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [11, 12]);
/// assert!(page.page_info.has_previous_page && page.page_info.has_next_page);
/// ```
pub struct PagePlan<R> {
    query: Arc<dyn ErasedQuery<R>>,
}

impl<R> Clone for PagePlan<R> {
    fn clone(&self) -> Self {
        PagePlan {
            query: Arc::clone(&self.query),
        }
    }
}

impl<R> core::fmt::Debug for PagePlan<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PagePlan")
            .field("ordering", &self.query.ordering().name)
            .field("direction", &self.query.direction())
            .field("limit", &self.query.limit())
            .field("offset", &self.query.offset())
            .field("after", &self.query.values(CursorArg::After))
            .field("before", &self.query.values(CursorArg::Before))
            .finish()
    }
}

impl<R: 'static> PagePlan<R> {
    /// Plans the page `query` asks for.
    pub fn new<K: Keyset<Row = R>>(query: KeysetQuery<K>) -> Self {
        PagePlan {
            query: Arc::new(query),
        }
    }

    /// Plans the page `query` asks for, in the ordering it was validated
    /// for (chosen at run time).
    pub fn from_any(query: &AnyKeysetQuery<R>) -> Self
    where
        R: Paginate,
    {
        PagePlan {
            query: Arc::clone(query.erased()),
        }
    }

    /// The ordering's keys, directions, null placement and name.
    pub fn ordering(&self) -> &'static OrderingSpec {
        self.query.ordering()
    }

    /// The key values of the cursor `arg`, if it was given.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(dead_code)
    )]
    pub(crate) fn cursor_values(&self, arg: CursorArg) -> Option<Vec<Value>> {
        self.query.values(arg)
    }

    /// A row's key values in the ordering, as keypage binds them.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(dead_code)
    )]
    pub(crate) fn row_values(&self, row: &R) -> Vec<Value> {
        self.query.row_values(row)
    }

    fn keys(&self) -> &'static [KeySpec] {
        self.ordering().keys
    }

    /// Whether the page reads the ordering backwards (a `last` page).
    pub fn reversed(&self) -> bool {
        self.query.direction() == PageDirection::Backward
    }

    /// The bound on `side` of the cursor `arg`'s key, if it was given.
    fn bound(&self, arg: CursorArg, side: super::Side, inclusive: bool) -> Option<KeyBound> {
        self.query
            .values(arg)
            .map(|values| KeyBound::new(side, inclusive, values))
    }

    /// The strict bound of the cursor `arg` (rows after `after`, before
    /// `before`), if it was given.
    fn strict(&self, arg: CursorArg) -> Option<KeyBound> {
        let side = match arg {
            CursorArg::After => super::Side::After,
            CursorArg::Before => super::Side::Before,
        };
        self.bound(arg, side, false)
    }

    /// The bound the page seeks from: rows strictly after `after` (forward)
    /// or strictly before `before` (backward); `None` reads from the start
    /// (end) of the collection.
    pub(crate) fn fetch_bound(&self) -> Option<KeyBound> {
        self.strict(match self.query.direction() {
            PageDirection::Forward => CursorArg::After,
            PageDirection::Backward => CursorArg::Before,
        })
    }

    /// The bound the page stops at, a filter in the same SQL: strictly
    /// before `before` (forward) or strictly after `after` (backward).
    pub(crate) fn far_bound(&self) -> Option<KeyBound> {
        self.strict(match self.query.direction() {
            PageDirection::Forward => CursorArg::Before,
            PageDirection::Backward => CursorArg::After,
        })
    }

    /// The page's `LIMIT`: one more row than the page holds, to learn
    /// whether more follow inside the window.
    pub fn fetch_limit(&self) -> u64 {
        u64::from(self.query.limit()) + 1
    }

    /// The probe's bound, for the flag on the side the page does not read
    /// towards: rows at-or-before `after` (forward) or at-or-after `before`
    /// (backward). `None` when that cursor is absent; the flag is then
    /// `false` and the statement has no probe.
    pub(crate) fn probe_bound(&self) -> Option<KeyBound> {
        let (arg, side) = match self.query.direction() {
            PageDirection::Forward => (CursorArg::After, super::Side::Before),
            PageDirection::Backward => (CursorArg::Before, super::Side::After),
        };
        self.bound(arg, side, true)
    }

    /// Whether the statement holds a probe: the cursor's (is a row at or
    /// before `after`, forward, or at or after `before`, backward?), or with an
    /// [`offset`](KeysetQuery#structfield.offset) the window's own first row in the
    /// page's reading direction, which says whether the offset passed over
    /// any row.
    pub fn needs_probe(&self) -> bool {
        self.probe_bound().is_some() || self.query.offset() > 0
    }

    /// Whether the page's seek is two index ranges joined in order: a
    /// nullable leading key whose cursor range crosses its NULLs.
    pub fn splits(&self) -> bool {
        self.fetch_bound().is_some_and(|b| b.splits(self.keys()))
    }

    /// Writes the page's one statement. `columns` writes the caller's select
    /// list (`id, title`, without `SELECT`); `from` writes
    /// ` FROM ... [WHERE ...]` (joins and filters) and says whether a
    /// `WHERE` is open. Both run once per part of the statement, so bind
    /// values through the writer rather than numbering placeholders by hand.
    ///
    /// Every row of the result carries the caller's columns, the key values
    /// as `keypage_k0`.. (and on MySQL `keypage_n0`.. for nullable keys),
    /// and [`PART_COLUMN`]; rows come in the page's reading order (reversed
    /// for `last`), probe rows ([`PROBE_PART`]) first. Pass the page rows,
    /// in order, to [`finish`](PagePlan::finish), with whether a probe row
    /// came.
    pub fn push_statement<W, C, F>(&self, out: &mut W, columns: C, from: F) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        C: Fn(&mut W) -> Result<(), W::Error>,
        F: Fn(&mut W) -> Result<WhereClause, W::Error>,
    {
        if out.dialect() == Dialect::MySql {
            out.push_sql(MARIADB_SORT_LENGTH);
        }
        self.push_body(out, &Source { columns, from })
    }

    /// One statement for the pages of many parents at once, each parent's
    /// page exactly [`push_statement`](Self::push_statement)'s with the
    /// filter `<parent_column> = <that parent's key>` added. So every
    /// parent's page is its own index seek of at most `limit + 1` rows (and
    /// its probe), however many children the parent has, and all of them
    /// share one snapshot. `parent_column` is SQL text (a quoted column from
    /// the derive, never input); `bind_parent` binds parent `i`'s key, for
    /// `i` in `0..parents`.
    ///
    /// * PostgreSQL: the parents as a `VALUES` list `CROSS JOIN LATERAL` the
    ///   page statement, which compares the column with the list's
    ///   `keypage_parent`: one statement planned once, run per parent.
    /// * SQLite and MySQL/MariaDB (no `LATERAL` in SQLite nor MariaDB): one
    ///   page statement per parent, each in a derived table, joined by
    ///   `UNION ALL`.
    ///
    /// Either way the rows carry the parent's number as [`GROUP_COLUMN`]
    /// and come ordered by it, then each parent's rows in
    /// [`push_statement`](Self::push_statement)'s order; pass each group's
    /// page rows to [`finish`](Self::finish).
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::{PageArgs, Value};
    /// use keypage_runtime::sql::{Dialect, PagePlan, RenderedSql, SqlWriter, WhereClause};
    ///
    /// let plan = PagePlan::new(PageArgs::first(2).validate::<RowCursor>().unwrap());
    /// let owners = [7_i64, 9];
    /// let render = |dialect| {
    ///     let mut sql = RenderedSql::new(dialect);
    ///     let Ok(()) = plan.push_batch_statement(
    ///         &mut sql,
    ///         "owner",
    ///         owners.len(),
    ///         |out, i| out.push_bind(Value::Int(owners[i])),
    ///         |out| Ok(out.push_sql("id")),
    ///         |out| Ok({ out.push_sql(" FROM items"); WhereClause::Absent }),
    ///     );
    ///     sql
    /// };
    /// assert_eq!(
    ///     render(Dialect::Sqlite).sql,
    ///     "SELECT * FROM (SELECT id, 0 AS keypage_group, \"id\" AS keypage_k0, 0 AS keypage_part \
    ///      FROM items WHERE owner = +? ORDER BY \"id\" ASC LIMIT 3) AS keypage_group0 \
    ///      UNION ALL SELECT * FROM (SELECT id, 1 AS keypage_group, \"id\" AS keypage_k0, 0 AS keypage_part \
    ///      FROM items WHERE owner = +? ORDER BY \"id\" ASC LIMIT 3) AS keypage_group1 \
    ///      ORDER BY keypage_group ASC, keypage_part ASC, keypage_k0 ASC"
    /// );
    /// assert_eq!(
    ///     render(Dialect::Postgres).sql,
    ///     "SELECT keypage_batch.* FROM (VALUES (CAST(0 AS BIGINT), (SELECT CAST($1 AS INT8))), (CAST(1 AS BIGINT), (SELECT CAST($2 AS INT8)))) \
    ///      AS keypage_parents (keypage_group, keypage_parent) CROSS JOIN LATERAL \
    ///      (SELECT id, keypage_parents.keypage_group AS keypage_group, \"id\" AS keypage_k0, \
    ///      CAST(0 AS BIGINT) AS keypage_part FROM items WHERE owner = keypage_parents.keypage_parent \
    ///      ORDER BY \"id\" ASC LIMIT 3) AS keypage_batch \
    ///      ORDER BY keypage_group ASC, keypage_part ASC, keypage_k0 ASC"
    /// );
    /// ```
    pub fn push_batch_statement<W, B, C, F>(
        &self,
        out: &mut W,
        parent_column: &str,
        parents: usize,
        bind_parent: B,
        columns: C,
        from: F,
    ) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        B: Fn(&mut W, usize) -> Result<(), W::Error>,
        C: Fn(&mut W) -> Result<(), W::Error>,
        F: Fn(&mut W) -> Result<WhereClause, W::Error>,
    {
        let dialect = out.dialect();
        // The page statement with the group column and the parent filter;
        // `group` writes the group's number, `parent` the parent's key.
        let body = |out: &mut W, group: &str, parent: &dyn Fn(&mut W) -> Result<(), W::Error>| {
            let source = Source {
                columns: |out: &mut W| {
                    columns(out)?;
                    out.push_sql(&format!(", {group} AS {GROUP_COLUMN}"));
                    Ok(())
                },
                from: |out: &mut W| {
                    let clause = from(out)?;
                    out.push_sql(clause.keyword());
                    out.push_sql(parent_column);
                    out.push_sql(" = ");
                    parent(out)?;
                    Ok(WhereClause::Present)
                },
            };
            self.push_body(out, &source)
        };
        if dialect == Dialect::Postgres {
            out.push_sql("SELECT keypage_batch.* FROM (VALUES ");
            for i in 0..parents {
                out.push_sql(&format!(
                    "{}({}, ",
                    if i == 0 { "" } else { ", " },
                    dialect.bigint(i as i64)
                ));
                bind_parent(out, i)?;
                out.push_sql(")");
            }
            out.push_sql(
                ") AS keypage_parents (keypage_group, keypage_parent) CROSS JOIN LATERAL (",
            );
            body(out, "keypage_parents.keypage_group", &|out| {
                out.push_sql("keypage_parents.keypage_parent");
                Ok(())
            })?;
            out.push_sql(") AS keypage_batch");
        } else {
            if dialect == Dialect::MySql {
                out.push_sql(MARIADB_SORT_LENGTH);
            }
            for i in 0..parents {
                out.push_sql(if i == 0 {
                    "SELECT * FROM ("
                } else {
                    " UNION ALL SELECT * FROM ("
                });
                body(out, &dialect.bigint(i as i64), &|out| bind_parent(out, i))?;
                out.push_sql(&format!(") AS {GROUP_COLUMN}{i}"));
            }
        }
        let order = super::order::marked_order_by(dialect, self.keys(), self.reversed());
        out.push_sql(&format!(
            " ORDER BY {GROUP_COLUMN} ASC, {PART_COLUMN} ASC, {order}"
        ));
        Ok(())
    }

    /// [`push_statement`](Self::push_statement) without the MariaDB prefix,
    /// which a statement may have only once, at its start.
    fn push_body<W, C, F>(&self, out: &mut W, source: &Source<C, F>) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        C: Fn(&mut W) -> Result<(), W::Error>,
        F: Fn(&mut W) -> Result<WhereClause, W::Error>,
    {
        let parts = self.parts(out.dialect());
        let near = self.fetch_bound();
        let far = self.far_bound();
        let probe = self.probe_bound();
        let offset = u64::from(self.query.offset());
        // `marker`: the part's number, or `PROBE_PART` for the window probe.
        let page = |out: &mut W, marker: i64, seek: Option<usize>, limit: u64, offset: u64| {
            let select = PartSelect {
                marker,
                seek: near.as_ref().map(|b| (b, seek)),
                far: far.as_ref(),
                reversed: self.reversed(),
                limit,
                offset,
            };
            select.push(out, source, self.keys())
        };
        if parts.len() == 1 && !self.needs_probe() {
            // One seek, nothing else: the statement is the page query.
            return page(out, 0, parts[0], self.fetch_limit(), 0);
        }
        if let (Some(start), Some(probe)) = (
            self.start_at_probe(out.dialect(), &parts, near.as_ref(), far.is_some()),
            &probe,
        ) {
            return self.push_from_probe(out, source, &start, probe);
        }
        out.push_sql("SELECT * FROM (");
        if let [seek] = parts[..] {
            page(out, 0, seek, self.fetch_limit(), offset)?;
        } else {
            // Each range reads as far as the page could reach into it; the
            // offset is passed over in their concatenation.
            for (i, &seek) in parts.iter().enumerate() {
                out.push_sql(if i == 0 {
                    "SELECT * FROM ("
                } else {
                    " UNION ALL SELECT * FROM ("
                });
                page(out, i as i64, seek, offset + self.fetch_limit(), 0)?;
                out.push_sql(&format!(") AS keypage_seek{i}"));
            }
            push_marked_order(out, self.keys(), self.reversed());
            out.push_sql(&format!(" LIMIT {}", self.fetch_limit()));
            push_offset(out, offset);
        }
        out.push_sql(") AS keypage_page");
        if offset > 0 {
            // Whether the window has a row at all: then the offset passed
            // over one, and a row lies behind the page.
            for (i, &seek) in parts.iter().enumerate() {
                out.push_sql(" UNION ALL SELECT * FROM (");
                page(out, PROBE_PART, seek, 1, 0)?;
                out.push_sql(&format!(") AS keypage_window{i}"));
            }
        }
        if let Some(probe) = &probe {
            let keys = self.keys();
            let probe_parts: Vec<Option<usize>> = match probe.parts(out.dialect(), keys) {
                1 => vec![None],
                n => (0..n).map(Some).collect(),
            };
            for (i, seek) in probe_parts.into_iter().enumerate() {
                out.push_sql(" UNION ALL SELECT * FROM (");
                let select = PartSelect {
                    marker: PROBE_PART,
                    seek: Some((probe, seek)),
                    far: None,
                    reversed: !self.reversed(),
                    limit: 1,
                    offset: 0,
                };
                select.push(out, source, keys)?;
                out.push_sql(&match i {
                    0 => ") AS keypage_probe".to_owned(),
                    i => format!(") AS keypage_probe{}", i + 1),
                });
            }
        }
        push_marked_order(out, self.keys(), self.reversed());
        Ok(())
    }

    /// Whether the page reads one index range from the probe's row: on
    /// PostgreSQL, for a page behind a cursor (no other cursor, no offset)
    /// in an ordering whose keys sort one way and are never NULL. Then the
    /// bound to read from: `near`, the page's own bound on that cursor,
    /// made inclusive (at-or-beyond the cursor on the page's side).
    ///
    /// The union of the page and the probe under an outer `ORDER BY` (what
    /// every other page is) costs PostgreSQL an `Append` and a `Sort` above
    /// it; one range needs neither. Measured (`benches/probe_forms.rs`,
    /// uniform ordering 99% deep in 1,000,000 rows, medians of 500 rounds,
    /// round trip included): 115.5 µs for this statement, 127.4 µs for the
    /// union, 96.9 µs for the hand-written page without a probe. Not on
    /// SQLite, where the two forms measured within noise of each other
    /// (103.6 and 108.1 µs in one run, 97.8 and 97.7 µs in another), nor on
    /// MySQL/MariaDB, not measured; not for nullable keys, whose NULL a
    /// `COALESCE` could not tell from a missing probe row.
    fn start_at_probe(
        &self,
        dialect: Dialect,
        parts: &[Option<usize>],
        near: Option<&KeyBound>,
        far: bool,
    ) -> Option<KeyBound> {
        let keys = self.keys();
        let uniform = keys.windows(2).all(|w| w[0].sort == w[1].sort);
        if dialect != Dialect::Postgres
            || parts != [None]
            || !uniform
            || keys.iter().any(KeySpec::nullable)
            || self.query.offset() > 0
            || far
        {
            return None;
        }
        near.map(|near| KeyBound {
            inclusive: true,
            ..near.clone()
        })
    }

    /// The page as one range that starts at the probe's row: the rows
    /// at-or-beyond `start` where `start` is the first row at-or-behind the
    /// cursor (the probe's `ORDER BY ... LIMIT 1`, once per key as an
    /// uncorrelated scalar subquery), or the cursor itself when no such
    /// row exists (none equals it then). Marked by the probe's own
    /// condition, so the probe's row, if any, comes first as a
    /// [`PROBE_PART`] row; `LIMIT` is the page's plus that row. `probe` is
    /// the page's probe bound.
    ///
    /// ```text
    /// SELECT <columns>, <keys> AS keypage_k.., CASE WHEN <probe> THEN -1 ELSE 0 END AS keypage_part
    /// <from> AND (k0, k1) <= (COALESCE((SELECT k0 <from> AND <probe> ORDER BY <reversed> LIMIT 1), $k0), ..)
    /// ORDER BY <keys> LIMIT n + 2
    /// ```
    fn push_from_probe<W, C, F>(
        &self,
        out: &mut W,
        source: &Source<C, F>,
        start: &KeyBound,
        probe: &KeyBound,
    ) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        C: Fn(&mut W) -> Result<(), W::Error>,
        F: Fn(&mut W) -> Result<WhereClause, W::Error>,
    {
        let dialect = out.dialect();
        let keys = self.keys();
        out.push_sql("SELECT ");
        (source.columns)(out)?;
        out.push_sql(&key_value_columns(dialect, keys));
        out.push_sql(", CASE WHEN (");
        probe.push_sql(out, keys)?;
        out.push_sql(&format!(
            ") THEN {} ELSE {} END AS {PART_COLUMN}",
            dialect.bigint(PROBE_PART),
            dialect.bigint(0)
        ));
        let clause = (source.from)(out)?;
        out.push_sql(clause.keyword());
        out.push_sql("(");
        start.push_compare_with(out, keys, |out: &mut W, i| {
            out.push_sql("COALESCE((SELECT ");
            out.push_sql(&dialect.quote(keys[i].column));
            let clause = (source.from)(out)?;
            out.push_sql(clause.keyword());
            out.push_sql("(");
            probe.push_sql(out, keys)?;
            out.push_sql(")");
            push_order(out, keys, !self.reversed(), false);
            out.push_sql(" LIMIT 1), ");
            out.push_bind(start.values[i].clone())?;
            out.push_sql(")");
            Ok(())
        })?;
        out.push_sql(")");
        push_order(out, keys, self.reversed(), false);
        out.push_sql(&format!(" LIMIT {}", self.fetch_limit() + 1));
        Ok(())
    }

    /// The seeks of the page on `dialect`, in reading order: `[None]` for
    /// one seek (or none, without a cursor), `Some(i)` for each part `i` of
    /// a bound sought in several ([`KeyBound::parts`]). A part the far
    /// bound leaves empty by SQL's NULL semantics alone (rows with a NULL
    /// leading key, bounded by a value) is left out.
    fn parts(&self, dialect: Dialect) -> Vec<Option<usize>> {
        let keys = self.keys();
        let Some(near) = self.fetch_bound() else {
            return vec![None];
        };
        let n = near.parts(dialect, keys);
        if n == 1 {
            return vec![None];
        }
        let far = self.far_bound();
        let parts: Vec<Option<usize>> = (0..n)
            .filter(|&part| {
                far.as_ref().is_none_or(|far| {
                    let leading = near.leading_null(dialect, keys, Some(part));
                    far.filter_given(dialect, keys, leading) != Filter::Nothing
                })
            })
            .map(Some)
            .collect();
        // An empty window still needs a statement: its first part returns
        // no row.
        if parts.is_empty() {
            vec![Some(0)]
        } else {
            parts
        }
    }

    /// Builds the page from the statement's page rows, in the order the
    /// statement returned them, and whether any probe row came. Edge cursors
    /// come from [`Keyset::from_row`] of the query's ordering.
    ///
    /// Rows are taken by position only: the first `limit` (the extra one
    /// says a row follows inside the window), put in the ordering's order
    /// for a `last` page by reversing them.
    ///
    /// # Errors
    ///
    /// [`RowError::NotPastCursor`] when a page row has exactly the key
    /// values of `after` or `before`: the database did not compare the
    /// bound as it orders the column, and the walk would repeat. Equality of
    /// the encoded keys is the one comparison that holds in every database.
    /// [`RowError::KeyTooLong`] when a row's key is too long for a cursor
    /// keypage would accept back.
    pub fn finish(&self, mut rows: Vec<R>, probe: bool) -> Result<Page<R>, RowError> {
        let limit = self.query.limit() as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        if self.reversed() {
            rows.reverse();
        }
        let probe = probe && self.needs_probe();
        // The cursors' own positions, encoded once: a row that encodes to
        // one of them has exactly the cursor's key values.
        let own = [CursorArg::After, CursorArg::Before].map(|arg| (arg, self.query.encoded(arg)));
        let edges = rows
            .into_iter()
            .map(|node| {
                let cursor = self.query.row_cursor(&node)?;
                if let Some((arg, _)) = own
                    .iter()
                    .find(|(_, at)| at.as_deref() == Some(cursor.as_str()))
                {
                    return Err(RowError::NotPastCursor(NotPastCursor {
                        key: self.keys()[self.keys().len() - 1].field,
                        argument: arg.name(),
                    }));
                }
                Ok(Edge { cursor, node })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match self.query.direction() {
            PageDirection::Forward => Page::new(edges, probe, more),
            PageDirection::Backward => Page::new(edges, more, probe),
        })
    }
}

/// The caller's two halves of a `SELECT`.
struct Source<C, F> {
    columns: C,
    from: F,
}

/// One `SELECT` of the statement: a seek (or the probe) with its marker.
struct PartSelect<'b> {
    marker: i64,
    /// The bound to seek from and which of its parts (`None`: all of it).
    seek: Option<(&'b KeyBound, Option<usize>)>,
    /// The far bound, a filter.
    far: Option<&'b KeyBound>,
    reversed: bool,
    limit: u64,
    /// Rows passed over before the `LIMIT` (an `OFFSET`; 0 for none).
    offset: u64,
}

impl PartSelect<'_> {
    /// `SELECT <columns>, <keys> AS keypage_k.., <marker> AS keypage_part
    /// <from> [AND (<seek>)] [AND (<far>)] ORDER BY .. LIMIT ..`.
    fn push<W, C, F>(
        &self,
        out: &mut W,
        source: &Source<C, F>,
        keys: &[KeySpec],
    ) -> Result<(), W::Error>
    where
        W: SqlWriter + ?Sized,
        C: Fn(&mut W) -> Result<(), W::Error>,
        F: Fn(&mut W) -> Result<WhereClause, W::Error>,
    {
        let dialect = out.dialect();
        out.push_sql("SELECT ");
        (source.columns)(out)?;
        out.push_sql(&key_columns(dialect, keys, self.marker));
        let mut where_clause = (source.from)(out)?;
        // What the seek says of the leading key: a far bound on it folds
        // (and MySQL orders without it when it is NULL on every row).
        let mut leading = None;
        if let Some((bound, part)) = self.seek {
            out.push_sql(where_clause.keyword());
            where_clause = WhereClause::Present;
            out.push_sql("(");
            match part {
                None => bound.push_sql(out, keys)?,
                Some(part) => bound.push_part_sql(out, keys, part)?,
            }
            out.push_sql(")");
            leading = bound.leading_null(dialect, keys, part);
        }
        if let Some(far) = self.far
            && far.filter_given(dialect, keys, leading) != Filter::All
        {
            out.push_sql(where_clause.keyword());
            out.push_sql("(");
            far.push_sql_given(out, keys, leading)?;
            out.push_sql(")");
        }
        push_order(out, keys, self.reversed, leading == Some(true));
        // A literal, not a bind: the limit is a validated integer from this
        // code, never client text, and a literal lets PostgreSQL cache one
        // generic plan per page size (a bound LIMIT kept it re-planning every
        // execution, measured in benches/deep_pages.rs).
        out.push_sql(&format!(" LIMIT {}", self.limit));
        push_offset(out, self.offset);
        Ok(())
    }
}

/// ` OFFSET n` unless `n` is 0; a literal for the reason the `LIMIT` is
/// (a validated integer, one cached plan per value on PostgreSQL).
fn push_offset<W: SqlWriter + ?Sized>(out: &mut W, offset: u64) {
    if offset > 0 {
        out.push_sql(&format!(" OFFSET {offset}"));
    }
}

/// `, <key> AS keypage_k0, .., <marker> AS keypage_part`: what the outer
/// `ORDER BY` reads (a derived table's columns keep their collation), and
/// on MySQL `<key> IS NULL AS keypage_n<i>` for nullable keys, since an
/// `ORDER BY` of a `UNION` may only name columns.
fn key_columns(dialect: Dialect, keys: &[KeySpec], marker: i64) -> String {
    use core::fmt::Write as _;
    let mut sql = key_value_columns(dialect, keys);
    let _ = write!(sql, ", {} AS {PART_COLUMN}", dialect.bigint(marker));
    sql
}

/// [`key_columns`] without the marker.
fn key_value_columns(dialect: Dialect, keys: &[KeySpec]) -> String {
    use core::fmt::Write as _;
    let mut sql = String::with_capacity(64 * keys.len());
    for (i, key) in keys.iter().enumerate() {
        sql.push_str(", ");
        dialect.quote_into(&mut sql, key.column);
        let _ = write!(sql, " AS keypage_k{i}");
        if key.nullable() && dialect == Dialect::MySql {
            sql.push_str(", ");
            dialect.quote_into(&mut sql, key.column);
            let _ = write!(sql, " IS NULL AS keypage_n{i}");
        }
    }
    sql
}

/// ` ORDER BY keypage_part ASC, keypage_k0 .., ..`: the order of a
/// `UNION ALL` of marked parts, read from their key columns.
fn push_marked_order<W: SqlWriter + ?Sized>(out: &mut W, keys: &[KeySpec], reversed: bool) {
    out.push_sql(" ORDER BY ");
    out.push_sql(PART_COLUMN);
    out.push_sql(" ASC, ");
    out.push_sql(&super::order::marked_order_by(
        out.dialect(),
        keys,
        reversed,
    ));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cursor as _;
    use crate::PageArgs;
    use crate::doc_support::{Row, RowDescCursor, RowOrder};
    use crate::sql::RenderedSql;

    fn render(plan: &PagePlan<Row>) -> RenderedSql {
        let mut sql = RenderedSql::new(Dialect::Postgres);
        let Ok(()) = plan.push_statement(
            &mut sql,
            |out| {
                out.push_sql("id");
                Ok(())
            },
            |out| {
                out.push_sql(" FROM items");
                Ok(WhereClause::Absent)
            },
        );
        sql
    }

    /// The query of an ordering chosen at run time plans exactly as the
    /// typed query of that ordering: the same statement and binds, the same
    /// cursors and flags from the same rows.
    #[test]
    fn a_run_time_ordering_plans_as_its_typed_query() {
        let after = RowDescCursor::from_row(&Row { id: 9 }).encode();
        let before = RowDescCursor::from_row(&Row { id: 2 }).encode();
        for args in [
            PageArgs::first(3).after(&*after),
            PageArgs::last(2).after(&*after).before(&*before),
            PageArgs::first(4),
        ] {
            let typed = PagePlan::new(args.validate::<RowDescCursor>().unwrap());
            let any = crate::AnyKeysetQuery::<Row>::new(RowOrder::Desc, &args).unwrap();
            let chosen = PagePlan::from_any(&any);
            assert_eq!(render(&chosen), render(&typed), "{args:?}");
            assert_eq!(chosen.ordering().name, "DESC");
            let rows = || (3..=8).rev().map(|id| Row { id }).collect::<Vec<_>>();
            assert_eq!(
                chosen.finish(rows(), true).unwrap(),
                typed.finish(rows(), true).unwrap()
            );
        }
        // The cursor's own row coming back is refused by either, naming
        // the argument.
        let args = PageArgs::first(3).after(&*after);
        let any = crate::AnyKeysetQuery::<Row>::new(RowOrder::Desc, &args).unwrap();
        let err = PagePlan::from_any(&any)
            .finish(vec![Row { id: 9 }], false)
            .unwrap_err();
        assert_eq!(
            err,
            RowError::NotPastCursor(NotPastCursor {
                key: "id",
                argument: "after"
            })
        );
    }
}
