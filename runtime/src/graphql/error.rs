//! keypage's errors as GraphQL errors with a stable `extensions.code`:
//! [`PageError`] and [`CursorError`] with their own codes, and (with a SQL
//! feature) `FetchError`, whose database failures become a bare
//! `internal error` (code `INTERNAL`).
//!
//! async-graphql converts any `Display` type into an [`Error`] with a bare
//! message (a blanket `From`), which would drop the code and, for a
//! database error, show its SQL; so the conversion is
//! [`ErrorExtensions::extend`], and the connection entry points take
//! errors through [`IntoGraphqlError`], which has no blanket
//! implementation.

use async_graphql::{Error, ErrorExtensionValues, ErrorExtensions};

use crate::error::{Code, CursorError, PageError};

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
        coded(self.clone(), self.error_code(), self.argument())
    }
}

/// `INVALID_CURSOR`, or `CURSOR_ORDER_MISMATCH` for a cursor of another
/// ordering and `CURSOR_FILTER_MISMATCH` for one of other filters, as
/// `extensions.code`; for a cursor decoded outside the page
/// arguments (the page arguments' own errors are [`PageError`]s, which also
/// name the argument).
impl ErrorExtensions for CursorError {
    fn extend(&self) -> Error {
        coded(self.clone(), self.code(), None)
    }
}

/// How an error returned by a data source given to
/// [`ConnectionRequest::fetch`](super::ConnectionRequest::fetch) or
/// [`ConnectionRequest::total_count`](super::ConnectionRequest::total_count)
/// becomes the GraphQL error the client sees.
///
/// Deliberately not implemented for every `Display` type, as
/// async-graphql's `From` is: that would put a database error's text (its
/// SQL, the driver's message) in front of the client. keypage's own errors
/// convert with their codes (a database failure as `internal error`, code
/// `INTERNAL`, the cause kept as the error's `source` for your log); for
/// your own error type, build the [`Error`] yourself or implement this
/// trait.
///
/// ```
/// use keypage_runtime::graphql::IntoGraphqlError;
/// use keypage_runtime::graphql::async_graphql::Error;
///
/// enum StoreError { Timeout, Corrupt(String) }
///
/// impl IntoGraphqlError for StoreError {
///     fn into_graphql_error(self) -> Error {
///         match self {
///             StoreError::Timeout => Error::new("the store timed out; try again"),
///             StoreError::Corrupt(_) => Error::new("internal error"), // details stay on the server
///         }
///     }
/// }
/// ```
pub trait IntoGraphqlError {
    /// The error the client sees.
    fn into_graphql_error(self) -> Error;
}

/// Already a GraphQL error: as it is.
impl IntoGraphqlError for Error {
    fn into_graphql_error(self) -> Error {
        self
    }
}

/// For data sources that cannot fail.
impl IntoGraphqlError for core::convert::Infallible {
    fn into_graphql_error(self) -> Error {
        match self {}
    }
}

/// With its code and argument, as [`ErrorExtensions::extend`].
impl IntoGraphqlError for PageError {
    fn into_graphql_error(self) -> Error {
        self.extend()
    }
}

/// With its code, as [`ErrorExtensions::extend`].
impl IntoGraphqlError for CursorError {
    fn into_graphql_error(self) -> Error {
        self.extend()
    }
}

