//! Not public API: the row type of this crate's examples, derived as users'
//! types are (`crate = "crate"` points the derive at this crate).

/// A row.
#[derive(Debug, Clone, PartialEq, Eq, keypage_macros::Paginate)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[paginate(crate = "crate", order_by = "id asc")]
#[paginate(ordering(name = "DESC", order_by = "id desc"))]
pub struct Row {
    /// Its unique key.
    #[paginate(unique)]
    pub id: i64,
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
