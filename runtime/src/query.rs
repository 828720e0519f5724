//! [`AnyKeysetQuery`]: a validated [`KeysetQuery`] in an ordering chosen at
//! run time (a GraphQL `orderBy` argument), handed to a connection's fetch
//! closure or to the SQL layer.
//!
//! The ordering is chosen once, when the arguments are validated
//! ([`Paginate::with_order`]); from then on the query is the typed
//! [`KeysetQuery<K>`] of that ordering behind one object-safe trait,
//! [`ErasedQuery`], so every later step (the SQL plan, the slice page, the
//! cursors of the rows) calls the ordering's own code without naming `K`.

use core::fmt;
use std::sync::Arc;

use crate::args::{KeysetQuery, PageArgs, PageDirection};
use crate::cursor::Value;
use crate::error::{KeyTooLong, PageError};
use crate::keyset::{Keyset, OrderVisitor, Paginate};
use crate::ordering::OrderingSpec;
use crate::page::{Edge, Page};
use crate::slice::page_slice;

/// One of the two cursor arguments of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CursorArg {
    After,
    Before,
}

impl CursorArg {
    /// The argument's GraphQL and [`PageArgs`] name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            CursorArg::After => "after",
            CursorArg::Before => "before",
        }
    }
}

/// What code that does not name the ordering's cursor type needs of a
/// [`KeysetQuery<K>`]: implemented for every one, and object-safe, so the
/// query of an ordering chosen at run time stays the typed query of that
/// ordering (no downcast anywhere) behind `dyn ErasedQuery<R>`.
pub(crate) trait ErasedQuery<R>: Send + Sync {
    /// The ordering's keys, directions, null placement and name.
    fn ordering(&self) -> &'static OrderingSpec;
    /// Which end of the window the page is taken from.
    fn direction(&self) -> PageDirection;
    /// How many rows at most.
    fn limit(&self) -> u32;
    /// How many rows of the window the page passes over first.
    fn offset(&self) -> u32;
    /// The key values of the cursor `arg`, in key order, if it was given.
    fn values(&self, arg: CursorArg) -> Option<Vec<Value>>;
    /// The cursor `arg` as keypage encodes it, if it was given.
    fn encoded(&self, arg: CursorArg) -> Option<String>;
    /// A row's key values in the ordering, as keypage binds them.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(dead_code)
    )]
    fn row_values(&self, row: &R) -> Vec<Value>;
    /// A row's cursor in the ordering.
    fn row_cursor(&self, row: &R) -> Result<String, KeyTooLong>;
    /// Pages `items` by the query: the slice backend.
    fn page_slice<'a>(&self, items: &'a [R]) -> Result<Page<&'a R>, KeyTooLong>;
}

impl<K: Keyset> ErasedQuery<K::Row> for KeysetQuery<K> {
    fn ordering(&self) -> &'static OrderingSpec {
        K::ORDERING
    }
    fn direction(&self) -> PageDirection {
        self.direction
    }
    fn limit(&self) -> u32 {
        self.limit
    }
    fn offset(&self) -> u32 {
        self.offset
    }
    fn values(&self, arg: CursorArg) -> Option<Vec<Value>> {
        self.cursor(arg).map(Keyset::values)
    }
    fn encoded(&self, arg: CursorArg) -> Option<String> {
        self.cursor(arg).map(crate::Cursor::encode)
    }
    fn row_values(&self, row: &K::Row) -> Vec<Value> {
        K::from_row(row).values()
    }
    fn row_cursor(&self, row: &K::Row) -> Result<String, KeyTooLong> {
        crate::Cursor::try_encode(&K::from_row(row))
    }
    fn page_slice<'a>(&self, items: &'a [K::Row]) -> Result<Page<&'a K::Row>, KeyTooLong> {
        page_slice(items, self)
    }
}

impl<K> KeysetQuery<K> {
    fn cursor(&self, arg: CursorArg) -> Option<&K> {
        match arg {
            CursorArg::After => self.after.as_ref(),
            CursorArg::Before => self.before.as_ref(),
        }
    }
}

