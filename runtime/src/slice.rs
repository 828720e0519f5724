//! Keyset pages over in-memory collections: the reference semantics every
//! other backend must match.

use crate::args::{KeysetQuery, PageArgs, PageDirection};
use crate::error::{KeyTooLong, PageError};
use crate::keyset::{Keyset, Paginate};
use crate::page::{Edge, Page};

/// Pages `items` in the ordering `K`. The items need not be sorted, and a
/// cursor's row need not still be among them: positions are keys, not
/// indexes.
///
/// ```
/// # use keypage_runtime as keypage;
/// # use keypage::PageArgs;
/// #[derive(Clone, Debug, keypage_macros::Paginate)]
/// # #[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
/// # #[paginate(crate = "keypage_runtime")]
/// #[paginate(order_by = "id asc")]
/// struct Row { id: i64 }
///
/// let rows: Vec<Row> = [5, 3, 1, 4, 2].into_iter().map(|id| Row { id }).collect();
/// let page = keypage::paginate_slice::<RowCursor>(&rows, &PageArgs::first(2)).unwrap();
/// assert_eq!(page.nodes().map(|r| r.id).collect::<Vec<_>>(), [1, 2]);
/// assert!(page.page_info.has_next_page && !page.page_info.has_previous_page);
/// let after = page.page_info.end_cursor.unwrap();
/// let next = keypage::paginate_slice::<RowCursor>(&rows, &PageArgs::first(2).after(after)).unwrap();
/// assert_eq!(next.nodes().map(|r| r.id).collect::<Vec<_>>(), [3, 4]);
/// ```
pub fn paginate_slice<'a, K: Keyset>(
    items: &'a [K::Row],
    args: &PageArgs,
) -> Result<Page<&'a K::Row>, PageError> {
    let query = args.validate::<K>()?;
    Ok(page_slice(items, &query)?)
}

/// Pages `items` in the ordering chosen at run time by `order`.
pub fn paginate_slice_by<'a, R: Paginate>(
    items: &'a [R],
    order: R::Order,
    args: &PageArgs,
) -> Result<Page<&'a R>, PageError> {
    crate::AnyKeysetQuery::new(order, args)?.page_slice(items)
}

/// Pages `items` by an already validated query.
///
/// The window is the rows strictly after `after` and strictly before
/// `before`; the page is its first (`Forward`) or last (`Backward`) `limit`
/// rows. The flags follow the Relay specification's algorithm: on the side
/// the page is read towards (`hasNextPage` for `first`, `hasPreviousPage`
/// for `last`) whether the window holds more rows beyond the page; on the
/// other side whether the whole collection holds rows beyond the page's
/// cursor (`false` without one, the page then starting at the collection's
/// edge). With an [`offset`](KeysetQuery#structfield.offset) the page starts that
/// many rows into the window (from its end for `Backward`), and the flag
/// behind it is whether any row of the collection lies behind its start.
///
/// # Errors
///
/// [`KeyTooLong`] when a row of the page has a key too long for a cursor
/// ([`MAX_TEXT_KEY_LEN`](crate::MAX_TEXT_KEY_LEN)): no page hands out a
/// cursor it would refuse.
pub fn page_slice<'a, K: Keyset>(
    items: &'a [K::Row],
    query: &KeysetQuery<K>,
) -> Result<Page<&'a K::Row>, KeyTooLong> {
    let mut sorted: Vec<&K::Row> = items.iter().collect();
    sorted.sort_unstable_by(|a, b| K::cmp_rows(a, b));
    let n = sorted.len();
    // First index strictly after `after`, first index not strictly before `before`.
    let lo = query.after.as_ref().map_or(0, |c| {
        sorted.partition_point(|r| K::cmp_row(r, c) != core::cmp::Ordering::Greater)
    });
    let hi = query.before.as_ref().map_or(n, |c| {
        sorted.partition_point(|r| K::cmp_row(r, c) == core::cmp::Ordering::Less)
    });
    let (limit, offset) = (query.limit as usize, query.offset as usize);
    // An empty window (before <= after) pins the page at the end it is read
    // from; the offset moves it inwards, at most to the other end. The flag
    // behind the page: a row before its start (forward) or after its end
    // (backward), in the whole collection.
    let (start, end, has_previous, has_next) = match query.direction {
        PageDirection::Forward => {
            let hi = hi.max(lo);
            let start = (lo + offset).min(hi);
            let end = start + limit.min(hi - start);
            (start, end, start > 0, end < hi)
        }
        PageDirection::Backward => {
            let lo = lo.min(hi);
            let end = hi.saturating_sub(offset).max(lo);
            let start = end - limit.min(end - lo);
            (start, end, start > lo, end < n)
        }
    };
    let edges = sorted[start..end]
        .iter()
        .map(|&row| {
            Ok(Edge {
                cursor: K::from_row(row).try_encode()?,
                node: row,
            })
        })
        .collect::<Result<_, KeyTooLong>>()?;
    Ok(Page::new(edges, has_previous, has_next))
}
