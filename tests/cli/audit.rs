//! `audit` against a fake Microsoft Graph on 127.0.0.1: coverage, every status, errors, paging,
//! throttling, host pinning, and that the token stays secret.

use crate::support::fake_graph::{
    scope_id, FakeGraph, FakeSp, FakeTenant, APP_ID, APP_NAME, ASSIGNMENTS_PATH, GRANTS_PATH,
    OTHER_USER_ID, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN, SP_ID, TENANT_ID,
};
use crate::support::{audit_against, entra_perms, findings, graph_token, json, run};

fn token() -> String {
    graph_token()
}

fn object<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == name)
        .unwrap_or_else(|| panic!("no object {name}"))
}

fn requirement<'a>(
    doc: &'a serde_json::Value,
    obj: &str,
    perm: &str,
    t: &str,
) -> &'a serde_json::Value {
    object(doc, obj)["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["permission"] == perm && r["type"] == t)
        .unwrap_or_else(|| panic!("no requirement {perm} ({t}) on {obj}"))
}

#[test]
fn everything_granted_covers_all_18_objects_across_pages() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.page_size = 2;
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0, "{err}\n{out}");
    let doc = json(&out);
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["source"], "graph");
    assert_eq!(doc["tenantId"], TENANT_ID);
    assert_eq!(doc["app"]["appId"], APP_ID);
    assert_eq!(doc["app"]["servicePrincipalId"], SP_ID);
    assert_eq!(doc["app"]["displayName"], APP_NAME);
    assert_eq!(doc["summary"]["objects"], 18);
    assert_eq!(doc["summary"]["covered"], 18);
    assert!(doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["status"] == "covered"));
    assert_eq!(doc["missing"], serde_json::json!([]));
    assert_eq!(doc["excess"], serde_json::json!([]));
    // 13 app roles at 2 a page: 7 pages, all followed.
    // (The first page by appId, the next ones where Graph's next links point.)
    assert_eq!(
        graph.count(ASSIGNMENTS_PATH)
            + graph.count(&format!(
                "/v1.0/servicePrincipals/{SP_ID}/appRoleAssignments"
            )),
        7
    );
    // The recorded catalog predates DeviceLocalCredential.Read.All: resolved from the matrix.
    let lacking = findings(&doc, "catalog-lacks-permission");
    assert!(
        lacking
            .iter()
            .any(|f| f["data"]["permission"] == "DeviceLocalCredential.Read.All"),
        "{lacking:?}"
    );
}

#[test]
fn removing_one_application_permission_uncovers_its_object_and_exits_1() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["passed"], false);
    let ca = object(&doc, "Conditional access policies");
    assert_eq!(ca["status"], "missing");
    assert_eq!(ca["purposes"]["restore"], "missing");
    assert_eq!(ca["purposes"]["backup"], "not-applicable");
    assert_eq!(
        doc["missing"],
        serde_json::json!([{"permission": "Policy.ReadWrite.ConditionalAccess", "type": "Application",
            "status": "missing", "objects": ["Conditional access policies"], "purposes": ["restore"]}])
    );
    assert_eq!(doc["summary"]["covered"], 17);

    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("User.ReadWrite.All");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(object(&json(&out), "Users")["status"], "partial");
}

#[test]
fn wrong_type_is_reported_and_the_stray_grant_is_excess() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_delegated("BitlockerKey.Read.All");
    tenant.grant_app("BitlockerKey.Read.All");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    let r = requirement(&doc, "BitLocker keys", "BitlockerKey.Read.All", "Delegated");
    assert_eq!(r["status"], "wrong-type");
    assert_eq!(r["grantedAs"], "Application");
    assert_eq!(doc["missing"][0]["status"], "wrong-type");
    assert_eq!(
        doc["excess"],
        serde_json::json!([{"permission": "BitlockerKey.Read.All", "type": "Application", "tier": 1}])
    );
    // BitlockerKey.ReadBasic.All is still granted exactly, so the object is partial.
    assert_eq!(object(&doc, "BitLocker keys")["status"], "partial");
}

