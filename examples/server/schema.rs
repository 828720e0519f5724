//! The example's GraphQL schema: articles and authors paged by keypage over
//! SQL, each author's articles as a nested connection (every author's page
//! in one statement), the articles' authors batched per request, the query
//! limits.
//!
//! Written against `super::Db`, `sqlx::Sqlite` in the example: the tests
//! include this very file twice, once with `sqlx::Postgres`, to run the same
//! schema on both databases (`tests/graphql_sql.rs`).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};

use async_graphql::dataloader::Loader;
use async_graphql::futures_util::future::{BoxFuture, poll_fn};
use async_graphql::futures_util::stream::{BoxStream, FuturesUnordered, StreamExt as _};
use async_graphql::{
    BatchRequest, BatchResponse, ComplexObject, Context, Data, EmptyMutation, EmptySubscription,
    ErrorExtensions, Executor, Object, Request, Response, Schema, SimpleObject,
};
use keypage::graphql::{
    ChildCounts, ChildKey, ChildPages, ConnectionRequest, LoadOne, SharedCounts,
};
use keypage::signed::CursorKeys;
use keypage::sql::sqlx::FetchError;
use keypage::{KeyRange, Paginate as _};
use sqlx::{Pool, QueryBuilder};

/// The database: `sqlx::Sqlite` in the example (the tests also build this
/// module with `sqlx::Postgres`).
use super::Db;

/// An article. Paged newest first by default (`orderBy: NEWEST`), or by
/// title (`orderBy: TITLE`); `id` breaks ties in both.
#[derive(keypage::Paginate, sqlx::FromRow, SimpleObject, Clone, Debug)]
#[paginate(
    table = "articles",
    order_by = "created_at desc, id desc",
    order_name = "NEWEST",
    max_offset = 10_000
)]
#[paginate(ordering(name = "TITLE", order_by = "title asc, id asc"))]
#[graphql(complex)]
pub struct Article {
    #[paginate(unique)]
    pub id: i64,
    pub title: String,
    /// Unix time, seconds.
    pub created_at: i64,
    /// The author: the parent of `Author.articles`.
    #[graphql(skip)]
    #[paginate(parent)]
    pub author_id: i64,
}

/// An author. Paged by name (`orderBy: NAME`), `id` breaking ties.
#[derive(keypage::Paginate, sqlx::FromRow, SimpleObject, Clone, Debug)]
#[paginate(table = "authors", order_by = "name asc, id asc", order_name = "NAME")]
#[graphql(complex)]
pub struct Author {
    #[paginate(unique)]
    pub id: i64,
    pub name: String,
}

#[keypage::connections]
#[ComplexObject]
impl Author {
    /// The author's articles, newest first unless `orderBy` says otherwise:
    /// the same connection as `Query.articles(authorId: ...)`. Every author's
    /// page of one query is one statement, and so are their `totalCount`s.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        #[connection] page: ConnectionRequest<Article>,
    ) -> async_graphql::Result<ArticleConnection> {
        let loaders = ctx.data::<Arc<Loaders>>()?;
        page.signed(ctx.data_opt::<CursorKeys>())
            .child_count(self.id, loaders.clone())
            .children(self.id, loaders.as_ref())
            .await
    }
}

#[ComplexObject]
impl Article {
    /// The article's author, loaded in one batch for the whole page.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Author> {
        let loaders = ctx.data::<Arc<Loaders>>()?;
        // `extend`, not `?`: a database error's text (SQL, driver detail)
        // would otherwise become the message the client sees.
        loaders
            .authors
            .load_one(self.author_id)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(|| "author not found".into())
    }
}

/// Most a query may cost: async-graphql counts 1 per field, and a connection
/// field its page size times the cost of what is selected in it, plus one
/// (see [`page_cost`]). A 100-article page with `edges { cursor node { id
/// title createdAt author { name } } }`, the four `pageInfo` fields and
/// `totalCount` costs 1 + 100 × 14 = 1,401; with the same `nodes` too, 2,001.
pub const MAX_COMPLEXITY: usize = 2_500;
/// Deepest field nesting. The schema's own queries nest 5 deep (`articles
/// edges node author name`); GraphiQL's introspection query 13 deep.
pub const MAX_DEPTH: usize = 15;
/// Deepest nesting of selection sets and fragment spreads, checked while
/// parsing (GraphiQL's introspection query: 16).
pub const MAX_RECURSIVE_DEPTH: usize = 24;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 4;

