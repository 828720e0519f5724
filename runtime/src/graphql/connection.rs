//! The connection entry point: page arguments and ordering in, an
//! async-graphql [`Connection`](async_graphql::connection::Connection) out.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;

use async_graphql::connection::{self, ConnectionNameType, EdgeNameType, EmptyFields};
use async_graphql::futures_util::future::{BoxFuture, FutureExt, Shared};
use async_graphql::{Error, ErrorExtensions as _, Object, OutputType};

use super::error::{IntoGraphqlError, coded};
use crate::args::PageArgs;
use crate::error::{Code, CursorError, PageError};
use crate::keyset::Paginate;
use crate::page::Page;
use crate::query::AnyKeysetQuery;

/// The Relay connection of the row type `R` with nodes of type `Node` (the
/// rows themselves by default): async-graphql's
/// [`Connection`](async_graphql::connection::Connection) with string
/// cursors, named `ArticleConnection`/`ArticleEdge` after the row type, and
/// a lazy [`totalCount`](TotalCount) field.
///
/// The derive names it per row type: `ArticleConnection` is
/// `keypage::graphql::Connection<Article>`. Its GraphQL shape:
///
/// ```graphql
/// type ArticleConnection {
///   pageInfo: PageInfo!
///   edges: [ArticleEdge!]!
///   nodes: [Article!]!
///   totalCount: Int!
///   totalCountIsExact: Boolean!
///   pageCount: Int!
/// }
/// type ArticleEdge { cursor: String! node: Article! }
/// ```
pub type Connection<R, Node = R> =
    connection::Connection<String, Node, TotalCount, EmptyFields, ConnectionName<R>, EdgeName<R>>;

/// Names a row type's connection `<Row>Connection` (`ArticleConnection`),
/// after the Rust row type, so each row type gets its own connection type
/// whatever its node type.
pub struct ConnectionName<R>(PhantomData<fn() -> R>);

impl<R: Paginate> ConnectionNameType for ConnectionName<R> {
    fn type_name<T: OutputType>() -> String {
        format!("{}Connection", row_name::<R>())
    }
}

/// Names a row type's edge `<Row>Edge` (`ArticleEdge`).
pub struct EdgeName<R>(PhantomData<fn() -> R>);

impl<R: Paginate> EdgeNameType for EdgeName<R> {
    fn type_name<T: OutputType>() -> String {
        format!("{}Edge", row_name::<R>())
    }
}

/// The Rust name of the row type, as the derive recorded it.
fn row_name<R: Paginate>() -> &'static str {
    R::ORDERINGS.first().map_or("Row", |spec| spec.type_name)
}

/// A count for GraphQL's `Int`, and whether it is exact.
type Counted = (i32, bool);

type CountFuture = Shared<BoxFuture<'static, Result<Counted, Error>>>;

/// The counts of one request, shared by its connections that count the
/// same rows: with [`ConnectionRequest::share_count`], aliases of a
/// connection (`a: articles(first: 5) { totalCount } b: articles(first:
/// 10, orderBy: TITLE) { totalCount }`) run one `COUNT(*)` between them.
/// Make one per request (a fresh `Arc<SharedCounts>` in the request's
/// data): a count is a snapshot of its request.
#[derive(Default)]
pub struct SharedCounts {
    counts: std::sync::Mutex<std::collections::HashMap<String, CountFuture>>,
}

impl SharedCounts {
    /// No count shared yet.
    pub fn new() -> Self {
        SharedCounts::default()
    }

    /// The count under `key`, if any.
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    fn get(&self, key: &str) -> Option<CountFuture> {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.get(key).cloned()
    }

    /// The count already under `key`, or `count`, now under `key`.
    fn share(&self, key: String, count: BoxFuture<'static, Result<Counted, Error>>) -> CountFuture {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        counts.entry(key).or_insert_with(|| count.shared()).clone()
    }
}

impl fmt::Debug for SharedCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f.debug_struct("SharedCounts")
            .field("keys", &counts.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// How `select` computes `totalCount`: the schema author's choice of what a
/// count may cost. Set with [`ConnectionRequest::total_count_mode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TotalCountMode {
    /// `COUNT(*)` with the filters: exact, and as costly as the rows it
    /// counts.
    #[default]
    Exact,
    /// A `COUNT(*)` of at most `cap + 1` rows: exact up to `cap`; beyond it
    /// `totalCount` is `cap` and `totalCountIsExact` is `false`.
    AtMost(u32),
    /// The planner's estimate (PostgreSQL: `EXPLAIN`'s row estimate,
    /// `totalCountIsExact: false`), reading no rows. On SQLite and
    /// MySQL/MariaDB, which keypage reads no estimate from,
    /// `TOTAL_COUNT_UNAVAILABLE`.
    Estimate,
}

/// The connection's own fields, `totalCount: Int!` (and whether it is
/// exact, `totalCountIsExact: Boolean!`): the number of rows in
/// the whole connection (after the data source's own filters), whatever
/// `first`, `last`, `after` and `before` say; and `pageCount: Int!`, the
/// pages of the request's size it makes ("page 3 of 47"), from the same
/// count.
///
/// Lazy: the counting closure given to
/// [`ConnectionRequest::total_count`] (or, by default, the `COUNT(*)` that
/// `ConnectionRequest::select` sets up) runs only when a query selects the
/// field, and at most once per connection (aliases share the result).
/// Without a counting closure the field is an error with
/// `extensions.code` `TOTAL_COUNT_UNAVAILABLE`; a count that does not fit
/// GraphQL's 32-bit `Int` is one with `TOTAL_COUNT_OUT_OF_RANGE`.
pub struct TotalCount {
    count: Option<CountFuture>,
    /// The page size asked for, for `pageCount`.
    page_size: u32,
}

impl TotalCount {
    fn new(count: Option<BoxFuture<'static, Result<Counted, Error>>>, page_size: u32) -> Self {
        TotalCount {
            count: count.map(FutureExt::shared),
            page_size,
        }
    }

    fn shared(count: CountFuture, page_size: u32) -> Self {
        TotalCount {
            count: Some(count),
            page_size,
        }
    }
}

impl fmt::Debug for TotalCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotalCount")
            .field("available", &self.count.is_some())
            .field("page_size", &self.page_size)
            .finish()
    }
}

#[Object(name = "KeypageTotalCount")]
impl TotalCount {
    /// The number of items in the whole connection, ignoring `first`, `last`, `after`, `before`.
    async fn total_count(&self) -> async_graphql::Result<i32> {
        Ok(self.counted().await?.0)
    }

