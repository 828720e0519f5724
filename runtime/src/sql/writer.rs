//! [`SqlWriter`]: where rendered SQL goes, so one renderer serves plain
//! strings ([`RenderedSql`]) and query builders (sqlx's `QueryBuilder`).

use core::convert::Infallible;

use super::Dialect;
use crate::cursor::Value;

/// A sink for SQL text and bind values.
///
/// The renderer only ever writes identifiers it quoted itself and fixed
/// keywords through [`push_sql`](SqlWriter::push_sql); every key value goes
/// through [`push_bind`](SqlWriter::push_bind), in order.
///
/// ```
/// use keypage_runtime::sql::{Dialect, RenderedSql, SqlWriter};
/// use keypage_runtime::Value;
/// let mut out = RenderedSql::new(Dialect::Postgres);
/// out.push_sql("id > ");
/// let Ok(()) = out.push_bind(Value::Int(7));
/// assert_eq!(out.sql, "id > (SELECT CAST($1 AS INT8))");
/// ```
pub trait SqlWriter {
    /// Why a value could not be bound ([`Infallible`] for plain strings; a
    /// database may refuse a value it has no type for, e.g. a `u128`).
    type Error;
    /// The dialect to render for.
    fn dialect(&self) -> Dialect;
    /// Appends SQL text.
    fn push_sql(&mut self, sql: &str);
    /// Appends the placeholder of a new bind parameter and binds `value` to it.
    fn push_bind(&mut self, value: Value) -> Result<(), Self::Error>;
}

impl<W: SqlWriter + ?Sized> SqlWriter for &mut W {
    type Error = W::Error;
    fn dialect(&self) -> Dialect {
        (**self).dialect()
    }
    fn push_sql(&mut self, sql: &str) {
        (**self).push_sql(sql)
    }
    fn push_bind(&mut self, value: Value) -> Result<(), W::Error> {
        (**self).push_bind(value)
    }
}

/// SQL text with its bind values, for drivers other than sqlx.
///
/// Values read `?` on MySQL, `+?` on SQLite and `(SELECT CAST($n AS
/// <type>))` on PostgreSQL: forms the planners do not read through, so a statement is
/// planned once rather than for its values (SQLite would prepare it again
/// on every page once its index is `ANALYZE`d, PostgreSQL plan some shapes
/// again on every execution). `$n` is numbered from [`starting_at`](RenderedSql::starting_at) (default 1) so
/// the SQL can follow a prefix that has its own binds. Pass `binds` to the
/// driver in order, after the prefix's own.
///
/// ```
/// use keypage_runtime::sql::{Dialect, RenderedSql, SqlWriter};
/// use keypage_runtime::Value;
/// // `$1` is the caller's own `author_id`; keypage's binds follow it.
/// let mut out = RenderedSql::new(Dialect::Postgres).starting_at(2);
/// out.push_sql("SELECT * FROM articles WHERE author_id = $1 AND id < ");
/// let Ok(()) = out.push_bind(Value::Int(40));
/// assert_eq!(out.sql, "SELECT * FROM articles WHERE author_id = $1 AND id < (SELECT CAST($2 AS INT8))");
/// assert_eq!(out.binds, [Value::Int(40)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedSql {
    /// The SQL text.
    pub sql: String,
    /// The bind values, in placeholder order.
    pub binds: Vec<Value>,
    dialect: Dialect,
    first_placeholder: usize,
}

impl RenderedSql {
    /// An empty rendering whose first placeholder is number 1.
    pub fn new(dialect: Dialect) -> Self {
        RenderedSql {
            sql: String::new(),
            binds: Vec::new(),
            dialect,
            first_placeholder: 1,
        }
    }

    /// Numbers PostgreSQL placeholders from `n` (`$n`, `$n+1`, ...), for
    /// SQL that follows a prefix already using `$1..$n-1`. No effect on
    /// `?` dialects.
    pub fn starting_at(mut self, n: usize) -> Self {
        self.first_placeholder = n.max(1);
        self
    }

    /// The dialect this renders for.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

impl SqlWriter for RenderedSql {
    type Error = Infallible;
    fn dialect(&self) -> Dialect {
        self.dialect
    }
    fn push_sql(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }
    fn push_bind(&mut self, value: Value) -> Result<(), Infallible> {
        let n = self.first_placeholder + self.binds.len();
        let (open, close) = self.dialect.bind_wrap(&value);
        self.sql.push_str(open);
        self.dialect.placeholder(&mut self.sql, n);
        self.sql.push_str(close);
        self.binds.push(value);
        Ok(())
    }
}