/// The example's schema: async-graphql's schema with the query limits, and
/// a new authors' loader for each request ([`WithLoaders`]).
pub type AppSchema = WithLoaders<Schema<Query, EmptyMutation, EmptySubscription>>;

/// The schema, with the pool as its data and the query limits set.
pub fn schema(pool: Pool<Db>) -> AppSchema {
    schema_with_keys(pool, None)
}

/// [`schema`], its cursors signed with `keys` when given: then every
/// connection hands out signed cursors and refuses any other.
pub fn schema_with_keys(pool: Pool<Db>, keys: Option<CursorKeys>) -> AppSchema {
    let mut schema = Schema::build(Query, EmptyMutation, EmptySubscription);
    if let Some(keys) = keys {
        schema = schema.data(keys);
    }
    let schema = schema
        .data(pool.clone())
        .limit_complexity(MAX_COMPLEXITY)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
        .limit_directives(MAX_DIRECTIVES)
        .finish();
    WithLoaders::new(schema, pool)
}

/// The cost of a connection field for async-graphql's complexity limit: its
/// page size times the cost of its selection, plus one. A size the resolver
/// will refuse (negative, above the maximum, `first` with `last`) is costed
/// as the largest page, so that a reasonable selection still gets the
/// argument's own error.
fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let max = Article::MAX_PAGE_SIZE as usize;
    let size = match (first, last) {
        (None, None) => Article::DEFAULT_PAGE_SIZE as usize,
        (Some(n), None) | (None, Some(n)) => usize::try_from(n).map_or(max, |n| n.min(max)),
        (Some(_), Some(_)) => max,
    };
    1 + size * child_complexity
}

/// The root query.
pub struct Query;

#[keypage::connections]
#[Object]
impl Query {
    /// Articles, newest first unless `orderBy` says otherwise, optionally of one author only,
    /// created within `createdAt` (Unix seconds) and titled within `title` (by the database's
    /// collation). `offset` passes over that many articles first (from the end for `last`; at
    /// most 10,000): page 3 of 20 is `first: 20, offset: 40`, and a jump of two pages from a
    /// cursor `first: 20, after: $cursor, offset: 40`. A cursor only pages the list of the
    /// ranges it came from: with others it is refused (`CURSOR_FILTER_MISMATCH`). With
    /// `stable: true` the walk is the articles there were at its first page: articles added
    /// while it runs never appear (pass `stable: true` on every page of the walk).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        #[connection] page: ConnectionRequest<Article>,
        author_id: Option<i64>,
        offset: Option<i32>,
        created_at: Option<KeyRange<i64>>,
        title: Option<KeyRange<String>>,
        stable: Option<bool>,
    ) -> async_graphql::Result<ArticleConnection> {
        // The ranges narrow the list, so its cursors are bound to them: reused with other
        // ranges (or none), refused. `authorId` only partitions it: a cursor is a position
        // in the ordering, valid for every author, as in `Author.articles`. An empty range
        // (`createdAt: {}`) is no filter.
        let created_at = created_at.filter(|r| !r.is_unbounded());
        let title = title.filter(|r| !r.is_unbounded());
        let ranges = match (&created_at, &title) {
            (None, None) => String::new(),
            ranges => format!("{ranges:?}"),
        };
        let counted = format!("articles/{author_id:?}/{ranges}");
        let articles = Article::table()
            .filter_some(author_id, |qb, id| {
                qb.push("author_id = ").push_bind(*id);
            })
            .range(Article::created_at_column(), created_at)
            .range(Article::title_column(), title);
        // Aliases counting the same articles share one `COUNT(*)`.
        let counts = ctx.data::<Arc<Loaders>>()?.counts.clone();
        page.signed(ctx.data_opt::<CursorKeys>())
            .bind_filters(ranges)
            .offset(offset)
            // Ids only grow: the walk is the articles there were at its first page.
            .stable(stable.unwrap_or(false).then(Article::id_column))
            .share_count(counts, counted)
            .select(ctx.data::<Pool<Db>>()?, articles)
            .await
    }

    /// The articles as a plain list, `limit` of them (20 by default, at most 100) after
    /// passing over `offset` (at most 10,000), in the order of `orderBy`: the list field
    /// this API served before `articles`, kept for the clients that still call it.
    #[graphql(
        complexity = "page_cost(limit, None, child_complexity)",
        deprecation = "Use `articles`, a cursor connection: `articles(first: $limit, offset: $offset)` \
                       returns the same articles, and from its `pageInfo.endCursor` every next \
                       page is one index seek, however deep."
    )]
    async fn article_list(
        &self,
        ctx: &Context<'_>,
        offset: Option<i32>,
        limit: Option<i32>,
        order_by: Option<ArticleOrder>,
        author_id: Option<i64>,
    ) -> async_graphql::Result<Vec<Article>> {
        let articles = Article::table().filter_some(author_id, |qb, id| {
            qb.push("author_id = ").push_bind(*id);
        });
        let page = ConnectionRequest::<Article>::list(order_by, offset, limit)
            .select(ctx.data::<Pool<Db>>()?, articles)
            .await?;
        Ok(page.edges.into_iter().map(|edge| edge.node).collect())
    }

    /// Authors, by name.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn authors(
        &self,
        ctx: &Context<'_>,
        #[connection] page: ConnectionRequest<Author>,
    ) -> async_graphql::Result<AuthorConnection> {
        page.signed(ctx.data_opt::<CursorKeys>())
            .select(ctx.data::<Pool<Db>>()?, Author::table())
            .await
    }
}

