//! Nested connections: a connection inside a list (`authors { nodes {
//! articles(first: 5) { ... } } }`), one statement for every parent's page
//! instead of one per parent.
//!
//! Each parent's connection field asks a per-request loader for its page
//! with a [`ChildKey`] (the parent's key, the ordering, the page
//! arguments); the loader ([`ChildPages`], an async-graphql
//! [`Loader`]) groups the keys of a batch by ordering and arguments and
//! fetches each group in one statement
//! ([`Select::fetch_children`](crate::sql::sqlx::Select::fetch_children)).
//! [`ChildCounts`] does the same for nested `totalCount`s. A resolver
//! finishes its [`ConnectionRequest`](super::ConnectionRequest) with
//! [`children`](super::ConnectionRequest::children).
//!
//! The loaders implement async-graphql's [`Loader`] as async-graphql
//! declares it by default (not with its `boxed-trait` feature); any batching
//! front end over a `Loader` that implements [`LoadOne`] drives them:
//! async-graphql's [`DataLoader`] does.

use core::fmt;
use core::future::Future;
use core::hash::{Hash, Hasher};
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use super::error::IntoGraphqlError;
use crate::args::PageArgs;
use crate::cursor::CursorValue;
use crate::keyset::Paginate;
use crate::page::Page;
use crate::query::AnyKeysetQuery;
use crate::sql::Relation;
use crate::sql::sqlx::{FetchError, FromRow, Select, SqlxDatabase};

/// One parent's page request: the key a nested connection loads by.
///
/// Equal keys ask for the same page. The loader groups a batch's keys by
/// ordering and arguments, one statement per group.
pub struct ChildKey<R: Paginate, P> {
    parent: P,
    order: R::Order,
    args: PageArgs,
    offset: Option<i32>,
}

impl<R: Paginate, P> ChildKey<R, P> {
    /// The page `args` in the ordering `order` of `parent`'s rows.
    pub fn new(parent: P, order: R::Order, args: PageArgs) -> Self {
        ChildKey {
            parent,
            order,
            args,
            offset: None,
        }
    }

    /// The same page request, passing over `offset` rows of the window
    /// first (see
    /// [`PageArgs::validate_with_offset`](crate::PageArgs::validate_with_offset)).
    #[must_use]
    pub fn with_offset(mut self, offset: Option<i32>) -> Self {
        self.offset = offset;
        self
    }

    /// The parent's key.
    pub fn parent(&self) -> &P {
        &self.parent
    }
}

impl<R: Paginate, P: Clone> Clone for ChildKey<R, P> {
    fn clone(&self) -> Self {
        ChildKey {
            parent: self.parent.clone(),
            order: self.order,
            args: self.args.clone(),
            offset: self.offset,
        }
    }
}

impl<R: Paginate, P: PartialEq> PartialEq for ChildKey<R, P> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.same_page(other)
    }
}

impl<R: Paginate, P: Eq> Eq for ChildKey<R, P> {}

impl<R: Paginate, P> ChildKey<R, P> {
    /// Whether `other` asks for the same page of its parent: one group of
    /// a batch.
    fn same_page(&self, other: &Self) -> bool {
        self.order == other.order && self.args == other.args && self.offset == other.offset
    }
}

/// The ordering is left out (the order enums need not be `Hash`): equal
/// keys still hash alike.
impl<R: Paginate, P: Hash> Hash for ChildKey<R, P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        let PageArgs {
            first,
            after,
            last,
            before,
        } = &self.args;
        (first, after, last, before, self.offset).hash(state);
    }
}

impl<R: Paginate, P: fmt::Debug> fmt::Debug for ChildKey<R, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildKey")
            .field("parent", &self.parent)
            .field("order", &self.order)
            .field("args", &self.args)
            .field("offset", &self.offset)
            .finish()
    }
}

/// One parent's page, or why its group of the batch failed (only the keys
/// of that group see the error).
pub type ChildPage<R> = Result<Page<R>, Arc<FetchError>>;

/// The bounds of a parent's key type.
pub trait ParentKey: CursorValue + Clone + Eq + Hash + Send + Sync + 'static {}

impl<P: CursorValue + Clone + Eq + Hash + Send + Sync + 'static> ParentKey for P {}

/// The loader of a nested connection's pages: the rows of `R` (a table with
/// its filters, as for a top-level connection) belonging to each parent
/// through `relation` (the derive's `Article::by_author_id()`).
///
/// Make one per request (its filters may depend on the request) and put it
/// behind a batching front end, e.g. `DataLoader::new(pages, tokio::spawn)`.
pub struct ChildPages<R, P, DB: SqlxDatabase> {
    pool: ::sqlx::Pool<DB>,
    select: Select<'static, DB>,
    relation: Relation<R, P>,
}

