//! [`Select`]: the rows to page, with the caller's filters and ranges, and
//! everything run on them: pages, counts, a batch of parents' pages.

use ::sqlx::{Acquire, FromRow, QueryBuilder};

use super::fetch::Prepared;
use super::{FetchError, SqlxDatabase, UnsupportedValue};
use crate::args::KeysetQuery;
use crate::cursor::{CursorValue, Value};
use crate::keyset::{Keyset, Paginate};
use crate::page::Page;
use crate::query::AnyKeysetQuery;
use crate::sql::{GROUP_COLUMN, PagePlan, Relation, WhereClause};

/// Where the bounds of [`Select::range_values`] came from, to name in its
/// refusal: a range on the key, or a cursor argument (a stable walk's pin).
#[derive(Debug, Clone, Copy)]
pub(crate) enum BoundFrom {
    Range(&'static str),
    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    Cursor(&'static str),
}

/// A `totalCount` that may be bounded or estimated: `count`, and whether
/// it is the exact number of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Total {
    /// The number of rows: exact, or the cap, or the planner's estimate.
    pub count: i64,
    /// `true` when `count` is the exact number of rows; `false` for a capped
    /// count that reached its cap (there are more than `count` rows) and
    /// for an estimate.
    pub exact: bool,
}

/// A filter: pushes one SQL condition (with its binds) into the builder.
type Filter<'f, DB> = Box<dyn Fn(&mut QueryBuilder<DB>) + Send + Sync + 'f>;

/// The rows to page: a select list, a `FROM` target and filters, reused for
/// the page query, the probe and the count so they always agree.
///
/// The select list and `FROM` target are SQL text written by you (never
/// client input); filters bind their values with `push_bind`.
pub struct Select<'f, DB: SqlxDatabase> {
    columns: String,
    from: String,
    filters: Vec<Filter<'f, DB>>,
    /// A range bound the database cannot bind: every fetch and count
    /// returns it, nothing is sent.
    refused: Option<UnsupportedValue>,
}

impl<DB: SqlxDatabase> core::fmt::Debug for Select<'_, DB> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Select")
            .field("columns", &self.columns)
            .field("from", &self.from)
            .field("filters", &self.filters.len())
            .field("refused", &self.refused)
            .finish()
    }
}

impl<'f, DB: SqlxDatabase> Select<'f, DB> {
    /// `SELECT {columns} FROM {from}`, e.g. `Select::new("id, title",
    /// "articles")`; `from` may hold joins.
    pub fn new(columns: impl Into<String>, from: impl Into<String>) -> Self {
        Select {
            columns: columns.into(),
            from: from.into(),
            filters: Vec::new(),
            refused: None,
        }
    }

    /// The columns ([`Paginate::COLUMNS`]) of a `#[paginate(table = "...")]`
    /// type from its table, quoted for the database. The derive's
    /// `Article::table()` is the same without the error case.
    ///
    /// # Errors
    ///
    /// [`FetchError::NoTable`] when `R` has no `#[paginate(table = "...")]`.
    pub fn table_of<R: Paginate>() -> Result<Self, FetchError> {
        let table = R::TABLE.ok_or(FetchError::NoTable {
            type_name: core::any::type_name::<R>(),
        })?;
        Ok(Self::of_table(table, R::COLUMNS))
    }

    /// `columns` from `table`, both quoted for the database as identifiers
    /// (so a name that is a keyword, or has upper case on PostgreSQL, is
    /// safe): `SELECT "id", "title" FROM "articles"`.
    pub fn of_table(table: &str, columns: &[&str]) -> Self {
        let dialect = DB::DIALECT;
        let columns: Vec<String> = columns.iter().map(|c| dialect.quote(c)).collect();
        Self::new(columns.join(", "), dialect.quote(table))
    }

    /// Adds a condition, `AND`ed with the others (each is parenthesized, so
    /// a top-level `OR` inside it is safe). It runs once per query, so clone
    /// owned values into `push_bind`:
    /// `move |qb| { qb.push("title = ").push_bind(title.clone()); }`.
    pub fn filter(mut self, condition: impl Fn(&mut QueryBuilder<DB>) + Send + Sync + 'f) -> Self {
        self.filters.push(Box::new(condition));
        self
    }

