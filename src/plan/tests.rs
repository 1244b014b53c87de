//! Tests of the plan: the requests, commands and consent URL for each kind of gap and cloud.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;
use crate::audit::{diff, Options};
use crate::grants::{AppRoleGrant, CatalogId, DelegatedGrant, Source};

fn grants() -> Grants {
    let m = Matrix::embedded().unwrap();
    let mut g = Grants::new(
        Cloud::Global,
        AppIdentity {
            app_id: Some("46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b".into()),
            service_principal_id: Some("sp-1".into()),
            display_name: None,
        },
    );
    g.tenant_id = Some("tenant-1".into());
    g.graph_resource_id = Some("graph-1".into());
    for p in &m.permissions {
        if p.ptype == PermissionType::Delegated {
            g.delegated.push(DelegatedGrant {
                permission: p.name.clone(),
                consent: Consent::AllPrincipals,
                principal_id: None,
                grant_id: Some("grant-1".into()),
            });
        } else {
            g.application.push(AppRoleGrant {
                permission: p.name.clone(),
                app_role_id: None,
                assignment_id: Some(format!("assign-{}", p.name)),
                created: None,
            });
        }
    }
    g
}

fn plan_for(g: &Grants, cloud: Cloud) -> Plan {
    let m = Matrix::embedded().unwrap();
    let r = diff(&m, g, Source::Graph, &Options::default());
    plan(&m, g, &r, cloud)
}

