//! The one-call fetches of a `#[paginate(table = "...")]` type, and
//! [`Prepared`]: a page's statement and the assembly of its rows, whatever
//! the ordering.

use ::sqlx::{Acquire, Database, FromRow, QueryBuilder};

use super::{FetchError, Select, SqlxDatabase, UnsupportedValue};
use crate::args::PageArgs;
use crate::keyset::{Keyset, Paginate};
use crate::page::Page;
use crate::query::AnyKeysetQuery;
use crate::sql::PagePlan;

/// One call for a `#[paginate(table = "...")]` type: validates `args` for
/// the ordering `K`, selects the row type's columns from its table and
/// returns the page. What the derive's `Article::fetch_page(&pool, &args)`
/// calls; the row type also needs `#[derive(sqlx::FromRow)]`.
pub async fn fetch_page<'c, K, A>(conn: A, args: &PageArgs) -> Result<Page<K::Row>, FetchError>
where
    K: Keyset,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
    K::Row: for<'r> FromRow<'r, <A::Database as Database>::Row> + Send + Unpin,
{
    let query = args.validate::<K>()?;
    Select::<A::Database>::table_of::<K::Row>()?
        .fetch_page(conn, query)
        .await
}

/// [`fetch_page`] in the ordering `order` chosen at run time (a GraphQL
/// `orderBy` argument, say): what the derive's
/// `Article::fetch_page_by(&pool, ArticleOrder::Title, &args)` calls. A
/// cursor minted by another ordering is refused as
/// [`PageError::InvalidCursor`](crate::PageError::InvalidCursor).
pub async fn fetch_page_by<'c, R, A>(
    conn: A,
    order: R::Order,
    args: &PageArgs,
) -> Result<Page<R>, FetchError>
where
    R: Paginate + for<'r> FromRow<'r, <A::Database as Database>::Row> + Send + Unpin,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
{
    let query = AnyKeysetQuery::new(order, args)?;
    Select::<A::Database>::table_of::<R>()?
        .fetch_any(conn, query)
        .await
}

/// A page's statement and the plan that assembles its rows: one type
/// whatever the ordering, since the plan reads keys and cursors through the
/// ordering's own code.
pub(super) struct Prepared<DB: SqlxDatabase, R> {
    statement: QueryBuilder<DB>,
    plan: PagePlan<R>,
    /// `None`: one page; `Some(n)`: a batch statement of `n` parents.
    groups: Option<usize>,
}

impl<DB: SqlxDatabase, R: Send + 'static> Prepared<DB, R> {
    pub(super) fn new(
        select: &Select<'_, DB>,
        plan: PagePlan<R>,
    ) -> Result<Self, UnsupportedValue> {
        let statement = select.page_query(&plan)?;
        Ok(Self::of(plan, statement, None))
    }

    pub(super) fn of(
        plan: PagePlan<R>,
        statement: QueryBuilder<DB>,
        groups: Option<usize>,
    ) -> Self {
        Prepared {
            statement,
            plan,
            groups,
        }
    }

    /// Runs the statement on `conn` and assembles the page.
    pub(super) async fn run(self, conn: &mut DB::Connection) -> Result<Page<R>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Unpin,
    {
        let mut pages = self.run_all(conn).await?;
        Ok(pages.swap_remove(0))
    }

    /// Runs the statement on `conn` and assembles its pages, one per group.
    pub(super) async fn run_all(
        mut self,
        conn: &mut DB::Connection,
    ) -> Result<Vec<Page<R>>, FetchError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Unpin,
    {
        let plan = &self.plan;
        let rows = DB::fetch_page_rows::<R>(
            conn,
            &mut self.statement,
            plan.ordering().keys,
            &|row| plan.row_values(row),
            self.groups,
        )
        .await?;
        let pages = rows
            .into_iter()
            .map(|(rows, probe)| plan.finish(rows, probe));
        Ok(pages.collect::<Result<_, _>>()?)
    }
}

/// `totalCount` of a `#[paginate(table = "...")]` type: `COUNT(*)` over its
/// table, run only when called.
pub async fn count<'c, R, A>(conn: A) -> Result<i64, FetchError>
where
    R: Paginate,
    A: Acquire<'c>,
    A::Database: SqlxDatabase,
{
    Select::<A::Database>::table_of::<R>()?.count(conn).await
}
