//! The example's SQLite file: opened, and on first start created and seeded.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
};
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};

use super::schema::{INDEXES, tables};

/// Articles seeded on first start unless `--articles` says otherwise.
pub const DEFAULT_ARTICLES: i64 = 100_000;
/// Articles per author (so 1,000 authors for 100,000 articles).
const ARTICLES_PER_AUTHOR: i64 = 100;
/// Rows per `INSERT`, one progress step.
const CHUNK: i64 = 10_000;
/// Connections in the pool: requests beyond wait for one, at most
/// [`ACQUIRE_TIMEOUT`].
pub const POOL_SIZE: u32 = 4;
/// How long a query waits for a free connection.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a connection may run statements after being taken from the
/// pool (SQLite's equivalent of PostgreSQL's `statement_timeout`): a
/// statement still running then is interrupted, and fails. Each page and
/// each `COUNT(*)` takes its own connection.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);
/// SQLite virtual-machine steps between two looks at the clock.
const PROGRESS_STEPS: i32 = 10_000;

/// How the database was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    /// Created and seeded now, taking this long.
    Now(Duration),
    /// Already there from an earlier start (or from another server started
    /// at the same time on the same new file).
    Earlier,
}

/// Opens the SQLite file at `path`, creating and seeding it with `articles`
/// articles first if there is no file there.
///
/// A new file is seeded under another name and then hard-linked to `path`,
/// which fails if `path` exists: `path` is always either missing or a
/// whole, seeded database, however many servers start on it at once and
/// whenever one is stopped. (The losers of such a race delete their copy and
/// open the winner's.)
pub async fn open(path: &Path, articles: i64) -> Result<(SqlitePool, i64, Seeded), sqlx::Error> {
    open_with(path, articles, STATEMENT_TIMEOUT).await
}

/// [`open`] with another [`STATEMENT_TIMEOUT`].
pub async fn open_with(
    path: &Path,
    articles: i64,
    statement_timeout: Duration,
) -> Result<(SqlitePool, i64, Seeded), sqlx::Error> {
    let mut seeded = Seeded::Earlier;
    if !path.try_exists()? {
        let started = Instant::now();
        let temp = seeding_path(path);
        let linked = match seed_file(&temp, articles).await {
            Ok(()) => std::fs::hard_link(&temp, path),
            Err(e) => Err(std::io::Error::other(e)),
        };
        remove_database(&temp);
        match linked {
            Ok(()) => seeded = Seeded::Now(started.elapsed()),
            // Another server seeded it first.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(sqlx::Error::Io(e)),
        }
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(POOL_SIZE)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _| Box::pin(statement_deadline(conn, statement_timeout)))
        .before_acquire(move |conn, _| {
            Box::pin(async move {
                statement_deadline(conn, statement_timeout).await?;
                Ok(true)
            })
        })
        .connect_with(options)
        .await?;
    let Some(n) = seeded_articles(&pool).await? else {
        pool.close().await;
        return Err(sqlx::Error::Configuration(
            format!(
                "{} is not a seeded keypage example database: delete it, or give another --db",
                path.display()
            )
            .into(),
        ));
    };
    Ok((pool, n, seeded))
}

/// Interrupts any statement `conn` runs more than `timeout` from now.
async fn statement_deadline(
    conn: &mut SqliteConnection,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    let deadline = Instant::now() + timeout;
    conn.lock_handle()
        .await?
        .set_progress_handler(PROGRESS_STEPS, move || Instant::now() < deadline);
    Ok(())
}

/// Where a new database is seeded before it is linked to `path`: a name of
/// this process's own.
fn seeding_path(path: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".seeding-{}-{nanos}", std::process::id()));
    PathBuf::from(name)
}

/// Deletes an SQLite file and its journal, if there.
fn remove_database(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

/// Creates the SQLite file `path`, seeds it and closes it.
async fn seed_file(path: &Path, articles: i64) -> Result<(), sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    seed(&mut conn, articles).await?;
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    conn.close().await
}

/// The number of articles an earlier start seeded, from the marker table.
async fn seeded_articles(pool: &SqlitePool) -> Result<Option<i64>, sqlx::Error> {
    let marker: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'keypage_example'",
    )
    .fetch_one(pool)
    .await?;
    if marker == 0 {
        return Ok(None);
    }
    sqlx::query_scalar("SELECT CAST(value AS INTEGER) FROM keypage_example WHERE key = 'articles'")
        .fetch_optional(pool)
        .await
}

