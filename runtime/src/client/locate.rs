//! Finding the connection in a response's `data`.

use serde_json::Value;

/// The path (field names from `data`) of the connection: `path` when the
/// caller gave one, otherwise the one object with a `pageInfo` field, found
/// as octokit finds it: depth first through objects (not lists, so the
/// nested connections of nodes are not candidates), not below a match.
pub(crate) fn connection_path(
    data: &Value,
    path: Option<&[String]>,
) -> Result<Vec<String>, String> {
    if let Some(path) = path {
        return Ok(path.to_vec());
    }
    let mut found = Vec::new();
    search(data, &mut Vec::new(), &mut found);
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err("no object with `pageInfo` in the response's data: select \
                  `pageInfo { hasNextPage endCursor }` on the connection (or name it with `.connection(..)`)"
            .to_owned()),
        _ => Err(format!(
            "several connections in the response ({}): name one with `.connection(..)`",
            found.iter().map(|p| p.join(".")).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn search(value: &Value, at: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
    let Value::Object(fields) = value else { return };
    if fields.get("pageInfo").is_some_and(Value::is_object) {
        found.push(at.clone());
        return;
    }
    for (name, field) in fields {
        at.push(name.clone());
        search(field, at, found);
        at.pop();
    }
}

/// The value at `path` under `data`, if every step is there.
pub(crate) fn at<'a>(data: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(data, |value, name| value.get(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_one_connection_and_not_nested_ones() {
        let data = json!({
            "viewer": { "login": "x", "repositories": {
                "pageInfo": { "hasNextPage": true },
                "nodes": [{ "issues": { "pageInfo": { "hasNextPage": true } } }],
            } },
            "rateLimit": { "remaining": 10 },
        });
        assert_eq!(
            connection_path(&data, None).unwrap(),
            ["viewer", "repositories"]
        );
        let path = connection_path(&data, None).unwrap();
        assert!(at(&data, &path).unwrap()["nodes"].is_array());
    }

    #[test]
    fn none_or_several_are_errors_naming_them() {
        let none = connection_path(&json!({ "a": { "b": 1 } }), None).unwrap_err();
        assert!(none.contains("pageInfo"), "{none}");
        let two = json!({ "a": { "pageInfo": {} }, "b": { "c": { "pageInfo": {} } } });
        let several = connection_path(&two, None).unwrap_err();
        assert!(several.contains("a, b.c"), "{several}");
        let given = ["b".to_owned(), "c".to_owned()];
        assert_eq!(connection_path(&two, Some(&given)).unwrap(), given);
    }
}