#[test]
fn principal_consent_counts_only_for_the_service_account() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_delegated("Directory.AccessAsUser.All");
    tenant.delegated.push((
        "Principal".into(),
        Some(SERVICE_ACCOUNT_ID.into()),
        "Directory.AccessAsUser.All".into(),
    ));
    let graph = FakeGraph::start(tenant);

    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    let r = requirement(&doc, "Users", "Directory.AccessAsUser.All", "Delegated");
    assert_eq!(r["status"], "principal-consent-only");
    assert_eq!(object(&doc, "Groups")["status"], "partial");

    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let r = requirement(&doc, "Users", "Directory.AccessAsUser.All", "Delegated");
    assert_eq!(r["status"], "granted");
    assert_eq!(r["consent"], "Principal");
    assert_eq!(doc["serviceAccount"]["id"], SERVICE_ACCOUNT_ID);
    assert_eq!(
        doc["serviceAccount"]["userPrincipalName"],
        SERVICE_ACCOUNT_UPN
    );

    // Another user as the service account does not make it count.
    let (code, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", OTHER_USER_ID],
    ));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(
        requirement(&doc, "Users", "Directory.AccessAsUser.All", "Delegated")["status"],
        "principal-consent-only"
    );
}

#[test]
fn an_unknown_service_account_fails_the_audit() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let (code, out, err) = run(audit_against(
        &graph,
        &["--service-account", "nobody@contoso.com"],
    ));
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(
        err.contains("service account `nobody@contoso.com` does not exist"),
        "{err}"
    );
}

#[test]
fn requested_but_not_granted_is_stale_consent() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("AuditLog.Read.All");
    tenant.revoke_delegated("Directory.AccessAsUser.All");
    tenant.revoke_delegated("UserAuthenticationMethod.ReadWrite.All");
    tenant.requested = Some(vec![
        (
            crate::support::fake_graph::app_role_id("AuditLog.Read.All").unwrap(),
            "Role".into(),
        ),
        (
            scope_id("Directory.AccessAsUser.All").unwrap(),
            "Scope".into(),
        ),
        (
            scope_id("UserAuthenticationMethod.ReadWrite.All").unwrap(),
            "Scope".into(),
        ),
        // User.Export.All: the one GUID that is both an app role and a scope; requested as a role.
        ("405a51b5-8d8d-430b-9842-8be4b0e9f324".into(), "Role".into()),
    ]);
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(
        requirement(&doc, "Activity logs", "AuditLog.Read.All", "Application")["status"],
        "requested-not-granted"
    );
    assert_eq!(
        requirement(&doc, "Users", "Directory.AccessAsUser.All", "Delegated")["status"],
        "requested-not-granted"
    );
    // Granted as the other type comes first in the order of statuses.
    assert_eq!(
        requirement(
            &doc,
            "User authentication methods",
            "UserAuthenticationMethod.ReadWrite.All",
            "Delegated"
        )["status"],
        "wrong-type"
    );
    assert!(findings(&doc, "registration-elsewhere").is_empty());
}

#[test]
fn a_missing_app_registration_is_normal_and_noted() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(
        requirement(&doc, "Activity logs", "AuditLog.Read.All", "Application")["status"],
        "missing"
    );
    // The same as a finding with a stable code and its data.
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "registration-elsewhere")
        .expect("a registration-elsewhere finding");
    assert_eq!(
        finding["data"]["ownerTenantId"],
        "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
    );
    assert_eq!(finding["message"], doc["notes"][0]);
    assert_eq!(
        graph.count(&format!("/v1.0/applications(appId='{APP_ID}')?")),
        1,
        "one read of the registration"
    );
}

#[test]
fn implied_via_broader_and_not_under_strict() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_delegated("User.Read.All");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0);
    let doc = json(&out);
    let r = requirement(&doc, "Users", "User.Read.All", "Delegated");
    assert_eq!(r["status"], "implied");
    assert_eq!(r["via"], "User.ReadWrite.All");
    assert_eq!(r["consent"], "AllPrincipals");

    let (code, out, _) = run(audit_against(&graph, &["--format", "json", "--strict"]));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["strict"], true);
    assert_eq!(
        requirement(&doc, "Users", "User.Read.All", "Delegated")["status"],
        "missing"
    );
}

