//! A hand-written row type with many orderings, standing in for what
//! `#[derive(Paginate)]` generates (the derive is tested on its own): one
//! `Keyset` type per ordering, `Cur<S>` for `SPECS[S]`.

#![allow(dead_code)]

use core::cmp::Ordering;

use keypage_runtime::{
    Cursor, CursorError, CursorReader, CursorValue, CursorWriter, KeySpec, Keyset, Nulls,
    OrderVisitor, OrderingSpec, Paginate, SortOrder, Value,
};

/// A row: `a` and `s` are nullable, `b` and `c` are not, `id` is unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub a: Option<i64>,
    pub b: i64,
    pub c: i64,
    pub s: Option<String>,
}

const fn key(column: &'static str, order: SortOrder, nulls: Option<Nulls>) -> KeySpec {
    KeySpec {
        field: column,
        column,
        order,
        nulls,
    }
}

use Nulls::{First, Last};
use SortOrder::{Asc, Desc};

const fn spec(name: &'static str, keys: &'static [KeySpec]) -> OrderingSpec {
    OrderingSpec {
        type_name: "Row",
        name,
        keys,
        fingerprint: keypage_runtime::fingerprint(&["Row", name]),
    }
}

/// Every shape: 1 to 3 keys, uniform and mixed directions, nullable keys
/// with NULLs first and last, text keys.
pub const SPECS: [OrderingSpec; 16] = [
    spec("id_asc", &[key("id", Asc, None)]),
    spec("id_desc", &[key("id", Desc, None)]),
    spec(
        "b_desc_id_desc",
        &[key("b", Desc, None), key("id", Desc, None)],
    ),
    spec("b_asc_id_asc", &[key("b", Asc, None), key("id", Asc, None)]),
    spec(
        "b_desc_id_asc",
        &[key("b", Desc, None), key("id", Asc, None)],
    ),
    spec(
        "a_asc_nulls_first",
        &[key("a", Asc, Some(First)), key("id", Asc, None)],
    ),
    spec(
        "a_asc_nulls_last",
        &[key("a", Asc, Some(Last)), key("id", Asc, None)],
    ),
    spec(
        "a_desc_nulls_last",
        &[key("a", Desc, Some(Last)), key("id", Desc, None)],
    ),
    spec(
        "a_desc_nulls_first",
        &[key("a", Desc, Some(First)), key("id", Asc, None)],
    ),
    spec(
        "b_c_id_desc",
        &[
            key("b", Desc, None),
            key("c", Desc, None),
            key("id", Desc, None),
        ],
    ),
    spec(
        "b_asc_c_desc_id_asc",
        &[
            key("b", Asc, None),
            key("c", Desc, None),
            key("id", Asc, None),
        ],
    ),
    spec(
        "b_asc_a_desc_last_id_desc",
        &[
            key("b", Asc, None),
            key("a", Desc, Some(Last)),
            key("id", Desc, None),
        ],
    ),
    spec(
        "a_asc_last_b_desc_id_asc",
        &[
            key("a", Asc, Some(Last)),
            key("b", Desc, None),
            key("id", Asc, None),
        ],
    ),
    spec(
        "b_desc_s_asc_first_id_desc",
        &[
            key("b", Desc, None),
            key("s", Asc, Some(First)),
            key("id", Desc, None),
        ],
    ),
    spec(
        "s_desc_last_id_asc",
        &[key("s", Desc, Some(Last)), key("id", Asc, None)],
    ),
    spec(
        "a_first_s_last_id_asc",
        &[
            key("a", Asc, Some(First)),
            key("s", Asc, Some(Last)),
            key("id", Asc, None),
        ],
    ),
];

/// The cursor of `SPECS[S]`: it keeps the whole row, and reads the keys its
/// ordering names.
#[derive(Debug, Clone, PartialEq)]
pub struct Cur<const S: usize>(pub Row);

impl<const S: usize> Cursor for Cur<S> {
    fn encode(&self) -> String {
        let mut w = CursorWriter::new(SPECS[S].fingerprint);
        let r = &self.0;
        w.write(&r.id);
        w.write(&r.a);
        w.write(&r.b);
        w.write(&r.c);
        w.write(&r.s);
        w.finish()
    }
    fn decode(s: &str) -> Result<Self, CursorError> {
        let mut r = CursorReader::open(s, SPECS[S].fingerprint)?;
        let row = Row {
            id: r.read()?,
            a: r.read()?,
            b: r.read()?,
            c: r.read()?,
            s: r.read()?,
        };
        r.finish()?;
        Ok(Cur(row))
    }
}

fn cmp_key(key: &KeySpec, x: &Row, y: &Row) -> Ordering {
    match key.field {
        "id" => key.compare(&x.id, &y.id),
        "a" => key.compare(&x.a, &y.a),
        "b" => key.compare(&x.b, &y.b),
        "c" => key.compare(&x.c, &y.c),
        "s" => key.compare(&x.s, &y.s),
        other => unreachable!("no field {other}"),
    }
}