    /// Adds `condition` for `value` when it is `Some`, nothing when it is
    /// `None`: an optional GraphQL argument as a filter.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use keypage_runtime::sql::sqlx::Select;
    ///
    /// let author: Option<i64> = Some(7);
    /// let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
    ///     .filter_some(author, |qb, id| { qb.push("author_id = ").push_bind(*id); });
    /// assert_eq!(articles.count_query().sql().as_str(), "SELECT COUNT(*) FROM articles WHERE (author_id = ?)");
    /// # }
    /// ```
    pub fn filter_some<T>(
        self,
        value: Option<T>,
        condition: impl Fn(&mut QueryBuilder<DB>, &T) + Send + Sync + 'f,
    ) -> Self
    where
        T: Send + Sync + 'f,
    {
        match value {
            Some(value) => self.filter(move |qb| condition(qb, &value)),
            None => self,
        }
    }

    /// Keeps the rows whose key `column` is within `range` (nothing when
    /// `None`): each bound a condition `column > ?`, `column >= ?`, ... on
    /// the key's column, `AND`ed with the other filters, its value bound as
    /// a parameter and compared by the database, under the column's
    /// collation, as it orders the key. In the page statement and the
    /// count alike, so `totalCount` counts the range; on the ordering's
    /// leading key, with its index, it narrows the index seek (a cursor
    /// and a range together are one range scan). A range on a later key
    /// filters the rows the seek reads. A bounded range drops the rows
    /// whose key is NULL.
    ///
    /// `column` is the derive's `Article::created_at_column()`, so the
    /// column name is the attribute's, never input.
    ///
    /// A bound the database cannot bind (a `u64` above `i64::MAX` on
    /// SQLite or PostgreSQL, a NaN on SQLite) makes every fetch and count
    /// of this `Select` fail with [`FetchError::UnsupportedValue`], its
    /// [`range`](UnsupportedValue::range) naming the key, before anything
    /// is sent (for GraphQL, code `INVALID_RANGE`); so do
    /// [`page_query`](Self::page_query) and
    /// [`children_query`](Self::children_query), while the infallible
    /// [`count_query`](Self::count_query) and
    /// [`count_at_most_query`](Self::count_at_most_query) leave such a
    /// range out.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use keypage_runtime::sql::sqlx::Select;
    /// use keypage_runtime::{KeyColumn, KeyRange};
    ///
    /// struct Article { created_at: i64 }
    /// let created_at = KeyColumn::<Article, i64>::__from_derive("created_at", "created_at", |a| Some(&a.created_at));
    /// let articles = Select::<sqlx::Sqlite>::new("id, title", "articles")
    ///     .range(created_at, KeyRange::default().gte(100).lt(200));
    /// assert_eq!(
    ///     articles.count_query().sql().as_str(),
    ///     r#"SELECT COUNT(*) FROM articles WHERE ("created_at" >= ? AND "created_at" < ?)"#,
    /// );
    /// # }
    /// ```
    #[must_use]
    pub fn range<R, T: CursorValue>(
        self,
        column: crate::KeyColumn<R, T>,
        range: impl Into<Option<crate::KeyRange<T>>>,
    ) -> Self {
        match range.into() {
            Some(range) => {
                let from = BoundFrom::Range(column.field());
                self.range_values(from, column.column(), range.values())
            }
            None => self,
        }
    }

    /// [`range`](Self::range) with its bounds as the values SQL binds; a
    /// bound the database cannot bind is refused as `from`'s.
    pub(crate) fn range_values(
        mut self,
        from: BoundFrom,
        column: &str,
        bounds: Vec<(crate::filter::Comparison, Value)>,
    ) -> Self {
        if bounds.is_empty() {
            return self;
        }
        // Checked here, so the filter, which cannot fail, binds them all.
        let mut scratch = QueryBuilder::<DB>::new("");
        for (_, value) in &bounds {
            if let Err(mut e) = DB::push_value(&mut scratch, value.clone()) {
                match from {
                    BoundFrom::Range(key) => e.range = Some(key),
                    BoundFrom::Cursor(argument) => e.argument = Some(argument),
                }
                self.refused.get_or_insert(e);
                return self;
            }
        }
        let quoted = DB::DIALECT.quote(column);
        self.filter(move |qb| {
            for (i, (comparison, value)) in bounds.iter().enumerate() {
                if i > 0 {
                    qb.push(" AND ");
                }
                qb.push(&quoted).push(comparison.sql());
                let bound = DB::push_value(qb, value.clone());
                debug_assert!(bound.is_ok(), "checked by `range_values`");
            }
        })
    }