#[test]
fn excess_other_apis_and_openid_scopes() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.grant_app("Mail.ReadWrite");
    // User.Export.All's app role id is also a scope id: it must resolve as the app role.
    tenant.app_roles.push((
        "User.Export.All".into(),
        "405a51b5-8d8d-430b-9842-8be4b0e9f324".into(),
    ));
    tenant.delegated.push((
        "AllPrincipals".into(),
        None,
        "openid profile email Calendars.Read".into(),
    ));
    tenant.other_app_roles.push((
        "Office 365 Exchange Online".into(),
        "b0d9b9e3-0ecf-4bfd-8dab-9273dd055a94".into(),
        "dc890d15-9560-4a4c-9b7f-a736ec74ec40".into(),
    ));
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 0, "excess alone passes --fail-on gap");
    let doc = json(&out);
    assert_eq!(
        doc["excess"],
        // Ranked by tier; a delegated grant has no tier of its own and comes last.
        serde_json::json!([
            {"permission": "Mail.ReadWrite", "type": "Application", "tier": 1},
            {"permission": "User.Export.All", "type": "Application", "tier": 1},
            {"permission": "Calendars.Read", "type": "Delegated", "consent": "AllPrincipals"},
        ])
    );
    assert_eq!(
        doc["otherResources"][0]["resource"],
        "Office 365 Exchange Online"
    );
    let (code, _, _) = run(audit_against(&graph, &["--fail-on", "excess"]));
    assert_eq!(code, 1);
}

#[test]
fn forbidden_grants_call_exits_3_naming_the_permission_and_prints_no_report() {
    let mut tenant = FakeTenant::everything(&token());
    // Both ways of reading the delegated grants are refused: by appId (the one-round read,
    // refused first) and by `$filter` (the two-round fallback).
    tenant.forbid.push(GRANTS_PATH.into());
    tenant.forbid.push("/v1.0/oauth2PermissionGrants".into());
    let graph = FakeGraph::start(tenant);
    for format in ["table", "json"] {
        let (code, out, err) = run(audit_against(&graph, &["--format", format]));
        assert_eq!(code, 3, "{err}");
        assert!(out.is_empty(), "no report may be printed: {out}");
        assert!(err.contains("403"), "{err}");
        assert!(err.contains("Authorization_RequestDenied"), "{err}");
        assert!(
            err.contains(
                "grant it Directory.Read.All (least privileged in Microsoft's permission data"
            ),
            "{err}"
        );
        assert!(!err.contains("PASS"));
    }

    let mut tenant = FakeTenant::everything(&token());
    tenant.forbid.push(ASSIGNMENTS_PATH.into());
    tenant.forbid.push(format!(
        "/v1.0/servicePrincipals/{SP_ID}/appRoleAssignments"
    ));
    let graph = FakeGraph::start(tenant);
    let (code, _, err) = run(audit_against(&graph, &[]));
    assert_eq!(code, 3);
    assert!(err.contains("grant it Application.Read.All"), "{err}");
}

#[test]
fn a_throttled_call_is_retried_and_the_audit_completes() {
    let mut tenant = FakeTenant::everything(&token());
    tenant
        .throttle_once
        .push((GRANTS_PATH.into(), "0.2".into()));
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json", "-v"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["passed"], true);
    assert_eq!(graph.count(GRANTS_PATH), 2);
    assert!(err.contains("status=429"), "{err}");
    assert!(err.contains("retries=1"), "{err}");
}

#[test]
fn throttled_past_the_budget_exits_3() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.throttle_always.push(GRANTS_PATH.into());
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &[]));
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(err.contains("kept throttling"), "{err}");
    assert_eq!(graph.count(GRANTS_PATH), 6);
}

#[test]
fn a_next_link_to_another_host_is_refused_and_the_token_never_goes_there() {
    let elsewhere = FakeGraph::serve(|_, _| {
        crate::support::fake_graph::Reply::json(200, serde_json::json!({"value": []}))
    });
    let mut tenant = FakeTenant::everything(&token());
    tenant.page_size = 5;
    // Same address, other host name: a different origin for the client.
    tenant.foreign_next_link = Some(elsewhere.base.replace("127.0.0.1", "localhost"));
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("refusing to follow a paging link to another host"),
        "{err}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was contacted"
    );
}

