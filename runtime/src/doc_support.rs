// The row type of this crate's doc examples and unit tests, derived as
// users' types are. Not a module of the library: each doc example includes
// this file (`include!`), and the unit tests compile it as `doc_support`,
// where `keypage_runtime` names the crate itself. So no inner attributes.

/// A row.
#[derive(Debug, Clone, PartialEq, Eq, keypage_macros::Paginate)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
#[paginate(crate = "keypage_runtime", order_by = "id asc")]
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
