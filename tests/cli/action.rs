//! The GitHub Action's audit step (action/run.sh), run as the runner would, against the fake
//! Graph: the reports, the job summary, the outputs, and an error annotation when the audit could
//! not run.

use crate::support::fake_graph::{FakeGraph, FakeTenant, APP_ID};
use crate::support::{graph_token, json};

struct Step {
    code: i32,
    stdout: String,
    outputs: String,
    summary: String,
    reports: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn run_step(graph: &FakeGraph, extra: &[(&str, &str)]) -> Step {
    let dir = tempfile::tempdir().unwrap();
    let (outputs, summary, reports) = (
        dir.path().join("output"),
        dir.path().join("summary.md"),
        dir.path().join("reports"),
    );
    #[allow(deprecated)]
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("ENTRA_PERMS_BIN", &bin)
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .env("ENTRA_PERMS_GRAPH_URL", &graph.base)
        .env("INPUT_APP", APP_ID)
        .env("INPUT_AUTH", "access-token")
        .env("INPUT_REPORT_DIR", &reports)
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary);
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Step {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        reports,
        _dir: dir,
    }
}

#[test]
fn the_action_writes_reports_summary_and_outputs() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let step = run_step(&graph, &[]);
    assert_eq!(step.code, 1, "{}", step.stdout);
    for line in ["exit-code=1", "passed=false", "missing=1"] {
        assert!(
            step.outputs.lines().any(|l| l == line),
            "{line} in {}",
            step.outputs
        );
    }
    assert!(
        step.summary.starts_with("## entra-perms audit: ❌ FAIL"),
        "{}",
        step.summary
    );
    let doc = json(&std::fs::read_to_string(step.reports.join("audit.json")).unwrap());
    assert_eq!(doc["missing"][0]["permission"], "AuditLog.Read.All");
    assert!(step.reports.join("audit.html").is_file());
    assert!(
        step.stdout.contains("FAIL: 1 of 18 objects not covered"),
        "the table is in the log"
    );

    // Everything granted: green.
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let step = run_step(&graph, &[("INPUT_FAIL_ON", "gap")]);
    assert_eq!(step.code, 0, "{}", step.stdout);
    assert!(step.outputs.contains("passed=true"));
}

#[test]
fn an_audit_that_cannot_run_is_an_error_annotation() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.forbid.push("/v1.0/servicePrincipals(appId=".into());
    tenant.forbid.push("/v1.0/servicePrincipals/".into());
    let graph = FakeGraph::start(tenant);
    let step = run_step(&graph, &[]);
    assert_eq!(step.code, 3);
    assert!(step.outputs.contains("exit-code=3") && step.outputs.contains("passed=false"));
    let annotation = step
        .stdout
        .lines()
        .find(|l| {
            l.starts_with("::error title=entra-perms: the audit could not be completed (exit 3)::")
        })
        .unwrap_or_else(|| panic!("no annotation in {}", step.stdout));
    assert!(annotation.contains("403"), "{annotation}");
    assert!(
        step.summary.contains("could not audit (exit 3)"),
        "{}",
        step.summary
    );

    // A wrong input: exit 2, said as such.
    let step = run_step(&graph, &[("INPUT_SCOPE", "everything")]);
    assert_eq!(step.code, 2);
    assert!(
        step.stdout
            .contains("::error title=entra-perms: the input is wrong (exit 2)::"),
        "{}",
        step.stdout
    );
}

#[test]
fn action_yml_runs_the_tested_scripts() {
    let yml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"),
    )
    .unwrap();
    assert!(yml.contains("using: composite"));
    assert!(yml.contains("\"$GITHUB_ACTION_PATH/action/run.sh\""));
    assert!(yml.contains("\"$GITHUB_ACTION_PATH/install.sh\""));
    for input in [
        "app:",
        "tenant-id:",
        "client-id:",
        "auth:",
        "scope:",
        "strict:",
        "fail-on:",
        "matrix:",
        "baseline:",
        "version:",
    ] {
        assert!(yml.contains(&format!("  {input}")), "{input}");
    }
}