/// Creates the tables and indexes on `conn` and fills them, in one transaction: a few
/// `INSERT ... SELECT` over a recursive CTE, with a progress line on stderr.
///
/// Authors get names from two word lists; articles a title of 900 distinct
/// values (so `TITLE` pages cross many ties), a creation time among 40,000
/// minutes (ties for `NEWEST` too) and an author, all spread by
/// multiplicative hashing of the id.
pub async fn seed(conn: &mut SqliteConnection, articles: i64) -> Result<(), sqlx::Error> {
    let authors = (articles / ARTICLES_PER_AUTHOR).max(1);
    let mut tx = conn.begin().await?;
    for statement in tables("INTEGER") {
        tx.execute(AssertSqlSafe(statement)).await?;
    }
    sqlx::query(
        "INSERT INTO authors (id, name)
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         SELECT i,
                json_extract('[\"Ada\",\"Alan\",\"Barbara\",\"Brian\",\"Claude\",\"Dennis\",\
\"Donald\",\"Edsger\",\"Frances\",\"Grace\",\"Guido\",\"Hedy\",\"Ivan\",\"Jean\",\"John\",\"Ken\",\
\"Leslie\",\"Linus\",\"Margaret\",\"Niklaus\",\"Radia\",\"Rob\",\"Robin\",\"Shafi\",\"Sophie\",\
\"Tim\",\"Tony\",\"Whitfield\",\"Yukihiro\",\"Anders\",\"Bjarne\",\"Carl\",\"Dana\",\"Erna\",\
\"Fran\",\"Gilles\",\"Hal\",\"Irene\",\"Judea\",\"Kathleen\"]', '$[' || (i % 40) || ']')
                || ' ' ||
                json_extract('[\"Lovelace\",\"Turing\",\"Liskov\",\"Kernighan\",\"Shannon\",\
\"Ritchie\",\"Knuth\",\"Dijkstra\",\"Allen\",\"Hopper\",\"Rossum\",\"Lamarr\",\"Sutherland\",\
\"Sammet\",\"Backus\",\"Thompson\",\"Lamport\",\"Torvalds\",\"Hamilton\",\"Wirth\",\"Perlman\",\
\"Pike\",\"Milner\",\"Goldwasser\",\"Wilson\"]', '$[' || (i / 40 % 25) || ']')
         FROM n",
    )
    .bind(authors)
    .execute(&mut *tx)
    .await?;
    let mut done = 0;
    while done < articles {
        let to = (done + CHUNK).min(articles);
        sqlx::query(
            "INSERT INTO articles (id, title, created_at, author_id)
             WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             SELECT i,
                    json_extract('[\"Keyset\",\"Cursor\",\"Offset\",\"Index\",\"Relay\",\
\"Stable\",\"Deep\",\"Lazy\",\"Batched\",\"Ordered\",\"Total\",\"Opaque\",\"Bounded\",\"Backward\",\
\"Forward\",\"Unique\",\"Composite\",\"Tied\",\"Seeking\",\"Typed\"]', '$[' || (i * 17 % 20) || ']')
                    || ' ' ||
                    json_extract('[\"pages\",\"cursors\",\"indexes\",\"connections\",\"edges\",\
\"nodes\",\"keys\",\"queries\",\"plans\",\"scans\",\"seeks\",\"rows\",\"tables\",\"orders\",\
\"limits\",\"probes\",\"counts\",\"loaders\",\"batches\",\"schemas\",\"resolvers\",\"walks\",\
\"windows\",\"ties\",\"flags\"]', '$[' || (i * 31 % 25) || ']')
                    || ', part ' || (i % 9 + 1),
                    1700000000 - (i * 48271 % 40000) * 60,
                    1 + (i * 7919 % ?3)
             FROM n",
        )
        .bind(done + 1)
        .bind(to)
        .bind(authors)
        .execute(&mut *tx)
        .await?;
        done = to;
        eprint!("\rseeding: {done}/{articles} articles, {authors} authors");
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    // Indexes after the rows: one sort each instead of 100,000 insertions.
    for statement in INDEXES {
        tx.execute(statement).await?;
    }
    tx.execute(
        "CREATE TABLE keypage_example (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    )
    .await?;
    sqlx::query("INSERT INTO keypage_example (key, value) VALUES ('articles', ?1)")
        .bind(articles.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
