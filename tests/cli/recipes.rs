//! The CI recipes as a user's repository holds them: a git repository holding only the recipe, run
//! step by step by the runner stand-ins (`support::runner`), the binary installed from a release
//! folder on disk through `ENTRA_PERMS_BASE_URL`, the job's own OIDC sign-in against loopback
//! stand-ins of GitHub/Azure DevOps, Entra ID and Microsoft Graph — for five nights: the first
//! (no baseline), a revoked permission, the next night (still red), an accepting run, a green
//! night.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::fake_graph::{FakeGraph, FakeTenant, APP_ID, APP_NAME, TENANT_ID};
use crate::support::graph_token;
use crate::support::release::{release_of, Release};
use crate::support::runner::expr::Value;
use crate::support::runner::github::{self, Runner};
use crate::support::runner::pipelines::{self, Agent};
use crate::support::tls_front::TlsFront;

const AUDITOR: &str = "a0c1e2d3-1111-4222-8333-944455556666";
const REVOKED: &str = "Policy.ReadWrite.ConditionalAccess";

/// This build, packaged once as the release the recipes pin (read-only, shared by the tests).
fn release() -> &'static Release {
    static RELEASE: std::sync::OnceLock<Release> = std::sync::OnceLock::new();
    RELEASE.get_or_init(|| release_of(env!("CARGO_PKG_VERSION")))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A git repository holding only `recipe` (at `path` inside it), as a user commits it.
fn user_repository(dir: &Path, recipe: &str, path: &str) -> PathBuf {
    let repo = dir.join("user-repo");
    std::fs::create_dir_all(repo.join(path).parent().unwrap()).unwrap();
    std::fs::copy(root().join(recipe), repo.join(path)).unwrap();
    for args in [
        vec!["init", "-q"],
        vec!["add", "."],
        vec![
            "-c",
            "user.name=admin",
            "-c",
            "user.email=admin@contoso.example",
            "commit",
            "-qm",
            "the entra-perms recipe",
        ],
    ] {
        let ok = Command::new("git")
            .args(&args)
            .current_dir(&repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }
    let files: Vec<_> = std::fs::read_dir(&repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != ".git")
        .collect();
    assert_eq!(files.len(), 1, "only the recipe: {files:?}");
    repo
}

/// The tenant on one night: everything granted, or the one permission revoked.
struct Night {
    graph: FakeGraph,
    front: TlsFront,
}

fn night(revoked: bool) -> Night {
    let mut tenant = FakeTenant::everything(&graph_token());
    if revoked {
        tenant.revoke_app(REVOKED);
    }
    let graph = FakeGraph::start(tenant);
    let front = TlsFront::start(&graph.base);
    Night { graph, front }
}

/// What every runner machine has: PATH (without this build's binary: the recipe installs it), and
/// where the stand-ins are (the release folder, Entra ID's token endpoint, Graph).
fn machine(release: &Release, n: &Night) -> HashMap<String, String> {
    HashMap::from([
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("NO_COLOR".into(), "1".into()),
        (
            "ENTRA_PERMS_BASE_URL".into(),
            format!("file://{}", release.dir.path().display()),
        ),
        ("SSL_CERT_FILE".into(), n.front.ca_pem.display().to_string()),
        ("AZURE_AUTHORITY_HOST".into(), n.front.base.clone()),
        ("ENTRA_PERMS_GRAPH_URL".into(), n.front.base.clone()),
    ])
}

fn github_runner(dir: &Path, repo: PathBuf) -> Runner {
    let mut runner = Runner::new(repo, dir.join("runner"), HashMap::new());
    runner.vars = HashMap::from([
        ("BACKUP_APP_ID".into(), APP_ID.into()),
        ("AZURE_TENANT_ID".into(), TENANT_ID.into()),
        ("AZURE_CLIENT_ID".into(), AUDITOR.into()),
    ]);
    runner
}

fn tonight(runner: &mut Runner, release: &Release, n: &Night) {
    runner.env = machine(release, n);
    runner.oidc = Some((
        format!("{}/github-oidc?api-version=2.0", n.front.base),
        "gh-request-token".into(),
    ));
}

fn only_audit_tokens(n: &Night) {
    // The tool only reads the tenant: GET requests, and token requests.
    for r in n.graph.requests() {
        assert!(
            r.method == "GET"
                || r.target.ends_with("/oauth2/v2.0/token")
                || r.target.contains("oidc"),
            "{} {}",
            r.method,
            r.target
        );
    }
}

#[test]
fn the_github_drift_recipe_keeps_the_last_accepted_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = user_repository(
        dir.path(),
        "examples/ci/github-actions-drift.yml",
        ".github/workflows/entra-perms-drift.yml",
    );
    let file = ".github/workflows/entra-perms-drift.yml";
    let mut runner = github_runner(dir.path(), repo);
    let exit = |run: &github::Run| run.jobs[0].steps["entra"].outputs["exit-code"].clone();

    // Night 1: no baseline yet. It passes, and leaves one.
    let n = night(false);
    tonight(&mut runner, release, &n);
    let run = runner.run(file, "schedule", &[]);
    assert!(run.success(), "{}", run.log());
    assert_eq!(exit(&run), "0");
    assert!(
        run.log()
            .contains("No baseline at entra-perms-state/audit.json yet"),
        "{}",
        run.log()
    );
    assert_eq!(run.jobs[0].steps["advance"].outcome, "success");
    assert!(
        run.jobs[0].summary.contains("Protected object"),
        "{}",
        run.jobs[0].summary
    );
    only_audit_tokens(&n);

    // Night 2: a permission revoked. Red, naming it.
    let n = night(true);
    tonight(&mut runner, release, &n);
    let run = runner.run(file, "schedule", &[]);
    assert!(!run.success(), "{}", run.log());
    assert_eq!(exit(&run), "1", "{}", run.log());
    assert!(run.log().contains(REVOKED), "{}", run.log());
    assert_eq!(run.jobs[0].steps["advance"].outcome, "skipped");

    // Night 3: still revoked, still red: the baseline did not move.
    let run = runner.run(file, "schedule", &[]);
    assert!(!run.success());
    assert_eq!(exit(&run), "1", "{}", run.log());
    assert!(run.log().contains(REVOKED));

    // Someone reads the report and accepts it by hand.
    let run = runner.run(
        file,
        "workflow_dispatch",
        &[("accept-baseline", Value::Bool(true))],
    );
    assert!(run.success(), "{}", run.log());
    assert_eq!(exit(&run), "0");
    assert_eq!(run.jobs[0].steps["advance"].outcome, "success");

    // Night 5: the same state, now accepted: green.
    let run = runner.run(file, "schedule", &[]);
    assert!(run.success(), "{}", run.log());
    assert_eq!(exit(&run), "0");

    // A dispatch without ticking the box is a night like any other.
    let n = night(false);
    tonight(&mut runner, release, &n);
    let run = runner.run(file, "workflow_dispatch", &[]);
    assert!(run.success(), "{}", run.log());
}

