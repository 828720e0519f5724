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
//!
//! GraphiQL is at `/`; the GraphQL endpoint at `POST /` and `POST /graphql`.
//!
//! The schema is in `server/schema.rs`: `Query.articles(first, after, last, before,
//! orderBy: NEWEST | TITLE, authorId)` returns a Relay connection with a lazy `totalCount`,
//! and `Article.author` is loaded through a DataLoader, one `SELECT` per page.

#[path = "server/app.rs"]
mod app;
#[path = "server/db.rs"]
mod db;
#[path = "server/schema.rs"]
mod schema;

/// The database the schema runs on.
type Db = sqlx::Sqlite;

use std::path::PathBuf;
use std::process::ExitCode;

use tokio::net::TcpListener;

struct Options {
    port: u16,
    db: PathBuf,
    articles: i64,
}

const USAGE: &str = "usage: cargo run --example server -- [--port N] [--db PATH] [--articles N]";

fn options() -> Result<Options, String> {
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
    };
    let mut args = std::env::args().skip(1);
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
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match run(options).await {
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

    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .await
        .map_err(|e| format!("listening on 127.0.0.1:{}: {e}", options.port))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "keypage example server: GraphiQL at http://{address}/ (POST queries to http://{address}/graphql)"
    );
    println!("\nA sample query:\n\n{}\n", app::SAMPLE_QUERY);
    println!(
        "or from a shell:\n\n  curl -s http://{address}/graphql -H 'content-type: application/json' \\\n    \
         -d '{{\"query\":\"{{ articles(first: 3, orderBy: TITLE) {{ totalCount nodes {{ title author {{ name }} }} pageInfo {{ endCursor hasNextPage }} }} }}\"}}'\n"
    );
    println!("Ctrl-C stops the server.");

    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    app::serve(listener, schema::schema(pool.clone()), shutdown)
        .await
        .map_err(|e| format!("serving: {e}"))?;
    pool.close().await;
    Ok(())
}
