//! Shared helpers for the integration tests that talk to real databases.
//!
//! Use from a test file under `tests/` with `mod support;`, then:
//!
//! ```ignore
//! #[tokio::test]
//! async fn pages_on_postgres() {
//!     let Some(pool) = support::pg_pool().await else { return }; // skipped: no server
//!     sqlx::query("CREATE TABLE t (id BIGINT PRIMARY KEY)").execute(&pool).await.unwrap();
//! }
//! ```
//!
//! * [`sqlite_pool`]: a private in-memory SQLite database (always available).
//! * [`pg_pool`]: PostgreSQL from `KEYPAGE_PG_URL` (or a `postgres://` `DATABASE_URL`), with
//!   `search_path` set to a fresh schema of its own, so unqualified table names are private to
//!   the call and tests can run in parallel.
//! * [`mysql_pool`]: MariaDB/MySQL from `KEYPAGE_MYSQL_URL`, connected to a fresh database of its
//!   own (utf8mb4, `utf8mb4_nopad_bin`: text compares by bytes, as Rust's `String` does).
//!
//! When a server's URL is missing, the test is skipped with a `SKIPPED: ...` line on stderr and
//! the helper returns `None` — unless `CI` is set or `KEYPAGE_REQUIRE_DBS=1`, where it panics
//! (`KEYPAGE_REQUIRE_DBS=0` turns that off again). A URL that is set but does not connect
//! always panics. `scripts/db-up.sh` starts throwaway servers and prints the URLs;
//! `scripts/test.sh` does that for you.
//!
//! Schemas/databases are named `kp_t_<unix seconds>_<pid>_<n>`; ones older than an hour are
//! dropped by the next helper call, so a long-lived server given by URL does not fill up.
#![allow(dead_code)]

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Connection, Executor};

/// How long one connection attempt (and a pool's `acquire`) may take before the test fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Connections per pool: enough for a walker and a concurrent writer.
pub const MAX_CONNECTIONS: u32 = 5;
/// Test schemas/databases older than this are dropped by later helper calls.
const STALE_AFTER_SECS: u64 = 3600;
const PREFIX: &str = "kp_t_";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Are the real-database tests required to run (CI, or `KEYPAGE_REQUIRE_DBS=1`)?
pub fn dbs_required() -> bool {
    fn truthy(v: &str) -> bool {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        )
    }
    match std::env::var("KEYPAGE_REQUIRE_DBS") {
        Ok(v) => truthy(&v),
        Err(_) => std::env::var("CI").is_ok_and(|v| truthy(&v)),
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `None` after a `SKIPPED: {what} tests` line on stderr; a panic where the databases are
/// required ([`dbs_required`]).
pub fn missing<T>(what: &str, var: &str) -> Option<T> {
    if dbs_required() {
        panic!(
            "{what} tests are required here (CI or KEYPAGE_REQUIRE_DBS=1) but {var} is not set: \
             start the servers with `eval \"$(bash scripts/db-up.sh)\"` or run `bash scripts/test.sh`"
        );
    }
    eprintln!("SKIPPED: {what} tests (set {var} or run scripts/db-up.sh)");
    None
}

/// The PostgreSQL URL: `KEYPAGE_PG_URL`, else `DATABASE_URL` if it is a `postgres://` URL.
/// `None` (after printing SKIPPED) when there is none and the databases are not required.
pub fn pg_url() -> Option<String> {
    non_empty_env("KEYPAGE_PG_URL")
        .or_else(|| {
            non_empty_env("DATABASE_URL")
                .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
        })
        .or_else(|| missing("PostgreSQL", "KEYPAGE_PG_URL"))
}

/// The MariaDB/MySQL URL: `KEYPAGE_MYSQL_URL`, else `DATABASE_URL` if it is a `mysql://` URL.
/// `None` (after printing SKIPPED) when there is none and the databases are not required.
pub fn mysql_url() -> Option<String> {
    non_empty_env("KEYPAGE_MYSQL_URL")
        .or_else(|| {
            non_empty_env("DATABASE_URL")
                .filter(|u| u.starts_with("mysql://") || u.starts_with("mariadb://"))
        })
        .or_else(|| missing("MariaDB/MySQL", "KEYPAGE_MYSQL_URL"))
}

/// A fresh name `kp_t_<secs>_<pid>_<n>`: unique across the parallel test processes of nextest.
pub fn unique_name() -> String {
    let secs = now_secs();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}{secs}_{}_{n}", std::process::id())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn is_stale(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|secs| secs.parse::<u64>().ok())
        .is_some_and(|secs| secs + STALE_AFTER_SECS < now_secs())
}

/// Await `fut`, failing the test if it takes longer than [`CONNECT_TIMEOUT`] or errors.
pub async fn bounded<T, E: std::fmt::Display>(
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> T {
    match tokio::time::timeout(CONNECT_TIMEOUT, fut).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => panic!("{what}: {e}"),
        Err(_) => panic!("{what}: timed out after {CONNECT_TIMEOUT:?}"),
    }
}