#[test]
fn the_github_recipe_and_the_action_as_copied() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = user_repository(
        dir.path(),
        "examples/ci/github-actions.yml",
        ".github/workflows/entra-perms.yml",
    );
    let file = ".github/workflows/entra-perms.yml";
    let mut runner = github_runner(dir.path(), repo);
    let n = night(false);
    tonight(&mut runner, release, &n);
    let run = runner.run(file, "push", &[]);
    assert!(run.success(), "{}", run.log());
    assert_eq!(run.artifacts.len(), 1, "the reports are kept");
    let n = night(true);
    tonight(&mut runner, release, &n);
    let run = runner.run(file, "schedule", &[]);
    assert!(!run.success(), "a gap fails the job");
    assert!(run.log().contains(REVOKED));
    // Without id-token: write the job gets no OIDC token, and says so.
    let text = std::fs::read_to_string(runner.repo.join(file)).unwrap();
    std::fs::write(
        runner.repo.join(file),
        text.replace("id-token: write", "id-token: none"),
    )
    .unwrap();
    let run = runner.run(file, "push", &[]);
    assert!(!run.success());
    assert!(
        run.log().contains("ACTIONS_ID_TOKEN_REQUEST_URL"),
        "{}",
        run.log()
    );
}

/// Two matrix entries using the Action keep two artifacts; the outputs come from the binary, on a
/// runner without python3 or jq; SARIF is written for code scanning.
#[test]
fn the_action_in_a_matrix_names_each_artifact_and_needs_no_python() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = dir.path().join("user-repo");
    std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
    let workflow = format!(
        r#"name: two apps
on: [push]
permissions:
  id-token: write
  contents: read
  security-events: write
jobs:
  audit:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        app: ["{APP_ID}", "{APP_NAME}"]
    steps:
      - uses: entra-perms/entra-perms@v1
        id: entra
        with:
          app: ${{{{ matrix.app }}}}
          tenant-id: ${{{{ vars.AZURE_TENANT_ID }}}}
          client-id: ${{{{ vars.AZURE_CLIENT_ID }}}}
          fail-on: never
          sarif: true
          version: {version}
      - uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: ${{{{ steps.entra.outputs.sarif }}}}
      - name: Use the outputs
        env:
          MISSING: ${{{{ steps.entra.outputs.missing }}}}
          PASSED: ${{{{ steps.entra.outputs.passed }}}}
          JSON: ${{{{ steps.entra.outputs.json }}}}
        run: |
          echo "missing=$MISSING passed=$PASSED"
          test -f "$JSON"
"#,
        version = env!("CARGO_PKG_VERSION")
    );
    std::fs::write(repo.join(".github/workflows/two.yml"), workflow).unwrap();
    // A runner image without python3 or jq: both are there only to refuse.
    let nopython = dir.path().join("nopython");
    std::fs::create_dir_all(&nopython).unwrap();
    for tool in ["python3", "python", "jq"] {
        let p = nopython.join(tool);
        std::fs::write(&p, "#!/bin/sh\necho \"$0: not installed\" >&2\nexit 127\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut runner = github_runner(dir.path(), repo);
    let n = night(true);
    tonight(&mut runner, release, &n);
    let path = format!("{}:{}", nopython.display(), runner.env["PATH"]);
    runner.env.insert("PATH".into(), path);
    let run = runner.run(".github/workflows/two.yml", "push", &[]);
    assert!(run.success(), "{}", run.log());
    assert!(!run.log().contains("not installed"), "{}", run.log());
    let names: Vec<&str> = run.artifacts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_ne!(names[0], names[1]);
    for job in &run.jobs {
        let outputs = &job.steps["entra"].outputs;
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&outputs["json"]).unwrap()).unwrap();
        assert_eq!(
            outputs["missing"],
            doc["missing"].as_array().unwrap().len().to_string(),
            "{outputs:?}"
        );
        assert_eq!(outputs["missing"], "1");
        assert_eq!(outputs["passed"], "true", "fail-on never");
        assert!(
            outputs["sarif"].ends_with("entra-perms.sarif"),
            "{outputs:?}"
        );
        for key in ["report-dir", "html", "markdown", "artifact-name"] {
            assert!(!outputs[key].is_empty(), "{key}: {outputs:?}");
        }
        assert!(job.log.contains("missing=1 passed=true"), "{}", job.log);
    }
    let run_sh = std::fs::read_to_string(root().join("action/run.sh")).unwrap();
    for tool in ["python", "jq "] {
        assert!(!run_sh.contains(tool), "run.sh needs {tool}");
    }
}

