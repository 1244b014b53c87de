//! The tenant-wide reads of `inventory`, all GET and read concurrently: the Microsoft Graph
//! catalog, every application permission on Graph (`appRoleAssignedTo` of Graph's service
//! principal), the delegated grants on Graph, the service principals' identity, and — where the
//! auditing identity may — last sign-ins, app registrations' credentials and the owners of the
//! Tier-0 apps. Each collection streams page by page within [`Limits::TENANT`]; only what the
//! inventory needs of each item is kept.

use std::collections::BTreeMap;

use anyhow::Result;
use futures::future::join_all;
use serde::Deserialize;

use super::app::fetch_catalog;
use super::federated::credential;
use crate::cloud::Cloud;
use crate::grants::{Consent, FederatedCredential};
use crate::graph::client::{GraphClient, Limits};
use crate::graph::error::{Call, GraphError};
use crate::graph::wire;
use crate::inventory::{Credentials, Principal, RawGrant, Read};
use crate::permission::PermissionType;

const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

pub(super) const CALL_ASSIGNED_TO: Call = Call {
    what: "every application permission on Microsoft Graph (appRoleAssignedTo)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_ALL_GRANTS: Call = Call {
    what: "every delegated grant on Microsoft Graph (oauth2PermissionGrants)",
    needs: "Directory.Read.All (least privileged in Microsoft's permission data; its API page also documents DelegatedPermissionGrant.Read.All)",
    advanced: false,
};
pub(super) const CALL_ALL_SPS: Call = Call {
    what: "the service principals (id, appId, name, owner tenant, enabled)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_SIGN_INS: Call = Call {
    what: "the service principals' last sign-ins (reports/servicePrincipalSignInActivities, beta)",
    needs: "AuditLog.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_APPS: Call = Call {
    what: "the app registrations' credentials",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
pub(super) const CALL_APP_OWNERS: Call = Call {
    what: "the owners of the Tier-0 apps",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};

pub(super) const CALL_APP_FEDERATED: Call = Call {
    what: "the federated identity credentials of the Tier-0 apps registered here",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};

/// The most Tier-0 apps whose owners (and federated credentials) are read.
const MAX_OWNER_READS: usize = 200;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpIdentity {
    id: String,
    app_id: String,
    display_name: Option<String>,
    app_owner_organization_id: Option<String>,
    account_enabled: Option<bool>,
    service_principal_type: Option<String>,
}

/// An application permission on Graph, with only the fields selected.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assigned {
    id: Option<String>,
    principal_id: Option<String>,
    app_role_id: String,
    created_date_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInActivity {
    app_id: Option<String>,
    last_sign_in_activity: Option<LastSignIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LastSignIn {
    last_sign_in_date_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppCredentials {
    app_id: Option<String>,
    #[serde(default)]
    password_credentials: Vec<wire::Credential>,
    #[serde(default)]
    key_credentials: Vec<wire::Credential>,
}

/// A note for an optional read that failed, or the error when it must not: a denial says what to
/// grant (`then`); a 400 or 404 is Graph's own words, never "grant a permission".
fn optional(e: GraphError, what: &str, lost: &str, then: &str) -> Result<String> {
    if e.is_denied() {
        Ok(format!("{what} could not be read ({e}): {lost}; {then}"))
    } else if e
        .status()
        .is_some_and(|s| s.as_u16() == 404 || s.as_u16() == 400)
    {
        Ok(format!("{what} could not be read ({e}): {lost}"))
    } else {
        Err(e.into())
    }
}

fn credentials(app: &AppCredentials, now: &str) -> Credentials {
    let mut c = Credentials {
        secrets: app.password_credentials.len(),
        certificates: app.key_credentials.len(),
        ..Credentials::default()
    };
    for end in app
        .password_credentials
        .iter()
        .chain(&app.key_credentials)
        .filter_map(|k| k.end_date_time.as_deref())
    {
        match crate::time::days_between(now, end) {
            Some(d) if d < 0 => c.expired += 1,
            Some(d) if d <= crate::audit::EXPIRING_DAYS => c.expiring += 1,
            _ => {}
        }
    }
    c
}

type Kept = (String, String, Option<String>, Option<String>);

/// Every application permission on Graph: (principal, app role id, granted, assignment id).
async fn read_assigned(client: &GraphClient) -> Result<Vec<Kept>, GraphError> {
    let url = client.url(
        &format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')/appRoleAssignedTo"),
        &[
            ("$top", "999"),
            ("$select", "id,principalId,appRoleId,createdDateTime"),
        ],
    );
    let mut kept = Vec::new();
    client
        .get_pages(
            url,
            CALL_ASSIGNED_TO,
            Limits::TENANT,
            |page: Vec<Assigned>| {
                kept.extend(page.into_iter().filter_map(|a| {
                    Some((a.principal_id?, a.app_role_id, a.created_date_time, a.id))
                }));
            },
        )
        .await
        .map(|()| kept)
}

async fn read_principals(client: &GraphClient) -> Result<Vec<Principal>, GraphError> {
    let url = client.url(
        "/v1.0/servicePrincipals",
        &[
            ("$top", "999"),
            (
                "$select",
                "id,appId,displayName,appOwnerOrganizationId,accountEnabled,servicePrincipalType",
            ),
        ],
    );
    let mut kept = Vec::new();
    client
        .get_pages(
            url,
            CALL_ALL_SPS,
            Limits::TENANT,
            |page: Vec<SpIdentity>| {
                kept.extend(page.into_iter().map(|s| Principal {
                    id: s.id.to_ascii_lowercase(),
                    app_id: s.app_id.to_ascii_lowercase(),
                    display_name: s.display_name,
                    owner_tenant: s.app_owner_organization_id,
                    enabled: s.account_enabled,
                    kind: s.service_principal_type,
                }));
            },
        )
        .await
        .map(|()| kept)
}

/// Last sign-ins by appId (`None`: not offered in this cloud).
async fn read_sign_ins(
    client: &GraphClient,
    cloud: Cloud,
) -> Result<Option<BTreeMap<String, Option<String>>>, GraphError> {
    if cloud != Cloud::Global {
        return Ok(None);
    }
    let url = client.url(
        "/beta/reports/servicePrincipalSignInActivities",
        &[("$top", "999")],
    );
    let mut kept = BTreeMap::new();
    client
        .get_pages(
            url,
            CALL_SIGN_INS,
            Limits::TENANT,
            |page: Vec<SignInActivity>| {
                for s in page {
                    if let Some(app) = s.app_id {
                        let last = s
                            .last_sign_in_activity
                            .and_then(|l| l.last_sign_in_date_time);
                        kept.insert(app.to_ascii_lowercase(), last);
                    }
                }
            },
        )
        .await
        .map(|()| Some(kept))
}

async fn read_apps(
    client: &GraphClient,
    now: &str,
) -> Result<BTreeMap<String, Credentials>, GraphError> {
    let url = client.url(
        "/v1.0/applications",
        &[
            ("$top", "999"),
            ("$select", "appId,passwordCredentials,keyCredentials"),
        ],
    );
    let mut kept = BTreeMap::new();
    client
        .get_pages(
            url,
            CALL_APPS,
            Limits::TENANT,
            |page: Vec<AppCredentials>| {
                for a in page {
                    if let Some(id) = a.app_id.as_deref() {
                        kept.insert(id.to_ascii_lowercase(), credentials(&a, now));
                    }
                }
            },
        )
        .await
        .map(|()| kept)
}

/// The catalog, then the delegated grants on Graph (they need Graph's object id).
async fn read_delegated(
    client: &GraphClient,
) -> Result<(wire::ResourceCatalog, Vec<wire::OAuth2PermissionGrant>)> {
    let catalog = fetch_catalog(client).await?;
    let filter = format!("resourceId eq '{}'", catalog.id);
    let url = client.url(
        "/v1.0/oauth2PermissionGrants",
        &[("$filter", filter.as_str()), ("$top", "999")],
    );
    let mut kept: Vec<wire::OAuth2PermissionGrant> = Vec::new();
    client
        .get_pages(
            url,
            CALL_ALL_GRANTS,
            Limits::TENANT,
            |page: Vec<wire::OAuth2PermissionGrant>| {
                kept.extend(page);
            },
        )
        .await?;
    Ok((catalog, kept))
}

/// The grants by name: application permissions through the catalog (else Microsoft's data),
/// delegated ones per scope.
fn named(
    catalog: &wire::ResourceCatalog,
    assigned: Vec<Kept>,
    delegated: Vec<wire::OAuth2PermissionGrant>,
    notes: &mut Vec<String>,
) -> Vec<RawGrant> {
    let names: BTreeMap<String, String> = catalog
        .app_roles
        .iter()
        .filter_map(|r| Some((r.id.to_ascii_lowercase(), r.value.clone()?)))
        .collect();
    let mut grants = Vec::new();
    let mut unnamed = 0usize;
    for (principal, role, created, id) in assigned {
        let role = role.to_ascii_lowercase();
        let name = names.get(&role).cloned().or_else(|| {
            crate::catalog::by_id(&role)
                .into_iter()
                .find(|p| p.ptype == PermissionType::Application)
                .map(|p| p.permission.to_string())
        });
        let Some(permission) = name else {
            unnamed += 1;
            continue;
        };
        grants.push(RawGrant {
            principal_id: principal.to_ascii_lowercase(),
            permission,
            ptype: PermissionType::Application,
            consent: None,
            granted_at: created,
            grant_id: id,
        });
    }
    if unnamed > 0 {
        notes.push(format!(
            "{unnamed} application permission{} on Microsoft Graph could not be named (an id neither the tenant's catalog nor Microsoft's data lists): left out.",
            if unnamed == 1 { "" } else { "s" }
        ));
    }
    for g in delegated {
        let consent = match g.consent_type.as_deref() {
            Some("AllPrincipals") => Consent::AllPrincipals,
            Some("Principal") => Consent::Principal,
            _ => continue,
        };
        let Some(client_id) = g.client_id else {
            continue;
        };
        for scope in g.scope.as_deref().unwrap_or_default().split_whitespace() {
            grants.push(RawGrant {
                principal_id: client_id.to_ascii_lowercase(),
                permission: scope.to_string(),
                ptype: PermissionType::Delegated,
                consent: Some(consent),
                granted_at: None,
                grant_id: g.id.clone(),
            });
        }
    }
    grants
}

/// Read the tenant's Graph permissions and who holds them: the collections concurrently, then
/// the owners of the Tier-0 apps.
pub async fn read(
    client: &GraphClient,
    cloud: Cloud,
    requested: Option<&str>,
    token_tenant: Option<String>,
    now: &str,
) -> Result<Read> {
    let org_url = client.url("/v1.0/organization", &[("$select", "id,verifiedDomains")]);
    let (org, delegated, assigned, principals, sign_ins, apps) = tokio::join!(
        client.get_all::<wire::Organization>(org_url, super::calls::CALL_ORG),
        read_delegated(client),
        read_assigned(client),
        read_principals(client),
        read_sign_ins(client, cloud),
        read_apps(client, now)
    );
    // The tenant read must be the one asked for (an inventory labelled with the wrong tenant is
    // worse than none).
    let (tenant_id, tenant_notes) = super::tenant_read(org, requested, token_tenant.as_deref())?;
    let (catalog, delegated) = delegated?;
    let (assigned, principals) = (assigned?, principals?);
    let mut notes: Vec<String> = tenant_notes.iter().map(|f| f.message()).collect();
    let sign_ins = match sign_ins {
        Ok(None) => {
            notes.push(format!(
                "Last sign-ins are not available in the {} cloud: dormant apps are not called out.",
                cloud.as_str()
            ));
            None
        }
        Ok(s) => s,
        Err(e) => {
            notes.push(optional(
                e,
                "Last sign-ins",
                "dormant apps are not called out",
                "grant the auditing identity AuditLog.Read.All to see them",
            )?);
            None
        }
    };
    let credentials = match apps {
        Ok(c) => Some(c),
        Err(e) => {
            notes.push(optional(
                e,
                "The app registrations",
                "client secrets are not checked",
                "grant the auditing identity Application.Read.All",
            )?);
            None
        }
    };
    let grants = named(&catalog, assigned, delegated, &mut notes);
    let tier0 = tier0_principals(&grants, &principals, &mut notes);
    let (owners, federated) = tokio::join!(
        tier0_owners(client, &tier0),
        tier0_federated(client, &tier0, credentials.as_ref())
    );
    let (owners, unread_owners) = owners?;
    let (federated, unread_federated) = federated?;
    notes.extend(unread_owners);
    notes.extend(unread_federated);
    Ok(Read {
        tenant_id,
        cloud,
        graph_sp_id: Some(catalog.id.to_ascii_lowercase()),
        principals,
        grants,
        sign_ins,
        credentials,
        owners,
        federated,
        notes,
        read_at: now.to_string(),
    })
}

/// The apps that hold Tier-0 application permissions, first-party ones aside (they answer to
/// Microsoft), at most [`MAX_OWNER_READS`]: (service principal id, appId).
fn tier0_principals(
    grants: &[RawGrant],
    principals: &[Principal],
    notes: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut tiers = crate::inventory::Tiers::default();
    let mut tier0: Vec<&str> = grants
        .iter()
        .filter(|g| g.ptype == PermissionType::Application && tiers.of(&g.permission) == Some(0))
        .map(|g| g.principal_id.as_str())
        .collect();
    tier0.sort_unstable();
    tier0.dedup();
    let by_id: std::collections::HashMap<&str, &Principal> =
        principals.iter().map(|p| (p.id.as_str(), p)).collect();
    let microsoft = |p: &Principal| {
        p.owner_tenant.as_deref().is_some_and(|o| {
            crate::inventory::MICROSOFT_TENANTS
                .iter()
                .any(|m| m.eq_ignore_ascii_case(o))
        })
    };
    tier0.retain(|id| !by_id.get(id).is_some_and(|p| microsoft(p)));
    if tier0.len() > MAX_OWNER_READS {
        notes.push(format!(
            "{} apps hold Tier-0 rights: the owners and federated credentials of the first {MAX_OWNER_READS} were read.",
            tier0.len()
        ));
        tier0.truncate(MAX_OWNER_READS);
    }
    tier0
        .into_iter()
        .map(|id| {
            let app = by_id.get(id).map(|p| p.app_id.clone()).unwrap_or_default();
            (id.to_string(), app)
        })
        .collect()
}

/// The owners of the Tier-0 apps, concurrently, and a note for those that could not be read.
async fn tier0_owners(
    client: &GraphClient,
    tier0: &[(String, String)],
) -> Result<(BTreeMap<String, Vec<String>>, Option<String>)> {
    let reads = tier0.iter().map(|(id, _)| async move {
        let url = client.url(
            &format!("/v1.0/servicePrincipals/{id}/owners"),
            &[("$select", "id,displayName,userPrincipalName")],
        );
        (
            id.to_string(),
            client.get_all::<wire::Owner>(url, CALL_APP_OWNERS).await,
        )
    });
    gathered(join_all(reads).await, "owners", |list| {
        Some(
            list.into_iter()
                .map(|o| o.user_principal_name.or(o.display_name).unwrap_or(o.id))
                .collect(),
        )
    })
}

/// Per-app reads gathered: what `keep` keeps of each, by key; a refused read counted in the note
/// (`what` of so many Tier-0 apps could not be read), a 404 (deleted since it was listed) is
/// nothing to read, any other failure the inventory's.
fn gathered<X, T>(
    results: Vec<(String, Result<Vec<X>, GraphError>)>,
    what: &str,
    keep: impl Fn(Vec<X>) -> Option<T>,
) -> Result<(BTreeMap<String, T>, Option<String>)> {
    let mut found = BTreeMap::new();
    let mut failed = 0usize;
    for (key, result) in results {
        match result {
            Ok(list) => {
                if let Some(kept) = keep(list) {
                    found.insert(key, kept);
                }
            }
            Err(e) if e.is_denied() => failed += 1,
            Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let note = (failed > 0).then(|| format!(
        "The {what} of {failed} Tier-0 app{} could not be read: grant the auditing identity Application.Read.All.",
        if failed == 1 { "" } else { "s" }
    ));
    Ok((found, note))
}

/// The federated identity credentials of the Tier-0 apps registered in this tenant (whose
/// registrations were read), concurrently: who outside the tenant can sign in as each.
async fn tier0_federated(
    client: &GraphClient,
    tier0: &[(String, String)],
    registered: Option<&BTreeMap<String, crate::inventory::Credentials>>,
) -> Result<(BTreeMap<String, Vec<FederatedCredential>>, Option<String>)> {
    let Some(registered) = registered else {
        return Ok((BTreeMap::new(), None));
    };
    let here = tier0
        .iter()
        .filter(|(_, app)| registered.contains_key(&app.to_ascii_lowercase()));
    let reads = here.map(|(_, app)| async move {
        let url = client.url(
            &format!(
                "/v1.0/applications(appId={})/federatedIdentityCredentials",
                crate::graph::client::odata_quote(app)
            ),
            &[],
        );
        let read = client
            .get_all::<wire::FederatedIdentityCredential>(url, CALL_APP_FEDERATED)
            .await;
        (app.to_ascii_lowercase(), read)
    });
    gathered(join_all(reads).await, "federated credentials", |list| {
        (!list.is_empty()).then(|| list.into_iter().map(credential).collect())
    })
}
