//! Offline work and CI: snapshots, token self-checks, Markdown and JUnit reports, the shipped
//! examples, the README's first command, completions and the man page.

use std::path::Path;

use quick_xml::events::Event;

use crate::support::fake_graph::{
    FakeGraph, FakeTenant, APP_ID, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN, TENANT_ID,
};
use crate::support::{audit_against, entra_perms, findings, graph_token, json, jwt, run};

fn mixed_tenant() -> FakeTenant {
    let mut t = FakeTenant::everything(&graph_token());
    t.page_size = 3;
    t.revoke_app("Policy.ReadWrite.ConditionalAccess");
    t.revoke_delegated("User.Read.All");
    t.revoke_delegated("Directory.AccessAsUser.All");
    t.delegated.push((
        "Principal".into(),
        Some(SERVICE_ACCOUNT_ID.into()),
        "Directory.AccessAsUser.All".into(),
    ));
    t.grant_app("BitlockerKey.Read.All");
    t.grant_app("Mail.ReadWrite");
    t.requested = Some(vec![(
        crate::support::fake_graph::app_role_id("Policy.ReadWrite.ConditionalAccess").unwrap(),
        "Role".into(),
    )]);
    t
}

#[test]
fn a_snapshot_audit_reproduces_the_live_verdicts() {
    let graph = FakeGraph::start(mixed_tenant());
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    for sa in [None, Some(SERVICE_ACCOUNT_UPN)] {
        let mut extra = vec!["--format", "json"];
        if let Some(sa) = sa {
            extra.extend(["--service-account", sa]);
        }
        let (live_code, live, err) = run(audit_against(&graph, &extra));
        assert!(err.is_empty(), "{err}");

        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
            .args([
                "snapshot",
                "--app",
                APP_ID,
                "--graph-url",
                &graph.base,
                "--output",
            ])
            .arg(&snap);
        if let Some(sa) = sa {
            cmd.args(["--service-account", sa]);
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        assert!(out.is_empty());

        let text = std::fs::read_to_string(&snap).unwrap();
        let token = graph_token();
        assert!(!text.contains(&token));
        assert!(!text.contains(token.split('.').nth(1).unwrap()));
        let doc = json(&text);
        assert_eq!(doc["snapshotVersion"], 1);
        assert_eq!(doc["grants"]["tenantId"], TENANT_ID);

        let mut cmd = entra_perms();
        cmd.args(["audit", "--format", "json", "--from"]).arg(&snap);
        if let Some(sa) = sa {
            cmd.args(["--service-account", sa]);
        }
        let (snap_code, from_snap, err) = run(&mut cmd);
        assert_eq!(snap_code, live_code, "{err}");
        let mut live = json(&live);
        let mut offline = json(&from_snap);
        assert_eq!(live["source"], "graph");
        assert_eq!(offline["source"], "snapshot");
        live["source"] = "x".into();
        offline["source"] = "x".into();
        // The snapshot's audit is as of the snapshot: its readAt is the snapshot's takenAt.
        assert_eq!(offline["readAt"], doc["takenAt"]);
        assert!(live["readAt"].as_str().unwrap().ends_with('Z'));
        live["readAt"] = "x".into();
        offline["readAt"] = "x".into();
        assert_eq!(live, offline);
    }
}

#[test]
fn a_snapshot_for_another_service_account_is_refused() {
    let graph = FakeGraph::start(mixed_tenant());
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .args([
            "snapshot",
            "--app",
            APP_ID,
            "--graph-url",
            &graph.base,
            "-o",
        ])
        .arg(&snap);
    assert_eq!(run(&mut cmd).0, 0);
    let mut cmd = entra_perms();
    cmd.args([
        "audit",
        "--service-account",
        "someone@contoso.com",
        "--from",
    ])
    .arg(&snap);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not the one recorded in the snapshot"),
        "{err}"
    );
}

