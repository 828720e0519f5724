//! SQL rendering: keyset predicates, `ORDER BY` and `LIMIT` for each
//! [`Dialect`], as plain strings with ordered bind values
//! ([`RenderedSql`]) or into any [`SqlWriter`] (sqlx's `QueryBuilder` with
//! the `sqlite`, `postgres` or `mysql` feature, see the `sqlx` module).
//!
//! Identifiers only ever come from the ordering (quoted for the dialect);
//! every key value is a bind parameter. The page plan is [`PagePlan`]; the
//! keyset predicates it writes are the crate's own, in the shapes the
//! planners seek on (measured, and explained in `sql/predicate.rs`).

mod dialect;
mod order;
mod plan;
mod predicate;
mod relation;
#[cfg(test)]
mod tests;
mod writer;

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod sqlx;

pub use dialect::Dialect;
pub use order::{order_by, push_order_by};
pub use plan::{
    GROUP_COLUMN, NotPastCursor, PART_COLUMN, PROBE_PART, PagePlan, RowError, WhereClause,
};
pub(crate) use predicate::{KeyBound, Side};
pub use relation::Relation;
pub use writer::{RenderedSql, SqlWriter};
