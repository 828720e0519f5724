//! SQL rendering: keyset predicates, `ORDER BY` and `LIMIT` for each
//! [`Dialect`], as plain strings with ordered bind values
//! ([`RenderedSql`]) or into any [`SqlWriter`] (sqlx's `QueryBuilder` with
//! the `sqlite`, `postgres` or `mysql` feature, see the `sqlx` module).
//!
//! Identifiers only ever come from the ordering (quoted for the dialect);
//! every key value is a bind parameter. The predicate shapes (and why) are
//! described at [`Shape`], the page plan at [`PagePlan`].

mod dialect;
mod order;
mod plan;
mod predicate;
mod relation;
mod writer;

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod sqlx;

pub use dialect::Dialect;
pub use order::{order_by, push_order_by};
pub use plan::{
    GROUP_COLUMN, NotPastCursor, PART_COLUMN, PROBE_PART, PagePlan, RowError, WhereClause,
};
pub use predicate::{KeyBound, Shape, Side};
pub use relation::Relation;
pub use writer::{RenderedSql, SqlWriter};