/// The validated page arguments for the row type `R` in one of its
/// orderings, the one chosen at run time: the [`KeysetQuery<K>`] of that
/// ordering's cursor type `K`, without naming `K`.
///
/// A fetch closure reads it in one of three ways:
/// * [`page_slice`](Self::page_slice) pages an in-memory collection;
/// * the plain accessors ([`ordering`](Self::ordering),
///   [`direction`](Self::direction), [`limit`](Self::limit),
///   [`after`](Self::after)/[`before`](Self::before) as key values) feed a
///   data source that takes keys and a limit; [`page`](Self::page) then
///   turns the rows it returns into a page with cursors;
/// * the SQL layer plans it as is
///   ([`PagePlan::from_any`](crate::sql::PagePlan::from_any),
///   `Select::fetch_any`).
///
/// ```
/// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
/// # use doc_support::*;
/// use keypage_runtime::AnyKeysetQuery;
/// use keypage_runtime::{PageArgs, PageDirection};
///
/// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
/// let query = AnyKeysetQuery::<Row>::new(RowOrder::Desc, &PageArgs::last(2)).unwrap();
/// assert_eq!(query.ordering().name(), "DESC");
/// assert_eq!((query.direction(), query.limit()), (PageDirection::Backward, 2));
/// let page = query.page_slice(&rows).unwrap();
/// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [2, 1]);
/// assert!(page.page_info.has_previous_page);
/// ```
pub struct AnyKeysetQuery<R: Paginate> {
    order: R::Order,
    query: Arc<dyn ErasedQuery<R>>,
}

impl<R: Paginate> Clone for AnyKeysetQuery<R> {
    fn clone(&self) -> Self {
        AnyKeysetQuery {
            order: self.order,
            query: Arc::clone(&self.query),
        }
    }
}

impl<R: Paginate> AnyKeysetQuery<R> {
    /// Validates `args` for the ordering `order` (see [`PageArgs::validate`]).
    ///
    /// # Errors
    ///
    /// [`PageError`] when `first`/`last` are out of range or both given, or a
    /// cursor is malformed or belongs to another ordering.
    pub fn new(order: R::Order, args: &PageArgs) -> Result<Self, PageError> {
        Self::with_offset(order, args, None)
    }

    /// Validates `args` for the ordering `order`, the page passing over
    /// `offset` rows of the window first (see
    /// [`PageArgs::validate_with_offset`]).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), and
    /// [`PageError::OffsetOutOfRange`](crate::PageError::OffsetOutOfRange).
    pub fn with_offset(
        order: R::Order,
        args: &PageArgs,
        offset: Option<i32>,
    ) -> Result<Self, PageError> {
        struct Validate<'a>(&'a PageArgs, Option<i32>);
        impl<R: Paginate> OrderVisitor<R> for Validate<'_> {
            type Output = Result<Arc<dyn ErasedQuery<R>>, PageError>;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                Ok(Arc::new(self.0.validate_with_offset::<K>(self.1)?))
            }
        }
        let query = R::with_order(order, Validate(args, offset))?;
        Ok(AnyKeysetQuery { order, query })
    }

    /// The query, shared (for the SQL plan).
    pub(crate) fn erased(&self) -> &Arc<dyn ErasedQuery<R>> {
        &self.query
    }

    /// The ordering chosen, as the row type's order enum (`ArticleOrder`).
    pub fn order(&self) -> R::Order {
        self.order
    }

    /// The ordering's keys, directions, null placement and name.
    pub fn ordering(&self) -> &'static OrderingSpec {
        self.query.ordering()
    }

    /// Which end of the window the page is taken from (`first` or `last`).
    pub fn direction(&self) -> PageDirection {
        self.query.direction()
    }

    /// How many rows at most (`first`/`last`, or the default page size).
    pub fn limit(&self) -> u32 {
        self.query.limit()
    }

    /// How many rows of the window the page passes over first (0 for a
    /// keyset page; see [`KeysetQuery::offset`](KeysetQuery#structfield.offset)).
    pub fn offset(&self) -> u32 {
        self.query.offset()
    }

    /// The key values of `after`, in key order, if it was given: the window
    /// holds the rows strictly after them in the ordering.
    pub fn after(&self) -> Option<Vec<Value>> {
        self.query.values(CursorArg::After)
    }

    /// The key values of `before`, in key order, if it was given: the window
    /// holds the rows strictly before them in the ordering.
    pub fn before(&self) -> Option<Vec<Value>> {
        self.query.values(CursorArg::Before)
    }

    /// Pages `items` (in any order) by this query: the in-memory reference
    /// semantics of [`page_slice`](crate::page_slice).
    ///
    /// # Errors
    ///
    /// [`PageError::KeyTooLong`] when a row of the page has a key too long
    /// for a cursor.
    pub fn page_slice<'a>(&self, items: &'a [R]) -> Result<Page<&'a R>, PageError> {
        Ok(self.query.page_slice(items)?)
    }

    /// Builds the page from `rows` as a data source returned them for this
    /// query: in the ordering's order (also for `last`), at most
    /// [`limit`](Self::limit) of them, and the two flags as the source
    /// knows them (see [`Page`]'s rules). Each edge's cursor is read off
    /// its row in the chosen ordering.
    ///
    /// # Errors
    ///
    /// [`PageError::KeyTooLong`] when a row has a key too long for a
    /// cursor: no page hands out a cursor keypage would refuse.
    pub fn page(
        &self,
        rows: Vec<R>,
        has_previous_page: bool,
        has_next_page: bool,
    ) -> Result<Page<R>, PageError> {
        let edges = rows
            .into_iter()
            .map(|node| {
                Ok(Edge {
                    cursor: self.query.row_cursor(&node)?,
                    node,
                })
            })
            .collect::<Result<_, KeyTooLong>>()?;
        Ok(Page::new(edges, has_previous_page, has_next_page))
    }
}

