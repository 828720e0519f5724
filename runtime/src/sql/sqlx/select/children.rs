//! [`Select`]'s batch of parents' pages: every parent's page of a nested
//! connection in one statement, and their counts.

use ::sqlx::{Acquire, FromRow, QueryBuilder};

use super::Select;
use crate::cursor::{CursorValue, Value};
use crate::keyset::Paginate;
use crate::page::Page;
use crate::query::AnyKeysetQuery;
use crate::sql::sqlx::fetch::Prepared;
use crate::sql::sqlx::{FetchError, SqlxDatabase, UnsupportedValue};
use crate::sql::{GROUP_COLUMN, PagePlan, Relation, WhereClause};

impl<DB: SqlxDatabase> Select<'_, DB> {
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
