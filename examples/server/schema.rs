//! The example's GraphQL schema: articles paged by keypage over SQL, their
//! authors batched by a DataLoader.
//!
//! Written against `super::Db`, `sqlx::Sqlite` in the example: the tests
//! include this very file twice, once with `sqlx::Postgres`, to run the same
//! schema on both databases (`tests/graphql_sql.rs`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{
    ComplexObject, Context, EmptyMutation, EmptySubscription, ErrorExtensions, Object, Schema,
    SimpleObject,
};
use keypage::PageArgs;
use keypage::sql::sqlx::FetchError;
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
    order_name = "NEWEST"
)]
#[paginate(ordering(name = "TITLE", order_by = "title asc, id asc"))]
#[graphql(complex)]
pub struct Article {
    #[paginate(unique)]
    pub id: i64,
    pub title: String,
    /// Unix time, seconds.
    pub created_at: i64,
    #[graphql(skip)]
    pub author_id: i64,
}

/// An author.
#[derive(sqlx::FromRow, SimpleObject, Clone, Debug)]
pub struct Author {
    pub id: i64,
    pub name: String,
}

#[ComplexObject]
impl Article {
    /// The article's author, loaded in one batch for the whole page.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Author> {
        let loader = ctx.data::<DataLoader<AuthorLoader>>()?;
        // `extend`, not `?`: a database error's text (SQL, driver detail)
        // would otherwise become the message the client sees.
        loader
            .load_one(self.author_id)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(|| "author not found".into())
    }
}

/// The example's schema.
pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// How long the authors' DataLoader collects ids before it queries them.
///
/// async-graphql's DataLoader batches by time: the first `load` of a batch
/// starts a timer, and the ids asked for until it fires go into one query.
/// Its default of 1 ms is too short for a debug build, where resolving a
/// page's 50 items can take longer than that (the executor runs the timer
/// task between items): the page would then cost two author queries.
pub const AUTHOR_BATCH_DELAY: Duration = Duration::from_millis(10);

/// The schema, with the pool and the authors' DataLoader as its data.
pub fn schema(pool: Pool<Db>) -> AppSchema {
    schema_with_batch_delay(pool, AUTHOR_BATCH_DELAY)
}

/// [`schema`] with another batching delay for the authors' DataLoader.
pub fn schema_with_batch_delay(pool: Pool<Db>, delay: Duration) -> AppSchema {
    let authors = DataLoader::new(AuthorLoader(pool.clone()), tokio::spawn).delay(delay);
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(pool)
        .data(authors)
        .finish()
}

/// The root query.
pub struct Query;

#[Object]
impl Query {
    /// Articles, newest first unless `orderBy` says otherwise, optionally of one author only.
    #[allow(clippy::too_many_arguments)]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        order_by: Option<ArticleOrder>,
        author_id: Option<i64>,
    ) -> async_graphql::Result<ArticleConnection> {
        let articles = Article::table().filter_some(author_id, |qb, id| {
            qb.push("author_id = ").push_bind(*id);
        });
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Article::connection(order_by, args)
            .select(ctx.data::<Pool<Db>>()?, articles)
            .await
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

/// The indexes matching both orderings, without and with the author
/// filter: every page is an index seek.
pub const INDEXES: [&str; 4] = [
    "CREATE INDEX articles_newest ON articles (created_at DESC, id DESC)",
    "CREATE INDEX articles_title ON articles (title, id)",
    "CREATE INDEX articles_author_newest ON articles (author_id, created_at DESC, id DESC)",
    "CREATE INDEX articles_author_title ON articles (author_id, title, id)",
];
