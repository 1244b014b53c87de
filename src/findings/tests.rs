//! Tests of the findings: stable codes, camelCase data, a round trip through a snapshot, and
//! every code documented.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;

#[test]
fn codes_are_stable_kebab_case_and_data_is_camel_case() {
    let f = Finding::ForeignItemsIgnored {
        count: 3,
        collection: "app role assignments".into(),
    };
    let e = f.entry();
    assert_eq!(e.code, "foreign-items-ignored");
    assert_eq!(
        e.data,
        serde_json::json!({"count": 3, "collection": "app role assignments"})
    );
    assert!(e.message.contains("3 app role assignments of other apps"));
    let r = Finding::RegistrationElsewhere {
        owner_tenant_id: None,
    };
    assert_eq!(r.code(), "registration-elsewhere");
    assert_eq!(r.entry().data, serde_json::json!({"ownerTenantId": null}));
    assert_eq!(Finding::TokenPointInTime.code(), "token-point-in-time");
}

#[test]
fn a_legacy_note_becomes_its_finding() {
    let words = Finding::RegistrationElsewhere {
        owner_tenant_id: None,
    }
    .message();
    assert_eq!(
        Finding::from_legacy(words),
        Finding::RegistrationElsewhere {
            owner_tenant_id: None
        }
    );
    assert_eq!(
        Finding::from_legacy("something else".into()),
        Finding::Note {
            text: "something else".into()
        }
    );
}

#[test]
fn findings_round_trip_through_a_snapshot() {
    let all = vec![
        Finding::TokenPointInTime,
        Finding::CatalogLacksPermission {
            id: "884b599e-4d48-43a5-ba94-15c414d00588".into(),
            ptype: PermissionType::Application,
            permission: "DeviceLocalCredential.Read.All".into(),
        },
        Finding::RolesUnreadable {
            what: "PIM-eligible roles".into(),
            status: 400,
            needs: None,
            graph_error: Some("400 to GET /x: A: b".into()),
        },
        Finding::NotGlobalAdministrator { eligible: true },
    ];
    let text = serde_json::to_string(&all).unwrap();
    let back: Vec<Finding> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, all);
    assert!(!back[2].message().contains("grant"));
}

