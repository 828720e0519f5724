//! The test databases themselves: each one answers, each test gets a place of its own, and
//! text sorts by bytes everywhere (as Rust's `String` does), which keyset pages rely on.

mod support;

use sqlx::{MySqlPool, PgPool, SqlitePool};

/// Strings whose byte order differs from every case-insensitive, accent-aware or
/// space-padding collation.
const SAMPLES: &[&str] = &[
    "a", "B", "_", "é", "Z", "aa", "a b", "a ", "a\t", "", "Ω", "😀", "ab", "A", "e", "f", "z", "~",
];

fn byte_sorted() -> Vec<String> {
    let mut v: Vec<String> = SAMPLES.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn sqlite_answers() {
    let pool = support::sqlite_pool().await;
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    let pool = support::sqlite_file_pool().await;
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn postgres_answers() {
    let Some(pool) = support::pg_pool().await else {
        return;
    };
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

#[tokio::test]
async fn mysql_answers() {
    let Some(pool) = support::mysql_pool().await else {
        return;
    };
    let one: i64 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
}

async fn sqlite_sorted(pool: &SqlitePool) -> Vec<String> {
    sqlx::query("CREATE TABLE words (w TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    for s in SAMPLES {
        sqlx::query("INSERT INTO words (w) VALUES (?)")
            .bind(*s)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query_scalar("SELECT w FROM words ORDER BY w")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn pg_sorted(pool: &PgPool) -> Vec<String> {
    sqlx::query("CREATE TABLE words (w TEXT NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    for s in SAMPLES {
        sqlx::query("INSERT INTO words (w) VALUES ($1)")
            .bind(*s)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query_scalar("SELECT w FROM words ORDER BY w")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn mysql_sorted(pool: &MySqlPool) -> Vec<String> {
    sqlx::query("CREATE TABLE words (w VARCHAR(64) NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    for s in SAMPLES {
        sqlx::query("INSERT INTO words (w) VALUES (?)")
            .bind(*s)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query_scalar("SELECT w FROM words ORDER BY w")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn sqlite_text_order_is_byte_order() {
    let pool = support::sqlite_pool().await;
    assert_eq!(sqlite_sorted(&pool).await, byte_sorted());
}

#[tokio::test]
async fn postgres_text_order_is_byte_order() {
    let Some(pool) = support::pg_pool().await else {
        return;
    };
    let collate: String = sqlx::query_scalar(
        "SELECT datcollate::text FROM pg_database WHERE datname = current_database()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        collate, "C",
        "the test database must use the C collation (initdb --locale=C)"
    );
    assert_eq!(pg_sorted(&pool).await, byte_sorted());
    // Comparisons agree with the sort, not only ORDER BY.
    let lt: bool = sqlx::query_scalar("SELECT $1::text < $2::text")
        .bind("Z")
        .bind("a")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(lt);
}

#[tokio::test]
async fn mysql_text_order_is_byte_order() {
    let Some(pool) = support::mysql_pool().await else {
        return;
    };
    assert_eq!(mysql_sorted(&pool).await, byte_sorted());
    // No space padding: 'a' and 'a ' are different keys, and '\t' sorts below the end of string.
    let (eq, lt): (i64, i64) = sqlx::query_as("SELECT ? = ?, ? < ?")
        .bind("a")
        .bind("a ")
        .bind("a")
        .bind("a\t")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((eq, lt), (0, 1));
}

#[tokio::test]
async fn postgres_tests_get_their_own_schema() {
    let Some(a) = support::pg_pool().await else {
        return;
    };
    let b = support::pg_pool().await.expect("second pool");
    let sa: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&a)
        .await
        .unwrap();
    let sb: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(&b)
        .await
        .unwrap();
    assert_ne!(sa, sb);
    assert!(sa.starts_with("kp_t_"), "{sa}");
    sqlx::query("CREATE TABLE only_in_a (id BIGINT)")
        .execute(&a)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE only_in_a (id BIGINT)")
        .execute(&b)
        .await
        .unwrap();
}

#[tokio::test]
async fn mysql_tests_get_their_own_database() {
    let Some(a) = support::mysql_pool().await else {
        return;
    };
    let b = support::mysql_pool().await.expect("second pool");
    let da: String = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&a)
        .await
        .unwrap();
    let db: String = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&b)
        .await
        .unwrap();
    assert_ne!(da, db);
    assert!(da.starts_with("kp_t_"), "{da}");
    sqlx::query("CREATE TABLE only_in_a (id BIGINT)")
        .execute(&a)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE only_in_a (id BIGINT)")
        .execute(&b)
        .await
        .unwrap();
}
