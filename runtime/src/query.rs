//! [`AnyKeysetQuery`]: a validated [`KeysetQuery`] in an ordering chosen at
//! run time (a GraphQL `orderBy` argument), handed to a connection's fetch
//! closure or to the SQL layer.

use core::any::Any;
use core::fmt;

use crate::args::{KeysetQuery, PageArgs, PageDirection};
use crate::cursor::Value;
use crate::error::{KeyTooLong, PageError};
use crate::keyset::{Keyset, OrderVisitor, Paginate};
use crate::ordering::OrderingSpec;
use crate::page::{Edge, Page};
use crate::slice::page_slice;

/// The validated page arguments for the row type `R` in one of its
/// orderings, the one chosen at run time: a [`KeysetQuery<K>`] whose cursor
/// type `K` is known only as "the cursor type of [`order`](Self::order)".
///
/// A fetch closure reads it in one of three ways:
/// * [`page_slice`](Self::page_slice) pages an in-memory collection;
/// * the plain accessors ([`ordering`](Self::ordering),
///   [`direction`](Self::direction), [`limit`](Self::limit),
///   [`after`](Self::after)/[`before`](Self::before) as key values) feed a
///   data source that takes keys and a limit; [`page`](Self::page) then
///   turns the rows it returns into a page with cursors;
/// * [`visit`](Self::visit) (or [`downcast_ref`](Self::downcast_ref)) hands
///   over the typed [`KeysetQuery<K>`] to code generic over the ordering,
///   such as the SQL layer.
///
/// ```
/// # use keypage_runtime::doc_support::*;
/// use keypage_runtime::AnyKeysetQuery;
/// use keypage_runtime::{PageArgs, PageDirection};
///
/// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
/// let query = AnyKeysetQuery::<Row>::new(RowOrder::Desc, &PageArgs::last(2)).unwrap();
/// assert_eq!(query.ordering().name, "DESC");
/// assert_eq!((query.direction(), query.limit()), (PageDirection::Backward, 2));
/// let page = query.page_slice(&rows).unwrap();
/// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [2, 1]);
/// assert!(page.page_info.has_previous_page);
/// ```
pub struct AnyKeysetQuery<R: Paginate> {
    order: R::Order,
    ordering: &'static OrderingSpec,
    direction: PageDirection,
    limit: u32,
    offset: u32,
    /// The `KeysetQuery<K>` of `order`'s cursor type `K`.
    query: Box<dyn Any + Send + Sync>,
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
            type Output = Result<
                (
                    &'static OrderingSpec,
                    (PageDirection, u32, u32),
                    Box<dyn Any + Send + Sync>,
                ),
                PageError,
            >;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                let query = self.0.validate_with_offset::<K>(self.1)?;
                let shape = (query.direction, query.limit, query.offset);
                Ok((K::ORDERING, shape, Box::new(query)))
            }
        }
        let (ordering, (direction, limit, offset), query) =
            R::with_order(order, Validate(args, offset))?;
        Ok(AnyKeysetQuery {
            order,
            ordering,
            direction,
            limit,
            offset,
            query,
        })
    }

    /// The ordering chosen, as the row type's order enum (`ArticleOrder`).
    pub fn order(&self) -> R::Order {
        self.order
    }

    /// The ordering's keys, directions, null placement and name.
    pub fn ordering(&self) -> &'static OrderingSpec {
        self.ordering
    }

    /// Which end of the window the page is taken from (`first` or `last`).
    pub fn direction(&self) -> PageDirection {
        self.direction
    }

    /// How many rows at most (`first`/`last`, or the default page size).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// How many rows of the window the page passes over first (0 for a
    /// keyset page; see [`KeysetQuery::offset`]).
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The key values of `after`, in key order, if it was given: the window
    /// holds the rows strictly after them in the ordering.
    pub fn after(&self) -> Option<Vec<Value>> {
        self.keys(Side::After)
    }

    /// The key values of `before`, in key order, if it was given: the window
    /// holds the rows strictly before them in the ordering.
    pub fn before(&self) -> Option<Vec<Value>> {
        self.keys(Side::Before)
    }

    fn keys(&self, side: Side) -> Option<Vec<Value>> {
        struct Keys<'q>(&'q (dyn Any + Send + Sync), Side);
        impl<R: Paginate> OrderVisitor<R> for Keys<'_> {
            type Output = Option<Vec<Value>>;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                let query = self.0.downcast_ref::<KeysetQuery<K>>()?;
                let key = match self.1 {
                    Side::After => query.after.as_ref(),
                    Side::Before => query.before.as_ref(),
                };
                key.map(Keyset::values)
            }
        }
        R::with_order(self.order, Keys(&*self.query, side))
    }

    /// The typed query, if `K` is the cursor type of the chosen ordering.
    pub fn downcast_ref<K: Keyset<Row = R>>(&self) -> Option<&KeysetQuery<K>> {
        self.query.downcast_ref()
    }

    /// Runs `visitor` with the typed query of the chosen ordering: how code
    /// generic over the ordering (the SQL layer, a custom backend) gets a
    /// [`KeysetQuery<K>`].
    pub fn visit<V: QueryVisitor<R>>(self, visitor: V) -> V::Output {
        struct Typed<V>(Box<dyn Any + Send + Sync>, V);
        impl<R: Paginate, V: QueryVisitor<R>> OrderVisitor<R> for Typed<V> {
            type Output = V::Output;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                match self.0.downcast::<KeysetQuery<K>>() {
                    Ok(query) => self.1.visit(*query),
                    // `new` stored the query of this very ordering.
                    Err(_) => unreachable!("AnyKeysetQuery holds the query of its own ordering"),
                }
            }
        }
        R::with_order(self.order, Typed(self.query, visitor))
    }

    /// Pages `items` (in any order) by this query: the in-memory reference
    /// semantics of [`page_slice`](crate::page_slice).
    ///
    /// # Errors
    ///
    /// [`PageError::KeyTooLong`] when a row of the page has a key too long
    /// for a cursor.
    pub fn page_slice<'a>(&self, items: &'a [R]) -> Result<Page<&'a R>, PageError> {
        struct Slice<'a, 'q, R>(&'a [R], &'q (dyn Any + Send + Sync));
        impl<'a, R: Paginate> OrderVisitor<R> for Slice<'a, '_, R> {
            type Output = Option<Result<Page<&'a R>, PageError>>;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                let query = self.1.downcast_ref::<KeysetQuery<K>>()?;
                Some(page_slice(self.0, query).map_err(PageError::from))
            }
        }
        R::with_order(self.order, Slice(items, &*self.query))
            .unwrap_or_else(|| unreachable!("AnyKeysetQuery holds the query of its own ordering"))
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
        struct Cursors<R>(Vec<R>);
        impl<R: Paginate> OrderVisitor<R> for Cursors<R> {
            type Output = Result<Vec<Edge<R>>, KeyTooLong>;
            fn visit<K: Keyset<Row = R>>(self) -> Self::Output {
                self.0
                    .into_iter()
                    .map(|node| {
                        Ok(Edge {
                            cursor: K::from_row(&node).try_encode()?,
                            node,
                        })
                    })
                    .collect()
            }
        }
        let edges = R::with_order(self.order, Cursors(rows))?;
        Ok(Page::new(edges, has_previous_page, has_next_page))
    }
}

