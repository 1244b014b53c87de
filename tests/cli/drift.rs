//! Drift: `--baseline` against an earlier audit JSON, a snapshot or a multi-tenant JSON; new
//! gaps, resolved ones, grants added and removed, who made each change (the directory audit log,
//! readable, forbidden or empty); `--fail-on new-gap`; a baseline of another app.

use serde_json::Value;

use crate::support::fake_graph::{audit_entry, FakeGraph, FakeTenant, APP_ID, TENANT_ID};
use crate::support::{audit_against, entra_perms, graph_token, json, run};

const BASELINE_TIME: &str = "2026-11-20T08:00:00Z";
const ADMIN: &str = "admin@contoso.onmicrosoft.com";

/// An audit JSON of `tenant` as it is now, dated BASELINE_TIME.
fn baseline_of(tenant: FakeTenant, dir: &std::path::Path) -> std::path::PathBuf {
    let graph = FakeGraph::start(tenant);
    let (_, out, err) = run(audit_against(&graph, &["--format", "json"]));
    let mut doc = json(&out);
    assert!(doc["grants"].is_array(), "{err}");
    doc["readAt"] = BASELINE_TIME.into();
    let path = dir.join("baseline.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// The tenant after an administrator revoked Policy.ReadWrite.ConditionalAccess and granted
/// Mail.ReadWrite, with the audit log saying so.
fn drifted() -> FakeTenant {
    let mut t = FakeTenant::everything(&graph_token());
    t.revoke_app("Policy.ReadWrite.ConditionalAccess");
    t.grant_app("Mail.ReadWrite");
    t.audit_log = vec![
        audit_entry(
            "Remove app role assignment from service principal",
            "2026-11-21T09:30:00Z",
            ADMIN,
            "AppRole.Value",
            "Policy.ReadWrite.ConditionalAccess",
        ),
        audit_entry(
            "Add app role assignment to service principal",
            "2026-11-22T10:15:00Z",
            ADMIN,
            "AppRole.Value",
            "Mail.ReadWrite",
        ),
        // Before the baseline: not an explanation of anything since.
        audit_entry(
            "Add app role assignment to service principal",
            "2026-11-01T10:00:00Z",
            "someone-else@contoso.onmicrosoft.com",
            "AppRole.Value",
            "Mail.ReadWrite",
        ),
    ];
    t
}

fn requirement<'a>(doc: &'a Value, permission: &str) -> &'a Value {
    doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["requirements"].as_array().unwrap())
        .find(|q| q["permission"] == permission && q["type"] == "Application")
        .unwrap()
}

#[test]
fn a_revoked_and_a_granted_permission_with_who_and_when() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = baseline_of(FakeTenant::everything(&graph_token()), dir.path());
    let graph = FakeGraph::start(drifted());
    let mut cmd = audit_against(&graph, &["--format", "json", "--baseline"]);
    cmd.arg(&baseline);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["baseline"]["takenAt"], BASELINE_TIME);
    assert_eq!(doc["baseline"]["source"], "audit");
    let changes = &doc["changes"];
    assert_eq!(changes["newGaps"].as_array().unwrap().len(), 1, "{changes}");
    assert_eq!(
        changes["newGaps"][0]["permission"],
        "Policy.ReadWrite.ConditionalAccess"
    );
    assert_eq!(
        requirement(&doc, "Policy.ReadWrite.ConditionalAccess")["change"],
        "new-gap"
    );
    assert_eq!(requirement(&doc, "Policy.Read.All")["change"], "unchanged");
    let added = &changes["grantsAdded"];
    assert_eq!(added.as_array().unwrap().len(), 1, "{added}");
    assert_eq!(added[0]["permission"], "Mail.ReadWrite");
    assert_eq!(added[0]["resource"], "Microsoft Graph");
    assert_eq!(added[0]["changedBy"]["by"], ADMIN);
    assert_eq!(added[0]["changedBy"]["at"], "2026-11-22T10:15:00Z");
    let removed = &changes["grantsRemoved"];
    assert_eq!(
        removed[0]["permission"],
        "Policy.ReadWrite.ConditionalAccess"
    );
    assert_eq!(
        removed[0]["changedBy"]["activity"],
        "Remove app role assignment from service principal"
    );
    // The audit log was asked for the app's entries since the baseline.
    let read = graph
        .requests()
        .into_iter()
        .find(|r| r.target.starts_with("/v1.0/auditLogs/directoryAudits"))
        .expect("the audit log was read");
    assert!(
        read.target
            .contains(&format!("activityDateTime ge {BASELINE_TIME}")),
        "{}",
        read.target
    );

    // People's reports lead with the change and mark the changed rows; machines' mark new gaps.
    for (format, needles) in [
        ("table", vec!["Changes since 2026-11-20T08:00:00Z: 1 new gap, 0 resolved, 1 grant added, 1 removed", "NEW GAP since the baseline", "Mail.ReadWrite (Application) on Microsoft Graph: by admin@contoso.onmicrosoft.com"]),
        ("markdown", vec!["**Changes since 2026-11-20T08:00:00Z: 1 new gap", "Conditional access policies **(new gap)**"]),
        ("junit", vec!["NEW since the baseline: Policy.ReadWrite.ConditionalAccess (Application)"]),
        ("sarif", vec!["\"baselineState\": \"new\""]),
        ("html", vec!["Changes since 2026-11-20T08:00:00Z", "Grants added (1)"]),
    ] {
        let mut cmd = audit_against(&graph, &["--format", format, "--baseline"]);
        cmd.arg(&baseline);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 1, "{format}: {err}");
        for n in needles {
            assert!(out.contains(n), "{format}: `{n}` not in\n{out}");
        }
    }
}

