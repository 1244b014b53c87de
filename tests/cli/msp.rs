//! MSP scale: `audit --tenants` written as JSON lines as each tenant finishes (then dropped), the
//! tenant cap, a reader that leaves early, and progress a CI log can follow.

use crate::support::browser;
use crate::support::fake_graph::{
    FakeGraph, FakeTenant, SERVICE_ACCOUNT_UPN, TENANT_DOMAIN, TENANT_ID,
};
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
        err.contains("entra-perms: 2/2 tenants (100%), 1 failed, 1 could not be audited"),
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

/// `--report-dir`: each tenant's own JSON and page as it finishes, an index linking to them, an
/// HTML overview linked from where it is written; beside it, the documents of every tenant
/// written from a private temporary file that is gone at the end, in the tenants file's order.
#[test]
fn a_report_folder_and_the_documents_of_every_tenant() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // The error first in the file: the documents keep the file's order, not the finishing one.
    let list = tenants_file(
        dir.path(),
        &format!("Fabrikam.onmicrosoft.com\n{TENANT_ID}\n"),
    );
    let reports = dir.path().join("tenants");
    let overview = dir.path().join("overview.html");
    let at = |name: &str| dir.path().join(name).display().to_string();
    let mut cmd = audit_against(&graph, &["--format", "html", "--output"]);
    cmd.arg(&overview)
        .arg("--tenants")
        .arg(&list)
        .arg("--report-dir")
        .arg(&reports)
        .args(["--redact", "--service-account", SERVICE_ACCOUNT_UPN])
        .args(["--report", &format!("json={}", at("all.json"))])
        .args(["--report", &format!("csv={}", at("all.csv"))])
        .args(["--report", &format!("junit={}", at("all.xml"))])
        .args(["--report", &format!("sarif={}", at("all.sarif"))])
        .args(["--report", &format!("markdown={}", at("all.md"))])
        .env("TMPDIR", tmp.path());
    let (code, out, err) = run(cmd);
    assert_eq!((code, out.as_str()), (3, ""), "{err}");
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();

    // Each tenant's own reports, named as listed in lower case.
    let ours = json(&read(&reports.join(format!("{TENANT_ID}.json"))));
    assert_eq!(ours["passed"], false);
    assert!(read(&reports.join(format!("{TENANT_ID}.html"))).starts_with("<!doctype html>"));
    let failed = json(&read(&reports.join("fabrikam.onmicrosoft.com.json")));
    assert_eq!(failed["exitCode"], 3);
    assert!(failed["error"]
        .as_str()
        .unwrap()
        .contains("the tenant read is"));
    assert!(!reports.join("fabrikam.onmicrosoft.com.html").exists());
    let index = read(&reports.join("index.html"));
    assert!(
        index.contains(&format!("href=\"{TENANT_ID}.html\"")),
        "{index}"
    );
    assert!(read(&overview).contains(&format!("href=\"tenants/{TENANT_ID}.html\"")));

    // The multi-tenant JSON in the file's order, each report the one in the folder.
    let all = json(&read(&dir.path().join("all.json")));
    let order: Vec<&str> = all["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Fabrikam.onmicrosoft.com", TENANT_ID]);
    assert_eq!(all["tenants"][1]["report"], ours);
    assert_eq!(all["summary"]["errors"], 1);
    let csv = read(&dir.path().join("all.csv"));
    assert!(csv.contains("could not be audited") && csv.contains(TENANT_ID));
    let junit = read(&dir.path().join("all.xml"));
    assert!(
        junit.contains("<testsuites name=\"entra-perms audit\""),
        "{junit}"
    );
    assert!(junit.contains("errors=\"1\""), "{junit}");
    assert!(junit.trim_end().ends_with("</testsuites>"));
    let sarif = json(&read(&dir.path().join("all.sarif")));
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(read(&dir.path().join("all.md")).contains("| Tenant | Verdict |"));

    // `--redact` holds in every file; the temporary file is gone.
    for entry in std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(&reports).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert!(
                !read(&path).contains(SERVICE_ACCOUNT_UPN),
                "{}",
                path.display()
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "the spill is removed"
    );

    // The index in a browser: a link per audited tenant, leading to its page; none for the error.
    let Some(chromium) = browser::require() else {
        return;
    };
    let dom = browser::dump_dom(&chromium, &reports.join("index.html"));
    let links: Vec<&str> = dom
        .split("<a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.ends_with(".html"))
        .collect();
    assert_eq!(links, [format!("{TENANT_ID}.html")]);
    assert!(links.iter().all(|l| reports.join(l).is_file()));
    assert!(dom.contains("data-verdict=\"ERROR\" data-tenant=\"Fabrikam.onmicrosoft.com\""));
}

/// Microsoft Graph's permission catalog is read whole once a run; each other tenant reads its
/// Graph service principal's id alone. A throttled answer shows in the progress.
#[test]
fn the_catalog_is_read_once_a_run_and_throttling_shows_in_the_progress() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.throttle_each_token =
        Some(("/v1.0/servicePrincipals(appId='00000003".into(), "0".into()));
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    // Three names of the one stand-in tenant: its id and two verified domains.
    let list = tenants_file(
        dir.path(),
        &format!("{TENANT_ID}\n{TENANT_DOMAIN}\ncontoso.example\n"),
    );
    let mut cmd = audit_against(&graph, &["--format", "json", "--tenants"]);
    cmd.arg(&list);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["summary"]["passed"], 3);
    let graph_sp: Vec<String> = graph
        .requests()
        .iter()
        .filter(|r| {
            r.target
                .starts_with("/v1.0/servicePrincipals(appId='00000003")
        })
        .map(|r| r.target.clone())
        .collect();
    let whole = graph_sp.iter().filter(|t| t.contains("appRoles")).count();
    let id_alone = graph_sp
        .iter()
        .filter(|t| t.ends_with("$select=id"))
        .count();
    // One whole read (and its throttled first try), two by id.
    assert_eq!((whole, id_alone), (2, 2), "{graph_sp:#?}");
    assert!(
        err.contains(
            "3/3 tenants (100%), 0 failed, 0 could not be audited, 1 throttled answer waited out"
        ),
        "{err}"
    );
}
