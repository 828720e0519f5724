//! Not public API: a row type implemented by hand, as the derive would, for
//! the examples of this crate (which cannot use the derive).

use core::cmp::Ordering;

use crate::{
    Cursor, CursorError, CursorReader, CursorWriter, KeySpec, Keyset, OrderVisitor, OrderingSpec,
    Paginate, SortOrder, Value,
};

/// A row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct Row {
    /// Its unique key.
    pub id: i64,
}

/// The orderings of [`Row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RowOrder {
    /// `id asc`.
    #[default]
    Default,
    /// `id desc`.
    Desc,
}

/// `id` in the ordering `DEFAULT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCursor {
    /// The key.
    pub id: i64,
}

/// `id` in the ordering `DESC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowDescCursor {
    /// The key.
    pub id: i64,
}

static ASC: [KeySpec; 1] = [KeySpec {
    field: "id",
    column: "id",
    order: SortOrder::Asc,
    nulls: None,
}];
static DESC: [KeySpec; 1] = [KeySpec {
    field: "id",
    column: "id",
    order: SortOrder::Desc,
    nulls: None,
}];
static DEFAULT_SPEC: OrderingSpec = OrderingSpec {
    type_name: "Row",
    name: "DEFAULT",
    keys: &ASC,
    fingerprint: 1,
};
static DESC_SPEC: OrderingSpec = OrderingSpec {
    type_name: "Row",
    name: "DESC",
    keys: &DESC,
    fingerprint: 2,
};

macro_rules! keyset {
    ($cursor:ident, $keys:ident, $spec:ident, $fingerprint:literal) => {
        impl Cursor for $cursor {
            fn encode(&self) -> String {
                let mut writer = CursorWriter::new($fingerprint);
                writer.write(&self.id);
                writer.finish()
            }
            fn decode(s: &str) -> Result<Self, CursorError> {
                let mut reader = CursorReader::open(s, $fingerprint)?;
                let id = reader.read()?;
                reader.finish()?;
                Ok($cursor { id })
            }
        }
        impl Keyset for $cursor {
            type Row = Row;
            const ORDERING: &'static OrderingSpec = &$spec;
            fn from_row(row: &Row) -> Self {
                $cursor { id: row.id }
            }
            fn cmp_row(row: &Row, cursor: &Self) -> Ordering {
                $keys[0].compare(&row.id, &cursor.id)
            }
            fn cmp_rows(a: &Row, b: &Row) -> Ordering {
                $keys[0].compare(&a.id, &b.id)
            }
            fn values(&self) -> Vec<Value> {
                vec![Value::Int(self.id)]
            }
        }
    };
}
keyset!(RowCursor, ASC, DEFAULT_SPEC, 1);
keyset!(RowDescCursor, DESC, DESC_SPEC, 2);

impl Paginate for Row {
    type Cursor = RowCursor;
    type Order = RowOrder;
    const ORDERINGS: &'static [&'static OrderingSpec] = &[&DEFAULT_SPEC, &DESC_SPEC];
    const MAX_PAGE_SIZE: u32 = 100;
    const DEFAULT_PAGE_SIZE: u32 = 20;
    const TABLE: Option<&'static str> = None;
    const COLUMNS: &'static [&'static str] = &["id"];
    fn with_order<V: OrderVisitor<Self>>(order: RowOrder, visitor: V) -> V::Output {
        match order {
            RowOrder::Default => visitor.visit::<RowCursor>(),
            RowOrder::Desc => visitor.visit::<RowDescCursor>(),
        }
    }
}

crate::__keypage_graphql! {
    row: Row,
    vis: pub,
    connection: RowConnection = "The connection of [`Row`].",
    order: RowOrder = "The orderings of `Row`." {
        Default = "DEFAULT": "id asc",
        Desc = "DESC": "id desc",
    },
    cursors: [RowCursor, RowDescCursor],
}

#[cfg(feature = "sqlite")]
impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for Row {
    fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row as _;
        Ok(Row {
            id: row.try_get("id")?,
        })
    }
}
