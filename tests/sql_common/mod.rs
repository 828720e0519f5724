//! What the SQL tests (`tests/sql_*.rs`) share: the derived row types, their
//! tables on each database, and [`TestDb`], which runs the same test body on
//! SQLite, PostgreSQL and MariaDB.
//!
//! Text key columns compare by bytes, as Rust's `String` does, so database
//! pages and in-memory pages agree: SQLite's default `BINARY`,
//! `COLLATE "C"` on PostgreSQL, `utf8mb4_nopad_bin` on MariaDB
//! (`utf8mb4_bin` pads trailing spaces: `'a' = 'a '` there).
#![allow(dead_code)]

use keypage::ordering::AnyKeysetQuery;
use keypage::sql::sqlx::{FetchError, Select, SqlxDatabase};
use keypage::{KeyRange, Page, PageArgs};
use sqlx::{AssertSqlSafe, Pool};

/// Rows for the property and injection tests: nullable, duplicate-heavy and
/// text keys, in several orderings of one struct.
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone, PartialEq)]
#[paginate(order_by = "b desc, id desc", table = "items", max_page_size = 50)]
#[paginate(ordering(name = "ID", order_by = "id asc"))]
#[paginate(ordering(name = "A_FIRST", order_by = "a asc nulls first, id asc"))]
#[paginate(ordering(name = "A_LAST", order_by = "a desc nulls last, id desc"))]
#[paginate(ordering(name = "A_DESC_FIRST", order_by = "a desc nulls first, b asc, id asc"))]
#[paginate(ordering(name = "MIXED", order_by = "b desc, c asc, id desc"))]
#[paginate(ordering(name = "TEXT", order_by = "s asc nulls last, id asc"))]
#[paginate(ordering(name = "TEXT_DESC", order_by = "s desc nulls first, b asc, id desc"))]
pub struct Item {
    #[paginate(unique)]
    pub id: i64,
    pub a: Option<i64>,
    pub b: i64,
    pub c: i64,
    #[paginate(column = "label")]
    #[sqlx(rename = "label")]
    pub s: Option<String>,
}

/// A range filter on one of `Item`'s sort keys.
#[derive(Debug, Clone)]
pub enum ItemRange {
    Id(KeyRange<i64>),
    A(KeyRange<i64>),
    B(KeyRange<i64>),
    C(KeyRange<i64>),
    S(KeyRange<String>),
}

impl ItemRange {
    /// Whether `row` is in the range, by Rust's order (the model's).
    pub fn contains(&self, row: &Item) -> bool {
        match self {
            ItemRange::Id(r) => Item::id_column().contains(r, row),
            ItemRange::A(r) => Item::a_column().contains(r, row),
            ItemRange::B(r) => Item::b_column().contains(r, row),
            ItemRange::C(r) => Item::c_column().contains(r, row),
            ItemRange::S(r) => Item::s_column().contains(r, row),
        }
    }

    /// `select` with the range as its filter (`Select::range`).
    pub fn apply<'f, DB: SqlxDatabase>(&self, select: Select<'f, DB>) -> Select<'f, DB> {
        match self.clone() {
            ItemRange::Id(r) => select.range(Item::id_column(), r),
            ItemRange::A(r) => select.range(Item::a_column(), r),
            ItemRange::B(r) => select.range(Item::b_column(), r),
            ItemRange::C(r) => select.range(Item::c_column(), r),
            ItemRange::S(r) => select.range(Item::s_column(), r),
        }
    }
}

/// Rows for the plan and consistency tests: a timestamp-like key with
/// duplicates, a nullable rank, and a payload.
#[derive(keypage::Paginate, sqlx::FromRow, Debug, Clone, PartialEq)]
#[paginate(order_by = "created_at desc, id desc", table = "events")]
#[paginate(ordering(name = "MIXED", order_by = "created_at desc, id asc"))]
#[paginate(ordering(name = "RANK", order_by = "rank desc nulls last, id desc"))]
pub struct Event {
    #[paginate(unique)]
    pub id: i64,
    pub created_at: i64,
    pub rank: Option<i64>,
    pub title: String,
}