/// One of each kind; the match makes a new kind fail to compile here until it is added.
#[allow(clippy::too_many_lines, reason = "one of each kind, listed")]
fn one_of_each() -> Vec<Finding> {
    let s = |v: &str| v.to_string();
    let all = vec![
        Finding::TokenPointInTime,
        Finding::TokenAudience {
            audience: s("a"),
            graph: s("g"),
        },
        Finding::CatalogLacksPermission {
            id: s("i"),
            ptype: PermissionType::Application,
            permission: s("p"),
        },
        Finding::RegistrationElsewhere {
            owner_tenant_id: None,
        },
        Finding::RegistrationMismatch { app_id: s("a") },
        Finding::ForeignItemsIgnored {
            count: 1,
            collection: s("c"),
        },
        Finding::TenantFromToken {
            status: 403,
            needs: s("n"),
        },
        Finding::TenantUnknown {
            status: 403,
            needs: s("n"),
        },
        Finding::RolesUnreadable {
            what: s("w"),
            status: 403,
            needs: None,
            graph_error: None,
        },
        Finding::PrincipalConsentOnly {
            permissions: vec![],
        },
        Finding::NotGlobalAdministrator { eligible: false },
        Finding::AuditLogUnreadable {
            status: None,
            needs: None,
            graph_error: None,
        },
        Finding::ChangesUnattributed {
            count: 1,
            since: s("t"),
        },
        Finding::NoBaseline {
            fail_on: s("new-gap"),
        },
        Finding::NewSinceBaseline { tenant: s("t") },
        Finding::BaselineWithoutGrants,
        Finding::CredentialExpired {
            on: s("o"),
            kind: s("k"),
            name: None,
            end: s("e"),
        },
        Finding::CredentialExpiring {
            on: s("o"),
            kind: s("k"),
            name: None,
            end: s("e"),
            days: 3,
        },
        Finding::ClientSecrets { count: 1 },
        Finding::OwnerNotAdministrator { owner: s("o") },
        Finding::OwnerIsApp { owner: s("o") },
        Finding::CredentialsElsewhere,
        Finding::RolesUnidentified {
            what: s("w"),
            count: 1,
            needs: s("n"),
        },
        Finding::OwnersUnnamed {
            count: 1,
            needs: s("n"),
        },
        Finding::AuditLogUnavailable { cloud: s("china") },
        Finding::AppHoldsTier0Role {
            role: s("r"),
            assignment: s("active"),
        },
        Finding::FederatedCredentialOpen {
            name: s("n"),
            subject: s("s"),
            why: s("w"),
        },
        Finding::FederatedCredentialIssuer {
            name: s("n"),
            issuer: s("i"),
        },
        Finding::RestoreOnlyTier0 {
            permissions: vec![s("p")],
        },
        Finding::MatrixRowUnknown {
            line: 1,
            permission: s("p"),
            ptype: PermissionType::Application,
            impossible: true,
            message: s("m"),
        },
        Finding::CatalogIdDiffers {
            permission: s("p"),
            ptype: PermissionType::Application,
            tenant: s("t"),
            matrix: s("m"),
        },
        Finding::OptionalPermissions {
            granted: vec![s("a")],
            not_granted: vec![s("b")],
        },
        Finding::VendorMapsNoObject {
            vendor: s("v"),
            count: 2,
        },
        Finding::MatrixPartial {
            vendor: s("v"),
            unreadable: vec![s("r")],
        },
        Finding::ServiceAccountRolesMissing {
            purpose: s("restore"),
            missing: vec![s("r")],
            alternatives: 2,
        },
        Finding::ServiceAccountRolesUnchecked {
            purposes: vec![s("restore")],
        },
        Finding::AppRoleMissing {
            role: s("r"),
            vendor: s("v"),
        },
        Finding::AppRoleExpectedTier0 {
            role: s("r"),
            vendor: s("v"),
        },
        Finding::MatrixChosen {
            name: s("n"),
            percent: 90,
            runner_up: Some(s("m")),
            runner_up_percent: Some(40),
        },
        Finding::Note { text: s("t") },
    ];
    for f in &all {
        match f {
            Finding::TokenPointInTime
            | Finding::TokenAudience { .. }
            | Finding::CatalogLacksPermission { .. }
            | Finding::RegistrationElsewhere { .. }
            | Finding::RegistrationMismatch { .. }
            | Finding::ForeignItemsIgnored { .. }
            | Finding::TenantFromToken { .. }
            | Finding::TenantUnknown { .. }
            | Finding::RolesUnreadable { .. }
            | Finding::PrincipalConsentOnly { .. }
            | Finding::NotGlobalAdministrator { .. }
            | Finding::AuditLogUnreadable { .. }
            | Finding::ChangesUnattributed { .. }
            | Finding::NoBaseline { .. }
            | Finding::NewSinceBaseline { .. }
            | Finding::BaselineWithoutGrants
            | Finding::CredentialExpired { .. }
            | Finding::CredentialExpiring { .. }
            | Finding::ClientSecrets { .. }
            | Finding::OwnerNotAdministrator { .. }
            | Finding::OwnerIsApp { .. }
            | Finding::CredentialsElsewhere
            | Finding::RolesUnidentified { .. }
            | Finding::OwnersUnnamed { .. }
            | Finding::AuditLogUnavailable { .. }
            | Finding::AppHoldsTier0Role { .. }
            | Finding::FederatedCredentialOpen { .. }
            | Finding::FederatedCredentialIssuer { .. }
            | Finding::RestoreOnlyTier0 { .. }
            | Finding::MatrixRowUnknown { .. }
            | Finding::CatalogIdDiffers { .. }
            | Finding::OptionalPermissions { .. }
            | Finding::VendorMapsNoObject { .. }
            | Finding::MatrixPartial { .. }
            | Finding::ServiceAccountRolesMissing { .. }
            | Finding::ServiceAccountRolesUnchecked { .. }
            | Finding::AppRoleMissing { .. }
            | Finding::AppRoleExpectedTier0 { .. }
            | Finding::MatrixChosen { .. }
            | Finding::Note { .. } => {}
        }
    }
    all
}

#[test]
fn the_json_reference_documents_every_code() {
    let readme = include_str!("../../docs/json.md");
    let all = one_of_each();
    assert_eq!(all.len(), 40);
    for f in all {
        let code = f.code();
        assert!(
            readme.contains(&format!("`{code}`")),
            "docs/json.md lacks the finding code `{code}`"
        );
        assert!(!f.message().is_empty(), "{code}");
    }
}
