//! Unit tests of the diff and the verdict, with literal grants against the embedded matrix.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;
use crate::cloud::Cloud;
use crate::grants::{AppIdentity, Consent, OtherGrant, Requested};
use crate::grants::{AppRoleGrant, DelegatedGrant, ServiceAccount};
use crate::matrix::Purpose;
use crate::permission::PermissionType;

const SA: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";

fn matrix() -> Matrix {
    Matrix::embedded().unwrap()
}

fn app(p: &str) -> AppRoleGrant {
    AppRoleGrant {
        permission: p.into(),
        app_role_id: None,
        assignment_id: None,
        created: None,
    }
}

fn all(p: &str) -> DelegatedGrant {
    DelegatedGrant {
        permission: p.into(),
        consent: Consent::AllPrincipals,
        principal_id: None,
        grant_id: None,
    }
}

fn principal(p: &str, user: &str) -> DelegatedGrant {
    DelegatedGrant {
        permission: p.into(),
        consent: Consent::Principal,
        principal_id: Some(user.into()),
        grant_id: None,
    }
}

/// Every requirement of the embedded matrix granted exactly.
fn everything() -> Grants {
    let m = matrix();
    let mut g = Grants::new(Cloud::Global, AppIdentity::default());
    for p in &m.permissions {
        match p.ptype {
            PermissionType::Application | PermissionType::Any => g.application.push(app(&p.name)),
            PermissionType::Delegated => g.delegated.push(all(&p.name)),
        }
    }
    g
}

fn without(mut g: Grants, name: &str, t: PermissionType) -> Grants {
    match t {
        PermissionType::Application => g.application.retain(|a| a.permission != name),
        _ => g.delegated.retain(|d| d.permission != name),
    }
    g
}

fn audit(g: &Grants, opts: Options) -> Report {
    run(&matrix(), g, Source::Graph, &opts, Against::Nothing).unwrap()
}

fn req<'r>(r: &'r Report, object: &str, perm: &str, t: PermissionType) -> &'r Requirement {
    r.objects
        .iter()
        .find(|o| o.object == object)
        .and_then(|o| {
            o.requirements
                .iter()
                .find(|q| q.permission == perm && q.ptype == t)
        })
        .unwrap_or_else(|| panic!("{object}/{perm}/{t} not in report"))
}

fn object<'r>(r: &'r Report, object: &str) -> &'r ObjectReport {
    r.objects.iter().find(|o| o.object == object).unwrap()
}

#[test]
fn everything_granted_covers_all_18_objects() {
    let r = audit(&everything(), Options::default());
    assert!(r.passed);
    assert_eq!(r.summary.objects, 18);
    assert_eq!(r.summary.covered, 18);
    assert!(r.missing.is_empty());
    assert!(r.excess.is_empty());
}

#[test]
fn nothing_granted_is_all_missing() {
    let r = audit(
        &Grants::new(Cloud::Global, AppIdentity::default()),
        Options::default(),
    );
    assert!(!r.passed);
    assert_eq!(r.summary.missing, 18);
    assert_eq!(r.missing.len(), 20);
}

#[test]
fn removing_an_application_permission_uncovers_its_objects() {
    let g = without(
        everything(),
        "Policy.ReadWrite.ConditionalAccess",
        PermissionType::Application,
    );
    let r = audit(&g, Options::default());
    assert!(!r.passed);
    let o = object(&r, "Conditional access policies");
    assert_eq!(o.status, Coverage::Missing);
    assert_eq!(o.purposes.restore, Coverage::Missing);
    assert_eq!(o.purposes.backup, Coverage::NotApplicable);
    assert_eq!(r.missing.len(), 1);
    assert_eq!(r.missing[0].objects, vec!["Conditional access policies"]);
    assert_eq!(r.summary.covered, 17);
}

#[test]
fn one_of_several_requirements_makes_an_object_partial() {
    let g = without(
        everything(),
        "User.ReadWrite.All",
        PermissionType::Application,
    );
    let r = audit(&g, Options::default());
    let users = object(&r, "Users");
    assert_eq!(users.status, Coverage::Partial);
    assert_eq!(users.purposes.backup, Coverage::Covered);
    assert_eq!(users.purposes.restore, Coverage::Partial);
}

#[test]
fn a_gap_shared_by_objects_is_listed_once_with_all_of_them() {
    let g = without(
        everything(),
        "Directory.ReadWrite.All",
        PermissionType::Application,
    );
    let r = audit(&g, Options::default());
    assert_eq!(r.missing.len(), 1);
    assert_eq!(r.missing[0].objects, vec!["Group policies", "Groups"]);
    assert_eq!(r.missing[0].purposes, vec![Purpose::Restore]);
}