#[test]
fn fail_on_new_gap_passes_on_old_gaps_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut before = FakeTenant::everything(&graph_token());
    before.revoke_app("AuditLog.Read.All");
    let baseline = baseline_of(before.clone(), dir.path());

    // The same accepted gap: green.
    let graph = FakeGraph::start(before.clone());
    let mut cmd = audit_against(
        &graph,
        &["--fail-on", "new-gap", "--format", "json", "--baseline"],
    );
    cmd.arg(&baseline);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    assert_eq!(doc["passed"], true);
    assert_eq!(
        doc["missing"].as_array().unwrap().len(),
        1,
        "the old gap is still reported"
    );

    // A new one: red.
    let mut after = before.clone();
    after.revoke_app("Policy.Read.All");
    let graph = FakeGraph::start(after);
    let mut cmd = audit_against(&graph, &["--fail-on", "new-gap", "--baseline"]);
    cmd.arg(&baseline);
    let (code, out, _) = run(cmd);
    assert_eq!(code, 1, "{out}");

    // No baseline: every gap is new, and the report says so.
    let graph = FakeGraph::start(before);
    let (code, out, _) = run(audit_against(
        &graph,
        &["--fail-on", "new-gap", "--format", "json"],
    ));
    assert_eq!(code, 1);
    assert!(json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "no-baseline"));
}

#[test]
fn a_baseline_of_another_app_or_tenant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = baseline_of(FakeTenant::everything(&graph_token()), dir.path());
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    for (field, value, phrase) in [
        (
            "/app/appId",
            "0d3f1c2b-aaaa-4bbb-8ccc-ddddeeeeffff",
            "another app (0d3f1c2b-aaaa-4bbb-8ccc-ddddeeeeffff), not 46e6adf4",
        ),
        (
            "/tenantId",
            "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
            "another tenant (0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9), not 65415bb1",
        ),
    ] {
        let mut doc = json(&std::fs::read_to_string(&baseline).unwrap());
        *doc.pointer_mut(field).unwrap() = value.into();
        let other = dir.path().join("other.json");
        std::fs::write(&other, doc.to_string()).unwrap();
        let mut cmd = audit_against(&graph, &["--baseline"]);
        cmd.arg(&other);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(err.contains(phrase), "{err}");
    }
    // Not a baseline at all.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"hello\": 1}").unwrap();
    let mut cmd = audit_against(&graph, &["--baseline"]);
    cmd.arg(&junk);
    let (code, _, err) = run(cmd);
    assert_eq!(code, 2);
    assert!(err.contains("neither an entra-perms audit JSON"), "{err}");
}

#[test]
fn an_unreadable_or_empty_audit_log_is_a_note_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = baseline_of(FakeTenant::everything(&graph_token()), dir.path());
    let mut forbidden = drifted();
    forbidden.forbid.push("/v1.0/auditLogs".into());
    let mut empty = drifted();
    empty.audit_log.clear();
    for (tenant, code_wanted) in [
        (forbidden, "audit-log-unreadable"),
        (empty, "changes-unattributed"),
    ] {
        let graph = FakeGraph::start(tenant);
        let mut cmd = audit_against(&graph, &["--format", "json", "--baseline"]);
        cmd.arg(&baseline);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 1, "{err}");
        let doc = json(&out);
        let changed_by = &doc["changes"]["grantsAdded"][0]["changedBy"];
        if code_wanted == "audit-log-unreadable" {
            // Not read: nothing to say per grant (the note says why).
            assert!(changed_by.is_null(), "{changed_by}");
        } else {
            // Read, with no record of it: said so per grant, never guessed.
            assert_eq!(changed_by, &serde_json::json!({"basis": "unknown"}));
        }
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code_wanted)
            .unwrap_or_else(|| panic!("no {code_wanted}: {}", doc["findings"]));
        if code_wanted == "audit-log-unreadable" {
            assert_eq!(
                f["data"]["needs"],
                "AuditLog.Read.All and Directory.Read.All"
            );
        }
    }
}