    /// Whether `totalCount` is the exact number of items: `false` for a
    /// count capped at its bound (there are more) or estimated.
    async fn total_count_is_exact(&self) -> async_graphql::Result<bool> {
        Ok(self.counted().await?.1)
    }

    /// The number of pages of this page's size (`first` or `last`) the whole connection makes:
    /// `totalCount` divided by the page size, rounded up; 0 for pages of size 0. As exact as
    /// `totalCount`.
    async fn page_count(&self) -> async_graphql::Result<i32> {
        let (count, _) = self.counted().await?;
        Ok(page_count(count, self.page_size))
    }
}

/// `count` rows in pages of `size`: rounded up, 0 for pages of size 0.
fn page_count(count: i32, size: u32) -> i32 {
    match (u32::try_from(count), size) {
        (Ok(count), 1..) => i32::try_from(count.div_ceil(size)).unwrap_or(i32::MAX),
        _ => 0,
    }
}

impl TotalCount {
    async fn counted(&self) -> async_graphql::Result<Counted> {
        match &self.count {
            Some(count) => count.clone().await,
            None => Err(unavailable(
                "`totalCount` is not available on this connection",
            )),
        }
    }
}

/// A connection request: the page arguments validated for the ordering
/// chosen, plus the optional `totalCount` closure; finished by
/// [`over_slice`](Self::over_slice), `select` (a SQL table through a sqlx
/// pool, with a SQL feature) or [`fetch`](Self::fetch).
///
/// Made by the derive's `Article::connection(order_by, args)` (or
/// [`ConnectionRequest::new`]). An invalid argument does not fail here but
/// in the finishing call, as a GraphQL error with `extensions.code`, so a
/// resolver stays one expression:
///
/// ```
/// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
/// # use doc_support::*;
/// use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};
/// use keypage_runtime::PageArgs;
/// use keypage_runtime::graphql::{Connection, ConnectionRequest};
///
/// struct Query;
///
/// #[Object]
/// impl Query {
///     async fn rows(
///         &self,
///         ctx: &Context<'_>,
///         after: Option<String>,
///         before: Option<String>,
///         first: Option<i32>,
///         last: Option<i32>,
///         order_by: Option<RowOrder>,
///     ) -> async_graphql::Result<Connection<Row>> {
///         let args = PageArgs { first, after, last, before };
///         ConnectionRequest::<Row>::new(order_by, args).over_slice(ctx.data_unchecked::<Vec<Row>>())
///     }
/// }
///
/// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
/// let schema = Schema::build(Query, EmptyMutation, EmptySubscription).data(rows).finish();
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let response = runtime.block_on(
///     schema.execute("{ rows(first: 2, orderBy: DESC) { nodes { id } pageInfo { hasNextPage } totalCount } }"),
/// );
/// assert_eq!(
///     response.data,
///     async_graphql::value!({ "rows": {
///         "nodes": [{ "id": 5 }, { "id": 4 }],
///         "pageInfo": { "hasNextPage": true },
///         "totalCount": 5,
///     }}),
/// );
/// ```
pub struct ConnectionRequest<R: Paginate> {
    query: Result<AnyKeysetQuery<R>, PageError>,
    /// What was asked: `query` is made again from it when the cursors are
    /// opened or the offset set.
    order: R::Order,
    raw: PageArgs,
    /// `raw` with its cursors opened (signature verified, filter binding
    /// checked): what `query` was validated from, and what a nested
    /// connection's loader key holds.
    args: PageArgs,
    offset: Option<i32>,
    /// The key a stable walk pins, and the pin `after`/`before` carry.
    stable: Option<Stable<R>>,
    pin: Option<Pin>,
    /// What the client calls the page size: `first`, or `limit` for a
    /// [`list`](Self::list).
    size_argument: &'static str,
    count: Option<BoxFuture<'static, Result<Counted, Error>>>,
    finish: Finish,
}

/// What turns the page into the connection: how `totalCount` is counted
/// and shared, which filters the cursors are bound to and whose signature
/// they get (and so what `after` and `before` must carry).
struct Finish {
    count_mode: TotalCountMode,
    shared: Option<(std::sync::Arc<SharedCounts>, String)>,
    /// A stable walk's pin, as its cursors carry it.
    pin: Option<String>,
    /// The page size asked for, for `pageCount`.
    page_size: u32,
    binding: Option<crate::cursor::FilterBinding>,
    #[cfg(feature = "signed")]
    keys: Option<crate::cursor::CursorKeys>,
}

/// The key a stable walk pins, erased over its type.
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code)
)]
struct Stable<R> {
    field: &'static str,
    column: &'static str,
    /// A row's pin: its key's value, as SQL binds it and as cursors carry it.
    pin_of: PinOf<R>,
    /// A pin from a cursor, as SQL binds it.
    open: fn(&str) -> Result<crate::cursor::Value, CursorError>,
    /// The most characters a pin adds to a cursor.
    overhead: usize,
}

/// How a stable walk reads a row's pin (`None` for a NULL key; an error
/// for a key too long for a cursor).
type PinOf<R> = Box<dyn Fn(&R) -> Option<Result<Pin, crate::KeyTooLong>> + Send + Sync>;

/// A stable walk's pin: the value bound, and its form in cursors.
#[derive(Debug, Clone, PartialEq)]
struct Pin {
    value: crate::cursor::Value,
    encoded: String,
    /// The cursor argument it came in, if it came from the client.
    argument: Option<&'static str>,
}

impl<R: Paginate> ConnectionRequest<R> {
    /// Validates `args` for `order` (the default ordering when `None`).
    pub fn new(order: Option<R::Order>, args: PageArgs) -> Self
    where
        R::Order: Default,
    {
        let order = order.unwrap_or_default();
        let query = AnyKeysetQuery::new(order, &args);
        let page_size = query.as_ref().map_or(0, AnyKeysetQuery::limit);
        ConnectionRequest {
            query,
            order,
            raw: args.clone(),
            args,
            offset: None,
            stable: None,
            pin: None,
            size_argument: "first",
            count: None,
            finish: Finish {
                count_mode: TotalCountMode::Exact,
                shared: None,
                pin: None,
                page_size,
                binding: None,
                #[cfg(feature = "signed")]
                keys: None,
            },
        }
    }