#[test]
fn a_broader_permission_outside_the_matrix_implies_and_is_not_excess() {
    let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
    g = without(g, "User.ReadWrite.All", PermissionType::Delegated);
    g.delegated.push(all("Directory.Read.All"));
    let r = audit(&g, Options::default());
    let q = req(&r, "Users", "User.Read.All", PermissionType::Delegated);
    assert_eq!(q.status, Status::Implied);
    assert_eq!(q.via.as_deref(), Some("Directory.Read.All"));
    assert!(!r
        .excess
        .iter()
        .any(|e| e.permission == "Directory.Read.All"));
}

#[test]
fn implied_by_a_broader_permission_and_not_under_strict() {
    let g = without(everything(), "User.Read.All", PermissionType::Delegated);
    let r = audit(&g, Options::default());
    let q = req(&r, "Users", "User.Read.All", PermissionType::Delegated);
    assert_eq!(q.status, Status::Implied);
    assert_eq!(q.via.as_deref(), Some("User.ReadWrite.All"));
    assert_eq!(q.consent, Some(Consent::AllPrincipals));
    assert!(r.passed);

    let strict = audit(
        &g,
        Options {
            strict: true,
            ..Options::default()
        },
    );
    let q = req(&strict, "Users", "User.Read.All", PermissionType::Delegated);
    assert_eq!(q.status, Status::Missing);
    assert!(!strict.passed);
}

#[test]
fn implied_beats_wrong_type_and_strict_falls_through_to_it() {
    let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
    g.application.push(app("User.Read.All"));
    let r = audit(&g, Options::default());
    assert_eq!(
        req(&r, "Users", "User.Read.All", PermissionType::Delegated).status,
        Status::Implied
    );
    let strict = audit(
        &g,
        Options {
            strict: true,
            ..Options::default()
        },
    );
    let q = req(&strict, "Users", "User.Read.All", PermissionType::Delegated);
    assert_eq!(q.status, Status::WrongType);
    assert_eq!(q.granted_as, Some(PermissionType::Application));
}

#[test]
fn a_broader_permission_used_by_an_implied_requirement_is_not_excess() {
    let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
    g.delegated.push(all("Directory.ReadWrite.All"));
    g = without(g, "User.ReadWrite.All", PermissionType::Delegated);
    let r = audit(&g, Options::default());
    assert_eq!(
        req(&r, "Users", "User.Read.All", PermissionType::Delegated)
            .via
            .as_deref(),
        Some("Directory.ReadWrite.All")
    );
    assert!(r.excess.is_empty(), "{:?}", r.excess);
    let strict = audit(
        &g,
        Options {
            strict: true,
            ..Options::default()
        },
    );
    assert_eq!(strict.excess.len(), 1);
    assert_eq!(strict.excess[0].permission, "Directory.ReadWrite.All");
}

#[test]
fn wrong_type_application_instead_of_delegated() {
    let mut g = without(
        everything(),
        "BitlockerKey.Read.All",
        PermissionType::Delegated,
    );
    g.application.push(app("BitlockerKey.Read.All"));
    let r = audit(&g, Options::default());
    let q = req(
        &r,
        "BitLocker keys",
        "BitlockerKey.Read.All",
        PermissionType::Delegated,
    );
    assert_eq!(q.status, Status::WrongType);
    assert_eq!(object(&r, "BitLocker keys").status, Coverage::Partial);
    assert_eq!(r.missing[0].status, Status::WrongType);
    assert_eq!(
        r.excess,
        vec![Excess {
            permission: "BitlockerKey.Read.All".into(),
            ptype: PermissionType::Application,
            consent: None,
            tier: crate::catalog::app_tier("BitlockerKey.Read.All").map(|t| t.tier),
            tier_path: None,
        }]
    );
}

#[test]
fn excess_is_ranked_tier_0_first_and_can_fail_alone() {
    let mut g = everything();
    g.application.push(app("Mail.ReadWrite"));
    g.application.push(app("AppRoleAssignment.ReadWrite.All"));
    let r = audit(&g, Options::default());
    let names: Vec<(&str, Option<u8>)> = r
        .excess
        .iter()
        .map(|e| (e.permission.as_str(), e.tier))
        .collect();
    assert_eq!(
        names,
        vec![
            ("AppRoleAssignment.ReadWrite.All", Some(0)),
            ("Mail.ReadWrite", Some(1))
        ]
    );
    assert!(r.passed, "gaps only by default");
    let strict = audit(
        &g,
        Options {
            fail_on: FailOn::ExcessTier0,
            ..Options::default()
        },
    );
    assert!(!strict.passed);
    g.application
        .retain(|a| a.permission != "AppRoleAssignment.ReadWrite.All");
    let tier1_only = audit(
        &g,
        Options {
            fail_on: FailOn::ExcessTier0,
            ..Options::default()
        },
    );
    assert!(tier1_only.passed);
    assert!(tier1_only
        .tier0_application
        .contains(&"RoleManagement.ReadWrite.Directory".to_string()));
    let delegated = tier1_only
        .objects
        .iter()
        .flat_map(|o| &o.requirements)
        .find(|q| q.ptype == PermissionType::Delegated)
        .unwrap();
    assert_eq!(
        delegated.tier, None,
        "a delegated permission has no tier of its own"
    );
}