impl<R: Paginate> fmt::Debug for AnyKeysetQuery<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyKeysetQuery")
            .field("order", &self.order)
            .field("direction", &self.direction())
            .field("limit", &self.limit())
            .field("offset", &self.offset())
            .field("after", &self.after())
            .field("before", &self.before())
            .finish()
    }
}

/// The longest cursor [`Cursor::decode`](crate::Cursor::decode) of `order`'s
/// cursor type accepts ([`Cursor::MAX_LEN`](crate::Cursor::MAX_LEN)).
#[cfg(feature = "graphql")]
pub(crate) fn max_cursor_len<R: Paginate>(order: R::Order) -> usize {
    struct MaxLen;
    impl<R: Paginate> OrderVisitor<R> for MaxLen {
        type Output = usize;
        fn visit<K: Keyset<Row = R>>(self) -> usize {
            K::MAX_LEN
        }
    }
    R::with_order(order, MaxLen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc_support::{Row, RowOrder};

    fn rows() -> Vec<Row> {
        [3, 1, 5, 2, 4].into_iter().map(|id| Row { id }).collect()
    }

    #[test]
    fn keys_and_pages_follow_the_chosen_ordering() {
        let rows = rows();
        let first = AnyKeysetQuery::<Row>::new(RowOrder::Desc, &PageArgs::first(2)).unwrap();
        let page = first.page_slice(&rows).unwrap();
        let end = page.page_info.end_cursor.clone().unwrap();
        let next =
            AnyKeysetQuery::<Row>::new(RowOrder::Desc, &PageArgs::first(2).after(&*end)).unwrap();
        assert_eq!(next.after(), Some(vec![Value::Int(4)]));
        assert_eq!(next.before(), None);
        assert_eq!(next.ordering().name(), "DESC");
        let ids: Vec<i64> = next
            .page_slice(&rows)
            .unwrap()
            .nodes()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, [3, 2]);
        // `page` reads cursors off the rows in the chosen ordering.
        let built = next
            .page(vec![Row { id: 3 }, Row { id: 2 }], true, true)
            .unwrap();
        assert_eq!(built, next.page_slice(&rows).unwrap().map(Clone::clone));
        // The cursor belongs to `DESC`: the default ordering refuses it.
        let err = AnyKeysetQuery::<Row>::new(RowOrder::Default, &PageArgs::first(2).after(end))
            .unwrap_err();
        assert_eq!(err.code(), "CURSOR_ORDER_MISMATCH");
        assert!(format!("{next:?}").contains("after: Some([Int(4)])"));
    }
}
