//! The walk: a stream of a connection's pages, one request each, following
//! the cursors with the guards that keep it from looping, and checkpoints.

use std::collections::HashSet;
use std::path::PathBuf;

use futures_util::stream::{self, Stream, TryStreamExt as _};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::checkpoint::{self, Saved};
use super::config::PartialPolicy;
use super::error::ClientError;
use super::page::{self, Page, Reading};
use super::transport::Client;

/// A walk of one Relay connection, configured by its methods and run by
/// [`pages`](Self::pages) or [`nodes`](Self::nodes). Start one with
/// [`Client::walk`].
///
/// The query takes the page size and the cursor as variables, `$first` and
/// `$after` (forward, the default) or `$last` and `$before`
/// ([`backward`](Self::backward)), and selects `pageInfo { hasNextPage
/// endCursor }` (backwards `hasPreviousPage startCursor`) and `nodes` or
/// `edges { node }` on the connection. The connection is the one object of
/// the response with a `pageInfo` (or name it with
/// [`connection`](Self::connection)).
///
/// The walk ends with an error, rather than looping or restarting, when the
/// server says there is more but gives a null cursor, gives a cursor the
/// walk already followed, or refuses the page size.
#[must_use]
pub struct Walk {
    client: Client,
    query: String,
    operation_name: Option<String>,
    variables: Map<String, Value>,
    invalid: Option<ClientError>,
    page_size: u32,
    backward: bool,
    names: Option<(String, String)>,
    connection: Option<Vec<String>>,
    checkpoint: Option<PathBuf>,
    partial: PartialPolicy,
    start: Option<String>,
}

impl Walk {
    pub(crate) fn new(client: Client, query: String) -> Walk {
        Walk {
            client,
            query,
            operation_name: None,
            variables: Map::new(),
            invalid: None,
            page_size: 100,
            backward: false,
            names: None,
            connection: None,
            checkpoint: None,
            partial: PartialPolicy::default(),
            start: None,
        }
    }

    /// The query's other variables: anything serializing to an object (a
    /// `serde_json::json!({..})`, or a graphql_client `Variables` struct,
    /// whose page size and cursor fields the walk overwrites).
    pub fn variables(mut self, variables: &impl Serialize) -> Self {
        match serde_json::to_value(variables) {
            Ok(Value::Object(fields)) => self.variables.extend(fields),
            Ok(Value::Null) => {}
            Ok(other) => self.invalidate("variables", format!("not an object: {other}")),
            Err(e) => self.invalidate("variables", e.to_string()),
        }
        self
    }

