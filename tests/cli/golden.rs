//! The JSON documents pinned as snapshots (insta): the audit of every shipped example in every
//! scope, the multi-tenant audit, the plan and the matrix. A restructuring that changes any of
//! them fails here; a change meant to alter the contract updates the snapshot in the same commit.

use serde_json::Value;

use crate::support::fake_graph::{FakeGraph, FakeTenant, TENANT_DOMAIN, TENANT_ID};
use crate::support::{audit_against, entra_perms, graph_token, json, run};

const EXAMPLES: [&str; 4] = [
    "all-granted",
    "service-account-consent",
    "stale-consent",
    "wrong-types-and-excess",
];

fn example(name: &str) -> String {
    format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"))
}

/// Replace what changes from run to run or release to release (the tool's version, the time
/// read) with placeholders, anywhere in the document.
fn stable(mut doc: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    match k.as_str() {
                        "readAt" | "takenAt" | "generatedAt" if v.is_string() => {
                            *v = "[time]".into()
                        }
                        _ => walk(v),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(tool) = doc.get_mut("tool").and_then(Value::as_object_mut) {
        tool.insert("version".into(), "[version]".into());
    }
    walk(&mut doc);
    doc
}

fn stdout_json(args: &[&str]) -> Value {
    let mut cmd = entra_perms();
    cmd.args(args);
    let (code, out, err) = run(&mut cmd);
    assert!(code <= 1, "exit {code}: {err}");
    stable(json(&out))
}

#[test]
fn audit_json_of_every_example_in_every_scope() {
    for name in EXAMPLES {
        for scope in ["all", "backup", "restore"] {
            let path = example(name);
            let doc = stdout_json(&[
                "audit", "--from", &path, "--format", "json", "--scope", scope,
            ]);
            insta::assert_json_snapshot!(format!("audit_{name}_{scope}"), doc);
        }
    }
}

#[test]
fn plan_json_of_every_example() {
    for name in EXAMPLES {
        let path = example(name);
        let doc = stdout_json(&["plan", "--from", &path, "--format", "json"]);
        insta::assert_json_snapshot!(format!("plan_{name}"), doc);
    }
}

#[test]
fn matrix_json() {
    insta::assert_json_snapshot!("matrix", stdout_json(&["matrix", "--format", "json"]));
}

#[test]
fn multi_tenant_json() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tenants.txt");
    std::fs::write(&file, format!("{TENANT_ID}\n{TENANT_DOMAIN}\n")).unwrap();
    let mut cmd = audit_against(&graph, &["--format", "json", "--tenants"]);
    cmd.arg(&file);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 1, "{err}");
    insta::assert_json_snapshot!("multi_tenant", stable(json(&out)));
}
