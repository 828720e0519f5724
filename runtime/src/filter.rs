//! Range filters on an ordering's keys: [`KeyRange`], the bounds a client
//! sends (`createdAt: { gte: 1700000000, lt: 1710000000 }`), and
//! [`KeyColumn`], the key they bound, which the derive names for each sort
//! key (`Article::created_at_column()`).

use core::fmt;

use crate::cursor::{CursorValue, Value};
use crate::sql::Relation;

/// The values of one key a filter keeps: strictly above `gt`, at or above
/// `gte`, strictly below `lt`, at or below `lte`, each bound optional and
/// all of them together (`gt` and `gte` both given keep what is above
/// both). No bound keeps every row, NULLs included; any bound drops the
/// rows whose key is NULL, as SQL's comparisons do.
///
/// In SQL ([`Select::range`](crate::sql::sqlx::Select::range)) the bounds
/// are conditions on the key's column, bound as parameters and compared by
/// the database under the column's collation, in the page statement and
/// the count alike: with the ordering's index they narrow its seek. Over a
/// slice, [`KeyColumn::contains`] compares by Rust's order, as the slice
/// backend orders.
///
/// With the `graphql` feature it is a GraphQL input object named after
/// the key's scalar (`IntRange`, `StringRange`, `DateTimeRange`, ...), with
/// the fields `gt`, `gte`, `lt`, `lte`.
///
/// ```
/// use keypage_runtime::KeyRange;
///
/// let recent = KeyRange::default().gte(100).lt(200);
/// assert!(recent.contains(&100) && recent.contains(&199));
/// assert!(!recent.contains(&99) && !recent.contains(&200));
/// assert!(KeyRange::<i64>::default().is_unbounded());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct KeyRange<T> {
    /// Keep values strictly greater than this.
    pub gt: Option<T>,
    /// Keep values greater than or equal to this.
    pub gte: Option<T>,
    /// Keep values strictly less than this.
    pub lt: Option<T>,
    /// Keep values less than or equal to this.
    pub lte: Option<T>,
}

/// A comparison of a [`KeyRange`] bound, as SQL writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code)
)]
pub(crate) enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Comparison {
    /// The bound's name, as `KeyRange`'s field and the GraphQL input's.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Comparison::Gt => "gt",
            Comparison::Gte => "gte",
            Comparison::Lt => "lt",
            Comparison::Lte => "lte",
        }
    }

    /// The SQL operator, spaced for the builder.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(dead_code)
    )]
    pub(crate) const fn sql(self) -> &'static str {
        match self {
            Comparison::Gt => " > ",
            Comparison::Gte => " >= ",
            Comparison::Lt => " < ",
            Comparison::Lte => " <= ",
        }
    }
}

impl<T> KeyRange<T> {
    /// The range with `gt` set.
    #[must_use]
    pub fn gt(mut self, value: T) -> Self {
        self.gt = Some(value);
        self
    }

    /// The range with `gte` set.
    #[must_use]
    pub fn gte(mut self, value: T) -> Self {
        self.gte = Some(value);
        self
    }

    /// The range with `lt` set.
    #[must_use]
    pub fn lt(mut self, value: T) -> Self {
        self.lt = Some(value);
        self
    }

    /// The range with `lte` set.
    #[must_use]
    pub fn lte(mut self, value: T) -> Self {
        self.lte = Some(value);
        self
    }

    /// Whether no bound is set: the range keeps every row.
    pub fn is_unbounded(&self) -> bool {
        self.bounds().next().is_none()
    }

    /// Whether `value` is within every bound, by Rust's order (a NaN is in
    /// no bounded range).
    pub fn contains(&self, value: &T) -> bool
    where
        T: PartialOrd,
    {
        self.bounds().all(|(comparison, bound)| match comparison {
            Comparison::Gt => value > bound,
            Comparison::Gte => value >= bound,
            Comparison::Lt => value < bound,
            Comparison::Lte => value <= bound,
        })
    }

    /// The bounds set, in the order `gt`, `gte`, `lt`, `lte`.
    pub(crate) fn bounds(&self) -> impl Iterator<Item = (Comparison, &T)> {
        [
            (Comparison::Gt, &self.gt),
            (Comparison::Gte, &self.gte),
            (Comparison::Lt, &self.lt),
            (Comparison::Lte, &self.lte),
        ]
        .into_iter()
        .filter_map(|(comparison, bound)| bound.as_ref().map(|b| (comparison, b)))
    }

