//! async-graphql 7 integration (feature `graphql`): Relay connections with
//! validated arguments, coded errors and a lazy `totalCount`.
//!
//! Documented where users reach it, as `keypage::graphql`: the items the
//! derive generates for it, `#[keypage::connections]`, the error codes.

mod connection;
mod error;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod nested;
mod params;
mod range;

pub use async_graphql;

pub use connection::{
    Connection, ConnectionName, ConnectionRequest, EdgeName, SharedCounts, TotalCount,
    TotalCountMode,
};
pub use error::IntoGraphqlError;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use nested::{ChildCounts, ChildKey, ChildPage, ChildPages, LoadOne, ParentKey};
pub use params::FromConnectionArgs;