/// A database the tests run on, with what differs between them: DDL, bulk
/// loading, and the calls into the derive's methods (which need the
/// concrete database for their `sqlx::FromRow` bounds).
#[allow(async_fn_in_trait)]
pub trait TestDb: keypage::sql::sqlx::SqlxDatabase + Sized {
    /// For messages.
    const DB_NAME: &'static str;
    /// `CREATE TABLE items ...`, text keys byte-ordered.
    const ITEMS_DDL: &'static str;
    /// `CREATE TABLE events ...`.
    const EVENTS_DDL: &'static str;
    /// The indexes matching `Event`'s three orderings.
    const EVENTS_INDEXES: &'static [&'static str];
    /// `INSERT INTO events ... SELECT` of `n` generated rows, in one statement.
    fn bulk_events_sql(n: i64) -> String;

    /// A private database (schema) on this server; `None`: skipped.
    async fn pool() -> Option<Pool<Self>>;
    /// Runs SQL text without binds.
    async fn exec(pool: &Pool<Self>, sql: &str);
    /// Inserts `rows` into `items` (one statement).
    async fn insert_items(pool: &Pool<Self>, rows: &[Item]);
    /// Inserts `rows` into `events` (one statement).
    async fn insert_events(pool: &Pool<Self>, rows: &[Event]);
    /// Deletes the event `id`.
    async fn delete_event(pool: &Pool<Self>, id: i64);
    /// Sets the key columns `created_at` and `rank` of the event `id`.
    async fn update_event_key(pool: &Pool<Self>, id: i64, created_at: i64, rank: Option<i64>);
    /// `Item::fetch_page_by`.
    async fn items_page(
        pool: &Pool<Self>,
        order: ItemOrder,
        args: &PageArgs,
    ) -> Result<Page<Item>, FetchError>;
    /// `Event::fetch_page`.
    async fn events_page(pool: &Pool<Self>, args: &PageArgs) -> Result<Page<Event>, FetchError>;
    /// `Event::fetch_page_by`.
    async fn events_page_by(
        pool: &Pool<Self>,
        order: EventOrder,
        args: &PageArgs,
    ) -> Result<Page<Event>, FetchError>;
    /// `Item::total_count`.
    async fn items_count(pool: &Pool<Self>) -> i64;
    /// `Event::total_count`.
    async fn events_count(pool: &Pool<Self>) -> i64;
    /// The `TEXT` ordering's page of the items whose label is `label`, and
    /// their count: the derive's cursor and columns in a `Select` with a
    /// filter bound by the caller.
    async fn items_with_label(
        pool: &Pool<Self>,
        label: &str,
        args: &PageArgs,
    ) -> Result<(Page<Item>, i64), FetchError>;
    /// The page of the items in `range`, in `order`, and their count:
    /// `Select::range` on the derive's table.
    async fn items_page_in(
        pool: &Pool<Self>,
        order: ItemOrder,
        args: &PageArgs,
        range: &ItemRange,
    ) -> Result<(Page<Item>, i64), FetchError>;
    /// The page of the events whose `created_at` is in `range`, in `order`:
    /// `Select::range` on the derive's table.
    async fn events_page_in(
        pool: &Pool<Self>,
        order: EventOrder,
        args: &PageArgs,
        range: &KeyRange<i64>,
    ) -> Result<Page<Event>, FetchError>;
    /// The largest `id` of `events` (`Select::max_of`): a stable walk's pin.
    async fn events_max_id(pool: &Pool<Self>) -> Option<i64>;
    /// The default ordering's page of the events with `id <= pin`
    /// (`Select::range`): a stable walk's page.
    async fn events_page_pinned(
        pool: &Pool<Self>,
        args: &PageArgs,
        pin: i64,
    ) -> Result<Page<Event>, FetchError>;
    /// `Event` rows in the default order with `LIMIT/OFFSET`.
    async fn events_offset_page(pool: &Pool<Self>, limit: i64, offset: i64) -> Vec<Event>;
}

