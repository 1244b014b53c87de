//! Snapshots: what `audit` reads from Graph, saved as one versioned JSON document, so it can be
//! audited later offline (`audit --from`) or sent to support. Never holds a token or a secret.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::grants::Grants;

/// The largest snapshot file accepted.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The snapshot format version this build reads and writes.
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotTool {
    pub name: String,
    pub version: String,
}

/// The snapshot document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    pub snapshot_version: u32,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    pub tool: SnapshotTool,
    pub grants: Grants,
}

impl Snapshot {
    /// A snapshot of `grants`, as of when they were read (else now).
    pub fn now(mut grants: Grants) -> Snapshot {
        let taken_at = grants.read_at.clone().unwrap_or_else(Grants::now);
        grants.read_at = Some(taken_at.clone());
        Snapshot {
            snapshot_version: SNAPSHOT_VERSION,
            taken_at,
            tool: SnapshotTool {
                name: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            grants,
        }
    }

    /// The snapshot document; an error (never an empty file) if it cannot be serialised.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = crate::text::json_safe(serde_json::to_string_pretty(self)?);
        s.push('\n');
        Ok(s)
    }

    /// Parse a snapshot; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Snapshot, Error> {
        let bad = |msg: String| Error::input(format!("invalid snapshot {origin}: {msg}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            bad(format!(
                "line {} column {}: not valid JSON: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ))
        })?;
        match value.get("snapshotVersion") {
            None => return Err(bad("it has no `snapshotVersion` (is it an entra-perms snapshot?)".into())),
            Some(v) if v.as_u64() != Some(u64::from(SNAPSHOT_VERSION)) => {
                return Err(bad(format!(
                    "snapshotVersion {v} is not supported (this entra-perms reads version {SNAPSHOT_VERSION}; a newer entra-perms may read it)"
                )))
            }
            Some(_) => {}
        }
        let mut snapshot: Snapshot = serde_json::from_str(text).map_err(|e| {
            bad(format!(
                "line {} column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ))
        })?;
        snapshot.grants.check_shapes().map_err(bad)?;
        snapshot.grants.adopt_legacy_notes();
        snapshot.grants.read_at = Some(snapshot.taken_at.clone());
        Ok(snapshot)
    }

    /// Read a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot, Error> {
        let origin = path.display().to_string();
        let bytes =
            crate::input::read_bounded(path, MAX_FILE_BYTES, true).map_err(|e| match e {
                crate::input::ReadError::TooLarge(limit) => Error::input(format!(
                    "invalid snapshot {origin}: the file is larger than {limit}"
                )),
                e => Error::input(format!("cannot read the snapshot {origin}: {e}")),
            })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::input(format!(
                "invalid snapshot {origin}: the file is not UTF-8 text"
            ))
        })?;
        Snapshot::parse(&text, &origin)
    }
}

/// serde_json appends " at line L column C"; we put the position first.
fn strip_position(msg: &str) -> &str {
    msg.rfind(" at line ").map_or(msg, |i| &msg[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::Cloud;
    use crate::grants::{AppIdentity, AppRoleGrant};

    fn sample() -> Snapshot {
        let mut g = Grants::new(
            Cloud::Global,
            AppIdentity {
                app_id: Some("46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b".into()),
                ..Default::default()
            },
        );
        g.application.push(AppRoleGrant {
            permission: "Policy.Read.All".into(),
            app_role_id: Some("246dd0d5-5bd0-4def-940b-0421030a5b68".into()),
            assignment_id: None,
            created: Some("2024-03-11T09:12:45Z".into()),
        });
        Snapshot::now(g)
    }

    #[test]
    fn round_trips() {
        let s = sample();
        assert_eq!(Snapshot::parse(&s.to_json().unwrap(), "s.json").unwrap(), s);
        assert!(s.taken_at.ends_with('Z'), "{}", s.taken_at);
    }

    #[test]
    fn not_json_names_the_file_and_position() {
        let e = Snapshot::parse("{\n  \"snapshotVersion\": 1,\n  oops\n}", "s.json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid snapshot s.json: line 3 column 3"),
            "{e}"
        );
    }

    #[test]
    fn unknown_version_is_rejected() {
        let text = sample()
            .to_json()
            .unwrap()
            .replace("\"snapshotVersion\": 1", "\"snapshotVersion\": 7");
        let e = Snapshot::parse(&text, "s.json").unwrap_err();
        assert!(
            e.to_string().contains("snapshotVersion 7 is not supported"),
            "{e}"
        );
        assert!(Snapshot::parse("{}", "s.json")
            .unwrap_err()
            .to_string()
            .contains("no `snapshotVersion`"));
    }

    #[test]
    fn a_missing_field_is_named() {
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json().unwrap()).unwrap();
        v["grants"].as_object_mut().unwrap().remove("delegated");
        let e = Snapshot::parse(&v.to_string(), "s.json").unwrap_err();
        assert!(e.to_string().contains("missing field `delegated`"), "{e}");
    }

    #[test]
    fn an_unknown_field_is_rejected() {
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json().unwrap()).unwrap();
        v["grants"]["token"] = "x".into();
        let e = Snapshot::parse(&v.to_string(), "s.json").unwrap_err();
        assert!(e.to_string().contains("unknown field `token`"), "{e}");
    }
}
