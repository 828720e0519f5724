//! The traits the derive implements: [`Paginate`] for the row type and
//! [`Keyset`] for each ordering's cursor type.

use core::cmp::Ordering;
use core::fmt::Debug;

use crate::cursor::{Cursor, Value};
use crate::ordering::OrderingSpec;

/// One ordering of a row type, implemented by that ordering's cursor type
/// (`ArticleCursor`, `ArticleTitleCursor`, ...): how to read a row's key,
/// and how rows and cursors compare in the ordering.
///
/// Generic code takes the ordering as a type parameter, e.g.
/// [`paginate_slice::<ArticleTitleCursor>(..)`](crate::paginate_slice).
///
/// `Send + Sync` because async servers hold cursors across `.await`s on
/// multi-threaded executors; generic code (an ordering chosen at run time,
/// see [`Paginate::with_order`]) could not prove it otherwise.
pub trait Keyset: Cursor + Clone + Debug + Send + Sync + 'static {
    /// The row type.
    type Row: Paginate;
    /// The ordering's keys, directions, null placement and fingerprint.
    const ORDERING: &'static OrderingSpec;
    /// The key of `row` in this ordering.
    fn from_row(row: &Self::Row) -> Self;
    /// How `row` compares to the position `cursor` in this ordering.
    fn cmp_row(row: &Self::Row, cursor: &Self) -> Ordering;
    /// How two rows compare in this ordering.
    fn cmp_rows(a: &Self::Row, b: &Self::Row) -> Ordering;
    /// The key values, in key order, as bind values ([`Value::Null`] for NULLs).
    fn values(&self) -> Vec<Value>;
}

/// A row type with keyset orderings: implemented by `#[derive(Paginate)]`.
pub trait Paginate: Sized + 'static {
    /// The cursor type of the default ordering (`order_by`).
    type Cursor: Keyset<Row = Self>;
    /// The enum naming the orderings (`ArticleOrder`).
    type Order: Copy + Eq + Debug + Send + Sync + 'static;
    /// Every ordering, the default first.
    const ORDERINGS: &'static [&'static OrderingSpec];
    /// The largest `first`/`last` accepted (default 100).
    const MAX_PAGE_SIZE: u32;
    /// The page size when neither `first` nor `last` is given (default 20).
    const DEFAULT_PAGE_SIZE: u32;
    /// The largest `offset` a page may pass over
    /// ([`PageArgs::validate_with_offset`](crate::PageArgs::validate_with_offset);
    /// the attribute's `max_offset`, default 1,000).
    const MAX_OFFSET: u32 = 1_000;
    /// The SQL table, from `#[paginate(table = "...")]`.
    const TABLE: Option<&'static str>;
    /// The SQL columns of every field, in declaration order.
    const COLUMNS: &'static [&'static str];

    /// This row's cursor in the default ordering.
    fn cursor(&self) -> Self::Cursor {
        <Self::Cursor as Keyset>::from_row(self)
    }

    /// Calls `visitor` with the cursor type of `order`, so generic code can
    /// work with an ordering chosen at run time.
    fn with_order<V: OrderVisitor<Self>>(order: Self::Order, visitor: V) -> V::Output;
}

/// Code generic over the ordering, run for one chosen at run time by
/// [`Paginate::with_order`].
pub trait OrderVisitor<Row: Paginate> {
    /// What the visit returns.
    type Output;
    /// Runs with the chosen ordering's cursor type.
    fn visit<K: Keyset<Row = Row>>(self) -> Self::Output;
}
