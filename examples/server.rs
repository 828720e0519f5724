//! keypage's example server: a GraphQL API of 100,000 articles paged by
//! keyset cursors, over an SQLite file it creates and seeds on first start.
//!
//! ```sh
//! cargo run --example server                 # http://127.0.0.1:8000/
//! cargo run --example server -- --port 0     # any free port (printed)
//! ```
//!
//! Options (or environment variables):
//!
//! * `--port N` (`PORT`): the port on 127.0.0.1, 8000 by default; 0 picks a free one.
//! * `--db PATH` (`KEYPAGE_EXAMPLE_DB`): the SQLite file, `keypage-example.db` by default.
//!   Created and seeded on first start, reused afterwards; delete it to seed again.
//! * `--articles N`: how many articles to seed into a new file (100,000 by default).
//! * `--shutdown-deadline SECS`: on Ctrl-C or SIGTERM, how long to wait for the
//!   requests in flight before exiting anyway (10 by default).
//! * `KEYPAGE_CURSOR_SECRET` (environment only, so that it is not in the process list):
//!   when set, at least 32 bytes, every cursor is signed with it and unsigned or altered
//!   ones are refused (`INVALID_CURSOR`); `KEYPAGE_CURSOR_TTL` (seconds) makes them expire.
//!
//! The GraphQL endpoint is `/graphql` (and `/`): `POST` JSON, or `GET
//! ?query=...`; GraphiQL is served there to a browser. The limits on
//! queries and requests are in `server/schema.rs` and `server/app.rs`.
//!
//! The schema is in `server/schema.rs`: `Query.articles(first, after, last, before,
//! orderBy: NEWEST | TITLE, authorId)` returns a Relay connection with a lazy `totalCount`,
//! and `Article.author` is loaded in one batch per page (one `SELECT`, no timer).

// `pub`: `tests/example_server.rs` includes this file and uses them.
#[path = "server/app.rs"]
pub mod app;
#[path = "server/db.rs"]
pub mod db;
#[path = "server/schema.rs"]
pub mod schema;

/// The database the schema runs on.
type Db = sqlx::Sqlite;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tokio::net::TcpListener;

struct Options {
    port: u16,
    db: PathBuf,
    articles: i64,
    shutdown_deadline: Duration,
    keys: Option<keypage::signed::CursorKeys>,
}

const USAGE: &str = "usage: cargo run --example server -- [--port N] [--db PATH] [--articles N] \
                     [--shutdown-deadline SECS]";

fn options(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: match std::env::var("PORT") {
            Ok(port) => port
                .parse()
                .map_err(|_| format!("PORT={port} is not a port"))?,
            Err(_) => 8000,
        },
        db: std::env::var_os("KEYPAGE_EXAMPLE_DB")
            .map_or_else(|| PathBuf::from("keypage-example.db"), PathBuf::from),
        articles: db::DEFAULT_ARTICLES,
        shutdown_deadline: Duration::from_secs(10),
        keys: cursor_keys()?,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value()?;
                options.port = v.parse().map_err(|_| format!("--port {v} is not a port"))?;
            }
            "--db" => options.db = PathBuf::from(value()?),
            "--articles" => {
                let v = value()?;
                options.articles = v
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or(format!("--articles {v} is not a positive number"))?;
            }
            "--shutdown-deadline" => {
                let v = value()?;
                options.shutdown_deadline = v
                    .parse()
                    .ok()
                    .and_then(|s: f64| Duration::try_from_secs_f64(s).ok())
                    .ok_or(format!(
                        "--shutdown-deadline {v} is not a number of seconds"
                    ))?;
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

/// The cursor keys of `KEYPAGE_CURSOR_SECRET` and `KEYPAGE_CURSOR_TTL`, if set.
fn cursor_keys() -> Result<Option<keypage::signed::CursorKeys>, String> {
    let Some(secret) = std::env::var_os("KEYPAGE_CURSOR_SECRET") else {
        return Ok(None);
    };
    let keys = keypage::signed::CursorKeys::new(1, secret.as_encoded_bytes())
        .map_err(|e| format!("KEYPAGE_CURSOR_SECRET: {e}"))?;
    match std::env::var("KEYPAGE_CURSOR_TTL") {
        Ok(ttl) => {
            let secs = ttl.parse().ok().filter(|&s: &u64| s >= 1).ok_or(format!(
                "KEYPAGE_CURSOR_TTL={ttl} is not a positive number of seconds"
            ))?;
            Ok(Some(keys.expire_after(Duration::from_secs(secs))))
        }
        Err(_) => Ok(Some(keys)),
    }
}

fn main() -> ExitCode {
    main_with_args(std::env::args().skip(1))
}

/// The server with these command-line arguments, until Ctrl-C or SIGTERM.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> ExitCode {
    let options = match options(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    let shown = options.db.display();
    let (pool, articles, seeded) = db::open(&options.db, options.articles)
        .await
        .map_err(|e| format!("opening {shown}: {e}"))?;
    match seeded {
        db::Seeded::Now(took) => {
            eprintln!(
                "seeded {articles} articles into {shown} in {:.2} s",
                took.as_secs_f64()
            );
        }
        db::Seeded::Earlier => eprintln!("using the {articles} articles already in {shown}"),
    }

    let stop = stop_signal()?;
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .await
        .map_err(|e| format!("listening on 127.0.0.1:{}: {e}", options.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "keypage example server: GraphiQL at http://{address}/ (GraphQL at http://{address}/graphql)"
    );
    println!("\nA sample query:\n\n{}\n", app::SAMPLE_QUERY);
    println!(
        "or from a shell:\n\n  curl -s http://{address}/graphql -H 'content-type: application/json' \\\n    \
         -d '{{\"query\":\"{{ articles(first: 3, orderBy: TITLE) {{ totalCount nodes {{ title author {{ name }} }} pageInfo {{ endCursor hasNextPage }} }} }}\"}}'\n"
    );
    println!("Ctrl-C stops the server.");

    if options.keys.is_some() {
        eprintln!("cursors are signed (KEYPAGE_CURSOR_SECRET)");
    }
    let schema = schema::schema_with_keys(pool.clone(), options.keys);
    let router = app::router(schema, app::Limits::default());
    let deadline = options.shutdown_deadline;
    match app::serve(
        listener,
        router,
        app::Connections::default(),
        stop,
        deadline,
    )
    .await
    {
        Ok(app::Stopped::Drained) => eprintln!("stopped"),
        Ok(app::Stopped::Deadline) => eprintln!(
            "stopped: requests still in flight after {} s were dropped",
            deadline.as_secs_f64()
        ),
        Err(e) => return Err(format!("serving: {e}")),
    }
    pool.close().await;
    Ok(())
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM (what `kill`, systemd and
/// container runtimes send). The handlers are installed now, not when the
/// future is first polled: a signal from the moment the server says it is
/// listening stops it gracefully.
fn stop_signal() -> Result<impl Future<Output = ()> + Send + 'static, String> {
    #[cfg(unix)]
    let stop = {
        use tokio::signal::unix::{SignalKind, signal};
        let installing = |kind| signal(kind).map_err(|e| format!("handling signals: {e}"));
        let (mut interrupt, mut terminate) = (
            installing(SignalKind::interrupt())?,
            installing(SignalKind::terminate())?,
        );
        async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
    };
    #[cfg(not(unix))]
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        stop.await;
        eprintln!("stopping: waiting for the requests in flight");
    })
}