    /// The bounds as the values SQL binds.
    #[cfg_attr(
        not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(dead_code)
    )]
    pub(crate) fn values(&self) -> Vec<(Comparison, Value)>
    where
        T: CursorValue,
    {
        self.bounds().map(|(c, v)| (c, v.to_value())).collect()
    }
}

impl<T: fmt::Debug> fmt::Debug for KeyRange<T> {
    /// Only the bounds set: `KeyRange { gte: 100, lt: 200 }`. Stable, so it
    /// serves as part of a [`share_count`] or [`bind_filters`] key.
    ///
    /// [`share_count`]: crate::graphql::ConnectionRequest::share_count
    /// [`bind_filters`]: crate::graphql::ConnectionRequest::bind_filters
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("KeyRange");
        for (comparison, bound) in self.bounds() {
            s.field(comparison.name(), bound);
        }
        s.finish()
    }
}

/// A sort key of the row type `R`, of values `T` (an `Option<T>` field's
/// `T`): what a [`KeyRange<T>`] bounds. The derive's
/// `Article::created_at_column()` for every field that is a key of one of
/// the type's orderings (the column from `#[paginate(column = "...")]` or
/// the field's name), so the column name is compile-time text, never
/// input; a field that is no sort key has none, so a range on it is a
/// compile error.
pub struct KeyColumn<R, T> {
    /// The field and its column, named as a relation's are.
    named: Relation<R, T>,
    get: fn(&R) -> Option<&T>,
}

impl<R, T> KeyColumn<R, T> {
    /// Not public API: what the derive emits for each sort key.
    #[doc(hidden)]
    #[must_use]
    pub const fn __from_derive(
        field: &'static str,
        column: &'static str,
        get: fn(&R) -> Option<&T>,
    ) -> Self {
        let named = Relation::__from_derive(field, column);
        KeyColumn { named, get }
    }

    /// The key's field name.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        self.named.field()
    }

    /// The key's SQL column (unquoted).
    #[must_use]
    pub const fn column(&self) -> &'static str {
        self.named.column()
    }

    /// The key's value in `row`; `None` for a NULL.
    pub fn get<'r>(&self, row: &'r R) -> Option<&'r T> {
        (self.get)(row)
    }

    /// Whether `row`'s key is within `range`, by Rust's order: to filter a
    /// slice as [`Select::range`](crate::sql::sqlx::Select::range) filters
    /// a table. A NULL key is only in the unbounded range.
    ///
    /// ```
    /// use keypage_runtime::{KeyColumn, KeyRange};
    ///
    /// struct Row { score: Option<f64> }
    /// let score = KeyColumn::<Row, f64>::__from_derive("score", "score", |r| r.score.as_ref());
    /// let rows = [Row { score: Some(1.5) }, Row { score: None }, Row { score: Some(9.0) }];
    /// let high = KeyRange::default().gt(2.0);
    /// assert_eq!(rows.iter().filter(|r| score.contains(&high, r)).count(), 1);
    /// assert_eq!(rows.iter().filter(|r| score.contains(&KeyRange::default(), r)).count(), 3);
    /// ```
    pub fn contains(&self, range: &KeyRange<T>, row: &R) -> bool
    where
        T: PartialOrd,
    {
        match self.get(row) {
            Some(value) => range.contains(value),
            None => range.is_unbounded(),
        }
    }
}

impl<R, T> Clone for KeyColumn<R, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R, T> Copy for KeyColumn<R, T> {}

impl<R, T> fmt::Debug for KeyColumn<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("KeyColumn").field(&self.named).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_combine_and_nan_is_outside() {
        let r = KeyRange::default().gt(1.0).gte(2.0).lte(5.0);
        assert!(!r.contains(&1.5) && r.contains(&2.0) && r.contains(&5.0) && !r.contains(&5.5));
        assert!(!r.contains(&f64::NAN));
        assert!(KeyRange::<f64>::default().contains(&f64::NAN));
        // An empty range keeps nothing, and is not an error.
        let empty = KeyRange::default().gt(3).lt(3);
        assert!((0..10).all(|v| !empty.contains(&v)));
        assert_eq!(
            format!("{:?}", KeyRange::default().lt(3).gte(1)),
            "KeyRange { gte: 1, lt: 3 }"
        );
    }
}