/// One request's loaders, each batching what the request asks for with no
/// timer ([`Batcher`]): the articles' authors, and the authors' article
/// pages and counts; and the request's shared `totalCount`s.
pub struct Loaders {
    pub counts: Arc<SharedCounts>,
    pub authors: Batcher<i64, AuthorLoader>,
    pub articles: Batcher<ChildKey<Article, i64>, ChildPages<Article, i64, Db>>,
    pub article_counts: Batcher<i64, ChildCounts<Article, i64, Db>>,
}

impl Loaders {
    fn new(pool: &Pool<Db>) -> Self {
        let by_author = Article::by_author_id();
        Loaders {
            counts: Arc::new(SharedCounts::new()),
            authors: Batcher::new(AuthorLoader(pool.clone())),
            articles: Batcher::new(ChildPages::new(pool.clone(), Article::table(), by_author)),
            article_counts: Batcher::new(ChildCounts::new(
                pool.clone(),
                Article::table(),
                by_author,
            )),
        }
    }

    /// Runs `request`, sending each loader's queued keys as one batch
    /// whenever the request can go no further without them.
    async fn drive<T>(&self, request: impl Future<Output = T>) -> T {
        drive(
            request,
            &[&self.authors, &self.articles, &self.article_counts],
        )
        .await
    }
}

/// A nested connection's pages through the request's batcher.
impl LoadOne<ChildKey<Article, i64>> for Loaders {
    type Value = <ChildPages<Article, i64, Db> as Loader<ChildKey<Article, i64>>>::Value;
    type Error = std::convert::Infallible;
    fn load_one(
        &self,
        key: ChildKey<Article, i64>,
    ) -> impl Future<Output = Result<Option<Self::Value>, Self::Error>> + Send {
        self.articles.load_one(key)
    }
}

/// A nested connection's `totalCount` through the request's batcher.
impl LoadOne<i64> for Loaders {
    type Value = i64;
    type Error = Arc<FetchError>;
    fn load_one(&self, key: i64) -> impl Future<Output = Result<Option<i64>, Self::Error>> + Send {
        self.article_counts.load_one(key)
    }
}

/// Loads authors by id: one `SELECT ... WHERE id IN (...)` per batch.
pub struct AuthorLoader(pub Pool<Db>);

