//! Follow-up walks: the rest of a nested connection, by its parent's id.

use serde_json::Value;

use super::error::ClientError;
use super::transport::Client;
use super::walker::Walk;

impl Client {
    /// For an outer node (as JSON) whose nested connection `field` has more
    /// pages than the outer query fetched: a walk of the rest of it,
    /// starting after its `endCursor`, with the node's `id` as the variable
    /// `$id`. `query` selects the connection of one node, e.g.
    /// `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ...
    /// on Repository { issues(first: $first, after: $after) { nodes { title }
    /// pageInfo { hasNextPage endCursor } } } } }`.
    ///
    /// `None` when the nested connection is complete already.
    ///
    /// # Errors
    ///
    /// [`ClientError::ConnectionNotFound`] when the node lacks `id` or
    /// `field { pageInfo { hasNextPage } }`, and
    /// [`ClientError::NullCursor`] for `hasNextPage: true` with a null `endCursor`.
    pub fn follow_up(
        &self,
        node: &Value,
        field: &str,
        query: impl Into<String>,
    ) -> Result<Option<Walk>, ClientError> {
        let missing = |what: String| ClientError::ConnectionNotFound {
            page: 0,
            reason: what,
        };
        let id = node
            .get("id")
            .filter(|id| !id.is_null())
            .ok_or_else(|| missing("the outer node has no `id`: select it".to_owned()))?;
        let info = &node[field]["pageInfo"];
        let more = info["hasNextPage"].as_bool().ok_or_else(|| {
            missing(format!(
                "the outer node's `{field}` does not select `pageInfo {{ hasNextPage endCursor }}`"
            ))
        })?;
        if !more {
            return Ok(None);
        }
        let cursor = info["endCursor"].as_str().ok_or(ClientError::NullCursor {
            page: 0,
            flag: "hasNextPage",
            cursor_field: "endCursor",
        })?;
        Ok(Some(
            self.walk(query).variable("id", id).starting_at(cursor),
        ))
    }
}