/// Hide the password of a URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A private in-memory SQLite database: one connection that the pool never closes (the
/// database lives as long as that connection). Tasks sharing the pool take turns on it.
pub async fn sqlite_pool() -> SqlitePool {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:").expect("sqlite options");
    bounded(
        "SQLite (in memory)",
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(opts),
    )
    .await
}

/// A SQLite database in a fresh temporary file (WAL mode), for tests that want several real
/// connections at once. The file is left in `$TMPDIR/keypage-tests/`; files there older than
/// an hour are removed by later calls.
pub async fn sqlite_file_pool() -> SqlitePool {
    let dir = std::env::temp_dir().join("keypage-tests");
    std::fs::create_dir_all(&dir).expect("create temp dir for SQLite test databases");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_stale(&name) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let path = dir.join(format!("{}.db", unique_name()));
    let opts = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(CONNECT_TIMEOUT);
    bounded(
        &format!("SQLite ({})", path.display()),
        SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(opts),
    )
    .await
}

/// A PostgreSQL pool whose connections use a fresh schema of their own (`search_path`), or
/// `None` when no server is configured (see the module docs). The schema's name is
/// `SELECT current_schema()`.
pub async fn pg_pool() -> Option<PgPool> {
    let url = pg_url()?;
    let shown = redact(&url);
    let base = PgConnectOptions::from_str(&url)
        .unwrap_or_else(|e| panic!("KEYPAGE_PG_URL {shown} is not a PostgreSQL URL: {e}"));
    Some(pg_pool_with(base, &shown).await)
}

/// A pool on the PostgreSQL database `base` whose connections use a fresh schema of their own,
/// as [`pg_pool`] makes; `shown` names the server in messages.
pub async fn pg_pool_with(base: PgConnectOptions, shown: &str) -> PgPool {
    let schema = unique_name();

    let mut admin = bounded(
        &format!("connecting to PostgreSQL at {shown}"),
        sqlx::PgConnection::connect_with(&base),
    )
    .await;
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'kp\\_t\\_%' \
         AND pg_get_userbyid(nspowner) = current_user",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap_or_default();
    for name in stale.iter().filter(|n| is_stale(n)) {
        // Another test process may be dropping it too: errors are ignored.
        let _ = admin
            .execute(AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS \"{name}\" CASCADE"
            )))
            .await;
    }
    admin
        .execute(AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .await
        .unwrap_or_else(|e| panic!("creating schema {schema} on {shown}: {e}"));
    let _ = admin.close().await;

    let opts = base.options([("search_path", schema.as_str())]);
    bounded(
        &format!("connecting to PostgreSQL at {shown}"),
        PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(opts),
    )
    .await
}

/// A MariaDB/MySQL pool connected to a fresh database of its own (utf8mb4,
/// `utf8mb4_nopad_bin`; connections use the same collation), or `None` when no server is
/// configured (see the module docs). The database's name is `SELECT DATABASE()`.
pub async fn mysql_pool() -> Option<MySqlPool> {
    let url = mysql_url()?;
    let shown = redact(&url);
    let base = MySqlConnectOptions::from_str(&url)
        .unwrap_or_else(|e| panic!("KEYPAGE_MYSQL_URL {shown} is not a MySQL URL: {e}"))
        .charset("utf8mb4")
        .collation("utf8mb4_nopad_bin");
    let db = unique_name();

    let mut admin = bounded(
        &format!("connecting to MariaDB/MySQL at {shown}"),
        sqlx::MySqlConnection::connect_with(&base),
    )
    .await;
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(SCHEMA_NAME AS CHAR) FROM information_schema.SCHEMATA \
         WHERE SCHEMA_NAME LIKE 'kp\\_t\\_%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap_or_default();
    for name in stale.iter().filter(|n| is_stale(n)) {
        let _ = admin
            .execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
            .await;
    }
    admin
        .execute(AssertSqlSafe(format!(
            "CREATE DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"
        )))
        .await
        .unwrap_or_else(|e| panic!("creating database {db} on {shown}: {e}"));
    let _ = admin.close().await;

    let opts = base.database(&db);
    Some(
        bounded(
            &format!("connecting to MariaDB/MySQL at {shown}"),
            MySqlPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_with(opts),
        )
        .await,
    )
}

/// Whether a page statement holds the probe for the flag on the side it
/// does not read towards: a `keypage_probe` part of its `UNION ALL`, or, on
/// a PostgreSQL page that reads one range from the probe's row, the `CASE`
/// that marks that row.
pub fn has_probe(sql: &str) -> bool {
    sql.contains("keypage_probe") || sql.contains("THEN CAST(-1 AS BIGINT) ELSE")
}