#[test]
fn snapshots_carry_the_audit_log_and_serve_as_baselines() {
    let dir = tempfile::tempdir().unwrap();
    // A snapshot before, and one after the change (recording the audit log).
    let before = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "snapshot",
        "--app",
        APP_ID,
        "--graph-url",
        &before.base,
    ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let mut old = json(&out);
    old["takenAt"] = BASELINE_TIME.into();
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, old.to_string()).unwrap();

    let mut drifted = drifted();
    // The snapshot reads the last 30 days: date the entries within them.
    let now = json(&out)["takenAt"].as_str().unwrap().to_string();
    for e in &mut drifted.audit_log {
        if e["activityDateTime"] != "2026-11-01T10:00:00Z" {
            e["activityDateTime"] = now.clone().into();
        }
    }
    let after = FakeGraph::start(drifted);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "snapshot",
        "--app",
        APP_ID,
        "--graph-url",
        &after.base,
    ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let new = json(&out);
    assert!(
        new["grants"]["auditLog"]
            .as_array()
            .is_some_and(|l| l.len() >= 2),
        "{}",
        new["grants"]
    );
    let new_path = dir.path().join("new.json");
    std::fs::write(&new_path, out).unwrap();

    // Offline: the newer snapshot against the older one.
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(&new_path)
        .arg("--baseline")
        .arg(&old_path));
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["baseline"]["source"], "snapshot");
    assert_eq!(
        doc["changes"]["newGaps"][0]["permission"],
        "Policy.ReadWrite.ConditionalAccess"
    );
    assert_eq!(doc["changes"]["grantsAdded"][0]["changedBy"]["by"], ADMIN);
}

#[test]
fn tenants_are_compared_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tenants.txt");
    std::fs::write(&list, format!("{TENANT_ID}\n")).unwrap();
    let tenants_audit = |graph: &FakeGraph, extra: &[&str]| {
        let mut cmd = audit_against(graph, &["--format", "json", "--tenants"]);
        cmd.arg(&list).args(extra);
        run(cmd)
    };
    let before = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let (_, out, _) = tenants_audit(&before, &[]);
    let mut doc = json(&out);
    doc["tenants"][0]["report"]["readAt"] = BASELINE_TIME.into();
    let baseline = dir.path().join("multi.json");
    std::fs::write(&baseline, doc.to_string()).unwrap();

    std::fs::write(&list, format!("{TENANT_ID}\ncontoso.example\n")).unwrap();
    let after = FakeGraph::start(drifted());
    let (code, out, err) = tenants_audit(
        &after,
        &[
            "--fail-on",
            "new-gap",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    let first = &doc["tenants"][0]["report"];
    assert_eq!(
        first["changes"]["newGaps"][0]["permission"],
        "Policy.ReadWrite.ConditionalAccess"
    );
    assert_eq!(first["changes"]["grantsAdded"][0]["changedBy"]["by"], ADMIN);
    let second = &doc["tenants"][1]["report"];
    assert!(second["changes"].is_null());
    assert!(second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "new-since-baseline"));

    // A single audit's JSON is not a multi-tenant baseline.
    let single = dir.path().join("single.json");
    std::fs::write(&single, doc["tenants"][0]["report"].to_string()).unwrap();
    let (code, _, err) = tenants_audit(&after, &["--baseline", single.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("earlier multi-tenant JSON"), "{err}");
}

#[test]
fn an_empty_or_anonymous_baseline_is_refused_never_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let good = json(
        &std::fs::read_to_string(baseline_of(
            FakeTenant::everything(&graph_token()),
            dir.path(),
        ))
        .unwrap(),
    );
    let mut cases: Vec<(&str, Value)> = vec![(
        "no requirements",
        serde_json::json!({"schemaVersion": 1, "objects": []}),
    )];
    let mut no_app = good.clone();
    no_app.as_object_mut().unwrap().remove("app");
    cases.push(("app", no_app));
    let mut no_tenant = good.clone();
    no_tenant.as_object_mut().unwrap().remove("tenantId");
    cases.push(("tenant", no_tenant));
    let mut bad_time = good.clone();
    bad_time["readAt"] = "2026-11-20' or true or '".into();
    cases.push(("readAt", bad_time));
    let mut no_grants = good.clone();
    no_grants.as_object_mut().unwrap().remove("grants");
    // An empty tenant: every object missing, which a hollow baseline must not excuse.
    let graph = FakeGraph::start(FakeTenant::empty(&graph_token()));
    for (what, doc) in &cases {
        let file = dir.path().join("hollow.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let (code, out, err) = run(audit_against(
            &graph,
            &["--fail-on", "new-gap", "--baseline", file.to_str().unwrap()],
        ));
        assert_eq!(code, 2, "{what}: {err}");
        assert!(out.is_empty(), "{what}: {out}");
        assert!(err.contains("invalid baseline"), "{what}: {err}");
    }
    let file = dir.path().join("no-grants.json");
    std::fs::write(&file, no_grants.to_string()).unwrap();
    let (code, _, err) = run(audit_against(
        &graph,
        &[
            "--fail-on",
            "new-excess",
            "--baseline",
            file.to_str().unwrap(),
        ],
    ));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("records no grants"), "{err}");
    // The filter sent to the audit log carries the time as the tool writes it, nothing else.
    assert!(graph
        .requests()
        .iter()
        .all(|r| !r.target.contains("or true")));
}