    /// Signed cursors (feature `signed`): `after` and `before` must be
    /// cursors signed by `keys` (a plain, altered, forged or expired one is
    /// refused with `INVALID_CURSOR` before anything is fetched), and every
    /// cursor of the connection is signed with them. `None` (from
    /// `ctx.data_opt()`, say) leaves the request as it is, so a server can
    /// make signing a deployment setting.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::cursor::CursorKeys;
    /// use keypage_runtime::graphql::ConnectionRequest;
    /// use keypage_runtime::PageArgs;
    ///
    /// let keys = CursorKeys::new(1, b"at least thirty-two bytes of secret..").unwrap();
    /// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
    /// let page = |args: PageArgs, keys: Option<&CursorKeys>| {
    ///     ConnectionRequest::<Row>::new(None, args).signed(keys).over_slice(&rows)
    /// };
    /// let first = page(PageArgs::first(2), Some(&keys)).unwrap();
    /// let end = first.edges.last().unwrap().cursor.clone();
    /// let next = page(PageArgs::first(2).after(end.clone()), Some(&keys)).unwrap();
    /// assert_eq!(next.edges.iter().map(|e| e.node.id).collect::<Vec<_>>(), [3, 4]);
    ///
    /// // Without the keys, or with the keys of another server, it is not a valid cursor.
    /// assert!(page(PageArgs::first(2).after(end.clone()), None).is_err());
    /// let stranger = CursorKeys::new(1, [0; 32]).unwrap();
    /// let Err(forged) = page(PageArgs::first(2).after(end), Some(&stranger)) else { panic!() };
    /// assert_eq!(
    ///     forged.message,
    ///     "`after` is not a valid cursor: cursor signature does not match; pass a cursor this server handed out",
    /// );
    /// ```
    #[cfg(feature = "signed")]
    #[must_use]
    pub fn signed<'k>(mut self, keys: impl Into<Option<&'k crate::cursor::CursorKeys>>) -> Self {
        let Some(keys) = keys.into() else {
            return self;
        };
        self.finish.keys = Some(keys.clone());
        self.revalidate()
    }

    /// Binds the connection's cursors to its filters, named by `key`: every
    /// cursor handed out carries the key's fingerprint, and an `after` or
    /// `before` minted under another key (other filters, or none) is
    /// refused with `CURSOR_FILTER_MISMATCH` before anything is fetched,
    /// rather than paging another list from its position. `key` must name
    /// every filter's value, as a [`share_count`](Self::share_count) key
    /// does (`format!("{author_id:?}/{created_at:?}")`; the same string
    /// serves both). The empty key is the list without filters: its cursors
    /// stay plain, the ones a field that binds nothing hands out, so build
    /// the key of the filters given and an unfiltered request accepts
    /// those. A cursor bound to no filters that is not even one of this
    /// ordering is `INVALID_CURSOR`, as without binding.
    ///
    /// A 32-bit fingerprint ([`FilterBinding`](crate::cursor::FilterBinding))
    /// catches a cursor reused by mistake, not a forgery: a client can
    /// rebind a cursor it decoded. With [`signed`](Self::signed) as well,
    /// the signature covers the binding. The two compose in either order.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::graphql::ConnectionRequest;
    /// use keypage_runtime::PageArgs;
    ///
    /// let rows: Vec<Row> = (1..=50).map(|id| Row { id }).collect();
    /// // The rows above `min`, as a filtered field would serve them.
    /// let page = |args: PageArgs, min: i64| {
    ///     let kept: Vec<Row> = rows.iter().filter(|r| r.id > min).cloned().collect();
    ///     ConnectionRequest::<Row>::new(None, args).bind_filters(format!("{min}")).over_slice(&kept)
    /// };
    /// let first = page(PageArgs::first(5), 10).unwrap();
    /// let end = first.edges.last().unwrap().cursor.clone();
    /// let next = page(PageArgs::first(5).after(end.clone()), 10).unwrap();
    /// assert_eq!(next.edges.first().map(|e| e.node.id), Some(16));
    /// // The same cursor with another filter value is refused.
    /// let Err(e) = page(PageArgs::first(5).after(end), 20) else { panic!() };
    /// assert_eq!(
    ///     e.message,
    ///     "`after` is not a valid cursor: cursor was handed out under other filters than this request's; start again from the first page",
    /// );
    /// ```
    #[must_use]
    pub fn bind_filters(mut self, key: impl AsRef<str>) -> Self {
        self.finish.binding = Some(crate::cursor::FilterBinding::new(key));
        self.revalidate()
    }

    /// A stable walk over the key `column` (a monotonic one: an insertion
    /// id, a creation time), for [`select`](Self::select) and
    /// [`select_in`](Self::select_in): the walk's first page (no `after`,
    /// no `before`) pins the largest value of the key among the rows the
    /// filters select (one more statement, an index seek with an index on
    /// the column), every cursor of the walk carries that pin, and every
    /// page, `totalCount` included, keeps to the rows whose key is at or
    /// below it. So rows inserted during the walk never appear: the walk is
    /// the rows that existed at its first page, less those deleted since
    /// (and a row whose key is updated appears at its new position, once).
    /// `None` leaves the request as it is, so a client can opt in with an
    /// argument.
    ///
    /// A cursor without the pin (of an unstable walk of the same field) is
    /// refused with `INVALID_CURSOR`, as are `after` and `before` of two
    /// walks. What "inserted later" means is the key's: an id from a
    /// sequence is pinned at the largest id committed when the first page
    /// ran, so a transaction that took a smaller id and commits later is
    /// still inside the walk; rows inserted in the very second of a pinned
    /// timestamp are too. With [`signed`](Self::signed) the signature
    /// covers the pin. A row whose key is NULL is in no stable walk: pin a
    /// key that is never NULL. `totalCount` counts the pinned rows when it
    /// is `select`'s own count (shared only with counts of the same pin);
    /// a [`total_count`](Self::total_count) closure counts what it counts.
    ///
    /// # Errors
    ///
    /// [`over_slice`](Self::over_slice), [`fetch`](Self::fetch) and
    /// [`children`](Self::children) of a stable request fail with code
    /// `INTERNAL`: only the SQL finishing calls can read the pin.
    #[must_use]
    pub fn stable<T>(mut self, column: impl Into<Option<crate::KeyColumn<R, T>>>) -> Self
    where
        R: 'static,
        T: crate::cursor::CursorValue + 'static,
    {
        let Some(column) = column.into() else {
            return self;
        };
        self.stable = Some(Stable {
            field: column.field(),
            column: column.column(),
            pin_of: Box::new(move |row| {
                let value = column.get(row)?;
                let pin = crate::cursor::pinned::encode(column.field(), value).map(|encoded| Pin {
                    value: value.to_value(),
                    encoded,
                    argument: None,
                });
                Some(pin)
            }),
            open: crate::cursor::pinned::decode::<T>,
            overhead: crate::cursor::pinned::overhead::<T>(),
        });
        self.revalidate()
    }

    /// The page passes over `offset` rows of the window first (page 3 of
    /// 20 rows: `first: 20, offset: 40`), from its start, or from its end
    /// for `last`; `None` leaves it a keyset page. The offset must be
    /// within `0..=MAX_OFFSET` (the attribute's `max_offset`), else
    /// `OFFSET_OUT_OF_RANGE`: the database reads every row passed over, so
    /// a jump costs in proportion to its length, not to the depth of the
    /// cursor it starts from. The page's cursors continue by keyset.
    ///
    /// [`fetch`](Self::fetch) hands the offset to its data source
    /// ([`AnyKeysetQuery::offset`]), which must apply it.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::graphql::ConnectionRequest;
    /// use keypage_runtime::PageArgs;
    ///
    /// let rows: Vec<Row> = (1..=50).map(|id| Row { id }).collect();
    /// let page = |args: PageArgs, offset| {
    ///     ConnectionRequest::<Row>::new(None, args).offset(offset).over_slice(&rows)
    /// };
    /// let third = page(PageArgs::first(10), Some(20)).unwrap();
    /// assert_eq!(third.edges.first().map(|e| e.node.id), Some(21));
    /// // Two pages on from there: a jump from a cursor.
    /// let after = third.edges.last().unwrap().cursor.clone();
    /// let fifth = page(PageArgs::first(10).after(after), Some(10)).unwrap();
    /// assert_eq!(fifth.edges.first().map(|e| e.node.id), Some(41));
    /// let Err(e) = page(PageArgs::first(10), Some(-1)) else { panic!() };
    /// assert_eq!(e.message, "`offset` must be between 0 and 1000, got -1");
    /// ```
    #[must_use]
    pub fn offset(mut self, offset: Option<i32>) -> Self {
        self.offset = offset;
        self.revalidate()
    }

    /// An offset list, as a list field being retired in favour of the
    /// connection takes it (`articleList(offset: Int, limit: Int)`): the
    /// page of `limit` rows (the default page size when `None`) after
    /// passing over `offset` rows, in `order`. One statement, the
    /// ordering's index read from its start; take the connection's nodes
    /// for the list. Errors name `offset` and `limit`.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use keypage_runtime::graphql::ConnectionRequest;
    ///
    /// let rows: Vec<Row> = (1..=50).map(|id| Row { id }).collect();
    /// let list = ConnectionRequest::<Row>::list(None, Some(45), Some(10)).over_slice(&rows).unwrap();
    /// assert_eq!(list.edges.iter().map(|e| e.node.id).collect::<Vec<_>>(), [46, 47, 48, 49, 50]);
    /// let Err(e) = ConnectionRequest::<Row>::list(None, None, Some(500)).over_slice(&rows) else { panic!() };
    /// assert_eq!(e.message, "`limit` must be between 0 and 100, got 500");
    /// ```
    pub fn list(order: Option<R::Order>, offset: Option<i32>, limit: Option<i32>) -> Self
    where
        R::Order: Default,
    {
        let args = PageArgs {
            first: limit,
            ..PageArgs::default()
        };
        let mut request = ConnectionRequest::new(order, args);
        request.size_argument = "limit";
        request.offset(offset)
    }

    /// The query again, from the arguments as given, after how the cursors
    /// are opened or the offset changed.
    fn revalidate(mut self) -> Self {
        let query = self.open_cursors().and_then(|(args, pin)| {
            let query = AnyKeysetQuery::with_offset(self.order, &args, self.offset);
            self.args = args;
            self.pin = pin;
            query
        });
        self.finish.page_size = query.as_ref().map_or(0, AnyKeysetQuery::limit);
        self.query = query.map_err(|e| match e {
            PageError::PageSizeOutOfRange { value, max, .. } if self.size_argument != "first" => {
                PageError::PageSizeOutOfRange {
                    argument: self.size_argument,
                    value,
                    max,
                }
            }
            e => e,
        });
        self
    }

    /// The arguments as given with their cursors opened, outermost layer
    /// first: the signature verified, the filter binding checked, the
    /// stable walk's pin taken off, each within the ordering's cursor
    /// length plus its layers'; and the pin.
    fn open_cursors(&self) -> Result<(PageArgs, Option<Pin>), PageError> {
        let plain_max = crate::query::max_cursor_len::<R>(self.order);
        let pinned_max = plain_max + self.stable.as_ref().map_or(0, |s| s.overhead);
        let binding = self.finish.binding.as_ref();
        #[allow(unused_mut)]
        let mut args = self.raw.clone();
        #[cfg(feature = "signed")]
        if let Some(keys) = &self.finish.keys {
            let max_len =
                pinned_max + binding.map_or(0, |_| crate::cursor::FILTER_BINDING_OVERHEAD);
            args = keys.verify_args_within(&args, max_len, std::time::SystemTime::now())?;
        }
        if let Some(binding) = binding {
            args = self.unbind(binding, &args, pinned_max)?;
        }
        match &self.stable {
            Some(stable) => unpin(stable, &args, pinned_max),
            None => Ok((args, None)),
        }
    }

    /// `args` with their filter binding checked and taken off.
    fn unbind(
        &self,
        binding: &crate::cursor::FilterBinding,
        args: &PageArgs,
        max_len: usize,
    ) -> Result<PageArgs, PageError> {
        binding.open_args_within(args, max_len).map_err(|e| {
            // Bound to no filters: unless it is a cursor of this ordering
            // at all (of an unbound field, say), its own fault is clearer.
            let PageError::InvalidCursor {
                argument,
                source: CursorError::FilterMismatch,
            } = e
            else {
                return e;
            };
            let cursor = if argument == "after" {
                &args.after
            } else {
                &args.before
            };
            let Some(cursor) = cursor.as_deref() else {
                return e;
            };
            if crate::cursor::FilterBinding::is_bound(cursor) {
                return e;
            }
            // A stable walk's cursor is checked without its pin.
            let cursor = match &self.stable {
                Some(_) => crate::cursor::pinned::split(cursor).map_or(cursor, |(plain, _)| plain),
                None => cursor,
            };
            let cursor = Some(cursor.to_owned());
            let alone = PageArgs {
                after: cursor.clone().filter(|_| argument == "after"),
                before: cursor.filter(|_| argument == "before"),
                ..PageArgs::default()
            };
            AnyKeysetQuery::<R>::new(self.order, &alone)
                .err()
                .unwrap_or(e)
        })
    }

    /// Refuses a stable walk where its pin cannot be read.
    fn not_stable(&self) -> async_graphql::Result<()> {
        match self.stable {
            Some(_) => Err(coded(
                "a stable walk is read by `select` or `select_in` only",
                Code::Internal,
                None,
            )),
            None => Ok(()),
        }
    }

    /// Sets how `totalCount` is computed: `count` is called only if the
    /// query selects `totalCount`, at most once. Any integer type that fits
    /// GraphQL's `Int` (`i64` from SQL `COUNT(*)`, `usize`, ...) will do; an
    /// error becomes the field's GraphQL error as its [`IntoGraphqlError`]
    /// says.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// # use keypage_runtime::graphql::ConnectionRequest;
    /// # use keypage_runtime::PageArgs;
    /// let rows: Vec<Row> = (1..=5).map(|id| Row { id }).collect();
    /// let connection = ConnectionRequest::<Row>::new(None, PageArgs::first(2))
    ///     .total_count(|| async { Ok::<_, std::convert::Infallible>(1_000_i64) }) // e.g. a COUNT(*)
    ///     .over_slice(&rows)
    ///     .unwrap();
    /// assert_eq!(connection.edges.len(), 2);
    /// ```
    #[must_use]
    pub fn total_count<F, Fut, N, E>(mut self, count: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<N, E>> + Send + 'static,
        N: TryInto<i32> + fmt::Display + Copy + Send,
        E: IntoGraphqlError,
    {
        self.count = Some(Box::pin(async move {
            count_in_range(count().await.map_err(E::into_graphql_error)?)
        }));
        self
    }

    /// How [`select`](Self::select) and [`select_in`](Self::select_in)
    /// compute `totalCount` when no [`total_count`](Self::total_count)
    /// closure is given: exact (the default), capped or estimated. Still run
    /// only when the query selects `totalCount` (or `totalCountIsExact`).
    #[must_use]
    pub fn total_count_mode(mut self, mode: TotalCountMode) -> Self {
        self.finish.count_mode = mode;
        self
    }

    /// Shares `totalCount` with the request's other connections that share
    /// under the same `key` in `counts`: the first to be counted runs, the
    /// others wait for it, so aliases of one connection run one count.
    /// `key` must name exactly the rows counted (the table and the filters'
    /// values, e.g. `format!("articles/{author_id:?}")`); the count's mode
    /// is added to it. Still lazy: nothing runs unless a query selects
    /// `totalCount`.
    #[must_use]
    pub fn share_count(
        mut self,
        counts: std::sync::Arc<SharedCounts>,
        key: impl Into<String>,
    ) -> Self {
        self.finish.shared = Some((counts, key.into()));
        self
    }

    /// The connection over an in-memory collection, paged exactly as
    /// [`page_slice`](crate::page_slice) pages it; `items` need not be
    /// sorted. Nodes are clones of the rows. `totalCount` is `items.len()`
    /// unless [`total_count`](Self::total_count) says otherwise.
    ///
    /// # Errors
    ///
    /// The page arguments' [`PageError`], as a GraphQL error with
    /// `extensions.code` (and `extensions.argument`).
    pub fn over_slice(self, items: &[R]) -> async_graphql::Result<Connection<R>>
    where
        R: Clone + OutputType,
    {
        self.not_stable()?;
        let query = self.query.map_err(|e| e.extend())?;
        let page = query
            .page_slice(items)
            .map_err(|e| e.extend())?
            .map(Clone::clone);
        let len = items.len();
        let count = self
            .count
            .unwrap_or_else(|| Box::pin(async move { count_in_range(len) }));
        Ok(into_connection(page, Some(count), self.finish))
    }

    /// The connection over any data source: `fetch` receives the validated
    /// query for the chosen ordering ([`AnyKeysetQuery`]) and returns the
    /// page, in whatever node type the schema exposes. It is not called when
    /// the arguments are invalid.
    ///
    /// ```
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// # use keypage_runtime::graphql::ConnectionRequest;
    /// # use keypage_runtime::PageArgs;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// // A data source that takes a key and a limit (here: a sorted Vec).
    /// let ids: Vec<i64> = (1..=5).collect();
    /// let connection = ConnectionRequest::<Row>::new(None, PageArgs::first(2))
    ///     .fetch(|query| async move {
    ///         let after = query.after().map_or(0, |keys| match keys[..] {
    ///             [keypage_runtime::Value::Int(id)] => id,
    ///             _ => 0,
    ///         });
    ///         let limit = query.limit() as usize;
    ///         let mut rows: Vec<Row> = ids.iter().filter(|&&id| id > after).map(|&id| Row { id }).collect();
    ///         let has_next = rows.len() > limit;
    ///         rows.truncate(limit);
    ///         Ok::<_, async_graphql::Error>(query.page(rows, after > 0, has_next)?)
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert_eq!(connection.edges.iter().map(|e| e.node.id).collect::<Vec<_>>(), [1, 2]);
    /// assert!(connection.has_next_page);
    /// # });
    /// ```
    ///
    /// # Errors
    ///
    /// The page arguments' [`PageError`] as a GraphQL error with
    /// `extensions.code`, or `fetch`'s error as its [`IntoGraphqlError`]
    /// says (a keypage `FetchError` of a failed query as `internal error`,
    /// code `INTERNAL`, showing no SQL).
    pub async fn fetch<N, F, Fut, E>(self, fetch: F) -> async_graphql::Result<Connection<R, N>>
    where
        N: OutputType,
        F: FnOnce(AnyKeysetQuery<R>) -> Fut,
        Fut: Future<Output = Result<Page<N>, E>>,
        E: IntoGraphqlError,
    {
        self.not_stable()?;
        let query = self.query.map_err(|e| e.extend())?;
        let page = fetch(query).await.map_err(E::into_graphql_error)?;
        Ok(into_connection(page, self.count, self.finish))
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
impl<R: Paginate> ConnectionRequest<R> {
    /// The connection over a SQL table through a sqlx pool: the page of
    /// `select` (one statement, both `pageInfo` flags included), which is
    /// the row type's table (the derive's
    /// `Article::table()`) with the caller's own filters. Unless
    /// [`total_count`](Self::total_count) said otherwise, `totalCount` is a
    /// `COUNT(*)` with the same filters, run only if the query selects it.
    ///
    /// Errors are safe to show: the page arguments' codes, `INVALID_CURSOR`
    /// for a cursor holding a value the database cannot store, and for a
    /// database failure only `internal error` (code `INTERNAL`), the
    /// [`FetchError`](crate::sql::sqlx::FetchError) being kept as the
    /// error's `source` for the server's log (see
    /// [`ErrorExtensions` on `FetchError`](crate::sql::sqlx::FetchError)).
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// # mod doc_support { include!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/doc_support.rs")); }
    /// # use doc_support::*;
    /// use async_graphql::{Context, EmptyMutation, EmptySubscription, Object, Schema};
    /// use keypage_runtime::PageArgs;
    /// use keypage_runtime::graphql::{Connection, ConnectionRequest};
    /// use keypage_runtime::sql::sqlx::Select;
    /// use sqlx::{Sqlite, SqlitePool};
    ///
    /// struct Query;
    ///
    /// #[Object]
    /// impl Query {
    ///     async fn rows(
    ///         &self,
    ///         ctx: &Context<'_>,
    ///         first: Option<i32>,
    ///         after: Option<String>,
    ///         above: Option<i64>,
    ///     ) -> async_graphql::Result<Connection<Row>> {
    ///         let rows = Select::<Sqlite>::of_table("rows", &["id"])
    ///             .filter_some(above, |qb, id| { qb.push("id > ").push_bind(*id); });
    ///         let args = PageArgs { first, after, ..PageArgs::default() };
    ///         ConnectionRequest::<Row>::new(None, args).select(ctx.data()?, rows).await
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// // One connection: each connection to `:memory:` is a database of its own.
    /// let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(1);
    /// let pool: SqlitePool = pool.connect("sqlite::memory:").await.unwrap();
    /// sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY)").execute(&pool).await.unwrap();
    /// sqlx::query("INSERT INTO rows VALUES (1), (2), (3), (4), (5)").execute(&pool).await.unwrap();
    /// let schema = Schema::build(Query, EmptyMutation, EmptySubscription).data(pool).finish();
    /// let response = schema
    ///     .execute("{ rows(first: 2, above: 1) { nodes { id } pageInfo { hasNextPage } totalCount } }")
    ///     .await;
    /// assert_eq!(
    ///     response.data,
    ///     async_graphql::value!({ "rows": {
    ///         "nodes": [{ "id": 2 }, { "id": 3 }],
    ///         "pageInfo": { "hasNextPage": true },
    ///         "totalCount": 4,
    ///     }}),
    /// );
    /// # });
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As above: a GraphQL error with `extensions.code`.
    pub async fn select<DB>(
        self,
        pool: &::sqlx::Pool<DB>,
        select: crate::sql::sqlx::Select<'static, DB>,
    ) -> async_graphql::Result<Connection<R>>
    where
        DB: crate::sql::sqlx::SqlxDatabase,
        R: OutputType + for<'r> ::sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        use crate::sql::sqlx::FetchError;

        let query = self.query.map_err(|e| e.extend())?;
        let mut finish = self.finish;
        let select = match &self.stable {
            None => select,
            Some(stable) => {
                let (select, pin) = pin_on_pool(stable, self.pin, pool, select).await?;
                finish.pin = pin;
                select
            }
        };
        let select = std::sync::Arc::new(select);
        let mode = finish.count_mode;
        let count = self.count.or_else(|| {
            let (pool, select) = (pool.clone(), select.clone());
            Some(Box::pin(async move {
                let mut conn = pool
                    .acquire()
                    .await
                    .map_err(|e| FetchError::Database(e).into_graphql_error())?;
                count_by_mode(&select, &mut *conn, mode).await
            }))
        });
        let page = (select.fetch_any(pool, query).await).map_err(FetchError::into_graphql_error)?;
        Ok(into_connection(page, count, finish))
    }

    /// [`select`](Self::select) on the connection, or inside the
    /// transaction, the resolver already holds: `conn` is `&mut *tx` for a
    /// `Transaction` (a page read after `SET LOCAL statement_timeout`, or
    /// under the transaction's snapshot), or `&mut *conn` for a
    /// `PoolConnection`. (A plain connection rather than any `Acquire`:
    /// a resolver's future must be `Send` for every lifetime, which sqlx's
    /// `Acquire` impls for `&mut Transaction` cannot promise.)
    ///
    /// The connection cannot outlive the resolver, so `totalCount` is not
    /// deferred: when the query selects it (read from `ctx`'s look-ahead,
    /// aliases and fragments included) and no
    /// [`total_count`](Self::total_count) closure was given, its `COUNT(*)`
    /// runs right after the page, on the same connection, and otherwise
    /// never.
    ///
    /// # Errors
    ///
    /// As [`select`](Self::select).
    pub async fn select_in<C, DB>(
        self,
        ctx: &async_graphql::Context<'_>,
        conn: &mut C,
        select: crate::sql::sqlx::Select<'_, DB>,
    ) -> async_graphql::Result<Connection<R>>
    where
        // Both ways round, so `DB` is inferred from the connection.
        C: ::sqlx::Connection<Database = DB>,
        DB: crate::sql::sqlx::SqlxDatabase<Connection = C>,
        R: OutputType + for<'r> ::sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    {
        use crate::sql::sqlx::FetchError;

        let query = self.query.map_err(|e| e.extend())?;
        let mut finish = self.finish;
        let select = match &self.stable {
            None => select,
            Some(stable) => {
                let pin = match self.pin {
                    Some(pin) => Some(pin),
                    None => read_pin(stable, conn, &select).await?,
                };
                let (select, pin) = apply_pin(stable, pin, select);
                finish.pin = pin;
                select
            }
        };
        let page =
            (select.fetch_any_on(conn, query).await).map_err(FetchError::into_graphql_error)?;
        // Shared and already counted by another connection: not again.
        let counted = finish
            .shared
            .as_ref()
            .and_then(|(counts, key)| counts.get(&shared_key(key, &finish)));
        let count = match (self.count, counted) {
            (Some(count), _) => Some(count),
            (None, Some(counted)) => Some(counted.boxed()),
            (None, None)
                if ["totalCount", "totalCountIsExact", "pageCount"]
                    .iter()
                    .any(|field| ctx.look_ahead().field(field).exists()) =>
            {
                let n = count_by_mode(&select, conn, finish.count_mode).await;
                Some(async move { n }.boxed())
            }
            (None, None) => None,
        };
        Ok(into_connection(page, count, finish))
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
impl<R: Paginate> ConnectionRequest<R> {
    /// The connection of `parent`'s rows, inside a list of parents
    /// (`Author.articles`): its page comes from `pages`, a batching loader
    /// over [`ChildPages`](super::ChildPages), which fetches the pages of
    /// every parent the batch asks for in one statement. The page is exactly
    /// the one [`select`](Self::select) returns for the same arguments with
    /// the filter `<relation's column> = parent`, both flags included.
    ///
    /// `totalCount` comes from [`child_count`](Self::child_count) when set
    /// before, and is otherwise `TOTAL_COUNT_UNAVAILABLE`.
    ///
    /// A cursor is a position in the ordering, not in one parent's list: a
    /// cursor of another parent's page pages this parent's rows strictly
    /// after (or before) that position.
    ///
    /// # Errors
    ///
    /// The page arguments' errors (before anything is loaded), and the
    /// loader's: as for [`select`](Self::select), a database failure is
    /// only `internal error`, code `INTERNAL`.
    pub async fn children<P, L>(self, parent: P, pages: &L) -> async_graphql::Result<Connection<R>>
    where
        R: OutputType,
        L: super::LoadOne<super::ChildKey<R, P>, Value = super::ChildPage<R>> + ?Sized,
    {
        use crate::sql::sqlx::FetchError;

        self.not_stable()?;
        if let Err(e) = self.query {
            return Err(e.extend());
        }
        let key = super::ChildKey::new(parent, self.order, self.args).with_offset(self.offset);
        let page = pages
            .load_one(key)
            .await
            .map_err(IntoGraphqlError::into_graphql_error)?
            .ok_or_else(|| coded("internal error", Code::Internal, None))?
            .map_err(<std::sync::Arc<FetchError> as IntoGraphqlError>::into_graphql_error)?;
        Ok(into_connection(page, self.count, self.finish))
    }

    /// Sets `totalCount` to `parent`'s number of rows, from `counts`, a
    /// batching loader over [`ChildCounts`](super::ChildCounts): loaded only
    /// if the query selects the field, every parent's count of a batch in
    /// one statement.
    #[must_use]
    pub fn child_count<P, C>(self, parent: P, counts: std::sync::Arc<C>) -> Self
    where
        P: Send + 'static,
        C: super::LoadOne<P, Value = i64> + ?Sized + 'static,
    {
        self.total_count(
            move || async move { counts.load_one(parent).await.map(|n| n.unwrap_or(0)) },
        )
    }
}

impl<R: Paginate> fmt::Debug for ConnectionRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionRequest")
            .field("query", &self.query)
            .field("total_count", &self.count.is_some())
            .finish()
    }
}