impl Loader<i64> for AuthorLoader {
    type Value = Author;
    type Error = Arc<FetchError>;

    async fn load(&self, ids: &[i64]) -> Result<HashMap<i64, Author>, Self::Error> {
        let mut query = QueryBuilder::new("SELECT id, name FROM authors WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        let authors: Vec<Author> = query
            .build_query_as()
            .fetch_all(&self.0)
            .await
            .map_err(|e| Arc::new(FetchError::Database(e)))?;
        Ok(authors.into_iter().map(|a| (a.id, a)).collect())
    }
}

/// The tables. `id` is `INTEGER` on SQLite (its rowid) and `BIGINT` on
/// PostgreSQL.
pub fn tables(big_int: &str) -> [String; 2] {
    [
        format!("CREATE TABLE authors (id {big_int} PRIMARY KEY, name TEXT NOT NULL)"),
        format!(
            "CREATE TABLE articles (id {big_int} PRIMARY KEY, title TEXT NOT NULL, \
             created_at BIGINT NOT NULL, author_id BIGINT NOT NULL REFERENCES authors (id))"
        ),
    ]
}

/// The indexes matching every ordering, the articles' without and with the
/// author filter (which is also each author's nested page): every page is
/// an index seek.
pub const INDEXES: [&str; 5] = [
    "CREATE INDEX articles_newest ON articles (created_at DESC, id DESC)",
    "CREATE INDEX articles_title ON articles (title, id)",
    "CREATE INDEX articles_author_newest ON articles (author_id, created_at DESC, id DESC)",
    "CREATE INDEX articles_author_title ON articles (author_id, title, id)",
    "CREATE INDEX authors_name ON authors (name, id)",
];

/// An executor that gives every request its own loaders ([`Loaders`]) and
/// drives them: the ids that one poll of the request asks for go into one `load`,
/// with no timer (async-graphql's `DataLoader` waits a fixed delay for more
/// ids, which on a page with authors is most of the page's time). A batch
/// of requests runs one request after the other.
#[derive(Clone)]
pub struct WithLoaders<E> {
    inner: E,
    pool: Pool<Db>,
}

impl<E> WithLoaders<E> {
    /// `inner` (a schema using `Article`) with loaders reading from `pool`.
    pub fn new(inner: E, pool: Pool<Db>) -> Self {
        WithLoaders { inner, pool }
    }
}

impl<Q, M, S> WithLoaders<Schema<Q, M, S>>
where
    Q: async_graphql::ObjectType + 'static,
    M: async_graphql::ObjectType + 'static,
    S: async_graphql::SubscriptionType + 'static,
{
    /// The schema's SDL.
    #[allow(dead_code)] // the example prints none; the tests snapshot it
    pub fn sdl(&self) -> String {
        self.inner.sdl()
    }
}

impl<E: Executor> Executor for WithLoaders<E> {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let loaders = Arc::new(Loaders::new(&self.pool));
        let response = self.inner.execute(request.data(loaders.clone()));
        async move { loaders.drive(response).await }
    }

    async fn execute_batch(&self, batch: BatchRequest) -> BatchResponse {
        match batch {
            BatchRequest::Single(one) => BatchResponse::Single(self.execute(one).await),
            BatchRequest::Batch(many) => {
                let mut responses = Vec::with_capacity(many.len());
                for one in many {
                    responses.push(self.execute(one).await);
                }
                BatchResponse::Batch(responses)
            }
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        // No subscriptions in this schema, hence no loader to drive.
        self.inner.execute_stream(request, session_data)
    }
}

/// One request's batching over an async-graphql [`Loader`]: `load_one`
/// queues its key and waits; [`drive`], which polls the
/// request, sends the keys queued as one `load` once the request can go no
/// further without them. async-graphql resolves the items of a list
/// concurrently, so a page's authors are one batch, with no timer. Results
/// are kept for the request (an author on two pages of one query is loaded
/// once).
pub struct Batcher<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    loader: Arc<L>,
    state: Mutex<BatchState<K, L::Value, L::Error>>,
}

type LoadFuture<K, V, E> = BoxFuture<'static, (Vec<K>, Result<HashMap<K, V>, E>)>;