#[test]
fn an_unknown_app_exits_3() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
        "audit",
        "--app",
        "11111111-2222-3333-4444-555555555555",
        "--graph-url",
        &graph.base,
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(
        err.contains("no service principal with the appId or object id"),
        "{err}"
    );
}

#[test]
fn the_app_is_found_by_object_id_and_by_display_name() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    for app in [SP_ID, APP_NAME] {
        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
            "audit",
            "--format",
            "json",
            "--graph-url",
            &graph.base,
            "--app",
            app,
        ]);
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{app}: {err}");
        assert_eq!(json(&out)["app"]["appId"], APP_ID);
    }
}

#[test]
fn an_ambiguous_display_name_lists_the_candidates() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.sps.push(FakeSp {
        id: "7d1e8f20-5a4b-4c3d-9e2f-1a0b9c8d7e6f".into(),
        app_id: "c0ffee00-1234-4321-8888-000000000001".into(),
        display_name: APP_NAME.into(),
    });
    let graph = FakeGraph::start(tenant);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
        "audit",
        "--graph-url",
        &graph.base,
        "--app",
        APP_NAME,
    ]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 3);
    assert!(err.contains("2 service principals are named"), "{err}");
    assert!(
        err.contains(APP_ID) && err.contains("c0ffee00-1234-4321-8888-000000000001"),
        "{err}"
    );
}

#[test]
fn a_display_name_with_a_quote_is_looked_up_correctly() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.sps[0].display_name = "O'Neil's Backup & Restore".into();
    let graph = FakeGraph::start(tenant);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
        "audit",
        "--format",
        "json",
        "--graph-url",
        &graph.base,
        "--app",
        "O'Neil's Backup & Restore",
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["app"]["appId"], APP_ID);
    assert!(graph.requests().iter().any(|r| r
        .target
        .contains("displayName eq 'O''Neil''s Backup & Restore'")));
}

#[test]
fn the_token_never_appears_in_output_and_only_gets_go_to_graph() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("AuditLog.Read.All");
    tenant.forbid.push("/v1.0/applications".into());
    let graph = FakeGraph::start(tenant);
    let secret = token();
    let payload = secret.split('.').nth(1).unwrap().to_string();
    for args in [
        vec!["--format", "json", "-vv"],
        vec!["--format", "table", "-vv"],
    ] {
        let (_, out, err) = run(audit_against(&graph, &args));
        for text in [&out, &err] {
            assert!(!text.contains(&secret));
            assert!(!text.contains(&payload));
            assert!(!text.contains("TOKEN-MUST-NOT-LEAK"));
            assert!(!text.to_lowercase().contains("bearer"), "{text}");
        }
    }
    let reqs = graph.requests();
    assert!(!reqs.is_empty());
    assert!(reqs.iter().all(|r| r.method == "GET"), "{reqs:?}");
    assert!(reqs
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {secret}"))));
    assert!(reqs[0]
        .user_agent
        .as_deref()
        .unwrap()
        .starts_with("entra-perms/"));
}

#[test]
fn a_refused_token_exits_3_with_advice() {
    let graph = FakeGraph::start(FakeTenant::everything("a-different-token"));
    let (code, out, err) = run(audit_against(&graph, &[]));
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(
        err.contains("401") && err.contains("InvalidAuthenticationToken"),
        "{err}"
    );
    assert!(err.contains("sign in again"), "{err}");
}

#[test]
fn verbose_logs_each_request_without_secrets() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let (code, _, err) = run(audit_against(&graph, &["-v"]));
    assert_eq!(code, 0);
    assert!(err.contains("authenticating method=access-token"), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("graph request"))
        .collect();
    assert_eq!(lines.len(), graph.requests().len(), "{err}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("method=GET") && l.contains("status=")),
        "{err}"
    );
    assert!(lines.iter().any(|l| l.contains(GRANTS_PATH)), "{err}");
}

#[test]
fn network_failure_exits_3() {
    // A port with nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
        "audit",
        "--app",
        APP_ID,
        "--graph-url",
        &base,
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(err.contains("cannot reach Microsoft Graph"), "{err}");
}