fn agent(dir: &Path, repo: PathBuf) -> Agent {
    Agent {
        repo,
        base: dir.join("agent"),
        env: HashMap::new(),
        connection: HashMap::new(),
        runs: Vec::new(),
    }
}

fn tonight_on_azure(agent: &mut Agent, release: &Release, n: &Night) {
    agent.env = machine(release, n);
    agent.env.insert(
        "SYSTEM_OIDCREQUESTURI".into(),
        format!("{}/pipelines-oidc", n.front.base),
    );
    agent.connection = HashMap::from([
        ("AZURESUBSCRIPTION_TENANT_ID".into(), TENANT_ID.into()),
        ("AZURESUBSCRIPTION_CLIENT_ID".into(), AUDITOR.into()),
        (
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID".into(),
            "svc-conn-1".into(),
        ),
    ]);
}

#[test]
fn the_azure_pipelines_drift_recipe_keeps_the_last_accepted_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = user_repository(
        dir.path(),
        "examples/ci/azure-pipelines-drift.yml",
        "azure-pipelines-drift.yml",
    );
    let file = "azure-pipelines-drift.yml";
    let mut agent = agent(dir.path(), repo);
    let main = "refs/heads/main";

    // Night 1: nothing to download (the step fails, continueOnError): partially succeeded, and
    // the run keeps the first baseline.
    let n = night(false);
    tonight_on_azure(&mut agent, release, &n);
    let run = agent.run(file, main, &[]);
    assert_eq!(
        run.result,
        pipelines::Result::PartiallySucceeded,
        "{}",
        run.log
    );
    assert!(run.log.contains("No baseline yet"), "{}", run.log);
    assert!(
        run.artifacts.contains_key("entra-perms-baseline"),
        "{}",
        run.log
    );
    only_audit_tokens(&n);

    // Night 2: revoked. The baseline of a partially succeeded run is found; red, naming it.
    let n = night(true);
    tonight_on_azure(&mut agent, release, &n);
    let run = agent.run(file, main, &[]);
    assert_eq!(run.result, pipelines::Result::Failed, "{}", run.log);
    assert!(
        run.log
            .contains("Downloading artifact entra-perms-baseline"),
        "{}",
        run.log
    );
    assert!(run.log.contains(REVOKED), "{}", run.log);
    assert!(!run.errors.is_empty());

    // Night 3: the baseline of a failed run (carried forward) is found: still red.
    let run = agent.run(file, main, &[]);
    assert_eq!(run.result, pipelines::Result::Failed, "{}", run.log);
    assert!(run.log.contains(REVOKED));

    // Accepted by hand.
    let run = agent.run(file, main, &[("acceptBaseline", true)]);
    assert_eq!(run.result, pipelines::Result::Succeeded, "{}", run.log);

    // Night 5: green.
    let run = agent.run(file, main, &[]);
    assert_eq!(run.result, pipelines::Result::Succeeded, "{}", run.log);
}

