//! Exports every node of a Relay connection, from any GraphQL server, as
//! JSON lines: keypage's client (`keypage::client`) as a command.
//!
//! ```sh
//! cargo run --example export -- --url http://127.0.0.1:8000/graphql --query articles.graphql \
//!     --var 'order="TITLE"' --page-size 100 --checkpoint articles.checkpoint --out articles.jsonl
//! ```
//!
//! The query takes `$first: Int, $after: String` (with `--backward`, `$last`
//! and `$before`) and selects `pageInfo { hasNextPage endCursor }`
//! (backwards `hasPreviousPage startCursor`) and `nodes` (or `edges { node
//! }`) on the one connection it walks; with `totalCount` the progress bar
//! shows the total.
//!
//! Options:
//!
//! * `--url URL`: the GraphQL endpoint (required).
//! * `--query FILE`: the query document (required).
//! * `--var NAME=JSON`: a variable, repeatable (`--var 'order="TITLE"'`, `--var authorId=7`).
//! * `--page-size N`: rows per request, 100 by default.
//! * `--checkpoint FILE`: resume from FILE when it exists (appending to
//!   `--out`), record the position after each page, delete FILE when done.
//! * `--out FILE`: where the lines go, stdout by default.
//! * `--backward`: walk from the end (`last`/`before`); lines come last first.
//! * `--header 'Name: value'`: a request header, repeatable (`--header 'Authorization: Bearer TOKEN'`).
//! * `--min-interval MS`: at least MS milliseconds between requests.
//!
//! Lines are written in the order walked, each page flushed (and with a
//! checkpoint, synced) before the next is asked for, so a killed export run
//! again with the same `--checkpoint` and `--out` loses no row and repeats at
//! most one page. Exit status 0 when the walk completed (errors of partial
//! pages are reported on stderr with their paths and the walk goes on),
//! 1 with one message for a fatal error, 2 for a usage error.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal as _, Read as _, Seek as _, SeekFrom, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use keypage::client::{Client, ErrorLog, PartialPolicy, RateLimiter};
use serde_json::{Map, Value};

const USAGE: &str = "usage: cargo run --example export -- --url URL --query FILE [--var NAME=JSON]... \
[--page-size N] [--checkpoint FILE] [--out FILE] [--backward] [--header 'Name: value']... [--min-interval MS]";

struct Options {
    url: String,
    query: PathBuf,
    variables: Map<String, Value>,
    page_size: u32,
    checkpoint: Option<PathBuf>,
    out: Option<PathBuf>,
    backward: bool,
    headers: Vec<(String, String)>,
    min_interval: Duration,
}

