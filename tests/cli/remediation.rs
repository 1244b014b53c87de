//! From finding to fix: `plan`, the service account's directory roles, `diff-matrix`, and when
//! each permission was granted.

use crate::support::fake_graph::{
    FakeGraph, FakeTenant, Reply, APP_ID, OTHER_USER_ID, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN,
    SP_ID, TENANT_ID,
};
use crate::support::{audit_against, entra_perms, findings, graph_token, json, run};

/// The tenant's Microsoft Graph service principal id, from the recorded catalog.
const GRAPH_SP_ID: &str = "a3efc889-f1b7-4532-9e01-91e32d1039f4";
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

fn gaps_tenant() -> FakeTenant {
    let mut t = FakeTenant::everything(&graph_token());
    t.revoke_app("Policy.ReadWrite.ConditionalAccess");
    t.revoke_delegated("BitlockerKey.Read.All");
    t
}

fn plan(graph: &FakeGraph, extra: &[&str]) -> (i32, String, String) {
    plan_with(graph, &graph_token(), extra)
}

/// `plan` with this token (a token for another cloud's Graph).
fn plan_with(graph: &FakeGraph, token: &str, extra: &[&str]) -> (i32, String, String) {
    let mut cmd = entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", token)
        .args(["plan", "--app", APP_ID, "--graph-url", &graph.base])
        .args(extra);
    run(&mut cmd)
}