/// The rows' comparison in an ordering's keys: what the derive generates.
pub fn cmp_in(keys: &[KeySpec], x: &Row, y: &Row) -> Ordering {
    keys.iter()
        .map(|k| cmp_key(k, x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

impl<const S: usize> Keyset for Cur<S> {
    type Row = Row;
    const ORDERING: &'static OrderingSpec = &SPECS[S];
    fn from_row(row: &Row) -> Self {
        Cur(row.clone())
    }
    fn cmp_row(row: &Row, cursor: &Self) -> Ordering {
        cmp_in(SPECS[S].keys, row, &cursor.0)
    }
    fn cmp_rows(a: &Row, b: &Row) -> Ordering {
        cmp_in(SPECS[S].keys, a, b)
    }
    fn values(&self) -> Vec<Value> {
        let r = &self.0;
        SPECS[S]
            .keys
            .iter()
            .map(|k| match k.field {
                "id" => r.id.to_value(),
                "a" => r.a.to_value(),
                "b" => r.b.to_value(),
                "c" => r.c.to_value(),
                "s" => r.s.to_value(),
                other => unreachable!("no field {other}"),
            })
            .collect()
    }
}

static ORDERINGS: [&OrderingSpec; 16] = {
    let mut all = [&SPECS[0]; 16];
    let mut i = 0;
    while i < 16 {
        all[i] = &SPECS[i];
        i += 1;
    }
    all
};

/// Calls `$body` with `$k` the `Cur<S>` of a run-time index.
macro_rules! with_spec {
    ($index:expr, $k:ident => $body:expr) => {
        match $index {
            0 => {
                type $k = $crate::common::Cur<0>;
                $body
            }
            1 => {
                type $k = $crate::common::Cur<1>;
                $body
            }
            2 => {
                type $k = $crate::common::Cur<2>;
                $body
            }
            3 => {
                type $k = $crate::common::Cur<3>;
                $body
            }
            4 => {
                type $k = $crate::common::Cur<4>;
                $body
            }
            5 => {
                type $k = $crate::common::Cur<5>;
                $body
            }
            6 => {
                type $k = $crate::common::Cur<6>;
                $body
            }
            7 => {
                type $k = $crate::common::Cur<7>;
                $body
            }
            8 => {
                type $k = $crate::common::Cur<8>;
                $body
            }
            9 => {
                type $k = $crate::common::Cur<9>;
                $body
            }
            10 => {
                type $k = $crate::common::Cur<10>;
                $body
            }
            11 => {
                type $k = $crate::common::Cur<11>;
                $body
            }
            12 => {
                type $k = $crate::common::Cur<12>;
                $body
            }
            13 => {
                type $k = $crate::common::Cur<13>;
                $body
            }
            14 => {
                type $k = $crate::common::Cur<14>;
                $body
            }
            15 => {
                type $k = $crate::common::Cur<15>;
                $body
            }
            other => unreachable!("no ordering {other}"),
        }
    };
}

impl Paginate for Row {
    type Cursor = Cur<0>;
    type Order = usize;
    const ORDERINGS: &'static [&'static OrderingSpec] = &ORDERINGS;
    const MAX_PAGE_SIZE: u32 = 100;
    const DEFAULT_PAGE_SIZE: u32 = 20;
    const TABLE: Option<&'static str> = Some("items");
    const COLUMNS: &'static [&'static str] = &["id", "a", "b", "c", "s"];
    fn with_order<V: OrderVisitor<Self>>(order: usize, visitor: V) -> V::Output {
        with_spec!(order, K => visitor.visit::<K>())
    }
}

/// What `#[derive(sqlx::FromRow)]` would generate (sqlx's macros are not
/// built here).
macro_rules! from_row {
    ($feature:literal, $row:ty) => {
        #[cfg(feature = $feature)]
        impl<'r> sqlx::FromRow<'r, $row> for Row {
            fn from_row(row: &'r $row) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                Ok(Row {
                    id: row.try_get("id")?,
                    a: row.try_get("a")?,
                    b: row.try_get("b")?,
                    c: row.try_get("c")?,
                    s: row.try_get("s")?,
                })
            }
        }
    };
}

from_row!("sqlite", sqlx::sqlite::SqliteRow);
from_row!("postgres", sqlx::postgres::PgRow);
from_row!("mysql", sqlx::mysql::MySqlRow);

/// Text key values: few, so keys repeat; one with a quote.
pub const TEXTS: [&str; 5] = ["", "a", "ab", "b", "it's"];

/// A row with id from `id` and few distinct values per key (many duplicates,
/// NULLs in `a` and `s`).
pub fn arb_row(
    id: impl proptest::strategy::Strategy<Value = i64>,
) -> impl proptest::strategy::Strategy<Value = Row> {
    use proptest::strategy::Strategy as _;
    (
        id,
        proptest::option::of(0i64..4),
        0i64..4,
        0i64..3,
        proptest::option::of(proptest::sample::select(&TEXTS[..])),
    )
        .prop_map(|(id, a, b, c, s)| Row {
            id,
            a,
            b,
            c,
            s: s.map(str::to_owned),
        })
}