fn options() -> Result<Options, String> {
    let (mut url, mut query) = (None, None);
    let mut options = Options {
        url: String::new(),
        query: PathBuf::new(),
        variables: Map::new(),
        page_size: 100,
        checkpoint: None,
        out: None,
        backward: false,
        headers: Vec::new(),
        min_interval: Duration::ZERO,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--query" => query = Some(PathBuf::from(value()?)),
            "--var" => {
                let v = value()?;
                let (name, json) = v
                    .split_once('=')
                    .ok_or(format!("--var {v}: expected NAME=JSON"))?;
                let json = serde_json::from_str(json).map_err(|e| {
                    format!("--var {v}: {json} is not JSON ({e}); quote strings: --var '{name}=\"{json}\"'")
                })?;
                options.variables.insert(name.to_owned(), json);
            }
            "--page-size" => {
                let v = value()?;
                options.page_size = v
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or(format!("--page-size {v} is not a positive number"))?;
            }
            "--checkpoint" => options.checkpoint = Some(PathBuf::from(value()?)),
            "--out" => options.out = Some(PathBuf::from(value()?)),
            "--backward" => options.backward = true,
            "--header" => {
                let v = value()?;
                let (name, text) = v
                    .split_once(':')
                    .ok_or(format!("--header {v}: expected 'Name: value'"))?;
                options
                    .headers
                    .push((name.trim().to_owned(), text.trim().to_owned()));
            }
            "--min-interval" => {
                let v = value()?;
                let ms = v
                    .parse()
                    .map_err(|_| format!("--min-interval {v} is not a number of milliseconds"))?;
                options.min_interval = Duration::from_millis(ms);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    options.url = url.ok_or(format!("--url is required\n{USAGE}"))?;
    options.query = query.ok_or(format!("--query is required\n{USAGE}"))?;
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match export(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The progress display: a bar on a terminal, a plain line a second otherwise.
struct Progress {
    bar: ProgressBar,
    plain: bool,
    started: Instant,
    last_line: Instant,
    retries: Arc<AtomicU64>,
}

impl Progress {
    fn new(retries: Arc<AtomicU64>) -> Progress {
        let plain = !std::io::stderr().is_terminal();
        let bar = if plain {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos} rows, {msg}, {per_sec} [{elapsed}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Progress {
            bar,
            plain,
            started: Instant::now(),
            last_line: Instant::now(),
            retries,
        }
    }

    fn note(&self, line: &str) {
        if self.plain {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    fn page(&mut self, page: u64, rows: u64, total: Option<u64>) {
        if let Some(total) = total
            && self.bar.length().is_none()
        {
            self.bar.set_length(total);
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {human_pos}/{human_len} rows, {msg}, {per_sec}, eta {eta} [{elapsed}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
        let retries = self.retries.load(Ordering::Relaxed);
        self.bar.set_position(rows);
        self.bar
            .set_message(format!("page {page}, {retries} retries"));
        if self.plain && self.last_line.elapsed() >= Duration::from_secs(1) {
            self.last_line = Instant::now();
            eprintln!("{}", self.line(page, rows, total));
        }
    }

    fn line(&self, page: u64, rows: u64, total: Option<u64>) -> String {
        let per_sec = rows as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        let total = total.map_or_else(String::new, |t| format!(" of {t}"));
        let retries = self.retries.load(Ordering::Relaxed);
        format!("{rows} rows{total}, {page} pages, {per_sec:.0} rows/s, {retries} retries")
    }
}

async fn export(options: Options) -> Result<(), String> {
    let query = std::fs::read_to_string(&options.query)
        .map_err(|e| format!("reading --query {}: {e}", options.query.display()))?;
    let resuming = options.checkpoint.as_ref().is_some_and(|c| c.exists());
    let mut out: Box<dyn Write> = match &options.out {
        None => Box::new(std::io::stdout().lock()),
        Some(path) => Box::new(
            open_out(path, resuming).map_err(|e| format!("--out {}: {e}", path.display()))?,
        ),
    };
    let sync_out: Option<File> = match (&options.out, &options.checkpoint) {
        (Some(path), Some(_)) => {
            Some(File::open(path).map_err(|e| format!("--out {}: {e}", path.display()))?)
        }
        _ => None,
    };

    let retries = Arc::new(AtomicU64::new(0));
    let mut progress = Progress::new(Arc::clone(&retries));
    let retry_bar = progress.bar.clone();
    let plain = progress.plain;
    let mut client = Client::builder(&options.url)
        .rate_limiter(RateLimiter::new().min_interval(options.min_interval))
        .on_retry(move |event| {
            retries.fetch_add(1, Ordering::Relaxed);
            let line = format!(
                "retry {} in {:.1?}: {}",
                event.retry, event.wait, event.reason
            );
            if plain {
                eprintln!("{line}")
            } else {
                retry_bar.println(line)
            }
        });
    for (name, value) in &options.headers {
        client = client.header(name, value);
    }
    let client = client.build().map_err(|e| e.to_string())?;

    let log = ErrorLog::new();
    let mut walk = client
        .walk(query)
        .variables(&options.variables)
        .page_size(options.page_size)
        .on_partial(PartialPolicy::Collect(log));
    if options.backward {
        walk = walk.backward();
    }
    if let Some(checkpoint) = &options.checkpoint {
        if resuming {
            progress.note(&format!("resuming from {}", checkpoint.display()));
        }
        walk = walk.checkpoint(checkpoint);
    }

    let mut pages = std::pin::pin!(walk.pages::<Value>());
    let (mut rows, mut last_page, mut total) = (0u64, 0u64, None);
    let mut buffer = Vec::new();
    while let Some(page) = pages.try_next().await.map_err(|e| e.to_string())? {
        for error in &page.errors {
            progress.note(&format!("page {}: partial data: {error}", page.number));
        }
        buffer.clear();
        let nodes: Box<dyn Iterator<Item = &Value>> = if options.backward {
            Box::new(page.nodes.iter().rev())
        } else {
            Box::new(page.nodes.iter())
        };
        for node in nodes {
            serde_json::to_writer(&mut buffer, node).map_err(|e| e.to_string())?;
            buffer.push(b'\n');
        }
        // The lines are out (and on disk) before the walk, asked for the
        // next page, records this one as done.
        out.write_all(&buffer)
            .and_then(|()| out.flush())
            .map_err(|e| format!("writing the output: {e}"))?;
        if let Some(file) = &sync_out {
            file.sync_data()
                .map_err(|e| format!("syncing the output: {e}"))?;
        }
        rows = page.rows_before + page.nodes.len() as u64;
        last_page = page.number;
        total = page.total_count.or(total);
        progress.page(last_page, rows, total);
    }
    progress.bar.finish_and_clear();
    eprintln!("done: {}", progress.line(last_page, rows, total));
    Ok(())
}

/// The output file: appended to when resuming (after cutting a line a
/// kill left half-written), truncated otherwise.
fn open_out(path: &PathBuf, resuming: bool) -> std::io::Result<File> {
    if !resuming {
        return File::create(path);
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let mut end = file.seek(SeekFrom::End(0))?;
    let mut chunk = [0u8; 4096];
    // Back to just after the last newline.
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        file.seek(SeekFrom::Start(start))?;
        let part = &mut chunk[..(end - start) as usize];
        file.read_exact(part)?;
        if let Some(newline) = part.iter().rposition(|b| *b == b'\n') {
            end = start + newline as u64 + 1;
            break;
        }
        end = start;
    }
    file.set_len(end)?;
    file.seek(SeekFrom::End(0))?;
    Ok(file)
}