macro_rules! test_db {
    (
        $db:ty, $name:literal, pool: $pool:expr,
        items: $items:literal, events: $events:literal, indexes: $indexes:expr,
        bulk: $bulk:expr $(,)?
    ) => {
        impl TestDb for $db {
            const DB_NAME: &'static str = $name;
            const ITEMS_DDL: &'static str = $items;
            const EVENTS_DDL: &'static str = $events;
            const EVENTS_INDEXES: &'static [&'static str] = $indexes;

            fn bulk_events_sql(n: i64) -> String {
                let bulk: fn(i64) -> String = $bulk;
                bulk(n)
            }

            async fn pool() -> Option<Pool<Self>> {
                $pool
            }

            async fn exec(pool: &Pool<Self>, sql: &str) {
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                    .execute(pool)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {sql}: {e}", $name));
            }

            async fn insert_items(pool: &Pool<Self>, rows: &[Item]) {
                if rows.is_empty() {
                    return;
                }
                let mut qb =
                    sqlx::QueryBuilder::<Self>::new("INSERT INTO items (id, a, b, c, label) ");
                qb.push_values(rows, |mut b, r| {
                    let _ = b
                        .push_bind(r.id)
                        .push_bind(r.a)
                        .push_bind(r.b)
                        .push_bind(r.c)
                        .push_bind(r.s.clone());
                });
                qb.build().execute(pool).await.unwrap();
            }

            async fn insert_events(pool: &Pool<Self>, rows: &[Event]) {
                if rows.is_empty() {
                    return;
                }
                let mut qb = sqlx::QueryBuilder::<Self>::new(
                    "INSERT INTO events (id, created_at, rank, title) ",
                );
                qb.push_values(rows, |mut b, r| {
                    let _ = b
                        .push_bind(r.id)
                        .push_bind(r.created_at)
                        .push_bind(r.rank)
                        .push_bind(r.title.clone());
                });
                qb.build().execute(pool).await.unwrap();
            }

            async fn delete_event(pool: &Pool<Self>, id: i64) {
                let mut qb = sqlx::QueryBuilder::<Self>::new("DELETE FROM events WHERE id = ");
                let _ = qb.push_bind(id);
                qb.build().execute(pool).await.unwrap();
            }

            async fn update_event_key(
                pool: &Pool<Self>,
                id: i64,
                created_at: i64,
                rank: Option<i64>,
            ) {
                let mut qb = sqlx::QueryBuilder::<Self>::new("UPDATE events SET created_at = ");
                let _ = qb
                    .push_bind(created_at)
                    .push(", rank = ")
                    .push_bind(rank)
                    .push(" WHERE id = ")
                    .push_bind(id);
                qb.build().execute(pool).await.unwrap();
            }

            async fn items_page(
                pool: &Pool<Self>,
                order: ItemOrder,
                args: &PageArgs,
            ) -> Result<Page<Item>, FetchError> {
                Item::fetch_page_by(pool, order, args).await
            }

            async fn events_page(
                pool: &Pool<Self>,
                args: &PageArgs,
            ) -> Result<Page<Event>, FetchError> {
                Event::fetch_page(pool, args).await
            }

            async fn events_page_by(
                pool: &Pool<Self>,
                order: EventOrder,
                args: &PageArgs,
            ) -> Result<Page<Event>, FetchError> {
                Event::fetch_page_by(pool, order, args).await
            }

            async fn items_count(pool: &Pool<Self>) -> i64 {
                Item::total_count(pool).await.unwrap()
            }

            async fn events_count(pool: &Pool<Self>) -> i64 {
                Event::total_count(pool).await.unwrap()
            }

            async fn items_with_label(
                pool: &Pool<Self>,
                label: &str,
                args: &PageArgs,
            ) -> Result<(Page<Item>, i64), FetchError> {
                let label = label.to_owned();
                let select =
                    keypage::sql::sqlx::Select::<Self>::table_of::<Item>()?.filter(move |qb| {
                        let _ = qb.push("label = ").push_bind(label.clone());
                    });
                let page = select
                    .fetch_page(pool, args.validate::<ItemTextCursor>()?)
                    .await?;
                Ok((page, select.count(pool).await?))
            }

            async fn items_page_in(
                pool: &Pool<Self>,
                order: ItemOrder,
                args: &PageArgs,
                range: &ItemRange,
            ) -> Result<(Page<Item>, i64), FetchError> {
                let select = range.apply(Select::<Self>::table_of::<Item>()?);
                let page = select
                    .fetch_any(pool, AnyKeysetQuery::new(order, args)?)
                    .await?;
                Ok((page, select.count(pool).await?))
            }

            async fn events_page_in(
                pool: &Pool<Self>,
                order: EventOrder,
                args: &PageArgs,
                range: &KeyRange<i64>,
            ) -> Result<Page<Event>, FetchError> {
                Select::<Self>::table_of::<Event>()?
                    .range(Event::created_at_column(), range.clone())
                    .fetch_any(pool, AnyKeysetQuery::new(order, args)?)
                    .await
            }

            async fn events_max_id(pool: &Pool<Self>) -> Option<i64> {
                Select::<Self>::table_of::<Event>()
                    .unwrap()
                    .max_of::<Event, _, _>(pool, Event::id_column())
                    .await
                    .unwrap()
            }

            async fn events_page_pinned(
                pool: &Pool<Self>,
                args: &PageArgs,
                pin: i64,
            ) -> Result<Page<Event>, FetchError> {
                Select::<Self>::table_of::<Event>()?
                    .range(Event::id_column(), KeyRange::default().lte(pin))
                    .fetch_page(pool, args.validate::<EventCursor>()?)
                    .await
            }

            async fn events_offset_page(pool: &Pool<Self>, limit: i64, offset: i64) -> Vec<Event> {
                let mut qb = sqlx::QueryBuilder::<Self>::new(
                    "SELECT id, created_at, rank, title FROM events \
                     ORDER BY created_at DESC, id DESC LIMIT ",
                );
                let _ = qb.push_bind(limit).push(" OFFSET ").push_bind(offset);
                qb.build_query_as().fetch_all(pool).await.unwrap()
            }
        }
    };
}