/// An error whose message is `source`'s `Display`, with `code` and, if
/// given, `argument` as extensions. The source is kept for server-side
/// logging; clients only see the message and the extensions.
pub(crate) fn coded<E>(source: E, code: Code, argument: Option<&str>) -> Error
where
    E: core::fmt::Display + Send + Sync + 'static,
{
    let mut error = Error::new_with_source(source);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code.as_str());
    if let Some(argument) = argument {
        extensions.set("argument", argument);
    }
    error.extensions = Some(extensions);
    error
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod fetch {
    use std::sync::Arc;

    use async_graphql::{Error, ErrorExtensionValues, ErrorExtensions};

    use super::{IntoGraphqlError, coded};
    use crate::error::Code;
    use crate::sql::sqlx::FetchError;

    /// What a client may see of a [`FetchError`]:
    ///
    /// * [`FetchError::Page`]: the [`PageError`](crate::PageError)'s own
    ///   code and message;
    /// * [`FetchError::UnsupportedValue`]: `INVALID_CURSOR`, with the
    ///   argument at fault (a cursor holding a key value the database has no
    ///   type for can only have been forged), or `INVALID_RANGE` for a range
    ///   bound the database cannot compare, naming the key;
    /// * anything else (the database failed, or the type has no table):
    ///   the message `internal error` with code `INTERNAL`, and the error's
    ///   text as the [`source`](Error::source) for the server's log only, so
    ///   no SQL, table name or driver detail reaches the client.
    ///
    /// Convert with `.map_err(|e| e.extend())`, not `?`: async-graphql turns
    /// any `Display` error into a GraphQL error carrying its text, which for
    /// a database error is SQL and driver detail.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use keypage_runtime::graphql::async_graphql::{ErrorExtensions as _, Value};
    /// use keypage_runtime::sql::sqlx::FetchError;
    ///
    /// let err = FetchError::Database(sqlx::Error::Protocol("SELECT secret FROM t".into())).extend();
    /// assert_eq!(err.message, "internal error");
    /// assert_eq!(err.extensions.unwrap().get("code"), Some(&Value::from("INTERNAL")));
    /// let logged = err.source.unwrap();
    /// assert!(logged.downcast_ref::<String>().unwrap().contains("SELECT secret"));
    /// # }
    /// ```
    impl ErrorExtensions for FetchError {
        fn extend(&self) -> Error {
            client_error(self).unwrap_or_else(|| internal(Arc::new(self.to_string())))
        }
    }

    /// As [`FetchError::extend`](ErrorExtensions::extend), keeping the
    /// `FetchError` itself (not only its text) as the `source` of an
    /// `INTERNAL` error, for the server's log.
    impl IntoGraphqlError for FetchError {
        fn into_graphql_error(self) -> Error {
            client_error(&self).unwrap_or_else(|| internal(Arc::new(self)))
        }
    }

    /// As for [`FetchError`], for a loader's shared error (one batch's
    /// failure, handed to each of its keys).
    impl IntoGraphqlError for Arc<FetchError> {
        fn into_graphql_error(self) -> Error {
            client_error(&self).unwrap_or_else(|| internal(self))
        }
    }

    /// The error a client may see in full, with its code, or `None` for an
    /// internal failure: the one place that decides which is which.
    fn client_error(error: &FetchError) -> Option<Error> {
        match error {
            FetchError::Page(e) => Some(e.extend()),
            FetchError::UnsupportedValue(e) => Some(match e.range {
                Some(key) => coded(
                    format!("the range on `{key}` holds a value out of range for this key"),
                    Code::InvalidRange,
                    None,
                ),
                None => unsupported(e.argument),
            }),
            _ => None,
        }
    }

    fn unsupported(argument: Option<&'static str>) -> Error {
        let message = match argument {
            Some(argument) => {
                format!("`{argument}` is not a valid cursor: it holds a key value out of range")
            }
            None => "a cursor holds a key value out of range".to_owned(),
        };
        coded(message, Code::InvalidCursor, argument)
    }

    fn internal(source: Arc<dyn core::any::Any + Send + Sync>) -> Error {
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", Code::Internal.as_str());
        Error {
            message: "internal error".to_owned(),
            source: Some(source),
            extensions: Some(extensions),
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use async_graphql::Value;

    use super::IntoGraphqlError;
    use crate::sql::sqlx::FetchError;

    /// A range bound the database cannot bind names the key, as
    /// `INVALID_RANGE`.
    #[test]
    fn unbindable_range_bounds_name_their_key() {
        use crate::sql::sqlx::Select;
        use crate::{KeyColumn, KeyRange};

        let k = KeyColumn::<f64, f64>::__from_derive("score", "score", |r| Some(r));
        let select =
            Select::<sqlx::Sqlite>::new("score", "t").range(k, KeyRange::default().gt(f64::NAN));
        let Err(e) = select.page_query(&crate::sql::PagePlan::new(
            crate::PageArgs::first(1)
                .validate::<crate::doc_support::RowCursor>()
                .unwrap(),
        )) else {
            panic!("a NaN bound on SQLite")
        };
        let error = FetchError::UnsupportedValue(e).into_graphql_error();
        assert_eq!(
            error.message,
            "the range on `score` holds a value out of range for this key"
        );
        let extensions = error.extensions.unwrap();
        assert_eq!(extensions.get("code"), Some(&Value::from("INVALID_RANGE")));
        assert_eq!(extensions.get("argument"), None);
    }

    /// The owned conversion keeps the `FetchError` itself as the source (the
    /// example server logs it from there) and shows the client nothing of it.
    #[test]
    fn internal_errors_keep_their_cause_for_the_log() {
        let cause = FetchError::Database(sqlx::Error::Protocol("SELECT secret FROM t".into()));
        let error = cause.into_graphql_error();
        assert_eq!(error.message, "internal error");
        let code = error.extensions.as_ref().and_then(|e| e.get("code"));
        assert_eq!(code, Some(&Value::from("INTERNAL")));
        let source = error.source.expect("a source");
        let kept = source
            .downcast_ref::<FetchError>()
            .expect("the FetchError itself");
        assert!(kept.to_string().contains("SELECT secret"));
    }
}