    /// Sets one variable.
    pub fn variable(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => {
                self.variables.insert(name.into(), value);
            }
            Err(e) => self.invalidate("variable", e.to_string()),
        }
        self
    }

    /// The operation to run, for a document with several.
    pub fn operation_name(mut self, name: impl Into<String>) -> Self {
        self.operation_name = Some(name.into());
        self
    }

    /// Rows per page, 100 by default (GitHub's maximum; Shopify allows
    /// 250). A size the server refuses ends the walk with
    /// [`ClientError::PageSizeRefused`]; it is never lowered silently.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Walks from the end: `$last`/`$before`, following `startCursor` while
    /// `hasPreviousPage`. Pages come last first; [`nodes`](Self::nodes)
    /// yields the nodes last first too.
    pub fn backward(mut self) -> Self {
        self.backward = true;
        self
    }

    /// The names of the page-size and cursor variables, when the query
    /// does not call them `first`/`after` (or `last`/`before`).
    pub fn variable_names(mut self, size: impl Into<String>, cursor: impl Into<String>) -> Self {
        self.names = Some((size.into(), cursor.into()));
        self
    }

    /// Where the connection is in `data`, as field names (or aliases):
    /// `["viewer", "repositories"]`. Needed only when the response has
    /// several objects with a `pageInfo` at the top.
    pub fn connection<S: Into<String>>(mut self, path: impl IntoIterator<Item = S>) -> Self {
        self.connection = Some(path.into_iter().map(Into::into).collect());
        self
    }

    /// Keeps the walk's position in `file`: resumes from it when it exists
    /// (refusing one written by another query, variables or direction),
    /// rewrites it atomically after each page has been handed on, and
    /// deletes it when the walk completes. At-least-once: a walk killed at
    /// any moment and resumed loses no row and repeats at most one page.
    pub fn checkpoint(mut self, file: impl Into<PathBuf>) -> Self {
        self.checkpoint = Some(file.into());
        self
    }

    /// What to do with a page that has data and errors; ending the walk by default.
    pub fn on_partial(mut self, policy: PartialPolicy) -> Self {
        self.partial = policy;
        self
    }

    /// Starts after (backwards: before) `cursor` instead of at the start
    /// (end): the rest of a connection whose first page came otherwise.
    pub fn starting_at(mut self, cursor: impl Into<String>) -> Self {
        self.start = Some(cursor.into());
        self
    }

    fn invalidate(&mut self, setting: &'static str, reason: String) {
        self.invalid
            .get_or_insert(ClientError::Config { setting, reason });
    }

    /// The walk's pages, in the order walked, each one request; ends after
    /// the last page, or with the first error.
    pub fn pages<N>(self) -> impl Stream<Item = Result<Page<N>, ClientError>> + Send + 'static
    where
        N: DeserializeOwned + Send + 'static,
    {
        stream::unfold(Walker::new(self), |mut walker| async move {
            let item = walker.next_page().await.transpose()?;
            if item.is_err() {
                walker.finished = true;
            }
            Some((item, walker))
        })
    }

    /// The walk's nodes, in the order walked: a forward walk's in the
    /// connection's order, a backward walk's from the last one to the first.
    pub fn nodes<N>(self) -> impl Stream<Item = Result<N, ClientError>> + Send + 'static
    where
        N: DeserializeOwned + Send + 'static,
    {
        let backward = self.backward;
        self.pages::<N>()
            .map_ok(move |page| {
                let mut nodes = page.nodes;
                if backward {
                    nodes.reverse();
                }
                stream::iter(nodes.into_iter().map(Ok))
            })
            .try_flatten()
    }
}

/// A walk in progress.
struct Walker {
    walk: Walk,
    size_variable: String,
    cursor_variable: String,
    fingerprint: String,
    started: bool,
    /// The stream has ended (an error, or the end of the walk).
    finished: bool,
    /// The last page has been handed on.
    completed: bool,
    cursor: Option<String>,
    seen: HashSet<String>,
    pages: u64,
    rows: u64,
    path: Option<Vec<String>>,
    /// The checkpoint to write once the consumer asks for the next page
    /// (so after it has dealt with the last one).
    pending: Option<Saved>,
}

impl Walker {
    fn new(walk: Walk) -> Walker {
        let (size, cursor) = walk.names.clone().unwrap_or_else(|| {
            let (size, cursor) = if walk.backward {
                ("last", "before")
            } else {
                ("first", "after")
            };
            (size.to_owned(), cursor.to_owned())
        });
        let mut other = walk.variables.clone();
        other.remove(&size);
        other.remove(&cursor);
        let direction = if walk.backward { "backward" } else { "forward" };
        let fingerprint = checkpoint::fingerprint(
            &walk.query,
            &json!({ "variables": other, "operation": walk.operation_name, "start": walk.start }),
            direction,
            walk.connection.as_deref().unwrap_or_default(),
        );
        Walker {
            cursor: walk.start.clone(),
            path: walk.connection.clone(),
            walk,
            size_variable: size,
            cursor_variable: cursor,
            fingerprint,
            started: false,
            finished: false,
            completed: false,
            seen: HashSet::new(),
            pages: 0,
            rows: 0,
            pending: None,
        }
    }