#[test]
fn wrong_type_delegated_instead_of_application() {
    let mut g = without(
        everything(),
        "AuditLog.Read.All",
        PermissionType::Application,
    );
    g.delegated.push(all("AuditLog.Read.All"));
    let r = audit(&g, Options::default());
    let q = req(
        &r,
        "Activity logs",
        "AuditLog.Read.All",
        PermissionType::Application,
    );
    assert_eq!(q.status, Status::WrongType);
    assert_eq!(q.granted_as, Some(PermissionType::Delegated));
}

#[test]
fn any_type_accepts_either() {
    let mut g = without(
        everything(),
        "DeviceLocalCredential.Read.All",
        PermissionType::Application,
    );
    assert_eq!(
        req(
            &audit(&g, Options::default()),
            "Windows LAPS credentials",
            "DeviceLocalCredential.Read.All",
            PermissionType::Any
        )
        .status,
        Status::Missing
    );
    g.delegated.push(all("DeviceLocalCredential.Read.All"));
    let r = audit(&g, Options::default());
    let q = req(
        &r,
        "Windows LAPS credentials",
        "DeviceLocalCredential.Read.All",
        PermissionType::Any,
    );
    assert_eq!(q.status, Status::Granted);
    assert!(r.excess.is_empty());
}

#[test]
fn principal_only_consent_without_a_service_account_is_explained() {
    let mut g = without(
        everything(),
        "Directory.AccessAsUser.All",
        PermissionType::Delegated,
    );
    g.delegated
        .push(principal("Directory.AccessAsUser.All", SA));
    let r = audit(&g, Options::default());
    assert!(
        r.notes.iter().any(|n| n.contains("--service-account")),
        "{:?}",
        r.notes
    );
    let r = audit(&everything(), Options::default());
    assert!(
        !r.notes.iter().any(|n| n.contains("--service-account")),
        "{:?}",
        r.notes
    );
}

#[test]
fn principal_consent_counts_only_for_the_service_account() {
    let mut g = without(
        everything(),
        "Directory.AccessAsUser.All",
        PermissionType::Delegated,
    );
    g.delegated
        .push(principal("Directory.AccessAsUser.All", SA));
    let r = audit(&g, Options::default());
    let q = req(
        &r,
        "Users",
        "Directory.AccessAsUser.All",
        PermissionType::Delegated,
    );
    assert_eq!(q.status, Status::PrincipalConsentOnly);
    assert!(!r.passed);

    g.service_account = Some(ServiceAccount {
        id: SA.to_uppercase(),
        user_principal_name: Some("backup@contoso.com".into()),
        roles: None,
        findings: Vec::new(),
        role_notes: Vec::new(),
    });
    let r = audit(&g, Options::default());
    let q = req(
        &r,
        "Users",
        "Directory.AccessAsUser.All",
        PermissionType::Delegated,
    );
    assert_eq!(q.status, Status::Granted);
    assert_eq!(q.consent, Some(Consent::Principal));
    assert!(r.passed);

    g.service_account.as_mut().unwrap().id = "00000000-0000-0000-0000-000000000001".into();
    let r = audit(&g, Options::default());
    assert_eq!(
        req(
            &r,
            "Users",
            "Directory.AccessAsUser.All",
            PermissionType::Delegated
        )
        .status,
        Status::PrincipalConsentOnly
    );
}

#[test]
fn requested_but_not_granted_is_stale_consent() {
    let mut g = without(
        everything(),
        "AuditLog.Read.All",
        PermissionType::Application,
    );
    g.requested = Some(vec![Requested {
        permission: "AuditLog.Read.All".into(),
        ptype: PermissionType::Application,
    }]);
    let r = audit(&g, Options::default());
    assert_eq!(
        req(
            &r,
            "Activity logs",
            "AuditLog.Read.All",
            PermissionType::Application
        )
        .status,
        Status::RequestedNotGranted
    );
    // Requested as the other type does not count.
    g.requested.as_mut().unwrap()[0].ptype = PermissionType::Delegated;
    let r = audit(&g, Options::default());
    assert_eq!(
        req(
            &r,
            "Activity logs",
            "AuditLog.Read.All",
            PermissionType::Application
        )
        .status,
        Status::Missing
    );
}