impl<R: Paginate> fmt::Debug for AnyKeysetQuery<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyKeysetQuery")
            .field("order", &self.order)
            .field("direction", &self.direction)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("after", &self.after())
            .field("before", &self.before())
            .finish()
    }
}

/// Code generic over the ordering, run by [`AnyKeysetQuery::visit`] with
/// the typed query of the ordering chosen at run time.
pub trait QueryVisitor<R: Paginate> {
    /// What the visit returns.
    type Output;
    /// Runs with the chosen ordering's cursor type `K` and the query.
    fn visit<K: Keyset<Row = R>>(self, query: KeysetQuery<K>) -> Self::Output;
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

#[derive(Clone, Copy)]
enum Side {
    After,
    Before,
}

#[cfg(test)]
mod tests {
    use core::future::{self, Future};
    use core::pin::Pin;

    use super::*;
    use crate::doc_support::{Row, RowCursor, RowDescCursor, RowOrder};

    fn rows() -> Vec<Row> {
        [3, 1, 5, 2, 4].into_iter().map(|id| Row { id }).collect()
    }

    /// What the SQL layer will do: an async fetch generic over the
    /// ordering, holding the typed query across an `.await`, as a `Send`
    /// future (which needs `Keyset: Send + Sync`).
    struct Fetch(Vec<Row>);

    impl QueryVisitor<Row> for Fetch {
        type Output = Pin<Box<dyn Future<Output = Page<Row>> + Send>>;
        fn visit<K: Keyset<Row = Row>>(self, query: KeysetQuery<K>) -> Self::Output {
            Box::pin(async move {
                future::ready(()).await;
                page_slice(&self.0, &query).unwrap().map(Clone::clone)
            })
        }
    }

    #[tokio::test]
    async fn visit_hands_over_the_typed_query_of_the_chosen_ordering() {
        let args = PageArgs::first(2);
        let query = AnyKeysetQuery::<Row>::new(RowOrder::Desc, &args).unwrap();
        assert!(query.downcast_ref::<RowDescCursor>().is_some());
        assert!(query.downcast_ref::<RowCursor>().is_none());
        let page = query.visit(Fetch(rows())).await;
        assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [5, 4]);
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
        assert_eq!(next.ordering().name, "DESC");
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