/// `args` with the stable walk's pin taken off their cursors, and the pin:
/// both cursors must carry one, the same. Input over `max_len` characters
/// (the ordering's cursors and the pin at their longest) is refused first.
fn unpin<R>(
    stable: &Stable<R>,
    args: &PageArgs,
    max_len: usize,
) -> Result<(PageArgs, Option<Pin>), PageError> {
    let mut pin: Option<Pin> = None;
    let opened = args.open_cursors(max_len, |argument, cursor| {
        let (plain, encoded) = crate::cursor::pinned::split(cursor)?;
        let value = (stable.open)(encoded)?;
        match &pin {
            Some(first) if first.encoded != encoded => return Err(CursorError::Unpinned),
            Some(_) => {}
            None => {
                pin = Some(Pin {
                    value,
                    encoded: encoded.to_owned(),
                    argument: Some(argument),
                });
            }
        }
        Ok(plain)
    })?;
    Ok((opened, pin))
}

/// A stable walk's first page: the pin read now, the largest value of the
/// key among the rows `select` selects (`None`: no row has one).
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
async fn read_pin<R, DB>(
    stable: &Stable<R>,
    conn: &mut DB::Connection,
    select: &crate::sql::sqlx::Select<'_, DB>,
) -> Result<Option<Pin>, Error>
where
    DB: crate::sql::sqlx::SqlxDatabase,
    R: for<'r> ::sqlx::FromRow<'r, DB::Row> + Send + Unpin,
{
    use crate::sql::sqlx::FetchError;
    let row = (select.last_row_on::<R>(conn, stable.column).await)
        .map_err(FetchError::into_graphql_error)?;
    row.and_then(|row| (stable.pin_of)(&row))
        .transpose()
        .map_err(|e| PageError::KeyTooLong(e).extend())
}