impl<R, P, DB: SqlxDatabase> ChildPages<R, P, DB> {
    /// Pages of `select`'s rows (`Article::table()`, with your filters)
    /// from `pool`, per parent through `relation`.
    pub fn new(
        pool: ::sqlx::Pool<DB>,
        select: Select<'static, DB>,
        relation: Relation<R, P>,
    ) -> Self {
        ChildPages {
            pool,
            select,
            relation,
        }
    }
}

impl<R, P, DB> Loader<ChildKey<R, P>> for ChildPages<R, P, DB>
where
    R: Paginate + Clone + Send + Sync + Unpin + 'static + for<'r> FromRow<'r, DB::Row>,
    P: ParentKey,
    DB: SqlxDatabase,
{
    type Value = ChildPage<R>;
    type Error = core::convert::Infallible;

    async fn load(
        &self,
        keys: &[ChildKey<R, P>],
    ) -> Result<HashMap<ChildKey<R, P>, ChildPage<R>>, Self::Error> {
        // The batch's distinct (ordering, arguments), each with its parents,
        // in the order first asked for.
        let mut groups: Vec<(&ChildKey<R, P>, Vec<P>)> = Vec::new();
        for key in keys {
            match groups.iter_mut().find(|(first, _)| first.same_page(key)) {
                Some((_, parents)) => parents.push(key.parent.clone()),
                None => groups.push((key, vec![key.parent.clone()])),
            }
        }
        let mut pages = HashMap::with_capacity(keys.len());
        for (first, parents) in groups {
            let query = AnyKeysetQuery::with_offset(first.order, &first.args, first.offset);
            let fetched = match query {
                Ok(query) => {
                    self.select
                        .fetch_children(&self.pool, self.relation, &parents, query)
                        .await
                }
                Err(e) => Err(FetchError::Page(e)),
            };
            match fetched {
                Ok(fetched) => {
                    for (parent, page) in parents.into_iter().zip(fetched) {
                        let key = ChildKey::new(parent, first.order, first.args.clone())
                            .with_offset(first.offset);
                        pages.insert(key, Ok(page));
                    }
                }
                Err(e) => {
                    let e = Arc::new(e);
                    for parent in parents {
                        let key = ChildKey::new(parent, first.order, first.args.clone())
                            .with_offset(first.offset);
                        pages.insert(key, Err(e.clone()));
                    }
                }
            }
        }
        Ok(pages)
    }
}

/// The loader of nested `totalCount`s: each parent's number of rows of
/// `R` (with the same filters as its pages), one statement per batch
/// ([`Select::count_children`]). Keyed by the parent's key.
pub struct ChildCounts<R, P, DB: SqlxDatabase> {
    pool: ::sqlx::Pool<DB>,
    select: Select<'static, DB>,
    relation: Relation<R, P>,
}

impl<R, P, DB: SqlxDatabase> ChildCounts<R, P, DB> {
    /// Counts of `select`'s rows from `pool`, per parent through `relation`.
    pub fn new(
        pool: ::sqlx::Pool<DB>,
        select: Select<'static, DB>,
        relation: Relation<R, P>,
    ) -> Self {
        ChildCounts {
            pool,
            select,
            relation,
        }
    }
}

impl<R, P, DB> Loader<P> for ChildCounts<R, P, DB>
where
    R: Send + Sync + 'static,
    P: ParentKey,
    DB: SqlxDatabase,
{
    type Value = i64;
    type Error = Arc<FetchError>;

    async fn load(&self, keys: &[P]) -> Result<HashMap<P, i64>, Self::Error> {
        let counts = self
            .select
            .count_children(&self.pool, self.relation, keys)
            .await
            .map_err(Arc::new)?;
        Ok(keys.iter().cloned().zip(counts).collect())
    }
}

/// A batching front end over a [`Loader`]: what
/// [`ConnectionRequest::children`](super::ConnectionRequest::children)
/// loads a parent's page (and its count) through. Implemented for
/// async-graphql's [`DataLoader`]; implement it for your own (a loader per
/// request without DataLoader's delay, say) in one line.
pub trait LoadOne<K>: Send + Sync {
    /// What a key loads.
    type Value;
    /// Why a batch failed.
    type Error: IntoGraphqlError;
    /// The value of `key`, `None` when the loader has none.
    fn load_one(
        &self,
        key: K,
    ) -> impl Future<Output = Result<Option<Self::Value>, Self::Error>> + Send;
}

impl<K, T> LoadOne<K> for DataLoader<T>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    T: Loader<K>,
    T::Error: IntoGraphqlError,
{
    type Value = T::Value;
    type Error = T::Error;

    fn load_one(&self, key: K) -> impl Future<Output = Result<Option<T::Value>, T::Error>> + Send {
        DataLoader::load_one(self, key)
    }
}

impl<K, L: LoadOne<K> + ?Sized> LoadOne<K> for Arc<L> {
    type Value = L::Value;
    type Error = L::Error;

    fn load_one(&self, key: K) -> impl Future<Output = Result<Option<L::Value>, L::Error>> + Send {
        (**self).load_one(key)
    }
}