    /// Checks the settings and resumes from the checkpoint.
    fn start(&mut self) -> Result<(), ClientError> {
        if let Some(invalid) = self.walk.invalid.take() {
            return Err(invalid);
        }
        if self.walk.page_size == 0 || i32::try_from(self.walk.page_size).is_err() {
            return Err(ClientError::Config {
                setting: "page_size",
                reason: format!(
                    "must be between 1 and {} (a GraphQL Int), got {}",
                    i32::MAX,
                    self.walk.page_size
                ),
            });
        }
        if let Some(file) = &self.walk.checkpoint
            && let Some(saved) = checkpoint::load(file, &self.fingerprint)?
        {
            self.seen.insert(saved.cursor.clone());
            self.cursor = Some(saved.cursor);
            self.pages = saved.pages;
            self.rows = saved.rows;
        }
        Ok(())
    }

    async fn next_page<N: DeserializeOwned>(&mut self) -> Result<Option<Page<N>>, ClientError> {
        if self.finished {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.start()?;
        }
        // The consumer asks for the next page, so it is done with the last
        // one: now its position may be recorded (or the walk's file go).
        if self.completed {
            self.finished = true;
            if let Some(file) = self.walk.checkpoint.clone() {
                blocking(move || checkpoint::remove(&file)).await?;
            }
            return Ok(None);
        }
        if let (Some(saved), Some(file)) = (self.pending.take(), self.walk.checkpoint.clone()) {
            blocking(move || checkpoint::save(&file, &saved)).await?;
        }
        let number = self.pages + 1;
        let (json, retries) = self.walk.client.post(self.request_body(), number).await?;
        let reading = Reading {
            page: number,
            size: self.walk.page_size,
            size_variable: &self.size_variable,
            path: self.path.as_deref(),
            partial: &self.walk.partial,
        };
        let (mut page, path) = page::read::<N>(json, &reading)?;
        page.retries = retries;
        page.rows_before = self.rows;
        self.path = Some(path);
        self.pages = number;
        self.rows += page.nodes.len() as u64;
        match self.next_cursor(&page)? {
            Some(cursor) => {
                self.pending = self.walk.checkpoint.as_ref().map(|_| Saved {
                    format: checkpoint::FORMAT.to_owned(),
                    fingerprint: self.fingerprint.clone(),
                    cursor: cursor.clone(),
                    pages: self.pages,
                    rows: self.rows,
                });
                self.cursor = Some(cursor);
            }
            None => self.completed = true,
        }
        Ok(Some(page))
    }

    /// The cursor to go on from, `None` at the end of the connection.
    fn next_cursor<N>(&mut self, page: &Page<N>) -> Result<Option<String>, ClientError> {
        let info = &page.page_info;
        let (more, cursor, flag, cursor_field) = if self.walk.backward {
            (
                info.has_previous_page,
                &info.start_cursor,
                "hasPreviousPage",
                "startCursor",
            )
        } else {
            (
                info.has_next_page,
                &info.end_cursor,
                "hasNextPage",
                "endCursor",
            )
        };
        let Some(more) = more else {
            return Err(ClientError::ConnectionNotFound {
                page: page.number,
                reason: format!(
                    "`pageInfo` does not select `{flag}`; select `{flag} {cursor_field}`"
                ),
            });
        };
        if !more {
            return Ok(None);
        }
        let Some(cursor) = cursor.clone() else {
            return Err(ClientError::NullCursor {
                page: page.number,
                flag,
                cursor_field,
            });
        };
        if !self.seen.insert(cursor.clone()) {
            return Err(ClientError::RepeatedCursor {
                page: page.number,
                cursor,
            });
        }
        Ok(Some(cursor))
    }

    fn request_body(&self) -> Vec<u8> {
        let mut variables = self.walk.variables.clone();
        variables.insert(self.size_variable.clone(), self.walk.page_size.into());
        variables.insert(
            self.cursor_variable.clone(),
            self.cursor.clone().map_or(Value::Null, Value::String),
        );
        let mut body = json!({ "query": self.walk.query, "variables": variables });
        if let Some(name) = &self.walk.operation_name {
            body["operationName"] = name.clone().into();
        }
        body.to_string().into_bytes()
    }
}

/// Runs file I/O off the async workers.
async fn blocking(
    work: impl FnOnce() -> Result<(), ClientError> + Send + 'static,
) -> Result<(), ClientError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(ClientError::Config {
            setting: "checkpoint",
            reason: format!("the writing task failed: {e}"),
        })
    })
}