#[test]
fn redact_hides_every_person_in_every_format() {
    use crate::support::fake_graph::{SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN};
    const OWNER_ID: &str = "7d1c2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    const OWNER_UPN: &str = "dev.owner@contoso.onmicrosoft.com";
    let dir = tempfile::tempdir().unwrap();
    let base = baseline_of(FakeTenant::everything(&graph_token()), dir.path());
    let mut t = drifted();
    t.requested = Some(Vec::new());
    t.owners.push((OWNER_ID.into(), OWNER_UPN.into(), false));
    let graph = FakeGraph::start(t);
    let people = [
        SERVICE_ACCOUNT_UPN,
        SERVICE_ACCOUNT_ID,
        OWNER_ID,
        OWNER_UPN,
        ADMIN,
    ];
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "--service-account",
            SERVICE_ACCOUNT_UPN,
            "--baseline",
            base.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        run(audit_against(&graph, &args))
    };
    // The scenario holds every one of them: without --redact each is in the JSON.
    let (_, plain, err) = audit(&["--format", "json"]);
    for person in people {
        assert!(
            plain.to_lowercase().contains(&person.to_lowercase()),
            "{person} not in the scenario: {err}"
        );
    }
    for format in ["table", "json", "markdown", "html", "csv", "sarif", "junit"] {
        let (code, out, err) = audit(&["--redact", "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        for person in people {
            assert!(
                !out.to_lowercase().contains(&person.to_lowercase()),
                "{format} names {person}:\n{out}"
            );
        }
    }
}

/// `snapshot --redact`: the snapshot names no person (the service account, the user who
/// consented for themselves, owners, the audit log's actors) and still audits alike.
#[test]
fn a_redacted_snapshot_names_no_one_and_audits_alike() {
    use crate::support::fake_graph::{OTHER_USER_ID, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN};
    const OWNER_UPN: &str = "dev.owner@contoso.onmicrosoft.com";
    let mut t = drifted();
    t.requested = Some(Vec::new());
    t.owners
        .push((OTHER_USER_ID.into(), OWNER_UPN.into(), false));
    t.delegated.push((
        "Principal".into(),
        Some(SERVICE_ACCOUNT_ID.into()),
        "Mail.Read".into(),
    ));
    let now = entra_perms::grants::Grants::now();
    for e in &mut t.audit_log {
        e["activityDateTime"] = now.clone().into();
    }
    let graph = FakeGraph::start(t);
    let snapshot = |redact: bool| {
        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
            "snapshot",
            "--app",
            APP_ID,
            "--graph-url",
            &graph.base,
            "--service-account",
            SERVICE_ACCOUNT_UPN,
        ]);
        if redact {
            cmd.arg("--redact");
        }
        let (code, out, err) = run(cmd);
        assert_eq!(code, 0, "{err}");
        out
    };
    let plain = snapshot(false);
    let redacted = snapshot(true);
    let people = [
        SERVICE_ACCOUNT_UPN,
        SERVICE_ACCOUNT_ID,
        OTHER_USER_ID,
        OWNER_UPN,
        ADMIN,
    ];
    for person in people {
        assert!(plain.contains(person), "{person} is not in the scenario");
        assert!(
            !redacted.to_lowercase().contains(&person.to_lowercase()),
            "{person} in the redacted snapshot"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let audit = |text: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = run(entra_perms()
            .args(["audit", "--format", "json", "--from"])
            .arg(&path));
        assert!(code <= 1, "{err}");
        let doc = json(&out);
        (code, doc["summary"].clone(), doc["missing"].clone())
    };
    assert_eq!(
        audit(&plain, "plain.json"),
        audit(&redacted, "redacted.json")
    );
}