#[test]
fn a_plain_http_graph_url_to_a_remote_host_is_refused() {
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
        "audit",
        "--app",
        APP_ID,
        "--graph-url",
        "http://graph.example.com",
    ]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(err.contains("only allowed for loopback"), "{err}");
}

#[test]
fn missing_credentials_exit_2_with_what_to_set() {
    let mut cmd = entra_perms();
    cmd.args([
        "audit",
        "--app",
        APP_ID,
        "--auth",
        "client-secret",
        "--tenant",
        TENANT_ID,
    ]);
    // What the user must set is an input error (exit 2), not a failed audit.
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(err.contains("AZURE_CLIENT_ID"), "{err}");
    let mut cmd = entra_perms();
    cmd.args(["audit", "--app", APP_ID, "--auth", "access-token"]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 2);
    assert!(err.contains("ENTRA_PERMS_ACCESS_TOKEN"), "{err}");
}

#[test]
fn output_file_receives_the_report() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let (code, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--output", path.to_str().unwrap()],
    ));
    assert_eq!(code, 0);
    assert!(out.is_empty());
    let doc = json(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(doc["summary"]["covered"], 18);
}

#[test]
fn scope_backup_ignores_restore_requirements() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--scope", "backup"],
    ));
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["scope"], "backup");
    assert_eq!(
        object(&doc, "Conditional access policies")["status"],
        "not-applicable"
    );
    let (code, _, _) = run(audit_against(&graph, &["--fail-on", "backup-gap"]));
    assert_eq!(code, 0);
    let (code, _, _) = run(audit_against(&graph, &["--fail-on", "never"]));
    assert_eq!(code, 0);
    let (code, _, _) = run(audit_against(&graph, &[]));
    assert_eq!(code, 1);
}

#[test]
fn table_report_for_a_mixed_tenant() {
    let mut tenant = FakeTenant::everything(&token());
    tenant.revoke_app("Policy.ReadWrite.ConditionalAccess");
    tenant.revoke_delegated("User.Read.All");
    tenant.revoke_delegated("BitlockerKey.Read.All");
    tenant.grant_app("BitlockerKey.Read.All");
    tenant.grant_app("Mail.ReadWrite");
    let graph = FakeGraph::start(tenant);
    let (code, out, _) = run(audit_against(&graph, &[]));
    assert_eq!(code, 1);
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("FAIL: 2 of 18 objects not covered")),
        "{out}"
    );
    let out = out.replace(&graph.base, "http://127.0.0.1:PORT");
    insta::assert_snapshot!("audit_table_mixed", out);
    // At 80 and 160 columns: every line fits, and a permission name is cut, if at all, only
    // after one of its dots.
    let (_, matrix, _) = run(entra_perms().args(["matrix", "--format", "json"]));
    let mut names: Vec<String> = json(&matrix)["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["permission"].as_str().unwrap().to_string())
        .collect();
    names.push("Mail.ReadWrite".into());
    for columns in [80, 160] {
        let mut cmd = audit_against(&graph, &[]);
        cmd.env("COLUMNS", columns.to_string());
        let (_, out, _) = run(cmd);
        for line in out.lines() {
            assert!(line.chars().count() <= columns, "{columns}: {line}");
            for token in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
                let token = token.trim_end_matches('.');
                if token.contains('.') && token.chars().next().is_some_and(char::is_uppercase) {
                    assert!(
                        names
                            .iter()
                            .any(|n| n == token || n.starts_with(&format!("{token}."))),
                        "{columns}: `{token}` is a cut name in {line}"
                    );
                }
            }
        }
        insta::assert_snapshot!(
            format!("audit_table_mixed_{columns}"),
            out.replace(&graph.base, "http://127.0.0.1:PORT")
        );
    }
}

