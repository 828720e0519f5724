//! [`Relation`]: a child row type's foreign key to its parent, declared by
//! `#[paginate(parent)]` on the field, for nested connections.

use core::fmt;
use core::marker::PhantomData;

/// The rows of `R` that belong to one parent: `R`'s column holding the
/// parent's key, of type `P`. The derive's `Article::by_author_id()` for a
/// field `#[paginate(parent)] author_id: i64` (the column from
/// `#[paginate(column = "...")]` or the field's name), so the column name is
/// compile-time text, never input.
///
/// A batch of parents' pages ([`Select::fetch_children`]) filters each
/// parent's rows with `column = <the parent's key, bound>`.
///
/// [`Select::fetch_children`]: crate::sql::sqlx::Select::fetch_children
pub struct Relation<R, P> {
    field: &'static str,
    column: &'static str,
    types: PhantomData<fn() -> (R, P)>,
}

impl<R, P> Relation<R, P> {
    /// Not public API: what the derive emits for `#[paginate(parent)]`.
    #[doc(hidden)]
    #[must_use]
    pub const fn __from_derive(field: &'static str, column: &'static str) -> Self {
        Relation {
            field,
            column,
            types: PhantomData,
        }
    }

    /// The field of `R` holding the parent's key.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        self.field
    }

    /// The SQL column of that field (unquoted).
    #[must_use]
    pub const fn column(&self) -> &'static str {
        self.column
    }
}

impl<R, P> Clone for Relation<R, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R, P> Copy for Relation<R, P> {}

impl<R, P> fmt::Debug for Relation<R, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relation")
            .field("field", &self.field)
            .field("column", &self.column)
            .finish()
    }
}
