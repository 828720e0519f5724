//! The ordering model: keys, sort directions and null placement.
//!
//! Every backend (in-memory slices, SQL rendering) reads this one model, so
//! they all page by the same rules. An ordering is a list of keys that ends
//! in a unique key, which makes the order total: "strictly after this key"
//! then names exactly one position, and pages neither skip nor repeat rows.

use core::cmp::Ordering;

use crate::cursor::CursorValue;

/// The direction one key sorts in.
///
/// ```
/// use keypage_runtime::SortOrder;
/// assert_eq!(SortOrder::Desc.apply(core::cmp::Ordering::Less), core::cmp::Ordering::Greater);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Smallest first (SQL `ASC`).
    Asc,
    /// Largest first (SQL `DESC`).
    Desc,
}

impl SortOrder {
    /// Turns the natural comparison of two values into their comparison in
    /// this direction.
    #[inline]
    pub const fn apply(self, natural: Ordering) -> Ordering {
        match self {
            SortOrder::Asc => natural,
            SortOrder::Desc => natural.reverse(),
        }
    }

    /// The opposite direction.
    pub const fn reverse(self) -> SortOrder {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }

    /// The SQL keyword.
    pub const fn sql(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
        }
    }
}

/// Where NULLs of a nullable key go in the listing, whatever its direction.
///
/// `Last` is the default in both directions, so a descending listing does not
/// open with a page of NULLs (PostgreSQL's own default would put them first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nulls {
    /// NULLs come before every value.
    First,
    /// NULLs come after every value.
    Last,
}

impl Nulls {
    /// The opposite placement (used when a backward page reverses the order).
    pub const fn reverse(self) -> Nulls {
        match self {
            Nulls::First => Nulls::Last,
            Nulls::Last => Nulls::First,
        }
    }

    /// The SQL keywords.
    pub const fn sql(self) -> &'static str {
        match self {
            Nulls::First => "NULLS FIRST",
            Nulls::Last => "NULLS LAST",
        }
    }
}

/// One key of an ordering, as the derive lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub(crate) field: &'static str,
    pub(crate) column: &'static str,
    pub(crate) sort: SortOrder,
    pub(crate) nulls: Option<Nulls>,
}

impl KeySpec {
    /// The key of the field `field`, on the SQL column `column`, sorted
    /// `sort`; `nulls` is `Some` exactly when the field is an `Option<_>`.
    /// What the derive writes for each key of an ordering.
    pub const fn new(
        field: &'static str,
        column: &'static str,
        sort: SortOrder,
        nulls: Option<Nulls>,
    ) -> Self {
        KeySpec {
            field,
            column,
            sort,
            nulls,
        }
    }

    /// The Rust field name.
    pub const fn field(&self) -> &'static str {
        self.field
    }

    /// The SQL column name (the field name unless `#[paginate(column = "...")]`).
    pub const fn column(&self) -> &'static str {
        self.column
    }

    /// The key's sort order: ascending or descending.
    pub const fn sort_order(&self) -> SortOrder {
        self.sort
    }

    /// Where the key's NULLs go: `Some` exactly when the field is an
    /// `Option<_>`.
    pub const fn nulls(&self) -> Option<Nulls> {
        self.nulls
    }

    /// Whether the key may hold NULL.
    pub const fn nullable(&self) -> bool {
        self.nulls.is_some()
    }

    /// Compares two values of this key in the ordering's sense: direction
    /// applied, NULLs placed as declared (independently of the direction).
    ///
    /// ```
    /// use keypage_runtime::{KeySpec, Nulls, SortOrder};
    /// use core::cmp::Ordering;
    /// let key = KeySpec::new("t", "t", SortOrder::Desc, Some(Nulls::Last));
    /// assert_eq!(key.compare(&Some(1), &Some(2)), Ordering::Greater); // desc
    /// assert_eq!(key.compare(&None, &Some(2)), Ordering::Greater);    // nulls last
    /// ```
    #[inline]
    pub fn compare<T: CursorValue>(&self, a: &T, b: &T) -> Ordering {
        match (a.is_null(), b.is_null()) {
            (false, false) => self.sort.apply(a.cmp_key(b)),
            (true, true) => Ordering::Equal,
            (true, false) => match self.nulls {
                Some(Nulls::First) => Ordering::Less,
                _ => Ordering::Greater,
            },
            (false, true) => match self.nulls {
                Some(Nulls::First) => Ordering::Greater,
                _ => Ordering::Less,
            },
        }
    }
}

/// A total order over the rows of one type: its keys, the last one unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderingSpec {
    pub(crate) type_name: &'static str,
    pub(crate) name: &'static str,
    pub(crate) keys: &'static [KeySpec],
    pub(crate) fingerprint: u32,
}

impl OrderingSpec {
    /// The ordering `name` of the type `type_name` by `keys`, whose cursors
    /// carry `fingerprint`: what the derive writes for each ordering.
    pub const fn new(
        type_name: &'static str,
        name: &'static str,
        keys: &'static [KeySpec],
        fingerprint: u32,
    ) -> Self {
        OrderingSpec {
            type_name,
            name,
            keys,
            fingerprint,
        }
    }

    /// The Rust type the ordering belongs to (part of the cursor fingerprint).
    pub const fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The ordering's name: `DEFAULT` for the struct's `order_by` (or its
    /// `order_name`), else the `name` given in
    /// `#[paginate(ordering(name = "..."))]`.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The keys, most significant first; the last is unique.
    pub const fn keys(&self) -> &'static [KeySpec] {
        self.keys
    }

    /// A fingerprint of the type, the keys, their directions, null placement
    /// and value types: cursors carry it, so a cursor of one ordering is
    /// refused by another.
    pub const fn fingerprint(&self) -> u32 {
        self.fingerprint
    }
}

/// The fingerprint of an ordering, computable in a `const` (FNV-1a, 32 bits).
///
/// `parts` are the type name, then for each key its field name, Rust type,
/// direction and null placement, as the derive lists them. A change to any of
/// them changes the fingerprint, so cursors minted before the change are
/// refused with [`CursorError::OrderingMismatch`](crate::CursorError) instead
/// of being misread. Not public API: the derive calls it through the
/// private path.
pub const fn fingerprint(parts: &[&str]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < parts.len() {
        let bytes = parts[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            hash ^= bytes[j] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
            j += 1;
        }
        // A separator, so ["ab", "c"] and ["a", "bc"] differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn every_part_and_its_bounds_count() {
        const A: u32 = fingerprint(&["Article", "id", "i64", "desc", ""]);
        const B: u32 = fingerprint(&["Article", "id", "i64", "asc", ""]);
        assert_ne!(A, B);
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }
}