#[test]
fn graph_calls_go_through_the_https_proxy() {
    // A proxy on 127.0.0.1 that refuses every CONNECT: we only check the client asked it.
    let proxy =
        crate::support::fake_graph::FakeGraph::serve(|_, _| crate::support::fake_graph::Reply {
            status: 502,
            headers: vec![],
            body: String::new(),
            delay: std::time::Duration::ZERO,
        });
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token())
        .env("HTTPS_PROXY", &proxy.base)
        .args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            "https://graph.contoso-proxy-test.example",
        ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    let seen = proxy.requests();
    assert!(!seen.is_empty(), "the proxy was not used: {err}");
    assert!(
        seen.iter()
            .all(|r| r.method == "CONNECT" && r.target == "graph.contoso-proxy-test.example:443"),
        "{seen:?}"
    );
    assert!(
        seen.iter().all(|r| r.authorization.is_none()),
        "the token never goes to the proxy"
    );
}

#[test]
fn an_extra_ca_bundle_is_read_and_a_missing_one_is_a_clear_error() {
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let pem = crate::support::fixture("auth/test-client.pem");
    let (code, _, err) = run(audit_against(&graph, &[]).env("SSL_CERT_FILE", &pem));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(audit_against(&graph, &[]).env("SSL_CERT_FILE", "/no/such/ca.pem"));
    assert_eq!(
        code, 2,
        "a CA bundle that cannot be read is an input error: {err}"
    );
    assert!(out.is_empty());
    assert!(
        err.contains("cannot read the CA bundle /no/such/ca.pem (SSL_CERT_FILE)"),
        "{err}"
    );
    let not_pem = crate::support::fixture("graph/graph-service-principal.json");
    let (code, _, err) = run(audit_against(&graph, &[]).env("SSL_CERT_FILE", &not_pem));
    assert_eq!(code, 3);
    assert!(err.contains("SSL_CERT_FILE"), "{err}");
}

