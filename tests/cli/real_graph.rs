//! Right on real Graph, part two: who changed a grant (the audit log as Graph writes it), which
//! roles a person or the app holds (unreadable role objects, scoped assignments), who can become
//! the app (federated credentials, unnamed owners, key ids and the commands that remove them),
//! and the audit log's absence in the China cloud.

use serde_json::{json, Value};

use crate::support::fake_graph::{
    audit_entry, delegated_records, FakeGraph, FakeTenant, OTHER_USER_ID, SERVICE_ACCOUNT_ID,
    SERVICE_ACCOUNT_UPN, SP_ID,
};
use crate::support::{audit_against, findings, graph_token, json, run};

const BASELINE_TIME: &str = "2026-11-20T08:00:00Z";
const ADMIN: &str = "adm-jsmith@contoso.onmicrosoft.com";
const OTHER_ADMIN: &str = "adm-kchen@contoso.onmicrosoft.com";
const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const PRIVILEGED_AUTH_ADMIN: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
const UNIT: &str = "3c1f5e0b-8d7a-4a52-9b0e-5f6a7b8c9d01";
const OWNER_ID: &str = "8a3c2b1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// An audit JSON of `tenant` as it is now, dated BASELINE_TIME.
fn baseline_of(tenant: FakeTenant, dir: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let graph = FakeGraph::start(tenant);
    let mut args = vec!["--format", "json"];
    args.extend(extra);
    let (_, out, err) = run(audit_against(&graph, &args));
    let mut doc = json(&out);
    assert!(doc["grants"].is_array(), "{err}");
    doc["readAt"] = BASELINE_TIME.into();
    let path = dir.join("baseline.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// Text with every run of white space (a wrapped line) as one space.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn added<'a>(doc: &'a Value, permission: &str) -> &'a Value {
    doc["changes"]["grantsAdded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["permission"] == permission)
        .unwrap_or_else(|| panic!("{permission} not added: {}", doc["changes"]))
}

#[test]
fn who_changed_it_is_read_from_the_events_as_graph_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let before = FakeTenant::everything(&graph_token());
    let scopes = before.delegated[0].2.clone();
    let baseline = baseline_of(before.clone(), dir.path(), &[]);

    let mut after = before;
    // An admin added Mail.Read to the existing tenant-wide grant and granted Mail.ReadWrite as
    // an app role; another admin's first consent gave the service account User.Read.
    after.delegated[0].2 = format!("{scopes} Mail.Read");
    after.grant_app("Mail.ReadWrite");
    after.delegated.push((
        "Principal".into(),
        Some(SERVICE_ACCOUNT_ID.into()),
        "User.Read".into(),
    ));
    after.audit_log = delegated_records(
        "2026-11-21T09:00:00Z",
        ADMIN,
        "07436f62-c179-427f-a8ae-9055d22ef754",
        &scopes,
        &format!("{scopes} Mail.Read"),
    );
    after.audit_log.push(audit_entry(
        "Add app role assignment to service principal",
        "2026-11-21T10:00:00Z",
        ADMIN,
        "AppRole.Value",
        "Mail.ReadWrite",
    ));
    // A first consent: its grant record names no client; the correlation id links it.
    after.audit_log.extend(delegated_records(
        "2026-11-22T11:00:00Z",
        OTHER_ADMIN,
        "f869a98c-e040-48a1-9083-bf699a9e8a25",
        "",
        "User.Read",
    ));
    // Later, another app's grant of Mail.Read and User.Read to Graph: not this app's change.
    let mut foreign = delegated_records(
        "2026-11-23T12:00:00Z",
        "intruder@contoso.onmicrosoft.com",
        "11111111-2222-4333-8444-555555555555",
        "openid",
        "openid Mail.Read User.Read",
    );
    foreign.retain(|r| r["activityDisplayName"] != "Consent to application");
    for r in &mut foreign {
        for p in r["targetResources"][0]["modifiedProperties"]
            .as_array_mut()
            .unwrap()
        {
            if p["displayName"] == "ServicePrincipal.ObjectID" {
                p["newValue"] = json!("\"5d2c1b0a-0000-4000-8000-000000000009\"");
            }
        }
    }
    after.audit_log.extend(foreign);

    let graph = FakeGraph::start(after);
    let mut cmd = audit_against(&graph, &["--format", "json", "--baseline"]);
    cmd.arg(&baseline);
    let (_, out, err) = run(cmd);
    let doc = json(&out);
    assert!(doc["changes"].is_object(), "{err}");
    let grants_added = doc["changes"]["grantsAdded"].as_array().unwrap();
    assert_eq!(grants_added.len(), 3, "{grants_added:?}");
    for (permission, by) in [
        ("Mail.Read", ADMIN),
        ("Mail.ReadWrite", ADMIN),
        ("User.Read", OTHER_ADMIN),
    ] {
        let c = &added(&doc, permission)["changedBy"];
        assert_eq!(c["by"], by, "{permission}: {c}");
        assert_eq!(c["basis"], "event", "{permission}: {c}");
    }
    assert_eq!(
        added(&doc, "User.Read")["changedBy"]["activity"],
        "Add delegated permission grant"
    );
    // The Microsoft service named as the user's display name is never the person.
    assert!(!out.contains("Azure ESTS Service"));
    // Both places Graph writes the app's changes were read: its own records and Graph's.
    let audit_reads: Vec<String> = graph
        .requests()
        .into_iter()
        .filter(|r| r.target.starts_with("/v1.0/auditLogs/directoryAudits"))
        .map(|r| r.target)
        .collect();
    assert_eq!(audit_reads.len(), 2, "{audit_reads:?}");
    let graph_sp = crate::support::fake_graph::graph_sp_id();
    assert!(audit_reads.iter().any(|t| t.contains(&graph_sp)));
    assert!(audit_reads.iter().any(|t| t.contains(SP_ID)));
    assert!(findings(&doc, "changes-unattributed").is_empty());
}

#[test]
fn a_change_the_log_does_not_name_is_said_so_per_grant() {
    let dir = tempfile::tempdir().unwrap();
    let before = FakeTenant::everything(&graph_token());
    let baseline = baseline_of(before.clone(), dir.path(), &[]);
    let mut after = before;
    after.grant_app("Mail.ReadWrite");
    after.revoke_app("Policy.Read.All");
    // Only a consent record: the likeliest cause of the addition, said as such; nothing for the
    // removal.
    let mut consent = delegated_records("2026-11-21T09:00:00Z", ADMIN, "c1", "", "openid");
    consent.retain(|r| r["activityDisplayName"] == "Consent to application");
    after.audit_log = consent;
    let graph = FakeGraph::start(after);
    let mut cmd = audit_against(&graph, &["--format", "json", "--baseline"]);
    cmd.arg(&baseline);
    let (_, out, _) = run(cmd);
    let doc = json(&out);
    let c = &added(&doc, "Mail.ReadWrite")["changedBy"];
    assert_eq!(
        (c["basis"].as_str(), c["by"].as_str()),
        (Some("consent-only"), Some(ADMIN))
    );
    let removed = &doc["changes"]["grantsRemoved"][0]["changedBy"];
    assert_eq!(removed, &json!({"basis": "unknown"}));
    assert_eq!(
        findings(&doc, "changes-unattributed")[0]["data"]["count"],
        1
    );
}

#[test]
fn roles_without_template_ids_and_scoped_roles_are_never_misread() {
    let mut t = FakeTenant::everything(&graph_token());
    t.requested = Some(Vec::new());
    t.owners = vec![(OWNER_ID.into(), "ga@contoso.onmicrosoft.com".into(), false)];
    t.roles.push((
        OWNER_ID.into(),
        GA.into(),
        "Global Administrator".into(),
        false,
    ));
    // The auditing identity may not read role objects.
    t.role_objects_unreadable = true;
    // The service account is User Administrator of one administrative unit only.
    t.scoped_roles.push((
        SERVICE_ACCOUNT_ID.into(),
        USER_ADMIN.into(),
        "User Administrator".into(),
        format!("/administrativeUnits/{UNIT}"),
    ));
    t.admin_units.push((UNIT.into(), "Paris office".into()));
    let graph = FakeGraph::start(t);
    let (_, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    let doc = json(&out);
    assert!(doc["appSecurity"].is_object(), "{err}");
    assert!(
        findings(&doc["appSecurity"], "owner-not-administrator").is_empty(),
        "{}",
        doc["appSecurity"]
    );
    let owner = &doc["appSecurity"]["owners"][0];
    assert!(owner["administrator"].is_null(), "{owner}");
    let unidentified = findings(&doc, "roles-unidentified");
    assert_eq!(unidentified.len(), 1, "{}", doc["findings"]);
    assert_eq!(
        unidentified[0]["data"]["what"],
        "The directory roles of the app's owners"
    );
    let sa = &doc["serviceAccount"];
    let role = &sa["roles"][0];
    assert_eq!(role["displayName"], "User Administrator");
    assert_eq!(
        role["directoryScopeId"],
        format!("/administrativeUnits/{UNIT}")
    );
    assert_eq!(role["scopeName"], "Paris office");
    assert_eq!(sa["hasGlobalAdministrator"], false);
    assert_eq!(findings(&doc, "not-global-administrator").len(), 1);

    let mut cmd = audit_against(&graph, &["--service-account", SERVICE_ACCOUNT_UPN]);
    cmd.env("COLUMNS", "80");
    let (_, table, _) = run(cmd);
    assert!(
        words(&table).contains("User Administrator (scoped to Paris office (/administrativeUnits/"),
        "{table}"
    );
}

#[test]
fn a_tier0_role_of_the_app_itself_is_a_tier0_path() {
    let mut t = FakeTenant::everything(&graph_token());
    t.roles.push((
        SP_ID.into(),
        PRIVILEGED_AUTH_ADMIN.into(),
        "Privileged Authentication Administrator".into(),
        false,
    ));
    let graph = FakeGraph::start(t);
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    let doc = json(&out);
    let roles = &doc["appSecurity"]["roles"];
    assert_eq!(
        roles[0]["displayName"],
        "Privileged Authentication Administrator"
    );
    assert_eq!(roles[0]["tier"], 0);
    let f = findings(&doc["appSecurity"], "app-holds-tier0-role");
    assert_eq!(f.len(), 1, "{}", doc["appSecurity"]);
    assert_eq!(f[0]["data"]["assignment"], "active");
    for format in ["table", "markdown", "html"] {
        let (_, out, _) = run(audit_against(&graph, &["--format", format]));
        assert!(
            words(&out).contains(
                "the Tier-0 directory role Privileged Authentication Administrator (paths"
            ),
            "{format}: {out}"
        );
    }
}

#[test]
fn a_federated_credential_for_pull_requests_is_a_finding_with_its_removal() {
    let mut t = FakeTenant::everything(&graph_token());
    t.requested = Some(Vec::new());
    t.federated = vec![
        json!({"id": "1b2c3d4e-0000-4000-8000-000000000001", "name": "pr-builds",
               "issuer": "https://token.actions.githubusercontent.com",
               "subject": "repo:contoso/backup:pull_request",
               "audiences": ["api://AzureADTokenExchange"], "description": null}),
        json!({"id": "1b2c3d4e-0000-4000-8000-000000000002", "name": "production",
               "issuer": "https://token.actions.githubusercontent.com",
               "subject": "repo:contoso/backup:environment:production",
               "audiences": ["api://AzureADTokenExchange"]}),
    ];
    t.app_secrets = vec![json!({"keyId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "displayName": "backup-prod", "endDateTime": "2099-01-01T00:00:00Z",
        "hint": "abc", "secretText": null})];
    t.app_certificates = vec![json!({"keyId": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "displayName": "CN=backup", "endDateTime": "2099-01-01T00:00:00Z",
        "usage": "Verify", "type": "AsymmetricX509Cert"})];
    let graph = FakeGraph::start(t);
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    let doc = json(&out);
    let sec = &doc["appSecurity"];
    let open = findings(sec, "federated-credential-open");
    assert_eq!(open.len(), 1, "{sec}");
    assert_eq!(
        open[0]["data"]["subject"],
        "repo:contoso/backup:pull_request"
    );
    let fics = sec["federatedCredentials"].as_array().unwrap();
    assert_eq!(fics[0]["open"], true);
    assert_eq!(fics[1]["open"], false);
    assert_eq!(
        fics[0]["remove"][0],
        "az ad app federated-credential delete --id 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b --federated-credential-id 1b2c3d4e-0000-4000-8000-000000000001"
    );
    for c in sec["credentials"].as_array().unwrap() {
        assert!(c["keyId"].is_string(), "{c}");
        assert!(!c["remove"].as_array().unwrap().is_empty(), "{c}");
    }
    assert_eq!(
        sec["credentials"][1]["remove"][0],
        "az ad app credential delete --id 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b --key-id 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d --cert"
    );
    for (format, needle) in [
        ("table", "to remove: az ad app federated-credential delete"),
        ("markdown", "Remove-MgApplicationPassword -ApplicationId"),
        ("html", "Remove-MgApplicationFederatedIdentityCredential"),
    ] {
        let (_, out, _) = run(audit_against(&graph, &["--format", format]));
        let out = words(&out);
        assert!(out.contains(needle), "{format}: {out}");
        assert!(
            out.contains("keyId 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"),
            "{format}"
        );
    }
}

#[test]
fn owners_without_names_are_named_where_users_can_be_read_else_said_so() {
    let mut t = FakeTenant::everything(&graph_token());
    t.requested = Some(Vec::new());
    t.owners = vec![(
        OTHER_USER_ID.into(),
        "alex@contoso.onmicrosoft.com".into(),
        false,
    )];
    t.owners_unnamed = true;
    let graph = FakeGraph::start(t.clone());
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    let doc = json(&out);
    assert_eq!(
        doc["appSecurity"]["owners"][0]["userPrincipalName"],
        "alex@contoso.onmicrosoft.com"
    );
    assert!(findings(&doc, "owners-unnamed").is_empty());

    // The auditing identity cannot read users: shown by id and type, with what names them.
    t.forbid.push(format!("/v1.0/users/{OTHER_USER_ID}?"));
    let graph = FakeGraph::start(t);
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    let doc = json(&out);
    let owner = &doc["appSecurity"]["owners"][0];
    assert_eq!(owner["id"], OTHER_USER_ID);
    assert_eq!(owner["type"], "user");
    assert!(owner["userPrincipalName"].is_null());
    let f = findings(&doc, "owners-unnamed");
    assert_eq!(f.len(), 1, "{}", doc["findings"]);
    assert_eq!(f[0]["data"]["needs"], "User.ReadBasic.All");
}

#[test]
fn the_china_cloud_has_no_audit_log_and_it_is_not_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    // A token for the China cloud's Graph (its audience), as a real one would be.
    let token = crate::support::graph_token_for("microsoftgraph.chinacloudapi.cn");
    let tenant = FakeTenant::everything(&token);
    let graph = FakeGraph::start(tenant.clone());
    let mut cmd = audit_against(&graph, &["--format", "json", "--cloud", "china"]);
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", &token);
    let (_, out, err) = run(cmd);
    let mut doc = json(&out);
    assert!(doc["grants"].is_array(), "{err}");
    doc["readAt"] = BASELINE_TIME.into();
    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, doc.to_string()).unwrap();
    let graph = FakeGraph::start(tenant);
    let mut cmd = audit_against(
        &graph,
        &["--format", "json", "--cloud", "china", "--baseline"],
    );
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", &token);
    cmd.arg(&baseline);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let f = findings(&doc, "audit-log-unavailable");
    assert_eq!(f.len(), 1, "{}", doc["findings"]);
    assert_eq!(f[0]["data"]["cloud"], "china");
    assert!(findings(&doc, "audit-log-unreadable").is_empty());
    assert_eq!(graph.count("/v1.0/auditLogs"), 0);
}