/// The same stand-in, holding the old recipe's download step, shows the defect it had: after a
/// first run that partially succeeded, the default download finds nothing again.
#[test]
fn the_agent_stand_in_skips_partially_succeeded_runs_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = user_repository(
        dir.path(),
        "examples/ci/azure-pipelines-drift.yml",
        "azure-pipelines-drift.yml",
    );
    let file = repo.join("azure-pipelines-drift.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    let old = text
        .replace("      allowPartiallySucceededBuilds: true\n", "")
        .replace("      allowFailedBuilds: true\n", "");
    assert_ne!(old, text);
    std::fs::write(&file, old).unwrap();
    let mut agent = agent(dir.path(), repo);
    let n = night(false);
    tonight_on_azure(&mut agent, release, &n);
    let first = agent.run("azure-pipelines-drift.yml", "refs/heads/main", &[]);
    assert_eq!(first.result, pipelines::Result::PartiallySucceeded);
    let second = agent.run("azure-pipelines-drift.yml", "refs/heads/main", &[]);
    assert!(
        second.log.contains("No baseline yet"),
        "every night a first run"
    );
}

#[test]
fn the_azure_pipelines_recipe_as_copied() {
    let dir = tempfile::tempdir().unwrap();
    let release = release();
    let repo = user_repository(
        dir.path(),
        "examples/ci/azure-pipelines.yml",
        "azure-pipelines.yml",
    );
    let mut agent = agent(dir.path(), repo);
    let n = night(false);
    tonight_on_azure(&mut agent, release, &n);
    let run = agent.run("azure-pipelines.yml", "refs/heads/main", &[]);
    assert_eq!(run.result, pipelines::Result::Succeeded, "{}", run.log);
    assert!(run.artifacts.contains_key("entra-perms-report"));
    let n = night(true);
    tonight_on_azure(&mut agent, release, &n);
    let run = agent.run("azure-pipelines.yml", "refs/heads/main", &[]);
    assert_eq!(run.result, pipelines::Result::Failed, "{}", run.log);
    assert!(
        run.errors
            .iter()
            .any(|e| e.contains("permissions are missing")),
        "{:?}",
        run.errors
    );
}

/// The workflow snippets of the README and docs/ci.md (permissions and steps), put in a workflow
/// as a user pastes them, run: the Action's SARIF reaches code scanning.
#[test]
fn the_readme_and_docs_workflow_snippets_run_as_pasted() {
    let dir = tempfile::tempdir().unwrap();
    let mut snippets = Vec::new();
    for page in ["README.md", "docs/ci.md"] {
        let text = std::fs::read_to_string(root().join(page)).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("```yaml\n") {
            let body = &rest[at + 8..];
            let end = body.find("```").unwrap();
            let block = &body[..end];
            if block.contains("permissions:") && block.contains("steps:") && block.contains("sarif")
            {
                snippets.push((page, block.to_string()));
            }
            rest = &body[end..];
        }
    }
    assert_eq!(snippets.len(), 2, "one in the README, one in docs/ci.md");
    for (page, block) in snippets {
        let (head, steps) = block.split_once("steps:\n").unwrap();
        let steps: String = steps.lines().map(|l| format!("    {l}\n")).collect();
        let workflow = format!(
            "name: pasted\non: [push]\n{head}jobs:\n  audit:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
        );
        let repo = dir.path().join(format!("repo-{}", page.replace('/', "-")));
        std::fs::create_dir_all(repo.join(".github/workflows")).unwrap();
        std::fs::write(repo.join(".github/workflows/pasted.yml"), &workflow).unwrap();
        let mut runner = github_runner(dir.path(), repo);
        let n = night(false);
        tonight(&mut runner, release(), &n);
        let run = runner.run(".github/workflows/pasted.yml", "push", &[]);
        assert!(run.success(), "{page}:\n{workflow}\n{}", run.log());
        assert!(
            run.log()
                .contains("--- github/codeql-action/upload-sarif@v3: success"),
            "{page}: {}",
            run.log()
        );
    }
}