#[test]
fn bad_snapshots_exit_2_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(crate::support::fixture("../../examples/all-granted.json"))
        .unwrap();
    let cases = [
        (
            "not-json.json",
            "{ \"snapshotVersion\": 1,".to_string(),
            "not valid JSON",
        ),
        (
            "version.json",
            good.replace("\"snapshotVersion\": 1", "\"snapshotVersion\": 99"),
            "snapshotVersion 99 is not supported",
        ),
        (
            "field.json",
            good.replace("\"delegated\"", "\"delegatedGrants\""),
            "unknown field `delegatedGrants`",
        ),
        ("empty.json", String::new(), "not valid JSON"),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = run(entra_perms().args(["audit", "--from"]).arg(&path));
        assert_eq!(code, 2, "{name}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(name), "{err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
    let (code, _, err) = run(entra_perms().args(["audit", "--from", "/no/such/snapshot.json"]));
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/snapshot.json"), "{err}");
}

#[test]
fn token_claims_of_an_app_only_token() {
    let token = jwt(serde_json::json!({
        "aud": "https://graph.microsoft.com", "tid": TENANT_ID, "appid": APP_ID, "idtyp": "app",
        "roles": ["Directory.Read.All", "Policy.Read.All", "BitlockerKey.Read.All", "DeviceLocalCredential.Read.All"]
    }));
    let (code, out, _) = run(entra_perms().env("ENTRA_PERMS_ACCESS_TOKEN", &token).args([
        "audit",
        "--token-claims",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["source"], "token");
    assert_eq!(doc["tenantId"], TENANT_ID);
    assert_eq!(doc["app"]["appId"], APP_ID);
    let obj = |name: &str| {
        doc["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["object"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(obj("Policies")["status"], "covered");
    assert_eq!(obj("Windows LAPS credentials")["status"], "covered");
    assert_eq!(obj("Users")["status"], "missing");
    let bitlocker = &obj("BitLocker keys")["requirements"][0];
    assert_eq!(bitlocker["status"], "wrong-type");
    assert_eq!(findings(&doc, "token-point-in-time").len(), 1, "{doc}");
    let excess: Vec<_> = doc["excess"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["permission"].clone())
        .collect();
    assert!(excess.contains(&"Directory.Read.All".into()));

    // The same token from a file, as a table.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token.txt");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let (code, out, _) = run(entra_perms()
        .args(["audit", "--token-claims", "--token-file"])
        .arg(&file));
    assert_eq!(code, 1);
    assert!(out.contains("read from the token's claims"), "{out}");
    // The point-in-time caveat, once (it used to print twice).
    assert_eq!(
        out.matches("consent in force when it was issued").count(),
        1,
        "{out}"
    );
}

#[test]
fn token_claims_of_a_delegated_token() {
    let token = jwt(serde_json::json!({
        "aud": "00000003-0000-0000-c000-000000000000", "tid": TENANT_ID, "appid": APP_ID,
        "oid": SERVICE_ACCOUNT_ID, "upn": SERVICE_ACCOUNT_UPN,
        "scp": "BitlockerKey.Read.All User.ReadWrite.All Directory.AccessAsUser.All openid profile"
    }));
    let (code, out, _) = run(entra_perms().env("ENTRA_PERMS_ACCESS_TOKEN", &token).args([
        "audit",
        "--token-claims",
        "--format",
        "json",
        "--scope",
        "backup",
    ]));
    assert_eq!(code, 1);
    let doc = json(&out);
    let users = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "Users")
        .unwrap();
    assert_eq!(users["purposes"]["backup"], "covered", "{users}");
    let bitlocker = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "BitLocker keys")
        .unwrap();
    assert_eq!(bitlocker["status"], "covered");
    assert_eq!(
        doc["serviceAccount"]["userPrincipalName"],
        SERVICE_ACCOUNT_UPN
    );
}

#[test]
fn tokens_that_cannot_be_read_exit_2() {
    let no_claims =
        jwt(serde_json::json!({"aud": "https://graph.microsoft.com", "tid": TENANT_ID}));
    for (token, expected) in [
        ("not-a-jwt", "not a JWT"),
        ("aaa.!!!.ccc", "not base64url"),
        (no_claims.as_str(), "neither a `roles` claim"),
    ] {
        let (code, out, err) = run(entra_perms()
            .env("ENTRA_PERMS_ACCESS_TOKEN", token)
            .args(["audit", "--token-claims"]));
        assert_eq!(code, 2, "{token}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("!!!"), "the token is not echoed: {err}");
    }
    let (code, _, err) = run(entra_perms().args(["audit", "--token-claims"]));
    assert_eq!(code, 2);
    assert!(err.contains("ENTRA_PERMS_ACCESS_TOKEN"), "{err}");
    let (code, _, err) =
        run(entra_perms().args(["audit", "--from", "s.json", "--token-file", "t"]));
    assert_eq!(code, 2);
    assert!(err.contains("--token-file is for --token-claims"), "{err}");
}

/// (testcases, failures) per test suite, read back with an XML parser.
fn junit_counts(xml: &str) -> Vec<(String, usize, usize)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                let name = e
                    .try_get_attribute("name")
                    .unwrap()
                    .unwrap()
                    .unescape_value()
                    .unwrap()
                    .to_string();
                suites.push((name, 0, 0));
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                suites.last_mut().unwrap().1 += 1;
            }
            Event::Start(e) if e.name().as_ref() == b"failure" => {
                suites.last_mut().unwrap().2 += 1;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    suites
}

#[test]
fn junit_has_a_testcase_per_object_in_scope_and_a_failure_per_gap() {
    let graph = FakeGraph::start(mixed_tenant());
    let (code, out, _) = run(audit_against(&graph, &["--format", "junit"]));
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let counts = junit_counts(&out);
    // 15 objects have a backup requirement and 14 a restore one; Users (Directory.AccessAsUser.All
    // only for the service account) fails both, Groups too, and Conditional access policies restore.
    assert_eq!(
        counts,
        vec![
            ("entra-perms.backup".to_string(), 15, 2),
            ("entra-perms.restore".to_string(), 14, 3),
        ]
    );
    assert!(out.contains("failures=\"5\""), "{out}");
    let (_, out, _) = run(audit_against(
        &graph,
        &["--format", "junit", "--scope", "restore"],
    ));
    assert_eq!(
        junit_counts(&out),
        vec![("entra-perms.restore".to_string(), 14, 3)]
    );
}

#[test]
fn junit_escapes_names_from_a_users_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(
        &m,
        "[[permission]]\nname = \"Mail.Read\"\ntype = \"Application\"\napi_versions = [\"v1.0\"]\nobjects = [\"Mail <&> \\\"boxes\\\"\"]\npurposes = [\"backup\"]\ndescription = \"x\"\napplication_id = \"810c84a8-4a9e-49e6-bf7d-12d183f40d01\"\n",
    )
    .unwrap();
    let (code, out, err) = run(entra_perms()
        .args([
            "audit",
            "--from",
            "examples/all-granted.json",
            "--format",
            "junit",
            "--matrix",
        ])
        .arg(&m)
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        junit_counts(&out),
        vec![("entra-perms.backup".to_string(), 1, 1)]
    );
    assert!(
        out.contains("Mail &lt;&amp;&gt; &quot;boxes&quot;"),
        "{out}"
    );
}

#[test]
fn markdown_report_for_a_job_summary() {
    let graph = FakeGraph::start(mixed_tenant());
    let (code, out, _) = run(audit_against(&graph, &["--format", "markdown"]));
    assert_eq!(code, 1);
    let out = out.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!("audit_markdown_mixed", out);
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn the_shipped_examples_give_their_verdicts() {
    for (file, code, covered) in [
        ("all-granted.json", 0, 18),
        ("stale-consent.json", 1, 15),
        ("wrong-types-and-excess.json", 1, 16),
        ("service-account-consent.json", 0, 18),
    ] {
        let (c, out, err) =
            run(entra_perms().args(["audit", "--format", "json", "--from", &example(file)]));
        assert_eq!(c, code, "{file}: {err}");
        assert_eq!(json(&out)["summary"]["covered"], covered, "{file}");
    }
    let (_, out, _) = run(entra_perms().args([
        "audit",
        "--format",
        "json",
        "--from",
        &example("stale-consent.json"),
    ]));
    let doc = json(&out);
    assert!(doc["missing"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["status"] == "requested-not-granted"));
    let (_, out, _) = run(entra_perms().args([
        "audit",
        "--format",
        "json",
        "--from",
        &example("wrong-types-and-excess.json"),
    ]));
    assert_eq!(json(&out)["excess"].as_array().unwrap().len(), 4);
}

#[test]
fn the_readmes_first_command_prints_a_report_offline() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo run --release -- "))
        .expect("the README has a `cargo run --release -- …` command");
    let command = line
        .trim_start()
        .trim_start_matches("cargo run --release -- ");
    let command = command.split('#').next().unwrap().trim();
    let args: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(args[0], "audit", "the first command is an audit: {line}");
    // No credentials and no network: the isolated environment has neither.
    let (code, out, err) = run(entra_perms()
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR")));
    assert!(code == 0 || code == 1, "{err}");
    assert!(out.contains("Protected object"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("PASS:") || l.starts_with("FAIL:")),
        "{out}"
    );
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, out, _) = run(entra_perms().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(out.contains("audit"), "{shell}");
    }
    let (code, out, _) = run(entra_perms().arg("man"));
    assert_eq!(code, 0);
    assert!(
        out.contains(".TH entra-perms"),
        "{}",
        &out[..200.min(out.len())]
    );
}

/// Run the binary with its standard output a pipe whose reader has already gone: every write
/// fails with a broken pipe.
fn with_closed_stdout(args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("entra-perms"))
        .args(args)
        .env_clear()
        .env("NO_COLOR", "1")
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    status.code().unwrap_or(-1)
}

#[test]
fn a_closed_stdout_keeps_the_audits_exit_code() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/wrong-types-and-excess.json"
    );
    assert_eq!(
        with_closed_stdout(&["audit", "--from", example, "--format", "json"]),
        1,
        "gaps stay exit 1 when nobody reads the report"
    );
    let passing = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/all-granted.json");
    assert_eq!(with_closed_stdout(&["audit", "--from", passing]), 0);
    assert_eq!(with_closed_stdout(&["matrix"]), 0);
    // As a pipeline is written in CI: `set -o pipefail` and `| head -n 1`.
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let status = std::process::Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; '{}' audit --from '{example}' --format json | head -n 1 >/dev/null",
                bin.display()
            ),
        ])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn a_token_for_another_api_gives_no_verdict() {
    let arm = crate::support::jwt(serde_json::json!({
        "aud": "https://management.azure.com", "tid": crate::support::fake_graph::TENANT_ID,
        "roles": ["User.ReadWrite.All", "Directory.ReadWrite.All"]
    }));
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", &arm)
        .args(["audit", "--token-claims", "--format", "json"]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3, "{err}");
    assert!(
        out.is_empty(),
        "no report for a token that proves nothing: {out}"
    );
    assert!(err.contains("`https://management.azure.com`"), "{err}");
}

/// `--color always` colours the verdict (CI logs render ANSI); `NO_COLOR` turns `auto` off and
/// `FORCE_COLOR` on; a pipe gets no colour by default.
#[test]
fn colour_follows_the_flag_and_the_conventions() {
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/all-granted.json");
    let verdict = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = entra_perms();
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args).args(["audit", "--from"]).arg(&example);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 0, "{err}");
        out.lines().last().unwrap().to_string()
    };
    assert!(verdict(&["--color", "always"], &[]).starts_with("\u{1b}[1;32mPASS"));
    assert!(!verdict(
        &["--color", "auto"],
        &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]
    )
    .contains('\u{1b}'));
    // (The test environment sets NO_COLOR; an empty one is not set.)
    assert!(verdict(&[], &[("NO_COLOR", ""), ("FORCE_COLOR", "1")]).contains('\u{1b}'));
    assert!(!verdict(&[], &[]).contains('\u{1b}'));
    assert!(!verdict(
        &["--color", "never"],
        &[("NO_COLOR", ""), ("FORCE_COLOR", "1")]
    )
    .contains('\u{1b}'));
}
