//! [`Select`]: the rows to page, with the caller's filters and ranges, and
//! their pages; its counts are in `count`, a batch of parents' pages in
//! `children`.

use ::sqlx::{Acquire, FromRow, QueryBuilder};

use super::fetch::Prepared;
use super::{FetchError, SqlxDatabase, UnsupportedValue};
use crate::args::KeysetQuery;
use crate::cursor::{CursorValue, Value};
use crate::keyset::{Keyset, Paginate};
use crate::page::Page;
use crate::query::AnyKeysetQuery;
use crate::sql::{PagePlan, WhereClause};

mod children;
mod count;

pub use children::MAX_BATCH_PARENTS;
pub use count::Total;

/// Where the bounds of [`Select::range_values`] came from, to name in its
/// refusal: a range on the key, or a cursor argument (a stable walk's pin).
#[derive(Debug, Clone, Copy)]
pub(crate) enum BoundFrom {
    Range(&'static str),
    #[cfg_attr(not(feature = "graphql"), allow(dead_code))]
    Cursor(&'static str),
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
    ///     r#"SELECT COUNT(*) FROM articles WHERE ("created_at" >= +? AND "created_at" < +?)"#,
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
}
