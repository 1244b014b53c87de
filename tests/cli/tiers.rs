//! The backup app as a Tier-0 identity: tiers in `explain` and the audit, excess ranked by risk,
//! `--fail-on excess-tier0`, and who can become the app (credentials and owners).

use serde_json::json;

use crate::support::fake_graph::{FakeGraph, FakeTenant, OTHER_USER_ID, SERVICE_ACCOUNT_ID};
use crate::support::{audit_against, entra_perms, graph_token, json, run};

#[test]
fn explain_gives_tiers_and_answers_for_any_graph_permission() {
    let (code, out, _) = run(entra_perms().args(["explain", "RoleManagement.ReadWrite.Directory"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("Tier 0: a known path to Global Administrator"),
        "{out}"
    );
    assert!(out.contains("azure-tiering"), "the source is cited: {out}");

    let (code, out, _) = run(entra_perms().args(["explain", "Mail.ReadWrite"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Not a requirement of the backup app"), "{out}");
    assert!(
        out.contains("Read and write mail in all mailboxes"),
        "{out}"
    );
    assert!(
        out.contains("e2a3a72e-5f79-4c64-b1b1-878b674786c9"),
        "{out}"
    );
    assert!(out.contains("Tier 1"), "{out}");
    let (_, out, _) = run(entra_perms().args(["explain", "Mail.ReadWrite", "--format", "json"]));
    let doc = json(&out);
    assert_eq!(doc["kind"], "catalogPermission");
    assert_eq!(doc["needed"], false);
    assert_eq!(doc["tier"]["tier"], 1);
    assert_eq!(doc["types"].as_array().unwrap().len(), 2);
}

#[test]
fn excess_is_ranked_tier_0_first_and_excess_tier0_fails() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.grant_app("Mail.ReadWrite");
    tenant.grant_app("AppRoleAssignment.ReadWrite.All");
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0, "excess alone passes --fail-on gap: {err}");
    let doc = json(&out);
    assert_eq!(
        doc["excess"],
        json!([
            {"permission": "AppRoleAssignment.ReadWrite.All", "type": "Application", "tier": 0, "tierPath": "indirect"},
            {"permission": "Mail.ReadWrite", "type": "Application", "tier": 1},
        ])
    );
    assert_eq!(
        doc["tier0Application"].as_array().unwrap().len(),
        11,
        "{}",
        doc["tier0Application"]
    );
    let req = doc["objects"][0]["requirements"][0].clone();
    assert_eq!(req["tier"], 0, "{req}");
    let (code, out, _) = run(audit_against(&graph, &["--fail-on", "excess-tier0"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("AppRoleAssignment.ReadWrite.All (Application) · Tier 0: needed by no backup or restore\n    requirement, and a path to Global Administrator: remove it"),
        "{out}"
    );
    assert!(
        out.contains("Tier-0 identity: the app holds 11 Tier-0 application permissions"),
        "{out}"
    );

    // Only a Tier-1 excess: excess-tier0 passes.
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.grant_app("Mail.ReadWrite");
    let graph = FakeGraph::start(tenant);
    let (code, _, _) = run(audit_against(&graph, &["--fail-on", "excess-tier0"]));
    assert_eq!(code, 0);
}

#[test]
fn an_expired_secret_and_a_non_admin_owner_are_reported() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.requested = Some(Vec::new()); // the registration is in this tenant
    tenant.app_secrets = vec![json!({"keyId": "6f1b3c7e-8d2a-4e5f-9a0b-1c2d3e4f5a6b",
        "displayName": "backup-prod", "startDateTime": "2024-11-01T00:00:00Z",
        "endDateTime": "2025-11-01T00:00:00Z", "hint": "abc", "secretText": null})];
    tenant.app_certificates = vec![json!({"keyId": "7a1b3c7e-8d2a-4e5f-9a0b-1c2d3e4f5a6b",
        "displayName": "CN=backup", "type": "AsymmetricX509Cert", "usage": "Verify",
        "endDateTime": "2099-01-01T00:00:00Z"})];
    tenant.owners = vec![
        (
            OTHER_USER_ID.into(),
            "alex@contoso.onmicrosoft.com".into(),
            false,
        ),
        (
            SERVICE_ACCOUNT_ID.into(),
            "backup-svc@contoso.onmicrosoft.com".into(),
            false,
        ),
    ];
    // The service account is a Global Administrator; alex holds no role.
    tenant.roles.push((
        SERVICE_ACCOUNT_ID.into(),
        "62e90394-69f5-4237-9190-012177145e10".into(),
        "Global Administrator".into(),
        false,
    ));
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let sec = &json(&out)["appSecurity"];
    let states: Vec<(&str, &str)> = sec["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        vec![("secret", "expired"), ("certificate", "valid")],
        "{sec}"
    );
    let owners = sec["owners"].as_array().unwrap();
    assert_eq!(owners.len(), 2);
    assert_eq!(owners[0]["administrator"], false);
    assert_eq!(owners[1]["administrator"], true);
    assert_eq!(owners[1]["tier0Roles"], json!(["Global Administrator"]));
    let codes: Vec<&str> = sec["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["credential-expired", "owner-not-administrator"],
        "{sec}"
    );
    assert!(
        !out.contains("\"secretText\""),
        "no credential value is carried"
    );

    // Owners that cannot be read are a note, never a failed audit.
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant
        .forbid
        .push(format!("{}/owners", crate::support::fake_graph::SP_KEY));
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0);
    let doc = json(&out);
    assert!(
        doc["findings"].as_array().unwrap().iter().any(
            |f| f["code"] == "roles-unreadable" && f["data"]["what"] == "The owners of the app"
        ),
        "{}",
        doc["findings"]
    );
}

/// A granted application permission the tier data does not rate says so — never silently no tier.
#[test]
fn an_application_permission_the_tier_data_does_not_rate_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::support::example("all-granted.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["grants"]["application"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"permission": "AgentIdentity.Read.All"}));
    let path = dir.path().join("s.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    for format in ["table", "markdown", "html"] {
        let (_, out, err) = crate::support::run(
            crate::support::entra_perms()
                .args(["audit", "--format", format, "--from"])
                .arg(&path),
        );
        assert!(out.contains("AgentIdentity.Read.All"), "{format}: {err}");
        assert!(out.contains("tier not rated"), "{format}: {out}");
    }
}
