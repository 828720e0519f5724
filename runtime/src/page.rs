//! A page of a Relay connection: edges and `pageInfo`.

/// One row of a page with its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge<N> {
    /// The row's cursor: pass it as `after`/`before` to page from this row.
    pub cursor: String,
    /// The row.
    pub node: N,
}

/// Relay's `PageInfo`, answered exactly in both directions.
///
/// On the side the page is read towards (`hasNextPage` for `first`,
/// `hasPreviousPage` for `last`) a flag says whether the window between
/// `after` and `before` holds more rows beyond the page, as the Relay
/// specification computes it: a walk that keeps a `before` ends at it. On
/// the other side it says whether the whole collection holds a row at or
/// behind the page's cursor (`after` for `first`, `before` for `last`), and
/// is `false` without that cursor, the page then starting at the
/// collection's edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// `first`: whether a row exists at or before `after`; `last`: whether
    /// the window holds a row before the first edge.
    pub has_previous_page: bool,
    /// `first`: whether the window holds a row after the last edge; `last`:
    /// whether a row exists at or after `before`.
    pub has_next_page: bool,
    /// The first edge's cursor; `None` on an empty page.
    pub start_cursor: Option<String>,
    /// The last edge's cursor; `None` on an empty page.
    pub end_cursor: Option<String>,
}

/// A page of rows in the ordering's order, with exact `pageInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<N> {
    /// The rows, in the ordering's order (also for `last`).
    pub edges: Vec<Edge<N>>,
    /// Where the page stands in the collection.
    pub page_info: PageInfo,
}

impl<N> Page<N> {
    /// Builds a page from edges in order and the two flags; the start and
    /// end cursors are read off the edges, so they cannot disagree.
    pub fn new(edges: Vec<Edge<N>>, has_previous_page: bool, has_next_page: bool) -> Self {
        let page_info = PageInfo {
            has_previous_page,
            has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        Page { edges, page_info }
    }

    /// The page with every cursor replaced by `f` of it (signed, bound to
    /// filters), the flags kept; `pageInfo`'s cursors follow the edges'.
    pub(crate) fn map_cursors(self, mut f: impl FnMut(&str) -> String) -> Page<N> {
        let Page { edges, page_info } = self;
        let edges = (edges.into_iter())
            .map(|edge| Edge {
                cursor: f(&edge.cursor),
                node: edge.node,
            })
            .collect();
        Page::new(edges, page_info.has_previous_page, page_info.has_next_page)
    }

    /// The rows without their cursors.
    pub fn nodes(&self) -> impl Iterator<Item = &N> {
        self.edges.iter().map(|e| &e.node)
    }

    /// Maps every node, keeping cursors and `pageInfo`.
    pub fn map<M>(self, mut f: impl FnMut(N) -> M) -> Page<M> {
        Page {
            edges: self
                .edges
                .into_iter()
                .map(|e| Edge {
                    cursor: e.cursor,
                    node: f(e.node),
                })
                .collect(),
            page_info: self.page_info,
        }
    }
}