/// A stable walk's `select`, kept to the rows at or below `pin`, and the
/// pin for the page's cursors. A walk pinned on no row (none has a value)
/// is empty. A pin a client sent that this database cannot bind (only a
/// forged one) is refused, before any statement, as that cursor's
/// `INVALID_CURSOR`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
fn apply_pin<'f, R, DB>(
    stable: &Stable<R>,
    pin: Option<Pin>,
    select: crate::sql::sqlx::Select<'f, DB>,
) -> (crate::sql::sqlx::Select<'f, DB>, Option<String>)
where
    DB: crate::sql::sqlx::SqlxDatabase,
{
    let Some(Pin {
        value,
        encoded,
        argument,
    }) = pin
    else {
        let none = select.filter(|qb| {
            qb.push("1 = 0");
        });
        return (none, None);
    };
    let from = match argument {
        Some(argument) => crate::sql::sqlx::BoundFrom::Cursor(argument),
        None => crate::sql::sqlx::BoundFrom::Range(stable.field),
    };
    let at_most = vec![(crate::filter::Comparison::Lte, value)];
    let select = select.range_values(from, stable.column, at_most);
    (select, Some(encoded))
}

/// The pin of a stable walk's page: the one its cursors carry, or on its
/// first page the one read now on a connection from `pool`.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
async fn pin_on_pool<'f, R, DB>(
    stable: &Stable<R>,
    pin: Option<Pin>,
    pool: &::sqlx::Pool<DB>,
    select: crate::sql::sqlx::Select<'f, DB>,
) -> Result<(crate::sql::sqlx::Select<'f, DB>, Option<String>), Error>
where
    DB: crate::sql::sqlx::SqlxDatabase,
    R: for<'r> ::sqlx::FromRow<'r, DB::Row> + Send + Unpin,
{
    let pin = match pin {
        Some(pin) => Some(pin),
        None => {
            let mut conn = (pool.acquire().await)
                .map_err(|e| crate::sql::sqlx::FetchError::Database(e).into_graphql_error())?;
            read_pin(stable, &mut *conn, &select).await?
        }
    };
    Ok(apply_pin(stable, pin, select))
}

/// `select`'s count in `mode`, on a connection already acquired.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
async fn count_by_mode<DB: crate::sql::sqlx::SqlxDatabase>(
    select: &crate::sql::sqlx::Select<'_, DB>,
    conn: &mut DB::Connection,
    mode: TotalCountMode,
) -> Result<Counted, Error> {
    use crate::sql::sqlx::{FetchError, Total};
    let total = match mode {
        TotalCountMode::Exact => select.count_on(conn).await.map(|count| Total {
            count,
            exact: true,
        }),
        TotalCountMode::AtMost(cap) => select.count_at_most_on(conn, cap).await,
        TotalCountMode::Estimate => match select.estimate_count_on(conn).await {
            Ok(Some(total)) => Ok(total),
            Ok(None) => {
                return Err(unavailable(
                    "`totalCount` is not available on this connection: this database gives no estimate",
                ));
            }
            Err(e) => Err(e),
        },
    }
    .map_err(FetchError::into_graphql_error)?;
    Ok((count_in_range(total.count)?.0, total.exact))
}

/// The [`SharedCounts`] key of a count: the caller's, the mode, and a
/// stable walk's pin (its count is of the pinned rows).
fn shared_key(key: &str, finish: &Finish) -> String {
    format!("{key}\u{0}{:?}\u{0}{:?}", finish.count_mode, finish.pin)
}

fn unavailable(message: &'static str) -> Error {
    coded(message, Code::TotalCountUnavailable, None)
}

fn count_in_range<N: TryInto<i32> + fmt::Display + Copy>(n: N) -> Result<Counted, Error> {
    n.try_into().map(|n| (n, true)).map_err(|_| {
        coded(
            format!("`totalCount` is {n}, beyond GraphQL's 32-bit `Int`"),
            Code::TotalCountOutOfRange,
            None,
        )
    })
}

/// A keypage [`Page`] as an async-graphql connection, its count shared
/// and its cursors bound and signed as `finish` says.
fn into_connection<R: Paginate, N: OutputType>(
    page: Page<N>,
    count: Option<BoxFuture<'static, Result<Counted, Error>>>,
    finish: Finish,
) -> Connection<R, N> {
    let total = match (count, &finish.shared) {
        (Some(count), Some((counts, key))) => {
            let count = counts.share(shared_key(key, &finish), count);
            TotalCount::shared(count, finish.page_size)
        }
        (count, _) => TotalCount::new(count, finish.page_size),
    };
    let page = match &finish.pin {
        Some(pin) => page.map_cursors(|cursor| crate::cursor::pinned::attach(cursor, pin)),
        None => page,
    };
    let page = match &finish.binding {
        Some(binding) => binding.bind_page(page),
        None => page,
    };
    #[cfg(feature = "signed")]
    let page = match &finish.keys {
        Some(keys) => keys.sign_page(page),
        None => page,
    };
    let mut connection = Connection::with_additional_fields(
        page.page_info.has_previous_page,
        page.page_info.has_next_page,
        total,
    );
    connection.edges.extend(
        page.edges
            .into_iter()
            .map(|edge| connection::Edge::new(edge.cursor, edge.node)),
    );
    connection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeyColumn;
    use crate::doc_support::Row;

    #[test]
    fn page_counts_round_up() {
        let cases = [
            (0, 20, 0),
            (1, 20, 1),
            (20, 20, 1),
            (21, 20, 2),
            (5, 0, 0),
            (i32::MAX, 1, i32::MAX),
        ];
        for (count, size, pages) in cases {
            assert_eq!(page_count(count, size), pages, "{count} in pages of {size}");
        }
    }

    /// A pin a client sent that the database cannot bind (a `u64` pin
    /// above `i64::MAX` on SQLite: only a forged one) is that cursor's
    /// `INVALID_CURSOR`, not a range the client never sent.
    #[cfg(feature = "sqlite")]
    #[test]
    fn an_unbindable_pin_is_an_invalid_cursor() {
        let stable = Stable::<Row> {
            field: "id",
            column: "id",
            pin_of: Box::new(|_| None),
            open: crate::cursor::pinned::decode::<u64>,
            overhead: 0,
        };
        let pin = |argument| Pin {
            value: crate::cursor::Value::UInt(u64::MAX),
            encoded: String::new(),
            argument,
        };
        // The refusal every fetch and count of the pinned `select` returns.
        let refusal = |pin| {
            let select = crate::sql::sqlx::Select::<sqlx::Sqlite>::new("id", "t");
            let (select, _) = apply_pin(&stable, Some(pin), select);
            let plan = crate::sql::PagePlan::new(
                (PageArgs::first(1).validate::<crate::doc_support::RowCursor>()).unwrap(),
            );
            let Err(e) = select.page_query(&plan) else {
                panic!("an unbindable pin")
            };
            crate::sql::sqlx::FetchError::UnsupportedValue(e).into_graphql_error()
        };
        let e = refusal(pin(Some("before")));
        let extensions = e.extensions.unwrap();
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("INVALID_CURSOR"))
        );
        assert_eq!(
            extensions.get("argument"),
            Some(&async_graphql::Value::from("before"))
        );
        // One the database read itself is no cursor's fault.
        let e = refusal(pin(None));
        assert_eq!(e.extensions.unwrap().get("argument"), None);
    }

    /// Only the SQL finishing calls read a stable walk's pin: the others
    /// refuse the request rather than walk unpinned.
    #[test]
    fn stable_walks_need_sql() {
        let id = KeyColumn::<Row, i64>::__from_derive("id", "id", |row| Some(&row.id));
        let rows: Vec<Row> = (1..=3).map(|id| Row { id }).collect();
        let request = || ConnectionRequest::<Row>::new(None, PageArgs::first(2)).stable(id);
        let Err(e) = request().over_slice(&rows) else {
            panic!("a stable walk over a slice")
        };
        let code = e.extensions.as_ref().and_then(|x| x.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
        // `None` leaves the request as it was.
        let plain = ConnectionRequest::<Row>::new(None, PageArgs::first(2))
            .stable(None::<KeyColumn<Row, i64>>);
        assert_eq!(plain.over_slice(&rows).unwrap().edges.len(), 2);
    }
}
