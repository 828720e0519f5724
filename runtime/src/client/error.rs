//! What can end a walk, and the GraphQL errors a server reports.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One entry of a response's `errors`, as the GraphQL spec shapes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphqlError {
    /// The server's message.
    pub message: String,
    /// Where in `data` the error happened (`["articles", "nodes", 3, "title"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<PathSegment>>,
    /// Server-specific details, e.g. `{"code": "PAGE_SIZE_OUT_OF_RANGE"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<serde_json::Value>,
}

/// One step of a [`GraphqlError::path`]: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A field (or alias).
    Field(String),
    /// A position in a list.
    Index(u64),
}

impl fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(path) = &self.path {
            f.write_str(" (at ")?;
            for (i, segment) in path.iter().enumerate() {
                if i > 0 {
                    f.write_str(".")?;
                }
                match segment {
                    PathSegment::Field(name) => f.write_str(name)?,
                    PathSegment::Index(index) => write!(f, "{index}")?,
                }
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// The errors of one response, shown one after another.
struct Listed<'a>(&'a [GraphqlError]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Why a walk (or a client's setup) failed. Every variant names the page,
/// size, cursor or setting at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A setting was refused before any request was made.
    #[error("invalid client setting `{setting}`: {reason}")]
    Config {
        /// The builder method or option at fault.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered `errors` and no data for page `page`.
    #[error(
        "page {page}: the server answered errors and no data: {}",
        Listed(errors)
    )]
    Graphql {
        /// The page being fetched (1 is the first of the walk).
        page: u64,
        /// The server's errors.
        errors: Vec<GraphqlError>,
    },
    /// The server refused the page size (`first: 101` where it allows 100).
    #[error(
        "the server refused page size {size} (`{argument}`): {message}; pass a smaller page size"
    )]
    PageSizeRefused {
        /// The page size sent.
        size: u32,
        /// The variable it was sent in (`first` or `last`).
        argument: String,
        /// The server's message.
        message: String,
    },
    /// Page `page` held data and errors, and the policy is [`PartialPolicy::Fail`](super::PartialPolicy::Fail).
    #[error("page {page}: partial data with errors: {}", Listed(errors))]
    Partial {
        /// The page number.
        page: u64,
        /// The errors, with their paths.
        errors: Vec<GraphqlError>,
    },
    /// `hasNextPage` (`hasPreviousPage` backwards) was true but the cursor to
    /// go on from was null: following it would restart the walk.
    #[error("page {page}: `{flag}` is true but `{cursor_field}` is null, so the walk cannot go on")]
    NullCursor {
        /// The page number.
        page: u64,
        /// `hasNextPage` or `hasPreviousPage`.
        flag: &'static str,
        /// `endCursor` or `startCursor`.
        cursor_field: &'static str,
    },
    /// The server handed out a cursor the walk had already followed: going
    /// on would loop.
    #[error("page {page}: the server returned cursor {cursor:?} again; the walk would loop")]
    RepeatedCursor {
        /// The page number.
        page: u64,
        /// The cursor seen twice.
        cursor: String,
    },
    /// The response did not hold the connection where it was looked for.
    #[error("page {page}: {reason}")]
    ConnectionNotFound {
        /// The page number.
        page: u64,
        /// What was found instead.
        reason: String,
    },
    /// An HTTP status that is not retried (4xx other than 429), with the
    /// start of the body.
    #[error("HTTP {status} from {url}: {body}")]
    Http {
        /// The status code.
        status: u16,
        /// The endpoint.
        url: String,
        /// The body, cut to 500 bytes.
        body: String,
    },
    /// Retries ran out (count or time budget, see [`RetryPolicy`](super::RetryPolicy)).
    #[error("gave up after {attempts} attempts in {elapsed:.1?}: {last}")]
    RetriesExhausted {
        /// Requests made for this page.
        attempts: u32,
        /// Time spent on them.
        elapsed: Duration,
        /// The last failure, and why no further retry was made.
        last: String,
    },
    /// The body was not a GraphQL response.
    #[error("page {page}: the response is not a GraphQL response: {reason}")]
    InvalidResponse {
        /// The page number.
        page: u64,
        /// What was wrong.
        reason: String,
    },
    /// A node (or `pageInfo`) did not deserialize into the requested type.
    #[error("page {page}: cannot read `{what}`: {source}")]
    Deserialize {
        /// The page number.
        page: u64,
        /// `pageInfo`, `nodes[3]`, ...
        what: String,
        /// serde's error.
        source: serde_json::Error,
    },
    /// Reading or writing the checkpoint failed.
    #[error("checkpoint {}: {source}", path.display())]
    CheckpointIo {
        /// The checkpoint file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The checkpoint is not one this walk wrote.
    #[error("checkpoint {}: {reason}", path.display())]
    CheckpointRefused {
        /// The checkpoint file.
        path: PathBuf,
        /// Why it cannot be resumed from.
        reason: String,
    },
}
