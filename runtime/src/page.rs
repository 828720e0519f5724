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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// Whether the collection holds a row before the first edge (or, on an
    /// empty page, before the position where the page stood).
    pub has_previous_page: bool,
    /// Whether the collection holds a row after the last edge (or, on an
    /// empty page, after the position where the page stood).
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