#[test]
fn plan_grants_the_missing_application_and_delegated_permissions() {
    let graph = FakeGraph::start(gaps_tenant());
    let (code, out, err) = plan(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let p = json(&out);
    assert_eq!(
        p["adminConsentUrl"],
        format!("https://login.microsoftonline.com/{TENANT_ID}/adminconsent?client_id={APP_ID}")
    );
    assert_eq!(p["graphResourceId"], GRAPH_SP_ID);
    let steps = p["application"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["permission"], "Policy.ReadWrite.ConditionalAccess");
    assert_eq!(steps[0]["request"]["method"], "POST");
    assert_eq!(
        steps[0]["request"]["url"],
        format!("https://graph.microsoft.com/v1.0/servicePrincipals/{SP_ID}/appRoleAssignments")
    );
    assert_eq!(
        steps[0]["request"]["body"],
        serde_json::json!({"principalId": SP_ID, "resourceId": GRAPH_SP_ID,
                           "appRoleId": "01c0a623-fc9b-48e9-b794-0756f8e8f067"})
    );
    assert!(steps[0]["azCli"]
        .as_str()
        .unwrap()
        .starts_with("az rest --method POST"));
    assert!(steps[0]["powershell"]
        .as_str()
        .unwrap()
        .starts_with("New-MgServicePrincipalAppRoleAssignment"));
    let d = &p["delegated"];
    assert_eq!(d["request"]["method"], "PATCH");
    assert!(d["request"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.com/v1.0/oauth2PermissionGrants/"));
    let scope = d["scope"].as_str().unwrap();
    assert!(
        scope.split(' ').any(|s| s == "BitlockerKey.Read.All"),
        "{scope}"
    );
    assert!(
        scope.split(' ').any(|s| s == "User.Read.All"),
        "existing scopes are kept: {scope}"
    );
    assert_eq!(
        d["add"],
        serde_json::json!([["BitlockerKey.Read.All", "missing"]])
    );
    let rra = &p["requiredResourceAccess"];
    assert_eq!(rra["resourceAppId"], "00000003-0000-0000-c000-000000000000");
    assert!(rra["resourceAccess"].as_array().unwrap().contains(
        &serde_json::json!({"id": "b27a61ec-b99c-4d6a-b126-c4375d08ae30", "type": "Scope"})
    ));
    // Only GETs reached Graph: the plan is for the admin to run.
    assert!(graph.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn plan_in_the_us_government_cloud_uses_its_hosts() {
    let token = crate::support::graph_token_for("graph.microsoft.us");
    let mut t = gaps_tenant();
    t.token = token.clone();
    let graph = FakeGraph::start(t);
    let (code, out, err) = plan_with(&graph, &token, &["--cloud", "usgov", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let p = json(&out);
    assert_eq!(p["cloud"], "usgov");
    assert!(p["adminConsentUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://login.microsoftonline.us/"));
    assert!(p["application"][0]["request"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.us/v1.0/"));
    assert!(p["connect"]["powershell"]
        .as_str()
        .unwrap()
        .contains("-Environment USGov"));
    assert!(p["connect"]["azCli"]
        .as_str()
        .unwrap()
        .contains("AzureUSGovernment"));
    assert!(!out.contains("graph.microsoft.com"), "{out}");
}

#[test]
fn plan_in_us_gov_dod_names_the_graph_resource_on_every_az_line() {
    let token = crate::support::graph_token_for("dod-graph.microsoft.us");
    let mut t = gaps_tenant();
    t.token = token.clone();
    t.grant_app("Mail.ReadWrite");
    let graph = FakeGraph::start(t);
    for format in ["text", "markdown"] {
        let (code, out, err) = plan_with(
            &graph,
            &token,
            &["--cloud", "usgov-dod", "--format", format],
        );
        assert_eq!(code, 0, "{err}");
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("az rest")).collect();
        assert!(lines.len() >= 3, "{out}");
        for line in lines {
            assert!(
                line.contains("--resource 'https://dod-graph.microsoft.us'"),
                "{line}"
            );
        }
    }
}

#[test]
fn a_snapshot_with_a_hostile_tenant_is_refused() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/stale-consent.json"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for hostile in ["x; touch PWNED #", "$(touch PWNED)", "`touch PWNED`"] {
        let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        doc["grants"]["tenantId"] = hostile.into();
        let file = dir.path().join("s.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        for command in ["plan", "audit"] {
            let (code, out, err) = run(entra_perms()
                .current_dir(dir.path())
                .args([command, "--from"])
                .arg(&file));
            assert_eq!(code, 2, "{err}");
            assert!(out.is_empty(), "{out}");
            assert!(err.contains("grants.tenantId"), "{err}");
        }
    }
    assert!(!dir.path().join("PWNED").exists());
}

#[test]
fn plan_text_and_markdown() {
    let graph = FakeGraph::start(gaps_tenant());
    let (code, out, _) = plan(&graph, &[]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Plan for Contoso Entra Backup: 2 changes"),
        "{out}"
    );
    assert!(out.contains("adminconsent?client_id="));
    assert!(out.contains("01c0a623-fc9b-48e9-b794-0756f8e8f067"));
    let (code, out, _) = plan(&graph, &["--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("## entra-perms plan"));
    assert!(
        out.contains("```powershell\nNew-MgServicePrincipalAppRoleAssignment"),
        "{out}"
    );
    assert!(out.contains("### requiredResourceAccess"));
}

#[test]
fn plan_with_nothing_to_grant() {
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let (code, out, _) = plan(&graph, &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Nothing to grant"), "{out}");
}

#[test]
fn plan_creates_a_delegated_grant_when_there_is_none() {
    let mut t = FakeTenant::everything(&graph_token());
    t.delegated.clear();
    let graph = FakeGraph::start(t);
    let (_, out, _) = plan(&graph, &["--format", "json"]);
    let d = &json(&out)["delegated"];
    assert_eq!(d["request"]["method"], "POST");
    assert_eq!(d["request"]["body"]["clientId"], SP_ID);
    assert_eq!(d["request"]["body"]["resourceId"], GRAPH_SP_ID);
    assert_eq!(d["request"]["body"]["consentType"], "AllPrincipals");
}

fn roles_tenant(roles: &[(&str, &str, bool)]) -> FakeTenant {
    let mut t = FakeTenant::everything(&graph_token());
    for (template, name, eligible) in roles {
        t.roles.push((
            SERVICE_ACCOUNT_ID.into(),
            template.to_string(),
            name.to_string(),
            *eligible,
        ));
    }
    // Another user's Global Administrator role must not count.
    t.roles.push((
        OTHER_USER_ID.into(),
        GLOBAL_ADMIN.into(),
        "Global Administrator".into(),
        false,
    ));
    t
}

#[test]
fn service_account_with_global_administrator() {
    let graph = FakeGraph::start(roles_tenant(&[
        (GLOBAL_ADMIN, "Global Administrator", false),
        (
            "e8611ab8-c189-46e8-94e1-60213ab1f814",
            "Privileged Role Administrator",
            true,
        ),
    ]));
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0, "{err}");
    let sa = &json(&out)["serviceAccount"];
    assert_eq!(sa["hasGlobalAdministrator"], true);
    assert_eq!(
        sa["roles"],
        serde_json::json!([
            {"displayName": "Global Administrator", "templateId": GLOBAL_ADMIN, "tier": 0, "assignment": "active"},
            {"displayName": "Privileged Role Administrator",
             "templateId": "e8611ab8-c189-46e8-94e1-60213ab1f814", "tier": 0, "assignment": "eligible"}
        ])
    );
    assert!(sa["actsFor"]
        .as_array()
        .unwrap()
        .contains(&"Directory.AccessAsUser.All (Delegated)".into()));
    assert!(sa.get("notes").is_none());
}

#[test]
fn service_account_without_global_administrator_is_warned() {
    let graph = FakeGraph::start(roles_tenant(&[(
        "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "User Administrator",
        false,
    )]));
    let (code, out, _) = run(audit_against(
        &graph,
        &["--service-account", SERVICE_ACCOUNT_ID],
    ));
    assert_eq!(code, 0, "a role warning is not a gap");
    assert!(
        out.contains("Service account: backup-svc@contoso.onmicrosoft.com · User Administrator"),
        "{out}"
    );
    assert!(
        out.contains("! The service account is not a Global Administrator"),
        "{out}"
    );
    assert!(
        out.contains("Delegated permissions acting through it:"),
        "{out}"
    );
    let (_, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_ID],
    ));
    assert_eq!(
        json(&out)["serviceAccount"]["hasGlobalAdministrator"],
        false
    );
}

#[test]
fn global_administrator_through_a_group_counts() {
    let mut t = roles_tenant(&[]);
    t.group_roles.push((
        SERVICE_ACCOUNT_ID.into(),
        GLOBAL_ADMIN.into(),
        "Global Administrator".into(),
    ));
    let graph = FakeGraph::start(t);
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0, "{err}");
    let sa = &json(&out)["serviceAccount"];
    assert_eq!(sa["hasGlobalAdministrator"], true, "{sa}");
    assert_eq!(sa["roles"].as_array().unwrap().len(), 1);
    // No note blames a permission: the fake Graph answers the cast only as an advanced query.
    let notes = sa["notes"].as_array().cloned().unwrap_or_default();
    assert!(notes.is_empty(), "{notes:?}");
    let doc = json(&out);
    assert!(findings(&doc, "roles-unreadable").is_empty(), "{doc}");
    let cast = graph
        .requests()
        .into_iter()
        .find(|r| {
            r.target
                .contains("/transitiveMemberOf/microsoft.graph.directoryRole")
        })
        .expect("the transitive roles were read");
    assert_eq!(cast.consistency_level.as_deref(), Some("eventual"));
    assert!(cast.target.contains("$count=true"), "{}", cast.target);
}

#[test]
fn a_malformed_request_is_graphs_words_never_a_permission_to_grant() {
    // Graph answers 400 (an unsupported query) for the roles held through groups and for the
    // PIM eligibilities: optional data, so notes, quoting Graph, and no "grant".
    let t = roles_tenant(&[(GLOBAL_ADMIN, "Global Administrator", false)]);
    let graph = FakeGraph::start_with(t, |req, _| {
        (req.target.contains("/transitiveMemberOf/")
            || req.target.contains("/roleEligibilitySchedules"))
        .then(|| {
            Reply::error(
                400,
                "Request_UnsupportedQuery",
                "Unsupported query for this tenant.",
            )
        })
    });
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0, "{err}");
    let sa = &json(&out)["serviceAccount"];
    assert_eq!(sa["hasGlobalAdministrator"], true, "{sa}");
    let doc = json(&out);
    let refused = findings(&doc, "roles-unreadable");
    assert!(!refused.is_empty(), "{doc}");
    for f in refused {
        assert_eq!(f["data"]["status"], 400);
        assert!(f["data"]["graphError"]
            .as_str()
            .unwrap()
            .contains("Request_UnsupportedQuery"));
        assert!(
            f["data"].get("needs").is_none(),
            "a 400 is never a permission to grant"
        );
    }
    let codes: Vec<String> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "roles-unreadable")
        .map(|f| {
            f["data"]["graphError"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    // The service account's eligible and group roles, and the app's own eligible roles.
    assert_eq!(codes.len(), 3, "{codes:?}");
    assert!(
        codes.iter().all(|c| c.contains("Request_UnsupportedQuery")),
        "{codes:?}"
    );

    // A 400 for data the verdict needs (both the one-round read by appId and the `$filter`
    // fallback refused): exit 3, Graph's words, no "grant".
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, _| {
        (req.target
            .starts_with(crate::support::fake_graph::GRANTS_PATH)
            || req.target.starts_with("/v1.0/oauth2PermissionGrants"))
        .then(|| Reply::error(400, "Request_BadRequest", "Invalid filter clause."))
    });
    for format in ["table", "json"] {
        let (code, out, err) = run(audit_against(&graph, &["--format", format]));
        assert_eq!(code, 3, "{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains("Request_BadRequest: Invalid filter clause."),
            "{err}"
        );
        assert!(!err.to_lowercase().contains("grant it"), "{err}");
    }
}

#[test]
fn unreadable_roles_degrade_to_a_note() {
    let mut t = roles_tenant(&[(GLOBAL_ADMIN, "Global Administrator", false)]);
    t.forbid
        .push("/v1.0/roleManagement/directory/roleAssignments".into());
    t.forbid.push(format!(
        "/v1.0/users/{SERVICE_ACCOUNT_ID}/transitiveMemberOf"
    ));
    let graph = FakeGraph::start(t);
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0, "{err}");
    let sa = &json(&out)["serviceAccount"];
    assert_eq!(sa["hasGlobalAdministrator"], serde_json::Value::Null);
    assert_eq!(sa["roles"], serde_json::Value::Null);
    let doc = json(&out);
    assert!(
        findings(&doc, "roles-unreadable")
            .iter()
            .any(|f| f["data"]["needs"]
                .as_str()
                .is_some_and(|n| n.contains("RoleManagement.Read.Directory"))),
        "{doc}"
    );

    let mut t = roles_tenant(&[(GLOBAL_ADMIN, "Global Administrator", false)]);
    t.forbid
        .push("/v1.0/roleManagement/directory/roleEligibilitySchedules".into());
    let graph = FakeGraph::start(t);
    let (code, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 0);
    let sa = &json(&out)["serviceAccount"];
    assert_eq!(sa["hasGlobalAdministrator"], true);
    let doc = json(&out);
    assert!(
        findings(&doc, "roles-unreadable")
            .iter()
            .any(|f| f["data"]["what"].as_str().unwrap().contains("PIM-eligible")),
        "{doc}"
    );
}

#[test]
fn granted_on_comes_from_the_app_role_assignment() {
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    let doc = json(&out);
    let policies = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["object"] == "Policies")
        .unwrap();
    let granted_on = policies["requirements"][0]["grantedOn"].as_str().unwrap();
    assert!(granted_on.starts_with("2024-03-"), "{granted_on}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn diff_matrix_lists_added_and_removed_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("permissions.toml"),
    )
    .unwrap();
    let old = write(dir.path(), "old.toml", &embedded);
    // The newer matrix drops AuditLog.Read.All and adds Mail.Read.
    let start = embedded.find("name = \"AuditLog.Read.All\"").unwrap();
    let row_start = embedded[..start].rfind("[[permission]]").unwrap();
    let row_end = start + embedded[start..].find("[[permission]]").unwrap();
    let mut newer = format!("{}{}", &embedded[..row_start], &embedded[row_end..]);
    newer = newer.replace("version = \"2026.11\"", "version = \"2027.01\"");
    newer.push_str(
        "\n[[permission]]\nname = \"Mail.Read\"\ntype = \"Application\"\napi_versions = [\"v1.0\"]\nobjects = [\"Mailboxes\"]\npurposes = [\"backup\"]\ndescription = \"Reads mail.\"\napplication_id = \"810c84a8-4a9e-49e6-bf7d-12d183f40d01\"\n",
    );
    let new = write(dir.path(), "new.toml", &newer);

    let (code, out, err) = run(entra_perms()
        .arg("diff-matrix")
        .arg(&old)
        .arg(&new)
        .args(["--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let d = json(&out);
    assert_eq!(
        d["added"],
        serde_json::json!([{"permission": "Mail.Read", "type": "Application",
                            "objects": ["Mailboxes"], "purposes": ["backup"]}])
    );
    assert_eq!(
        d["removed"],
        serde_json::json!([{"permission": "AuditLog.Read.All", "type": "Application",
                            "objects": ["Activity logs"], "purposes": ["backup"]}])
    );
    assert_eq!(d["oldVersion"], "2026.11");
    assert_eq!(d["newVersion"], "2027.01");

    let (code, out, _) = run(entra_perms().arg("diff-matrix").arg(&old).arg(&new));
    assert_eq!(code, 0);
    assert!(out.contains("Matrix 2026.11 -> 2027.01"), "{out}");
    assert!(
        out.contains("+ Mail.Read (Application) · Mailboxes · for backup"),
        "{out}"
    );
    // A removed requirement is marked as removed, under its heading.
    let removed = out.split("Removed (no longer needed):").nth(1).expect(&out);
    assert!(
        removed
            .lines()
            .any(|l| l == "  - AuditLog.Read.All (Application) · Activity logs · for backup"),
        "{out}"
    );
    assert!(!out.contains("+ AuditLog.Read.All"), "{out}");

    // The new matrix then shows the consent to grant before upgrading.
    let (code, out, _) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/all-granted.json"))
        .arg("--matrix")
        .arg(&new));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["matrixVersion"], "2027.01");
    assert_eq!(doc["missing"][0]["permission"], "Mail.Read");
    assert_eq!(doc["missing"].as_array().unwrap().len(), 1);
    assert!(doc["excess"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["permission"] == "AuditLog.Read.All"));

    let bad = write(dir.path(), "bad.toml", "version = 3\n");
    let (code, _, err) = run(entra_perms().arg("diff-matrix").arg(&old).arg(&bad));
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:1:"), "{err}");
}

#[test]
fn scope_checks_never_prescribes_restore_rights_are_not_excess_under_backup() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/all-granted.json");
    let mut cmd = entra_perms();
    cmd.args([
        "audit",
        "--from",
        example,
        "--scope",
        "backup",
        "--fail-on",
        "excess-tier0",
    ]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Needed only for restore: keep these if this app restores (5)"),
        "{out}"
    );
    assert!(!out.contains("Granted but not needed"), "{out}");
    assert!(!out.contains("remove it"), "{out}");
    let mut cmd = entra_perms();
    cmd.args([
        "audit",
        "--from",
        example,
        "--scope",
        "backup",
        "--format",
        "json",
        "--fail-on",
        "excess",
    ]);
    let (code, out, _) = run(&mut cmd);
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["excess"], serde_json::json!([]));
    let restore_only: Vec<&str> = doc["outOfScope"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["permission"].as_str().unwrap())
        .collect();
    assert!(
        restore_only.contains(&"Policy.ReadWrite.ConditionalAccess"),
        "{restore_only:?}"
    );
    assert!(doc["outOfScope"][0]["purposes"] == serde_json::json!(["restore"]));
    for format in ["text", "json"] {
        let mut cmd = entra_perms();
        cmd.args([
            "plan", "--from", example, "--scope", "backup", "--format", format,
        ]);
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains("DELETE"), "{format}: {out}");
        assert!(!out.contains("Remove-Mg"), "{format}: {out}");
    }
}

#[test]
fn plan_removes_a_delegated_scope_not_needed_without_undoing_what_it_adds() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/wrong-types-and-excess.json"
    );
    let mut cmd = entra_perms();
    cmd.args(["plan", "--from", example, "--format", "json"]);
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let plan = json(&out);
    let calendars = plan["remove"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["permission"] == "Calendars.ReadWrite")
        .expect("Calendars.ReadWrite is removed");
    assert_eq!(calendars["type"], "Delegated");
    assert_eq!(calendars["request"]["method"], "PATCH");
    let kept = calendars["request"]["body"]["scope"].as_str().unwrap();
    assert!(!kept.contains("Calendars.ReadWrite"), "{kept}");
    assert!(calendars["powershell"]
        .as_str()
        .unwrap()
        .starts_with("Update-MgOauth2PermissionGrant"));
    // The adding PATCH never re-adds the scope, and both write the same final scope.
    let adding = plan["delegated"]["request"]["body"]["scope"]
        .as_str()
        .unwrap();
    assert!(!adding.contains("Calendars.ReadWrite"), "{adding}");
    assert_eq!(adding, kept);
    let mut cmd = entra_perms();
    cmd.args(["plan", "--from", example]);
    let (_, text, _) = run(&mut cmd);
    assert!(
        text.contains("Calendars.ReadWrite (Delegated)\n    az:         az rest --method PATCH"),
        "{text}"
    );
}
