//! The checkpoint file: where a killed walk resumes.
//!
//! Written after a page has been handed on and the consumer asked for the
//! next one, never before: a kill before the write repeats that page on
//! resume, a kill after it repeats nothing, so no row is ever skipped and at
//! most one page is repeated (at-least-once). Each write goes to a temporary
//! file in the same directory, is synced (fsync), and renamed over the
//! checkpoint, so the file is always either the old checkpoint or the new one.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ClientError;

/// What the file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Saved {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`fingerprint`] of the walk that wrote it.
    pub fingerprint: String,
    /// The cursor to go on from.
    pub cursor: String,
    /// Pages and rows handed on before it.
    pub pages: u64,
    pub rows: u64,
}

pub(crate) const FORMAT: &str = "keypage-client-checkpoint-1";

/// Reads the checkpoint at `path`: `None` when there is none.
pub(crate) fn load(path: &Path, fingerprint: &str) -> Result<Option<Saved>, ClientError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error(path, source)),
    };
    let refused = |reason: String| ClientError::CheckpointRefused {
        path: path.to_owned(),
        reason,
    };
    let saved: Saved = serde_json::from_slice(&text)
        .map_err(|e| refused(format!("not a keypage checkpoint ({e})")))?;
    if saved.format != FORMAT {
        return Err(refused(format!("unknown format {:?}", saved.format)));
    }
    if saved.fingerprint != fingerprint {
        return Err(refused(format!(
            "written by a walk of another query, variables or direction (fingerprint {}, this walk's {fingerprint}); \
             delete it to start over",
            saved.fingerprint
        )));
    }
    Ok(Some(saved))
}

/// Replaces the checkpoint at `path` atomically: temporary file, fsync, rename.
pub(crate) fn save(path: &Path, saved: &Saved) -> Result<(), ClientError> {
    let temporary = temporary_path(path);
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(&serde_json::to_vec(saved).map_err(std::io::Error::other)?)?;
        file.sync_all()?;
        // The directory is not synced after the rename (that would double
        // the cost of a page's checkpoint): after a power loss the previous
        // checkpoint may come back, which repeats more rows but skips none.
        fs::rename(&temporary, path)?;
        Ok(())
    };
    write().map_err(|source| io_error(path, source))
}

/// Deletes the checkpoint of a finished walk.
pub(crate) fn remove(path: &Path) -> Result<(), ClientError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path, e)),
        _ => Ok(()),
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    path.with_file_name(name)
}

fn io_error(path: &Path, source: std::io::Error) -> ClientError {
    ClientError::CheckpointIo {
        path: path.to_owned(),
        source,
    }
}

/// A stable 64-bit FNV-1a fingerprint (hex) of everything that decides
/// which rows a walk visits in which order: the query, the variables other
/// than the page size and cursor (keys sorted, so their order does not
/// matter), the direction and the connection's path. Stable across
/// processes and Rust versions, unlike `std`'s hashers; it guards against
/// mistakes, not adversaries, so a cryptographic hash is not needed.
pub(crate) fn fingerprint(
    query: &str,
    variables: &Value,
    direction: &str,
    path: &[String],
) -> String {
    let mut canonical = String::new();
    canonical_json(variables, &mut canonical);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [query, &canonical, direction, &path.join(".")] {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// JSON with object keys sorted, whatever map serde_json was built with.
fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(&fields[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order_and_sees_every_part() {
        let path = ["articles".to_owned()];
        let a = fingerprint(
            "q",
            &json!({"x": 1, "y": [1, {"b": 2, "a": 1}]}),
            "forward",
            &path,
        );
        let b = fingerprint(
            "q",
            &json!({"y": [1, {"a": 1, "b": 2}], "x": 1}),
            "forward",
            &path,
        );
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("q2", &json!({"x": 1}), "forward", &path));
        assert_ne!(
            fingerprint("q", &json!({"x": 1}), "forward", &path),
            fingerprint("q", &json!({"x": 1}), "backward", &path)
        );
        assert_ne!(
            fingerprint("q", &json!({"x": 1}), "forward", &path),
            fingerprint("q", &json!({"x": 2}), "forward", &path)
        );
    }

    #[test]
    fn saves_atomically_loads_and_refuses_another_walk() {
        let dir = std::env::temp_dir().join(format!("keypage-checkpoint-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("walk.checkpoint");
        assert_eq!(load(&path, "f").unwrap(), None);
        let saved = Saved {
            format: FORMAT.to_owned(),
            fingerprint: "f".to_owned(),
            cursor: "abc".to_owned(),
            pages: 2,
            rows: 200,
        };
        save(&path, &saved).unwrap();
        assert!(!temporary_path(&path).exists());
        assert_eq!(load(&path, "f").unwrap(), Some(saved));
        let refused = load(&path, "g").unwrap_err().to_string();
        assert!(
            refused.contains("another query") && refused.contains("walk.checkpoint"),
            "{refused}"
        );
        fs::write(&path, "{").unwrap();
        assert!(matches!(
            load(&path, "f"),
            Err(ClientError::CheckpointRefused { .. })
        ));
        remove(&path).unwrap();
        remove(&path).unwrap();
        assert!(!path.exists());
        let _ = fs::remove_dir(&dir);
    }
}
