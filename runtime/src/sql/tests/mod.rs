//! The SQL layer's tests against the fixture every runtime SQL test shares
//! (`runtime/tests/common`): here, inside the crate, because they check
//! the predicate builder (`KeyBound`, its shapes and parts), which is not
//! public API.

#[macro_use]
#[path = "../../../tests/common/mod.rs"]
mod common;

mod render;
#[cfg(feature = "sqlite")]
mod sqlite;
