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

/// One key of an ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The Rust field name.
    pub field: &'static str,
    /// The SQL column name (the field name unless `#[paginate(column = "...")]`).
    pub column: &'static str,
    /// The sort direction.
    pub order: SortOrder,
    /// `Some` exactly when the field is an `Option<_>`: where its NULLs go.
    pub nulls: Option<Nulls>,
}

impl KeySpec {
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
    /// let key = KeySpec { field: "t", column: "t", order: SortOrder::Desc, nulls: Some(Nulls::Last) };
    /// assert_eq!(key.compare(&Some(1), &Some(2)), Ordering::Greater); // desc
    /// assert_eq!(key.compare(&None, &Some(2)), Ordering::Greater);    // nulls last
    /// ```
    #[inline]
    pub fn compare<T: CursorValue>(&self, a: &T, b: &T) -> Ordering {
        match (a.is_null(), b.is_null()) {
            (false, false) => self.order.apply(a.cmp_key(b)),
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
    /// The Rust type the ordering belongs to (part of the cursor fingerprint).
    pub type_name: &'static str,
    /// The ordering's name: `DEFAULT` for the struct's `order_by`, else the
    /// `name` given in `#[paginate(ordering(name = "..."))]`.
    pub name: &'static str,
    /// The keys, most significant first; the last is unique.
    pub keys: &'static [KeySpec],
    /// A fingerprint of the type, the keys, their directions, null placement
    /// and value types: cursors carry it, so a cursor of one ordering is
    /// refused by another.
    pub fingerprint: u32,
}

/// The fingerprint of an ordering, computable in a `const` (FNV-1a, 32 bits).
///
/// `parts` are the type name, then for each key its field name, Rust type,
/// direction and null placement, as the derive lists them. A change to any of
/// them changes the fingerprint, so cursors minted before the change are
/// refused with [`CursorError::OrderingMismatch`](crate::CursorError) instead
/// of being misread.
///
/// ```
/// use keypage_runtime::fingerprint;
/// const A: u32 = fingerprint(&["Article", "id", "i64", "desc", ""]);
/// const B: u32 = fingerprint(&["Article", "id", "i64", "asc", ""]);
/// assert_ne!(A, B);
/// ```
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
