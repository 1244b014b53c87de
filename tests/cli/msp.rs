//! MSP scale: `audit --tenants` written as JSON lines as each tenant finishes (then dropped), the
//! tenant cap, a reader that leaves early, and progress a CI log can follow.

use crate::support::fake_graph::{FakeGraph, FakeTenant, TENANT_ID};
use crate::support::{audit_against, graph_token, json, run};

fn tenants_file(dir: &std::path::Path, lines: &str) -> std::path::PathBuf {
    let list = dir.join("tenants.txt");
    std::fs::write(&list, lines).unwrap();
    list
}

#[test]
fn json_lines_one_per_tenant_then_a_summary() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let list = tenants_file(
        dir.path(),
        &format!("{TENANT_ID}\nfabrikam.onmicrosoft.com\n"),
    );
    let mut cmd = audit_against(&graph, &["--format", "jsonl", "--tenants"]);
    cmd.arg(&list);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 3, "the worst tenant's code: {err}");
    let lines: Vec<serde_json::Value> = out.lines().map(json).collect();
    assert_eq!(lines.len(), 3, "{out}");
    let mut tenants: Vec<&str> = lines[..2]
        .iter()
        .map(|l| l["tenant"].as_str().unwrap())
        .collect();
    tenants.sort_unstable();
    assert_eq!(tenants, [TENANT_ID, "fabrikam.onmicrosoft.com"]);
    let ours = lines.iter().find(|l| l["tenant"] == TENANT_ID).unwrap();
    assert_eq!(ours["exitCode"], 1);
    assert_eq!(ours["report"]["passed"], false);
    let summary = &lines[2]["summary"];
    assert_eq!(
        (
            summary["tenants"].as_u64(),
            summary["failed"].as_u64(),
            summary["errors"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    // Without a terminal, progress is a line at each tenth, for a CI log.
    assert!(
        err.contains("entra-perms: 2/2 tenants (100%), 2 failed"),
        "{err}"
    );
    // The same as a file, written whole.
    let file = dir.path().join("audit.jsonl");
    let mut cmd = audit_against(&graph, &["--format", "jsonl", "--output"]);
    cmd.arg(&file).arg("--tenants").arg(&list);
    let (code, out, _) = run(cmd);
    assert_eq!((code, out.as_str()), (3, ""));
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 3);
    assert!(std::fs::read_dir(dir.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

#[test]
fn a_reader_that_leaves_early_keeps_the_audits_code() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let many: String = std::iter::repeat_n(format!("{TENANT_ID}\n"), 1)
        .chain((0..6).map(|i| format!("{TENANT_ID}\n").replace("65415bb1", &format!("6541{i:04}"))))
        .collect();
    let list = tenants_file(dir.path(), &many);
    // `set -o pipefail; entra-perms … --format jsonl | head -n 1`: the tool's own code, 1 or 3.
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' audit --app 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b --graph-url '{}' --format jsonl --tenants '{}' 2>/dev/null | head -n 1 >/dev/null",
            bin.display(),
            graph.base,
            list.display()
        ))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .status()
        .unwrap();
    let code = status.code().unwrap();
    assert!(code == 1 || code == 3, "never 0 on a failing audit: {code}");
}

#[test]
fn a_tenants_file_above_the_cap_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..10_001)
        .map(|i| format!("tenant{i}.example\n"))
        .collect();
    let list = tenants_file(dir.path(), &lines);
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token())).allow_unrouted();
    let mut cmd = audit_against(&graph, &["--format", "jsonl", "--tenants"]);
    cmd.arg(&list);
    let (code, _, err) = run(cmd);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than 10000 tenants"), "{err}");
    assert!(err.contains(":10001:1:"), "the line: {err}");
    assert_eq!(
        graph.requests().len(),
        0,
        "nothing is read before the file is"
    );
}

/// A server that echoes the token into a name: every JSON line is scrubbed as every report is.
#[test]
fn a_token_echoed_into_a_line_never_leaks() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.sps[0].display_name = graph_token();
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let list = tenants_file(dir.path(), &format!("{TENANT_ID}\n"));
    let mut cmd = audit_against(&graph, &["--format", "jsonl", "--tenants"]);
    cmd.arg(&list);
    let (_, out, err) = run(cmd);
    assert_eq!(out.lines().count(), 2, "{err}{out}");
    let token = graph_token();
    let signature = token.rsplit('.').next().unwrap();
    assert!(!out.contains(signature), "the token leaked: {out}");
    assert!(
        out.contains("redacted"),
        "the name is redacted, not dropped: {out}"
    );
}
