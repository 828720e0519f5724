//! The example server (`examples/server.rs`'s modules, unchanged) on a free
//! loopback port over a temporary seeded SQLite file, for the client's tests
//! and benchmark. Include it with
//! `#[path = "support/example_server.rs"] mod example_server;`.

#![allow(dead_code)]

use std::path::PathBuf;

use tokio::net::TcpListener;

#[path = "../../examples/server/app.rs"]
mod app;
#[path = "../../examples/server/db.rs"]
mod db;
#[path = "../../examples/server/schema.rs"]
mod schema;

/// The database the example's schema runs on.
type Db = sqlx::Sqlite;

/// A running example server; stopped, and its database deleted, on drop.
pub struct ExampleServer {
    /// `http://127.0.0.1:PORT/graphql`.
    pub url: String,
    /// Article ids in the `NEWEST` order (`created_at desc, id desc`), from SQL.
    pub newest: Vec<i64>,
    /// Article ids in the `TITLE` order (`title asc, id asc`), from SQL.
    pub title: Vec<i64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    file: PathBuf,
}

/// Seeds `articles` articles into a new temporary file and serves them.
pub async fn start(articles: i64) -> ExampleServer {
    start_with_keys(articles, None).await
}

/// [`start`], the server signing its cursors with `keys` when given (as
/// with `KEYPAGE_CURSOR_SECRET`).
pub async fn start_with_keys(
    articles: i64,
    keys: Option<keypage::signed::CursorKeys>,
) -> ExampleServer {
    let dir = std::env::temp_dir().join("keypage-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let file = dir.join(format!("client-{}-{nanos}.db", std::process::id()));
    let (pool, seeded, _) = db::open(&file, articles).await.expect("seed");
    assert_eq!(seeded, articles);
    let newest = sqlx::query_scalar("SELECT id FROM articles ORDER BY created_at DESC, id DESC")
        .fetch_all(&pool)
        .await
        .expect("newest order");
    let title = sqlx::query_scalar("SELECT id FROM articles ORDER BY title, id")
        .fetch_all(&pool)
        .await
        .expect("title order");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app::router(schema::schema_with_keys(pool, keys), app::Limits::default());
    tokio::spawn(app::serve(
        listener,
        router,
        app::Connections::default(),
        async {
            let _ = stopped.await;
        },
        std::time::Duration::from_secs(10),
    ));
    ExampleServer {
        url: format!("http://{address}/graphql"),
        newest,
        title,
        stop: Some(stop),
        file,
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.file.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}