struct BatchState<K, V, E> {
    /// Every key asked for: `None` while its batch is queued or running.
    slots: HashMap<K, Option<Result<Option<V>, E>>>,
    /// Keys asked for since the last batch was sent.
    queued: Vec<K>,
    /// The wakers of `load_one` calls waiting for a batch.
    waiting: Vec<Waker>,
    loads: FuturesUnordered<LoadFuture<K, V, E>>,
}

impl<K, L> Batcher<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    /// A batcher with nothing loaded yet.
    pub fn new(loader: L) -> Self {
        Batcher {
            loader: Arc::new(loader),
            state: Mutex::new(BatchState {
                slots: HashMap::new(),
                queued: Vec::new(),
                waiting: Vec::new(),
                loads: FuturesUnordered::new(),
            }),
        }
    }

    /// The value for `key` (`None` if the loader found none), from the
    /// batch of the poll in which it was first asked for. Completes only
    /// inside [`drive`].
    pub async fn load_one(&self, key: K) -> Result<Option<L::Value>, L::Error> {
        poll_fn(|cx| {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            match state.slots.get(&key) {
                Some(Some(done)) => return Poll::Ready(done.clone()),
                Some(None) => {}
                None => {
                    state.slots.insert(key.clone(), None);
                    state.queued.push(key.clone());
                }
            }
            state.waiting.push(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// What [`drive`] needs of a [`Batcher`], whatever its key and value types.
pub trait Flush: Sync {
    /// Sends the keys queued as one batch and polls the batches running;
    /// when one came in, wakes the `load_one` calls waiting and returns
    /// `true`.
    fn flush(&self, cx: &mut TaskContext<'_>) -> bool;
}

impl<K, L> Flush for Batcher<K, L>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K>,
{
    fn flush(&self, cx: &mut TaskContext<'_>) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.queued.is_empty() {
            let keys = std::mem::take(&mut state.queued);
            let loader = self.loader.clone();
            state.loads.push(Box::pin(async move {
                let result = loader.load(&keys).await;
                (keys, result)
            }));
        }
        let mut loaded = false;
        while let Poll::Ready(Some((keys, result))) = state.loads.poll_next_unpin(cx) {
            for key in keys {
                let value = match &result {
                    Ok(values) => Ok(values.get(&key).cloned()),
                    Err(e) => Err(e.clone()),
                };
                state.slots.insert(key, Some(value));
            }
            loaded = true;
        }
        if loaded {
            let waiting = std::mem::take(&mut state.waiting);
            drop(state);
            waiting.into_iter().for_each(Waker::wake);
        }
        loaded
    }
}

/// Runs `request`, sending each batcher's queued keys as one batch whenever
/// the request stops making progress (it returns `Pending` without having
/// woken itself: it waits for the database, or for a batch), and waking
/// the waiting `load_one` calls when a batch is in.
pub async fn drive<T>(request: impl Future<Output = T>, batchers: &[&dyn Flush]) -> T {
    let mut request = pin!(request);
    poll_fn(|cx| {
        loop {
            // A future that yields (async-graphql's lists and objects are
            // `FuturesUnordered`, which yield after a few items) wakes itself
            // before returning `Pending`: the rest of the page's items have
            // not asked for their keys yet.
            let yielded = Arc::new(Yielded {
                woken: AtomicBool::new(false),
                task: cx.waker().clone(),
            });
            let waker = Waker::from(yielded.clone());
            if let Poll::Ready(out) = request.as_mut().poll(&mut TaskContext::from_waker(&waker)) {
                return Poll::Ready(out);
            }
            if yielded.woken.load(Ordering::Acquire) {
                return Poll::Pending;
            }
            // Every batcher, not only the first that loaded something.
            let loaded = batchers
                .iter()
                .fold(false, |loaded, batcher| batcher.flush(cx) | loaded);
            if !loaded {
                return Poll::Pending;
            }
            // Poll the request again: the woken `load_one` calls complete.
        }
    })
    .await
}

/// The request's waker during one poll: notes whether the request woke
/// itself before returning.
struct Yielded {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for Yielded {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}
