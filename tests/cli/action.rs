//! The GitHub Action's audit step (action/run.sh), run as the runner would, against the fake
//! Graph: the reports, the job summary, the outputs, and an error annotation when the audit could
//! not run.

use crate::support::fake_graph::{FakeGraph, FakeTenant, APP_ID};
use crate::support::{graph_token, json};

struct Step {
    code: i32,
    stdout: String,
    stderr: String,
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
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
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
            l.starts_with(
                "::error title=entra-perms%3A the audit could not be completed (exit 3)::",
            )
        })
        .unwrap_or_else(|| panic!("no annotation in {}", step.stdout));
    assert!(annotation.contains("403"), "{annotation}");
    assert!(
        step.summary.contains("could not audit (exit 3)"),
        "{}",
        step.summary
    );

    // A wrong input: exit 2, said as such; text in the message cannot start another command.
    let step = run_step(&graph, &[("INPUT_MATRIX", "/nonexistent%0A::warning::x")]);
    assert_eq!(step.code, 2);
    let annotation = step
        .stdout
        .lines()
        .find(|l| l.starts_with("::error title=entra-perms%3A the input is wrong (exit 2)::"))
        .unwrap_or_else(|| panic!("no annotation in {}", step.stdout));
    assert!(
        annotation.contains("/nonexistent%250A::warning::x"),
        "{annotation}"
    );
}

fn yaml(path: &std::path::Path) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(path).unwrap();
    let mut docs = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{}", path.display());
    docs.remove(0)
}

#[test]
fn action_yml_runs_the_tested_scripts_with_every_input() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = yaml(&root.join("action.yml"));
    let run_sh = std::fs::read_to_string(root.join("action/run.sh")).unwrap();
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().unwrap();
    let scripts: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(
        scripts,
        [
            "\"$GITHUB_ACTION_PATH/install.sh\"",
            "\"$GITHUB_ACTION_PATH/action/run.sh\""
        ]
    );
    let audit = steps
        .iter()
        .find(|s| s["id"].as_str() == Some("audit"))
        .unwrap();
    let names: Vec<&str> = action["inputs"]
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "app",
            "tenant-id",
            "client-id",
            "auth",
            "cloud",
            "service-account",
            "tenants",
            "concurrency",
            "scope",
            "strict",
            "fail-on",
            "matrix",
            "baseline",
            "redact",
            "sarif",
            "artifact-name",
            "extra-args",
            "version"
        ]
    );
    for name in names {
        let reference = format!("${{{{ inputs.{name} }}}}");
        if name == "version" {
            assert_eq!(
                steps[0]["env"]["ENTRA_PERMS_VERSION"].as_str(),
                Some(reference.as_str())
            );
            continue;
        }
        // Each input reaches run.sh as INPUT_<NAME>, and run.sh reads it.
        let var = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        assert_eq!(
            audit["env"][var.as_str()].as_str(),
            Some(reference.as_str()),
            "{var}"
        );
        assert!(
            run_sh.contains(&format!("${{{var}")),
            "run.sh ignores {var}"
        );
    }
    // The release it installs by default is this one.
    assert_eq!(
        action["inputs"]["version"]["default"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    // Every output is declared, and each is set: by the binary's own `outputs` report (passed,
    // missing, excess) or by run.sh.
    let outputs: Vec<&str> = action["outputs"]
        .as_hash()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        [
            "passed",
            "exit-code",
            "missing",
            "excess",
            "report-dir",
            "json",
            "html",
            "markdown",
            "sarif",
            "artifact-name"
        ]
    );
    let (_, summary, _) = crate::support::run(
        crate::support::entra_perms().args([
            "audit",
            "--format",
            "outputs",
            "--fail-on",
            "never",
            "--from",
            &crate::support::example("stale-consent.json")
                .display()
                .to_string(),
        ]),
    );
    for output in outputs {
        let value = action["outputs"][output]["value"].as_str().unwrap();
        assert_eq!(value, format!("${{{{ steps.audit.outputs.{output} }}}}"));
        let by_binary = summary
            .lines()
            .any(|l| l.starts_with(&format!("{output}=")));
        let by_script =
            run_sh.contains(&format!("echo \"{output}=")) || run_sh.contains(&format!("{output}:"));
        assert!(by_binary || by_script, "nothing sets the output {output}");
    }
}