test_db!(
    sqlx::Sqlite, "SQLite",
    pool: Some(crate::support::sqlite_file_pool().await),
    items: "CREATE TABLE items (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER NOT NULL, \
            c INTEGER NOT NULL, label TEXT)",
    events: "CREATE TABLE events (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, \
             rank INTEGER, title TEXT NOT NULL)",
    indexes: &[
        "CREATE INDEX events_created_id ON events (created_at DESC, id DESC)",
        "CREATE INDEX events_created_id_mixed ON events (created_at DESC, id ASC)",
        // NULLs sort as the smallest value: last in a descending index.
        "CREATE INDEX events_rank_id ON events (rank DESC, id DESC)",
    ],
    bulk: |n| format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) \
         INSERT INTO events (id, created_at, rank, title) \
         SELECT i, i / 3, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 1000 END, 'event ' || i FROM seq"
    ),
);

test_db!(
    sqlx::Postgres, "PostgreSQL",
    pool: crate::support::pg_pool().await,
    items: r#"CREATE TABLE items (id BIGINT PRIMARY KEY, a BIGINT, b BIGINT NOT NULL,
              c BIGINT NOT NULL, label TEXT COLLATE "C")"#,
    events: "CREATE TABLE events (id BIGINT PRIMARY KEY, created_at BIGINT NOT NULL, \
             rank BIGINT, title TEXT NOT NULL)",
    indexes: &[
        "CREATE INDEX events_created_id ON events (created_at DESC, id DESC)",
        "CREATE INDEX events_created_id_mixed ON events (created_at DESC, id ASC)",
        "CREATE INDEX events_rank_id ON events (rank DESC NULLS LAST, id DESC)",
    ],
    bulk: |n| format!(
        "INSERT INTO events (id, created_at, rank, title) \
         SELECT i, i / 3, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 1000 END, 'event ' || i \
         FROM generate_series(1, {n}) AS i"
    ),
);

test_db!(
    sqlx::MySql, "MariaDB",
    pool: crate::support::mysql_pool().await,
    items: "CREATE TABLE items (id BIGINT PRIMARY KEY, a BIGINT, b BIGINT NOT NULL, \
            c BIGINT NOT NULL, \
            label VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin)",
    events: "CREATE TABLE events (id BIGINT PRIMARY KEY, created_at BIGINT NOT NULL, \
             rank BIGINT, title VARCHAR(64) NOT NULL)",
    indexes: &[
        "CREATE INDEX events_created_id ON events (created_at DESC, id DESC)",
        "CREATE INDEX events_created_id_mixed ON events (created_at DESC, id ASC)",
        // NULLs sort as the smallest value: last in a descending index.
        "CREATE INDEX events_rank_id ON events (rank DESC, id DESC)",
    ],
    // MariaDB's built-in sequence tables: `seq_1_to_N`.
    bulk: |n| format!(
        "INSERT INTO events (id, created_at, rank, title) \
         SELECT seq, seq DIV 3, CASE WHEN seq % 10 = 0 THEN NULL ELSE seq % 1000 END, \
         CONCAT('event ', seq) FROM seq_1_to_{n}"
    ),
);

/// A page reduced to what must agree between backends: the rows, their
/// cursors and both flags.
pub type Summary<T> = (Vec<T>, Vec<String>, bool, bool);

pub fn summary<T: Clone, N: std::borrow::Borrow<T>>(page: &Page<N>) -> Summary<T> {
    (
        page.edges.iter().map(|e| e.node.borrow().clone()).collect(),
        page.edges.iter().map(|e| e.cursor.clone()).collect(),
        page.page_info.has_previous_page,
        page.page_info.has_next_page,
    )
}

/// A current-thread runtime for tests that drive proptest (sync) and sqlx
/// (async) together.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
