//! Why a page or count was not fetched: [`FetchError`], and
//! [`UnsupportedValue`] for a value the database has no type for.

use super::storage::KeyStorageError;
use crate::cursor::Value;
use crate::error::PageError;
use crate::query::CursorArg;
use crate::sql::{Dialect, NotPastCursor, PagePlan, RowError};

/// A key value the database has no type for, e.g. a `u128` beyond `i64` on
/// SQLite or PostgreSQL, or [`Value::Null`] (NULL keys are matched with
/// `IS NULL`, never bound). Refused before anything is sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("a pagination key value cannot be bound as a {dialect:?} parameter: {value:?}")]
#[non_exhaustive]
pub struct UnsupportedValue {
    /// The database's dialect.
    pub dialect: Dialect,
    /// The value refused.
    pub value: Value,
    /// The page argument whose cursor holds the value (`"after"` or
    /// `"before"`), when the value came from one.
    pub argument: Option<&'static str>,
    /// The key whose range ([`Select::range`](super::Select::range)) holds the value, when the
    /// value came from one: the field's name.
    pub range: Option<&'static str>,
}

impl UnsupportedValue {
    /// Names the cursor argument of `plan` that holds the refused value.
    /// Only runs on the error path, so reading the cursors' values again
    /// costs nothing on a good request.
    pub(super) fn blame<R: 'static>(mut self, plan: &PagePlan<R>) -> Self {
        // By bits for floats: the refused value may be a NaN, which `==`
        // never finds.
        let same = |v: &Value| match (v, &self.value) {
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        };
        self.argument = [CursorArg::After, CursorArg::Before]
            .into_iter()
            .find(|&arg| plan.cursor_values(arg).is_some_and(|v| v.iter().any(same)))
            .map(CursorArg::name);
        self
    }
}

/// Why a page or count could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The page arguments were refused (show this one to the client).
    #[error(transparent)]
    Page(#[from] PageError),
    /// A cursor's key value has no type in this database.
    #[error(transparent)]
    UnsupportedValue(#[from] UnsupportedValue),
    /// [`fetch_page`](super::fetch_page) was called for a type without `#[paginate(table = "...")]`.
    #[error("`{type_name}` has no `#[paginate(table = \"...\")]` to select from")]
    NoTable {
        /// The row type.
        type_name: &'static str,
    },
    /// The database refused a query or failed.
    #[error(transparent)]
    Database(#[from] ::sqlx::Error),
    /// The database returned the cursor's own row again: it does not
    /// compare the bound key values as it orders the column (a key column
    /// that stores another type than its field's). A server-side fault,
    /// refused rather than handed out as a page that would repeat.
    #[error(transparent)]
    NotPastCursor(#[from] NotPastCursor),
    /// A key column stores its values in another form than keypage binds
    /// for the key field's type (a `DateTime<Utc>` key over unix seconds,
    /// say), so pages would repeat or lose rows. Detected on every page,
    /// the first included, before any row is handed out. A server-side
    /// fault: fix the column or the field's type as the message says.
    #[error(transparent)]
    KeyStorage(#[from] KeyStorageError),
}

impl From<RowError> for FetchError {
    fn from(e: RowError) -> Self {
        match e {
            RowError::NotPastCursor(e) => FetchError::NotPastCursor(e),
            // Shown to the client as the page's error, `KEY_TOO_LONG`.
            RowError::KeyTooLong(e) => FetchError::Page(e.into()),
        }
    }
}