#[test]
fn nothing_to_do_when_everything_is_granted() {
    let p = plan_for(&grants(), Cloud::Global);
    assert!(p.is_empty());
    assert!(p.remove.is_empty());
    assert_eq!(
        p.required_resource_access["resourceAccess"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn missing_application_and_delegated_permissions() {
    let mut g = grants();
    g.application
        .retain(|a| a.permission != "Policy.ReadWrite.ConditionalAccess");
    g.delegated
        .retain(|d| d.permission != "BitlockerKey.Read.All");
    g.catalog.push(CatalogId {
        permission: "Policy.ReadWrite.ConditionalAccess".into(),
        ptype: PermissionType::Application,
        id: "01c0a623-fc9b-48e9-b794-0756f8e8f067".into(),
    });
    let p = plan_for(&g, Cloud::Usgov);
    assert_eq!(
        p.admin_consent_url.as_deref(),
        Some("https://login.microsoftonline.us/tenant-1/adminconsent?client_id=46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b")
    );
    let step = &p.application[0];
    assert_eq!(
        step.request.url,
        "https://graph.microsoft.us/v1.0/servicePrincipals/sp-1/appRoleAssignments"
    );
    assert_eq!(
        step.request.body,
        Some(
            json!({"principalId": "sp-1", "resourceId": "graph-1", "appRoleId": "01c0a623-fc9b-48e9-b794-0756f8e8f067"})
        )
    );
    assert!(step
        .az_cli
        .starts_with("az rest --method POST --url 'https://graph.microsoft.us/"));
    assert!(step
        .powershell
        .contains("-AppRoleId '01c0a623-fc9b-48e9-b794-0756f8e8f067'"));
    let d = p.delegated.as_ref().unwrap();
    assert_eq!(d.request.method, "PATCH");
    assert_eq!(
        d.request.url,
        "https://graph.microsoft.us/v1.0/oauth2PermissionGrants/grant-1"
    );
    assert!(d.scope.ends_with(" BitlockerKey.Read.All"), "{}", d.scope);
    assert!(d.scope.contains("User.Read.All"));
    assert!(p.connect.powershell.contains("-Environment USGov"));
}

#[test]
fn a_new_delegated_grant_when_none_exists() {
    let mut g = grants();
    g.delegated.clear();
    let p = plan_for(&g, Cloud::Global);
    let d = p.delegated.unwrap();
    assert_eq!(d.request.method, "POST");
    assert_eq!(
        d.request.body.as_ref().unwrap()["consentType"],
        "AllPrincipals"
    );
    assert_eq!(d.add.len(), 7);
    assert!(d
        .powershell
        .starts_with("New-MgOauth2PermissionGrant -ClientId 'sp-1'"));
}

#[test]
fn excess_app_roles_can_be_removed() {
    let mut g = grants();
    g.application.push(AppRoleGrant {
        permission: "Mail.ReadWrite".into(),
        app_role_id: None,
        assignment_id: Some("assign-mail".into()),
        created: None,
    });
    let p = plan_for(&g, Cloud::Global);
    assert_eq!(p.remove.len(), 1);
    assert_eq!(p.remove[0].request.as_ref().unwrap().method, "DELETE");
    assert!(p.remove[0]
        .request
        .as_ref()
        .unwrap()
        .url
        .ends_with("/appRoleAssignments/assign-mail"));
}

#[test]
fn unknown_ids_become_placeholders() {
    let mut g = grants();
    g.app.service_principal_id = None;
    g.graph_resource_id = None;
    g.application.clear();
    let p = plan_for(&g, Cloud::Global);
    assert!(p.application[0].request.url.contains(SP_PLACEHOLDER));
    assert_eq!(p.notes.len(), 3, "{:?}", p.notes);
}

#[test]
fn shell_quoting_is_safe() {
    assert_eq!(sh("it's"), r"'it'\''s'");
    assert_eq!(ps("it's"), "'it''s'");
    assert_eq!(ps("it\u{2019}s"), "'it\u{2019}\u{2019}s'");
}

#[test]
fn every_az_line_carries_the_clouds_graph_resource() {
    let mut g = grants();
    g.application.clear();
    g.delegated.clear();
    g.application.push(AppRoleGrant {
        permission: "Mail.ReadWrite".into(),
        app_role_id: None,
        assignment_id: Some("assign-mail".into()),
        created: None,
    });
    for cloud in [Cloud::Global, Cloud::Usgov, Cloud::UsgovDod, Cloud::China] {
        let p = plan_for(&g, cloud);
        let resource = format!("--resource 'https://{}'", cloud.graph_host());
        let lines: Vec<&String> = p
            .application
            .iter()
            .map(|s| &s.az_cli)
            .chain(p.delegated.iter().map(|d| &d.az_cli))
            .chain(p.remove.iter().filter_map(|r| r.az_cli.as_ref()))
            .collect();
        assert!(lines.len() > 2);
        for line in lines {
            assert!(line.contains(&resource), "{cloud:?}: {line}");
        }
    }
    assert!(plan_for(&g, Cloud::Global)
        .connect
        .powershell
        .contains("'Application.Read.All','AppRoleAssignment.ReadWrite.All','DelegatedPermissionGrant.ReadWrite.All'"));
}

#[test]
fn hostile_values_stay_inert_when_the_commands_run() {
    let dir = tempfile::tempdir().unwrap();
    for hostile in [
        "x; touch PWNED #",
        "$(touch PWNED)",
        "`touch PWNED`",
        "'; touch PWNED; '",
    ] {
        let mut g = grants();
        g.tenant_id = Some(hostile.into());
        g.app.service_principal_id = Some(hostile.into());
        g.graph_resource_id = Some(hostile.into());
        g.app.app_id = Some(hostile.into());
        g.delegated
            .retain(|d| d.permission != "BitlockerKey.Read.All");
        for d in &mut g.delegated {
            d.grant_id = Some(hostile.into());
        }
        g.application.retain(|a| a.permission != "Policy.Read.All");
        g.application.push(AppRoleGrant {
            permission: "Mail.ReadWrite".into(),
            app_role_id: None,
            assignment_id: Some(hostile.into()),
            created: None,
        });
        let p = plan_for(&g, Cloud::Global);
        let mut script = String::from("az() { :; }\n");
        script.push_str(&p.connect.az_cli);
        script.push('\n');
        for line in p
            .application
            .iter()
            .map(|s| &s.az_cli)
            .chain(p.delegated.iter().map(|d| &d.az_cli))
            .chain(p.remove.iter().filter_map(|r| r.az_cli.as_ref()))
        {
            script.push_str(line);
            script.push('\n');
        }
        assert!(script.matches("az rest").count() >= 3, "{script}");
        let status = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "{script}");
        assert!(!dir.path().join("PWNED").exists(), "{hostile}: {script}");
        let url = p.admin_consent_url.unwrap();
        assert!(
            !url.contains(' ') && !url.contains('`') && !url.contains('$'),
            "{url}"
        );
    }
}
