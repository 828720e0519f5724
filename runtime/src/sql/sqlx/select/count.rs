//! [`Select`]'s counts: `totalCount` exact, capped or estimated, each a
//! statement of its own that runs only when called.

use ::sqlx::{Acquire, QueryBuilder};

use super::Select;
use crate::sql::sqlx::{FetchError, SqlxDatabase};

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

impl<DB: SqlxDatabase> Select<'_, DB> {
    /// The `COUNT(*)` query, ready to build (for logging or `EXPLAIN`).
    /// A range bound the database cannot bind is left out of it (see
    /// [`range`](Self::range)); [`count`](Self::count) refuses it instead.
    pub fn count_query(&self) -> QueryBuilder<DB> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*)");
        self.push_from_where(&mut qb);
        qb
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
}