#[test]
fn azure_cli_without_az_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = entra_perms();
    cmd.env("PATH", dir.path()).args([
        "audit",
        "--app",
        APP_ID,
        "--auth",
        "azure-cli",
        "--tenant",
        TENANT_ID,
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert!(
        err.contains("could not get a Microsoft Graph token with the azure-cli sign-in"),
        "{err}"
    );
    assert!(
        err.contains("\nhint: the sign-in is chosen with --auth (here azure-cli)"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

/// `--auth auto` with nothing that works says, in order, what each way in lacked — and what was
/// set — not the Azure SDK's text (that only under `-v`).
#[test]
fn auto_sign_in_says_what_each_way_in_lacked() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = entra_perms();
    cmd.env("PATH", dir.path())
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_CLIENT_ID", APP_ID)
        .args(["audit", "--app", APP_ID]);
    let (code, _, err) = run(&mut cmd);
    assert_eq!(code, 3, "{err}");
    for needle in [
        "could not get a Microsoft Graph token with the auto sign-in: 1. access token: ENTRA_PERMS_ACCESS_TOKEN not set",
        "2. client secret: AZURE_CLIENT_SECRET not set (AZURE_TENANT_ID and AZURE_CLIENT_ID are)",
        "7. Azure CLI: `az` is not on PATH",
    ] {
        assert!(err.contains(needle), "`{needle}` not in {err}");
    }
    assert!(
        !err.contains("aka.ms"),
        "the SDK's text only under -v: {err}"
    );
    let mut cmd = entra_perms();
    cmd.env("PATH", dir.path())
        .args(["-v", "audit", "--app", APP_ID]);
    let (_, _, verbose) = run(&mut cmd);
    assert!(verbose.contains("the Azure CLI sign-in:"), "{verbose}");
}

#[test]
fn an_app_id_is_audited_in_one_round_with_the_same_report() {
    let latency = std::time::Duration::from_millis(200);
    let report = |graph: &FakeGraph, app: &str| {
        let mut cmd = entra_perms();
        cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token()).args([
            "audit",
            "--app",
            app,
            "--graph-url",
            &graph.base,
            "--format",
            "json",
        ]);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 0, "{err}");
        let mut doc = json(&out);
        doc["readAt"] = "x".into();
        doc
    };
    // Every read of the app starts before the first answer arrives (answers take 200 ms); only
    // the app's own directory roles wait for its object id (a role assignment's principal), and
    // its owners' roles for the owners.
    let mut tenant = FakeTenant::everything(&token());
    tenant.latency = latency;
    tenant.requested = Some(Vec::new());
    tenant.owners = vec![(
        OTHER_USER_ID.into(),
        "alex@contoso.onmicrosoft.com".into(),
        false,
    )];
    tenant.federated = vec![
        serde_json::json!({"id": "1b2c3d4e-0000-4000-8000-000000000002",
        "name": "deploy", "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/backup:environment:production",
        "audiences": ["api://AzureADTokenExchange"]}),
    ];
    let graph = FakeGraph::start(tenant.clone());
    let one_round = report(&graph, APP_ID);
    let seen: Vec<_> = graph
        .requests()
        .into_iter()
        .filter(|r| {
            !r.target.starts_with("/v1.0/roleManagement/")
                && !r.target.contains("/transitiveMemberOf/")
        })
        .collect();
    let first = seen.iter().map(|r| r.at).min().unwrap();
    let last = seen.iter().map(|r| r.at).max().unwrap();
    assert!(
        last - first < latency / 2,
        "a request waited for an answer: {:?} after the first ({} requests)",
        last - first,
        seen.len()
    );

    // By object id: two rounds (the check above would fail), and the same report.
    let graph = FakeGraph::start(tenant.clone());
    assert_eq!(report(&graph, SP_ID), one_round);
    let seen = graph.requests();
    let first = seen.iter().map(|r| r.at).min().unwrap();
    assert!(seen.iter().any(|r| r.at - first >= latency));

    // A Graph that answers 400 to every `(appId='…')` segment (the app's, its registration's,
    // the catalog's): the fallback by `$filter` and object id, the same report.
    tenant.refuse_alternate_key = true;
    let graph = FakeGraph::start(tenant);
    assert_eq!(report(&graph, APP_ID), one_round);
    assert!(graph.count("/v1.0/oauth2PermissionGrants?$filter=clientId eq") >= 1);
    for path in [
        "/v1.0/servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000'",
        "/v1.0/applications?$filter=appId eq",
        "/v1.0/applications/7bec5fd1-a25f-474c-a6ca-5492082c6a9b/owners",
        "/v1.0/applications/7bec5fd1-a25f-474c-a6ca-5492082c6a9b/federatedIdentityCredentials",
    ] {
        assert_eq!(graph.count(path), 1, "{path}");
    }
    assert_eq!(
        one_round["appSecurity"]["federatedCredentials"][0]["name"],
        "deploy"
    );
    assert_eq!(
        one_round["appSecurity"]["owners"][0]["userPrincipalName"],
        "alex@contoso.onmicrosoft.com"
    );
}

#[test]
fn all_requests_share_one_http2_connection_over_tls() {
    // Graph over TLS offers HTTP/2 by ALPN: rustls negotiates it, and the whole audit, all its
    // requests in flight together, uses one connection.
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let front = crate::support::tls_front::TlsFront::start(&graph.base);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token())
        .env("SSL_CERT_FILE", &front.ca_pem)
        .args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            &front.base,
            "--format",
            "json",
        ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["passed"], true);
    let h2 = front
        .http2_requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let h1 = front
        .http1_requests
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(h1, 0, "no request fell back to HTTP/1.1");
    assert_eq!(h2, graph.requests().len(), "every request went over HTTP/2");
    assert!(h2 >= 8, "{h2}");
    assert_eq!(
        front.connections.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "one connection for the whole audit"
    );
}

#[test]
fn a_server_without_http2_is_still_audited() {
    // A TLS-inspecting proxy that speaks only HTTP/1.1: the HTTP/2 attempt fails, and the audit
    // falls back to the ALPN client and completes.
    let graph = FakeGraph::start(FakeTenant::everything(&token()));
    let front = crate::support::tls_front::TlsFront::start_http1_only(&graph.base);
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token())
        .env("SSL_CERT_FILE", &front.ca_pem)
        .args([
            "audit",
            "--app",
            APP_ID,
            "--graph-url",
            &front.base,
            "--format",
            "json",
            "-v",
        ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["passed"], true);
    assert_eq!(
        front
            .http2_requests
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    assert!(
        front
            .http1_requests
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 8
    );
    assert!(err.contains("HTTP/2 failed: falling back"), "{err}");
}
