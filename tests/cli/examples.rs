//! The shipped examples tell the truth: each is what today's snapshot writer writes (rewrite them
//! all with `ENTRA_PERMS_REGENERATE_EXAMPLES=1 cargo test --test cli examples`), each audits to
//! the documented finding codes, and docs/commands.md's snapshot schema says which fields the loader
//! requires and which it does without.

use std::collections::BTreeSet;

use entra_perms::snapshot::Snapshot;
use serde_json::Value;

use crate::support::fake_graph::{FakeGraph, FakeTenant, APP_ID};
use crate::support::{entra_perms, example, graph_token, json, run};

const EXAMPLES: [&str; 4] = [
    "all-granted.json",
    "service-account-consent.json",
    "stale-consent.json",
    "wrong-types-and-excess.json",
];

#[test]
fn each_example_is_what_todays_snapshot_writer_writes() {
    let regenerate = std::env::var_os("ENTRA_PERMS_REGENERATE_EXAMPLES").is_some();
    for name in EXAMPLES {
        let path = example(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let today = Snapshot::parse(&text, name).unwrap().to_json().unwrap();
        if regenerate {
            std::fs::write(&path, &today).unwrap();
        } else {
            assert!(
                text == today,
                "examples/{name} is not what today's writer writes: run ENTRA_PERMS_REGENERATE_EXAMPLES=1 cargo test --test cli examples"
            );
        }
    }
}

#[test]
fn each_example_audits_to_documented_finding_codes_never_a_bare_note() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
    for name in EXAMPLES {
        let (code, out, err) = run(entra_perms()
            .args(["audit", "--format", "json", "--fail-on", "never", "--from"])
            .arg(example(name)));
        assert_eq!(code, 0, "{name}: {err}");
        let doc = json(&out);
        for f in doc["findings"].as_array().unwrap() {
            let code = f["code"].as_str().unwrap();
            assert_ne!(code, "note", "{name}: {f}");
            assert!(
                readme.contains(&format!("`{code}`")),
                "{name}: `{code}` is not in docs/json.md"
            );
        }
    }
}

/// The snapshot fields of docs/commands.md: (path, required).
fn schema() -> Vec<(String, bool)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/commands.md")).unwrap();
    let start = readme
        .find("| snapshot field | required |")
        .expect("docs/commands.md's snapshot schema table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let field = cells[0].trim_matches('`').to_string();
            let required = match cells[1] {
                "required" => true,
                "optional" => false,
                other => panic!("{field}: `{other}` is neither required nor optional"),
            };
            (field, required)
        })
        .collect()
}

fn without(doc: &Value, field: &str) -> Value {
    let mut doc = doc.clone();
    match field.split_once('.') {
        Some((outer, inner)) => {
            doc[outer].as_object_mut().unwrap().remove(inner);
        }
        None => {
            doc.as_object_mut().unwrap().remove(field);
        }
    }
    doc
}

fn audit_of(dir: &std::path::Path, doc: &Value) -> (i32, String) {
    let path = dir.join("s.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--fail-on", "never", "--from"])
        .arg(&path));
    (code, err)
}

#[test]
fn the_readme_snapshot_schema_is_the_loaders() {
    let fields = schema();
    assert!(fields.len() >= 15, "{fields:?}");
    // Every field a snapshot of a busy tenant carries is in the table.
    let mut t = FakeTenant::everything(&graph_token());
    t.requested = Some(Vec::new());
    let graph = FakeGraph::start(t);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "snapshot",
        "--app",
        APP_ID,
        "--graph-url",
        &graph.base,
        "--service-account",
        crate::support::fake_graph::SERVICE_ACCOUNT_UPN,
    ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let busy = json(&out);
    let mut written: BTreeSet<String> = busy.as_object().unwrap().keys().cloned().collect();
    written.extend(
        busy["grants"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| format!("grants.{k}")),
    );
    let documented: BTreeSet<String> = fields.iter().map(|(f, _)| f.clone()).collect();
    let missing: Vec<&String> = written.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "docs/commands.md's snapshot table lacks {missing:?}"
    );

    // Each required field, taken away, is refused; each optional one is not.
    let dir = tempfile::tempdir().unwrap();
    for (field, required) in &fields {
        let (code, err) = audit_of(dir.path(), &without(&busy, field));
        if *required {
            assert_eq!(
                code, 2,
                "{field} is required, yet a snapshot without it was read"
            );
            assert!(err.contains("invalid snapshot"), "{field}: {err}");
        } else {
            assert_ne!(
                code, 2,
                "{field} is optional, yet a snapshot without it was refused: {err}"
            );
        }
    }
    // A field the loader does not know is refused.
    let mut extra = busy.clone();
    extra["grants"]["surprise"] = Value::Bool(true);
    assert_eq!(audit_of(dir.path(), &extra).0, 2);
}