    /// The largest value of the key `column` among the rows the filters
    /// select (`None` when none has one): the pin of a stable walk, which
    /// then pages with [`range`](Self::range) `lte` it, so rows inserted
    /// later with larger values never appear. Read as the key of the row
    /// `ORDER BY column DESC LIMIT 1` (an index seek with an index on the
    /// column), decoded as `R`.
    ///
    /// # Errors
    ///
    /// As [`count`](Self::count).
    pub async fn max_of<'c, R, T, A>(
        &self,
        conn: A,
        column: crate::KeyColumn<R, T>,
    ) -> Result<Option<T>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        T: Clone,
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        let row = self.last_row_on::<R>(&mut conn, column.column()).await?;
        Ok(row.and_then(|row| column.get(&row).cloned()))
    }

    /// The row with the largest non-NULL value of `column`, if any.
    pub(crate) async fn last_row_on<R>(
        &self,
        conn: &mut DB::Connection,
        column: &str,
    ) -> Result<Option<R>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(column);
        let mut qb = QueryBuilder::new("SELECT ");
        qb.push(&self.columns);
        let clause = self.push_from_where(&mut qb);
        qb.push(clause.keyword())
            .push(&column)
            .push(" IS NOT NULL ORDER BY ")
            .push(&column)
            .push(" DESC LIMIT 1");
        Ok(DB::fetch_optional_row(conn, &mut qb).await?)
    }

    /// Fails with the range bound [`range`](Self::range) refused, if any.
    fn check_ranges(&self) -> Result<(), UnsupportedValue> {
        self.refused.clone().map_or(Ok(()), Err)
    }

    /// Writes the select list: each part of a page statement's `columns`.
    fn push_columns(&self, qb: &mut QueryBuilder<DB>) -> Result<(), UnsupportedValue> {
        qb.push(&self.columns);
        Ok(())
    }

    /// Writes ` FROM ... [WHERE (f1) AND (f2)]`.
    fn push_from_where(&self, qb: &mut QueryBuilder<DB>) -> WhereClause {
        qb.push(" FROM ").push(&self.from);
        for (i, filter) in self.filters.iter().enumerate() {
            qb.push(if i == 0 { " WHERE (" } else { " AND (" });
            filter(qb);
            qb.push(")");
        }
        if self.filters.is_empty() {
            WhereClause::Absent
        } else {
            WhereClause::Present
        }
    }

    /// The page's one statement for `plan` ([`PagePlan::push_statement`]:
    /// the page and the probe for the other side's flag), ready to build
    /// (for logging or `EXPLAIN`).
    pub fn page_query<R: 'static>(
        &self,
        plan: &PagePlan<R>,
    ) -> Result<QueryBuilder<DB>, UnsupportedValue> {
        self.check_ranges()?;
        let mut qb = QueryBuilder::new("");
        plan.push_statement(
            &mut qb,
            |qb| self.push_columns(qb),
            |qb| Ok(self.push_from_where(qb)),
        )
        .map_err(|e| e.blame(plan))?;
        Ok(qb)
    }

    /// The `COUNT(*)` query, ready to build (for logging or `EXPLAIN`).
    /// A range bound the database cannot bind is left out of it (see
    /// [`range`](Self::range)); [`count`](Self::count) refuses it instead.
    pub fn count_query(&self) -> QueryBuilder<DB> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*)");
        self.push_from_where(&mut qb);
        qb
    }

    /// Fetches the page `query` asks for, in the ordering `K`: one
    /// statement ([`PagePlan`]) on `conn`, a pool, a connection
    /// (`&mut PgConnection`, a `&mut PoolConnection`) or a
    /// `&mut Transaction`, so the page and its flags share one snapshot.
    pub async fn fetch_page<'c, K, A>(
        &self,
        conn: A,
        query: KeysetQuery<K>,
    ) -> Result<Page<K::Row>, FetchError>
    where
        K: Keyset,
        K::Row: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        A: Acquire<'c, Database = DB>,
    {
        let prepared = Prepared::new(self, PagePlan::new(query))?;
        let mut conn = conn.acquire().await?;
        prepared.run(&mut conn).await
    }

    /// [`fetch_page`](Self::fetch_page) in the ordering chosen at run time:
    /// `query` holds the arguments validated for it (a GraphQL `orderBy`
    /// argument, say). The same code path as `fetch_page`: the plan reads
    /// the rows' keys and cursors through the chosen ordering's own code.
    pub async fn fetch_any<'c, R, A>(
        &self,
        conn: A,
        query: AnyKeysetQuery<R>,
    ) -> Result<Page<R>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        A: Acquire<'c, Database = DB>,
    {
        let prepared = Prepared::new(self, PagePlan::from_any(&query))?;
        let mut conn = conn.acquire().await?;
        prepared.run(&mut conn).await
    }

    /// [`fetch_any`](Self::fetch_any) on a connection already acquired
    /// (for the GraphQL layer's `select_in`).
    #[cfg(feature = "graphql")]
    pub(crate) async fn fetch_any_on<R>(
        &self,
        conn: &mut DB::Connection,
        query: AnyKeysetQuery<R>,
    ) -> Result<Page<R>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        Prepared::new(self, PagePlan::from_any(&query))?
            .run(conn)
            .await
    }

    /// `totalCount`: the number of rows the filters select, as a separate
    /// `COUNT(*)` query that runs only when called.
    pub async fn count<'c, A>(&self, conn: A) -> Result<i64, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.count_on(&mut conn).await
    }

    /// [`count`](Self::count) on a connection already acquired.
    pub(crate) async fn count_on(&self, conn: &mut DB::Connection) -> Result<i64, FetchError> {
        self.check_ranges()?;
        let mut qb = self.count_query();
        Ok(DB::fetch_count(conn, &mut qb).await?)
    }

    /// The capped `COUNT(*)` of [`count_at_most`](Self::count_at_most),
    /// ready to build: `SELECT COUNT(*) FROM (SELECT 1 FROM ... LIMIT cap +
    /// 1)`, which reads at most `cap + 1` rows. As for
    /// [`count_query`](Self::count_query), a range bound the database
    /// cannot bind is left out of it.
    pub fn count_at_most_query(&self, cap: u32) -> QueryBuilder<DB> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM (SELECT 1 AS keypage_one");
        self.push_from_where(&mut qb);
        qb.push(format!(" LIMIT {}) AS keypage_capped", u64::from(cap) + 1));
        qb
    }

    /// `totalCount` bounded by `cap`: the number of rows when at most `cap`
    /// (exact), else `cap` with `exact: false` ("more than `cap`"). Reads at
    /// most `cap + 1` rows, so its cost is bounded whatever the table holds.
    pub async fn count_at_most<'c, A>(&self, conn: A, cap: u32) -> Result<Total, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.count_at_most_on(&mut conn, cap).await
    }

    pub(crate) async fn count_at_most_on(
        &self,
        conn: &mut DB::Connection,
        cap: u32,
    ) -> Result<Total, FetchError> {
        self.check_ranges()?;
        let mut qb = self.count_at_most_query(cap);
        let n = DB::fetch_count(conn, &mut qb).await?;
        Ok(if n > i64::from(cap) {
            Total {
                count: cap.into(),
                exact: false,
            }
        } else {
            Total {
                count: n,
                exact: true,
            }
        })
    }

    /// `totalCount` as the planner estimates it, without reading the rows:
    /// on PostgreSQL the row estimate of `EXPLAIN SELECT 1 FROM ... WHERE
    /// ...` (for an unfiltered table its statistics, `reltuples`, scaled to
    /// the table's current size; for a filtered one the estimate of the
    /// filters), as fresh as the last `ANALYZE` (autovacuum's or yours).
    /// `None` on SQLite and MySQL/MariaDB, whose estimates keypage does not
    /// read.
    pub async fn estimate_count<'c, A>(&self, conn: A) -> Result<Option<Total>, FetchError>
    where
        A: Acquire<'c, Database = DB>,
    {
        let mut conn = conn.acquire().await?;
        self.estimate_count_on(&mut conn).await
    }

    pub(crate) async fn estimate_count_on(
        &self,
        conn: &mut DB::Connection,
    ) -> Result<Option<Total>, FetchError> {
        self.check_ranges()?;
        let mut qb = QueryBuilder::new("EXPLAIN SELECT 1");
        self.push_from_where(&mut qb);
        let rows = DB::fetch_estimate(conn, &mut qb).await?;
        Ok(rows.map(|count| Total {
            count,
            exact: false,
        }))
    }

    /// Writes ` FROM ... WHERE [(filters) AND] <column> = <parent>`: one
    /// parent's rows.
    fn push_parent_where(
        &self,
        qb: &mut QueryBuilder<DB>,
        column: &str,
        parent: Value,
    ) -> Result<WhereClause, UnsupportedValue> {
        let clause = self.push_from_where(qb);
        qb.push(clause.keyword()).push(column).push(" = ");
        DB::push_value(qb, parent)?;
        Ok(WhereClause::Present)
    }

    /// The one statement of [`fetch_children`](Self::fetch_children) for
    /// `parents` (at most [`MAX_BATCH_PARENTS`]), ready to build (for
    /// logging or `EXPLAIN`).
    pub fn children_query<R: 'static, P: CursorValue>(
        &self,
        plan: &PagePlan<R>,
        relation: Relation<R, P>,
        parents: &[P],
    ) -> Result<QueryBuilder<DB>, UnsupportedValue> {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(relation.column());
        let mut qb = QueryBuilder::new("");
        plan.push_batch_statement(
            &mut qb,
            &column,
            parents.len(),
            |qb, i| DB::push_value(qb, parents[i].to_value()),
            |qb| self.push_columns(qb),
            |qb| Ok(self.push_from_where(qb)),
        )
        .map_err(|e| e.blame(plan))?;
        Ok(qb)
    }

    /// The pages of many parents' rows at once, one per parent in the order
    /// of `parents`: for each parent, exactly the page [`fetch_any`]
    /// returns for `query` with the filter `<relation's column> = <parent>`
    /// added, both flags included. One statement for up to
    /// [`MAX_BATCH_PARENTS`] parents ([`PagePlan::push_batch_statement`]:
    /// each parent's page its own index seek, with an index on the column
    /// followed by the ordering's keys, e.g. `(author_id, created_at DESC,
    /// id DESC)`), one more for each further [`MAX_BATCH_PARENTS`]; on one
    /// connection from `conn`. What a nested connection's loader
    /// (`keypage::graphql::ChildPages`) runs for a batch of parents.
    ///
    /// A cursor is a position in the ordering, not in one parent's list: a
    /// cursor minted in one parent's page, sent with another parent, pages
    /// that parent's rows strictly after (or before) that position.
    ///
    /// [`fetch_any`]: Self::fetch_any
    pub async fn fetch_children<'c, R, P, A>(
        &self,
        conn: A,
        relation: Relation<R, P>,
        parents: &[P],
        query: AnyKeysetQuery<R>,
    ) -> Result<Vec<Page<R>>, FetchError>
    where
        R: Paginate + for<'r> FromRow<'r, DB::Row> + Send + Unpin,
        P: CursorValue,
        A: Acquire<'c, Database = DB>,
    {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let plan = PagePlan::from_any(&query);
        let statements = parents
            .chunks(MAX_BATCH_PARENTS)
            .map(|chunk| {
                let statement = self.children_query(&plan, relation, chunk)?;
                Ok(Prepared::of(plan.clone(), statement, Some(chunk.len())))
            })
            .collect::<Result<Vec<_>, UnsupportedValue>>()?;
        let mut conn = conn.acquire().await?;
        let mut pages = Vec::with_capacity(parents.len());
        for statement in statements {
            pages.extend(statement.run_all(&mut conn).await?);
        }
        Ok(pages)
    }

    /// The number of rows of each parent, in the order of `parents`, in one
    /// statement for up to [`MAX_BATCH_PARENTS`] parents: each parent's
    /// `COUNT(*)` with the filters and `<relation's column> = <parent>`,
    /// joined by `UNION ALL` (so each is a count of one index range, and
    /// the counts are matched to their parents by position, never by
    /// comparing keys in Rust). What a nested `totalCount`'s loader
    /// (`keypage::graphql::ChildCounts`) runs.
    pub async fn count_children<'c, R, P, A>(
        &self,
        conn: A,
        relation: Relation<R, P>,
        parents: &[P],
    ) -> Result<Vec<i64>, FetchError>
    where
        P: CursorValue,
        A: Acquire<'c, Database = DB>,
    {
        self.check_ranges()?;
        let column = DB::DIALECT.quote(relation.column());
        let mut conn = conn.acquire().await?;
        let mut counts = Vec::with_capacity(parents.len());
        for chunk in parents.chunks(MAX_BATCH_PARENTS) {
            let mut qb = QueryBuilder::new("");
            for (group, parent) in chunk.iter().enumerate() {
                if group > 0 {
                    qb.push(" UNION ALL ");
                }
                qb.push(format!(
                    "SELECT {} AS {GROUP_COLUMN}, COUNT(*) AS keypage_count",
                    DB::DIALECT.bigint(group as i64)
                ));
                self.push_parent_where(&mut qb, &column, parent.to_value())?;
            }
            let rows = DB::fetch_counts(&mut conn, &mut qb).await?;
            let mut chunk_counts = vec![0; chunk.len()];
            for (group, count) in rows {
                if let Some(slot) = usize::try_from(group)
                    .ok()
                    .and_then(|g| chunk_counts.get_mut(g))
                {
                    *slot = count;
                }
            }
            counts.extend(chunk_counts);
        }
        Ok(counts)
    }
}

/// Most parents in one statement of [`Select::fetch_children`] and
/// [`Select::count_children`]: SQLite allows 500 terms in a compound
/// `SELECT`, and a page of parents is at most a page (100 by default).
pub const MAX_BATCH_PARENTS: usize = 100;