#[test]
fn every_workflow_and_recipe_is_valid_yaml_and_pins_the_release() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [".github/workflows", "examples/ci"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    let version = env!("CARGO_PKG_VERSION");
    for file in &files {
        let doc = yaml(file);
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.file_name().unwrap().to_str().unwrap();
        if name.starts_with("github-actions") {
            // The job's OIDC token needs id-token: write; the version is pinned.
            assert_eq!(
                doc["permissions"]["id-token"].as_str(),
                Some("write"),
                "{name}"
            );
            assert!(
                text.contains(&format!(": {version}")),
                "{name} does not pin {version}"
            );
        }
        if name.starts_with("azure-pipelines") {
            let steps = doc["steps"].as_vec().unwrap();
            let publish = steps
                .iter()
                .find(|s| s["task"].as_str() == Some("PublishTestResults@2"))
                .unwrap();
            assert_eq!(
                publish["condition"].as_str(),
                Some("succeededOrFailed()"),
                "{name}"
            );
            assert_eq!(
                publish["inputs"]["failTaskOnMissingResultsFile"].as_bool(),
                Some(true),
                "{name}"
            );
            let audit = steps
                .iter()
                .find(|s| s["task"].as_str() == Some("AzureCLI@2"))
                .unwrap();
            assert_eq!(
                audit["env"]["SYSTEM_ACCESSTOKEN"].as_str(),
                Some("$(System.AccessToken)"),
                "{name}"
            );
            assert!(audit["inputs"]["inlineScript"]
                .as_str()
                .unwrap()
                .contains("--auth azure-pipelines"));
            assert_eq!(
                doc["variables"]["entraPermsVersion"].as_str(),
                Some(version),
                "{name}"
            );
        }
        if name.starts_with("azure-container-apps") {
            let container = &doc["properties"]["template"]["containers"][0];
            assert_eq!(
                container["image"].as_str(),
                Some(format!("ghcr.io/entra-perms/entra-perms:v{version}").as_str())
            );
            let args: Vec<&str> = container["args"]
                .as_vec()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            assert_eq!(args[0], "audit");
            assert!(
                args.windows(2).any(|w| w == ["--auth", "managed-identity"]),
                "{args:?}"
            );
            assert_eq!(
                doc["properties"]["configuration"]["triggerType"].as_str(),
                Some("Schedule")
            );
        }
        // No recipe compiles from source or signs in before installing.
        assert!(!text.contains("cargo install"), "{name}");
    }
}

/// Tenant text the Action prints (the table in the log) is never read as a workflow command:
/// the binary makes `::` at a line start and `##[` anywhere inert, and the step stops commands
/// around it with a token no one else knows.
#[test]
fn no_line_the_action_prints_is_a_workflow_command_from_the_tenant() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.sps[0].display_name = "[ok](https://evil.example) ##[stop-commands]x".into();
    tenant.requested = Some(Vec::new());
    // A long name wraps, and some wrapped line starts with `::error`.
    tenant.app_secrets = vec![
        serde_json::json!({"keyId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "displayName": "::error title=pwn::owned ".repeat(30), "endDateTime": "2099-01-01T00:00:00Z"}),
    ];
    let graph = FakeGraph::start(tenant);
    let step = run_step(&graph, &[]);
    assert!(step.code <= 1, "{}{}", step.stdout, step.stderr);
    let lines: Vec<&str> = step.stdout.lines().chain(step.stderr.lines()).collect();
    let stop = lines
        .iter()
        .find_map(|l| l.strip_prefix("::stop-commands::"))
        .expect("the step stops workflow commands around the audit");
    assert!(stop.len() >= 32, "an unguessable token: {stop}");
    assert!(
        step.stdout.contains(&format!("::{stop}::")),
        "and resumes them"
    );
    assert!(step.stdout.contains("owned"), "the text is shown");
    for l in &lines {
        assert!(!l.contains("##["), "{l}");
        let ours = l.starts_with("::stop-commands::")
            || *l == format!("::{stop}::")
            || l.starts_with("::error title=entra-perms")
            || l.starts_with("::notice title=entra-perms");
        assert!(
            ours || !l.trim_start().starts_with("::"),
            "a workflow command: {l}"
        );
    }
}
