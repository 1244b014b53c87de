//! Tests of who can become the app: credentials, federated credentials, the app's own roles,
//! owners, and the commands that remove a credential.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;
use crate::cloud::Cloud;
use crate::grants::AppIdentity;

#[test]
fn expired_and_expiring_credentials_secrets_and_owners_are_judged() {
    use crate::grants::{AppSecurity, Credential, Owner};
    let cred = |kind: &str, end: &str| Credential {
        on: "application".into(),
        kind: kind.into(),
        display_name: Some(format!("{kind} {end}")),
        end_date_time: Some(end.into()),
        key_id: None,
    };
    let owner = |upn: &str, roles: Option<Vec<String>>| Owner {
        id: upn.into(),
        kind: "user".into(),
        display_name: None,
        user_principal_name: Some(upn.into()),
        of: vec!["application".into()],
        tier0_roles: roles,
    };
    let sec = AppSecurity {
        credentials: vec![
            cred("secret", "2026-11-01T00:00:00Z"),
            cred("secret", "2026-12-10T00:00:00Z"),
            cred("certificate", "2027-06-01T00:00:00Z"),
        ],
        owners: Some(vec![
            owner("dev@contoso.com", Some(vec![])),
            owner("ga@contoso.com", Some(vec!["Global Administrator".into()])),
        ]),
        registration_here: true,
        ..Default::default()
    };
    let r = app_security(&sec, &read_at(&sec, "2026-11-28T12:00:00Z"));
    let states: Vec<&str> = r.credentials.iter().map(|c| c.state.as_str()).collect();
    assert_eq!(states, vec!["expired", "expiring", "valid"]);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "credential-expired",
            "credential-expiring",
            "client-secrets",
            "owner-not-administrator"
        ]
    );
    assert_eq!(r.findings[1].data["days"], 11);
    assert!(r.findings[3]
        .message
        .starts_with("dev@contoso.com owns the app"));
    let owners = r.owners.unwrap();
    assert_eq!(owners[1].administrator, Some(true));
}

/// Grants of the test app carrying `sec`, read at `at`.
fn read_at(sec: &crate::grants::AppSecurity, at: &str) -> Grants {
    let mut g = Grants::new(
        Cloud::Global,
        AppIdentity {
            app_id: Some("46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b".into()),
            service_principal_id: Some("00063ffc-54e9-405d-b8f3-56124728e051".into()),
            display_name: None,
        },
    );
    g.tenant_id = Some("65415bb1-9267-4313-bbf5-ae259732ee12".into());
    g.read_at = Some(at.into());
    g.app_security = Some(sec.clone());
    g
}

#[test]
fn federated_credentials_anyone_can_satisfy_and_tier0_roles_of_the_app_are_findings() {
    use crate::grants::{AppSecurity, Credential, DirectoryRole, FederatedCredential};
    let fic = |id: &str, issuer: &str, subject: &str| FederatedCredential {
        id: id.into(),
        name: Some(format!("fic-{id}")),
        issuer: Some(issuer.into()),
        subject: Some(subject.into()),
        claims_matching_expression: None,
        audiences: vec!["api://AzureADTokenExchange".into()],
    };
    let gh = "https://token.actions.githubusercontent.com";
    let sec = AppSecurity {
        credentials: vec![Credential {
            on: "application".into(),
            kind: "secret".into(),
            key_id: Some("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".into()),
            ..Default::default()
        }, Credential {
            on: "servicePrincipal".into(),
            kind: "certificate".into(),
            key_id: Some("rm -rf /".into()),
            ..Default::default()
        }],
        registration_here: true,
        application_object_id: Some("7bec5fd1-a25f-474c-a6ca-5492082c6a9b".into()),
        federated_credentials: Some(vec![
            fic("1b2c3d4e-0000-4000-8000-000000000001", gh, "repo:contoso/backup:pull_request"),
            fic("1b2c3d4e-0000-4000-8000-000000000002", gh, "repo:contoso/backup:environment:production"),
            fic("1b2c3d4e-0000-4000-8000-000000000003", "https://accounts.google.com", "1234567890"),
            fic(
                "1b2c3d4e-0000-4000-8000-000000000004",
                "https://westeurope.oic.prod-aks.azure.com/65415bb1-9267-4313-bbf5-ae259732ee12/0c2e5c9a-7d2f-4d0a-9f0e-1b2c3d4e5f60/",
                "system:serviceaccount:backup:runner",
            ),
        ]),
        roles: Some(vec![
            DirectoryRole {
                display_name: "Privileged Authentication Administrator".into(),
                template_id: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13".into(),
                ..Default::default()
            },
            DirectoryRole {
                display_name: "Directory Readers".into(),
                template_id: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b".into(),
                ..Default::default()
            },
        ]),
        ..Default::default()
    };
    let r = app_security(&sec, &read_at(&sec, "2026-11-28T12:00:00Z"));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        vec![
            "client-secrets",
            "federated-credential-open",
            "federated-credential-issuer",
            "app-holds-tier0-role"
        ],
        "{codes:?}"
    );
    let fics = r.federated_credentials.unwrap();
    assert_eq!(
        fics.iter().map(|c| c.open).collect::<Vec<_>>(),
        vec![true, false, true, false]
    );
    assert_eq!(
        fics[0].remove,
        vec![
            "az ad app federated-credential delete --id 46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b --federated-credential-id 1b2c3d4e-0000-4000-8000-000000000001",
            "Remove-MgApplicationFederatedIdentityCredential -ApplicationId 7bec5fd1-a25f-474c-a6ca-5492082c6a9b -FederatedIdentityCredentialId 1b2c3d4e-0000-4000-8000-000000000001"
        ]
    );
    assert_eq!(
        r.credentials[0].key_id.as_deref(),
        Some("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
    );
    assert_eq!(
        r.credentials[0].remove[1],
        "Remove-MgApplicationPassword -ApplicationId 7bec5fd1-a25f-474c-a6ca-5492082c6a9b -KeyId 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
    );
    // A key id that is not a GUID never reaches a shell command.
    assert!(r.credentials[1].remove.is_empty());
    let roles = r.roles.unwrap();
    assert_eq!((roles[0].tier, roles[1].tier), (Some(0), Some(2)));
}

#[test]
fn a_scoped_or_eligible_global_administrator_is_not_one() {
    use crate::grants::{Assignment, DirectoryRole, GLOBAL_ADMINISTRATOR_TEMPLATE_ID};
    let ga = |scope: Option<&str>, a: Assignment| DirectoryRole {
        display_name: "Global Administrator".into(),
        template_id: GLOBAL_ADMINISTRATOR_TEMPLATE_ID.into(),
        assignment: a,
        directory_scope_id: scope.map(str::to_string),
        scope_name: None,
    };
    assert!(ga(None, Assignment::Active).is_global_administrator(Assignment::Active));
    assert!(!ga(Some("/administrativeUnits/x"), Assignment::Active)
        .is_global_administrator(Assignment::Active));
    assert!(!ga(None, Assignment::Eligible).is_global_administrator(Assignment::Active));
}
