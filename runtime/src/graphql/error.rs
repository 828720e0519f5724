//! [`PageError`] and [`CursorError`] as GraphQL errors with a stable
//! `extensions.code`.
//!
//! async-graphql converts any `Display` type into an [`Error`] with a bare
//! message (a blanket `From`), which would drop the code; so the conversion
//! is [`ErrorExtensions::extend`], which the connection entry points call.

use async_graphql::{Error, ErrorExtensionValues, ErrorExtensions};

use crate::error::{CursorError, PageError};

/// `PAGE_SIZE_OUT_OF_RANGE`, ... as `extensions.code`, the argument at fault
/// as `extensions.argument`, and the `Display` text (which names the
/// argument and the allowed range) as the message.
///
/// ```
/// use keypage_runtime::graphql::async_graphql::{ErrorExtensions as _, Value};
/// use keypage_runtime::PageError;
///
/// let err = PageError::PageSizeOutOfRange { argument: "first", value: 500, max: 100 }.extend();
/// assert_eq!(err.message, "`first` must be between 0 and 100, got 500");
/// let extensions = err.extensions.unwrap();
/// assert_eq!(extensions.get("code"), Some(&Value::from("PAGE_SIZE_OUT_OF_RANGE")));
/// assert_eq!(extensions.get("argument"), Some(&Value::from("first")));
/// ```
impl ErrorExtensions for PageError {
    fn extend(&self) -> Error {
        coded(self.clone(), self.code(), self.argument())
    }
}

/// `INVALID_CURSOR`, or `CURSOR_ORDER_MISMATCH` for a cursor of another
/// ordering, as `extensions.code`; for a cursor decoded outside the page
/// arguments (the page arguments' own errors are [`PageError`]s, which also
/// name the argument).
impl ErrorExtensions for CursorError {
    fn extend(&self) -> Error {
        let code = match self {
            CursorError::OrderingMismatch => "CURSOR_ORDER_MISMATCH",
            _ => "INVALID_CURSOR",
        };
        coded(self.clone(), code, None)
    }
}

/// An error whose message is `source`'s `Display`, with `code` and, if
/// given, `argument` as extensions. The source is kept for server-side
/// logging; clients only see the message and the extensions.
pub(crate) fn coded<E>(source: E, code: &str, argument: Option<&str>) -> Error
where
    E: core::fmt::Display + Send + Sync + 'static,
{
    let mut error = Error::new_with_source(source);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    if let Some(argument) = argument {
        extensions.set("argument", argument);
    }
    error.extensions = Some(extensions);
    error
}