#[test]
fn excess_lists_unneeded_graph_permissions_but_not_openid_scopes() {
    let mut g = everything();
    g.application.push(app("Mail.ReadWrite"));
    g.delegated.push(all("offline_access"));
    g.delegated.push(all("openid"));
    g.delegated.push(principal("Calendars.Read", SA));
    g.other_resources.push(OtherGrant {
        resource: "Office 365 Exchange Online".into(),
        resource_id: "x".into(),
        permission: "full_access_as_app".into(),
        ptype: PermissionType::Application,
    });
    let r = audit(&g, Options::default());
    let names: Vec<_> = r.excess.iter().map(|e| e.permission.as_str()).collect();
    // Ranked by tier: the application permission (Tier 1) before the delegated one (no tier).
    assert_eq!(names, vec!["Mail.ReadWrite", "Calendars.Read"]);
    assert!(r.passed, "excess alone does not fail --fail-on gap");
    let r = audit(
        &g,
        Options {
            fail_on: FailOn::Excess,
            ..Options::default()
        },
    );
    assert!(!r.passed);
    assert_eq!(r.other_resources.len(), 1);
}

#[test]
fn scope_limits_requirements_purposes_and_excess() {
    let g = everything();
    let r = audit(
        &g,
        Options {
            scope: Scope::Backup,
            ..Options::default()
        },
    );
    assert!(r.passed);
    let ca = object(&r, "Conditional access policies");
    assert_eq!(ca.status, Coverage::NotApplicable);
    assert_eq!(ca.purposes.restore, Coverage::NotApplicable);
    assert_eq!(r.summary.not_applicable, 3, "{:?}", r.summary);
    // Restore-only permissions are out of scope, never excess: the scope checks, it does not
    // say the app will never restore.
    assert!(r.excess.is_empty(), "{:?}", r.excess);
    let ca = r
        .out_of_scope
        .iter()
        .find(|o| o.grant.permission == "Policy.ReadWrite.ConditionalAccess")
        .expect("listed as needed only for restore");
    assert_eq!(ca.purposes, vec![Purpose::Restore]);
    let strict_excess = audit(
        &g,
        Options {
            scope: Scope::Backup,
            fail_on: FailOn::ExcessTier0,
            ..Options::default()
        },
    );
    assert!(
        strict_excess.passed,
        "restore rights do not fail --fail-on excess-tier0"
    );
    let users = object(&r, "Users");
    assert!(users
        .requirements
        .iter()
        .all(|q| q.purposes == vec![Purpose::Backup]));
}

#[test]
fn fail_on_backup_gap_ignores_restore_gaps() {
    let g = without(
        everything(),
        "Policy.ReadWrite.ConditionalAccess",
        PermissionType::Application,
    );
    let opts = Options {
        fail_on: FailOn::BackupGap,
        ..Options::default()
    };
    assert!(audit(&g, opts).passed);
    let g = without(g, "Policy.Read.All", PermissionType::Application);
    assert!(!audit(&g, opts).passed);
    assert!(
        audit(
            &g,
            Options {
                fail_on: FailOn::Never,
                ..Options::default()
            }
        )
        .passed
    );
}

#[test]
fn objects_follow_the_matrix_order() {
    let r = audit(&everything(), Options::default());
    let names: Vec<_> = r.objects.iter().map(|o| o.object.as_str()).collect();
    assert_eq!(names, matrix().objects());
}

#[test]
fn permission_names_match_case_insensitively() {
    let mut g = without(everything(), "Policy.Read.All", PermissionType::Application);
    g.application.push(app("policy.read.all"));
    assert!(audit(&g, Options::default()).passed);
}

#[test]
fn a_tenant_id_that_differs_from_the_matrix_is_said_and_the_tenants_wins() {
    use crate::grants::CatalogId;
    let mut g = everything();
    g.catalog.push(CatalogId {
        permission: "AuditLog.Read.All".into(),
        ptype: PermissionType::Application,
        id: "00000000-1111-4222-8333-444444444444".into(),
    });
    let r = audit(&g, Options::default());
    let f: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code == "catalog-id-differs")
        .collect();
    assert_eq!(f.len(), 1, "{:?}", r.findings);
    assert_eq!(f[0].data["matrix"], "b0afded3-3588-46d8-8b3d-9842eff778da");
    let r = audit(&everything(), Options::default());
    assert!(r.findings.iter().all(|f| f.code != "catalog-id-differs"));
}
