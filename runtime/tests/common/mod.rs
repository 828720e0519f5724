//! The row type of the runtime's SQL tests, derived as users' types are
//! (`crate = "keypage_runtime"`), with an ordering of every shape: 1 to 3
//! keys, uniform and mixed directions, nullable keys with NULLs first and
//! last, text keys.

#![allow(dead_code)]

use core::cmp::Ordering;

use keypage_runtime::{KeySpec, OrderingSpec, Paginate};

/// A row: `a` and `s` are nullable, `b` and `c` are not, `id` is unique.
#[derive(Debug, Clone, PartialEq, Eq, keypage_macros::Paginate)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[paginate(crate = "keypage_runtime", table = "items")]
#[paginate(order_by = "id asc", order_name = "ID_ASC")]
#[paginate(ordering(name = "ID_DESC", order_by = "id desc"))]
#[paginate(ordering(name = "B_DESC_ID_DESC", order_by = "b desc, id desc"))]
#[paginate(ordering(name = "B_ASC_ID_ASC", order_by = "b asc, id asc"))]
#[paginate(ordering(name = "B_DESC_ID_ASC", order_by = "b desc, id asc"))]
#[paginate(ordering(name = "A_ASC_NULLS_FIRST", order_by = "a asc nulls first, id asc"))]
#[paginate(ordering(name = "A_ASC_NULLS_LAST", order_by = "a asc nulls last, id asc"))]
#[paginate(ordering(name = "A_DESC_NULLS_LAST", order_by = "a desc nulls last, id desc"))]
#[paginate(ordering(name = "A_DESC_NULLS_FIRST", order_by = "a desc nulls first, id asc"))]
#[paginate(ordering(name = "B_C_ID_DESC", order_by = "b desc, c desc, id desc"))]
#[paginate(ordering(name = "B_ASC_C_DESC_ID_ASC", order_by = "b asc, c desc, id asc"))]
#[paginate(ordering(
    name = "B_ASC_A_DESC_LAST_ID_DESC",
    order_by = "b asc, a desc nulls last, id desc"
))]
#[paginate(ordering(
    name = "A_ASC_LAST_B_DESC_ID_ASC",
    order_by = "a asc nulls last, b desc, id asc"
))]
#[paginate(ordering(
    name = "B_DESC_S_ASC_FIRST_ID_DESC",
    order_by = "b desc, s asc nulls first, id desc"
))]
#[paginate(ordering(name = "S_DESC_LAST_ID_ASC", order_by = "s desc nulls last, id asc"))]
#[paginate(ordering(
    name = "A_FIRST_S_LAST_ID_ASC",
    order_by = "a asc nulls first, s asc nulls last, id asc"
))]
pub struct Row {
    #[paginate(unique)]
    pub id: i64,
    pub a: Option<i64>,
    pub b: i64,
    pub c: i64,
    pub s: Option<String>,
}

/// The orderings' specs, in declaration order: the index `with_spec!` takes.
pub const SPECS: &[&OrderingSpec] = <Row as Paginate>::ORDERINGS;

fn cmp_key(key: &KeySpec, x: &Row, y: &Row) -> Ordering {
    match key.field() {
        "id" => key.compare(&x.id, &y.id),
        "a" => key.compare(&x.a, &y.a),
        "b" => key.compare(&x.b, &y.b),
        "c" => key.compare(&x.c, &y.c),
        "s" => key.compare(&x.s, &y.s),
        other => unreachable!("no field {other}"),
    }
}

/// The reference model of the rows' comparison in an ordering's keys, by
/// the keys' specs alone.
pub fn cmp_in(keys: &[KeySpec], x: &Row, y: &Row) -> Ordering {
    keys.iter()
        .map(|k| cmp_key(k, x, y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Calls `$body` with `$k` the derived cursor type of the ordering at a
/// run-time index. The caller has `common` (this module) in scope: at an
/// integration test's root, or `use super::common` inside the crate.
macro_rules! with_spec {
    ($index:expr, $k:ident => $body:expr) => {
        match $index {
            0 => {
                type $k = common::RowCursor;
                $body
            }
            1 => {
                type $k = common::RowIdDescCursor;
                $body
            }
            2 => {
                type $k = common::RowBDescIdDescCursor;
                $body
            }
            3 => {
                type $k = common::RowBAscIdAscCursor;
                $body
            }
            4 => {
                type $k = common::RowBDescIdAscCursor;
                $body
            }
            5 => {
                type $k = common::RowAAscNullsFirstCursor;
                $body
            }
            6 => {
                type $k = common::RowAAscNullsLastCursor;
                $body
            }
            7 => {
                type $k = common::RowADescNullsLastCursor;
                $body
            }
            8 => {
                type $k = common::RowADescNullsFirstCursor;
                $body
            }
            9 => {
                type $k = common::RowBCIdDescCursor;
                $body
            }
            10 => {
                type $k = common::RowBAscCDescIdAscCursor;
                $body
            }
            11 => {
                type $k = common::RowBAscADescLastIdDescCursor;
                $body
            }
            12 => {
                type $k = common::RowAAscLastBDescIdAscCursor;
                $body
            }
            13 => {
                type $k = common::RowBDescSAscFirstIdDescCursor;
                $body
            }
            14 => {
                type $k = common::RowSDescLastIdAscCursor;
                $body
            }
            15 => {
                type $k = common::RowAFirstSLastIdAscCursor;
                $body
            }
            other => unreachable!("no ordering {other}"),
        }
    };
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
