//! The example's SQLite file: opened, and on first start created and seeded.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Connection as _, Executor as _};

use super::schema::{INDEXES, tables};

/// Articles seeded on first start unless `--articles` says otherwise.
pub const DEFAULT_ARTICLES: i64 = 100_000;
/// Articles per author (so 1,000 authors for 100,000 articles).
const ARTICLES_PER_AUTHOR: i64 = 100;
/// Rows per `INSERT`, one progress step.
const CHUNK: i64 = 10_000;

/// How the database was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeded {
    /// Created and seeded now, taking this long.
    Now(Duration),
    /// Already there from an earlier start.
    Earlier,
}

/// Opens (creating if missing) the SQLite file at `path`, seeding it with
/// `articles` articles if it has not been seeded before. Seeding is one
/// transaction: a start interrupted while seeding leaves no half data.
pub async fn open(path: &Path, articles: i64) -> Result<(SqlitePool, i64, Seeded), sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    if let Some(n) = seeded_articles(&pool).await? {
        return Ok((pool, n, Seeded::Earlier));
    }
    let started = Instant::now();
    seed(&pool, articles).await?;
    Ok((pool, articles, Seeded::Now(started.elapsed())))
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

/// Creates the tables and indexes and fills them, in one transaction: a few
/// `INSERT ... SELECT` over a recursive CTE, with a progress line on stderr.
///
/// Authors get names from two word lists; articles a title of 900 distinct
/// values (so `TITLE` pages cross many ties), a creation time among 40,000
/// minutes (ties for `NEWEST` too) and an author, all spread by
/// multiplicative hashing of the id.
pub async fn seed(pool: &SqlitePool, articles: i64) -> Result<(), sqlx::Error> {
    let authors = (articles / ARTICLES_PER_AUTHOR).max(1);
    let mut conn = pool.acquire().await?;
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
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
