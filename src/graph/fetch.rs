//! Fetch what an app was granted: resolve its service principal, read the tenant's Graph
//! permission catalog, the app role assignments, the delegated grants, the requested permissions
//! and the service account, with independent calls in flight together (two dependent rounds).

use std::collections::HashMap;

use anyhow::{bail, Result};

use super::client::{odata_quote, Call, GraphClient, GraphError};
use super::wire;
use crate::cloud::Cloud;
use crate::cloud::GRAPH_APP_ID;
use crate::error::Error;
use crate::findings::Finding;
use crate::grants::{
    AppIdentity, AppRoleGrant, AppSecurity, Assignment, AuditEntry, CatalogId, Consent, Credential,
    DelegatedGrant, DirectoryRole, Grants, OtherGrant, Owner, Requested, ServiceAccount,
    UnresolvedGrant,
};
use crate::matrix::Matrix;
use crate::permission::{is_guid, PermissionType};

const SP_SELECT: &str =
    "id,appId,displayName,appOwnerOrganizationId,passwordCredentials,keyCredentials";

// What each read needs, from its page in Microsoft Graph's API reference: the least-privileged
// permission (the same name for application and delegated access unless said otherwise), then
// the broader ones that also allow it. The README's table "What the auditing identity reads"
// lists the same.
const CALL_ORG: Call = Call {
    what: "the tenant's identity (organization: id and verified domains)",
    needs: "Organization.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_SP: Call = Call {
    what: "the app's service principal",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_CATALOG: Call = Call {
    what: "the Microsoft Graph service principal (the permission catalog)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_ROLES: Call = Call {
    what: "the app role assignments (application permissions)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_GRANTS: Call = Call {
    what: "the delegated permission grants (oauth2PermissionGrants)",
    needs: "DelegatedPermissionGrant.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_APP: Call = Call {
    what: "the app registration (requested permissions)",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_USER: Call = Call {
    what: "the service account",
    needs: "User.Read.All (delegated: User.ReadBasic.All)",
    advanced: false,
};
const CALL_ROLES_ACTIVE: Call = Call {
    what: "the service account's directory role assignments",
    needs: "RoleManagement.Read.Directory",
    advanced: false,
};
const CALL_ROLES_TRANSITIVE: Call = Call {
    what: "the service account's directory roles held through groups",
    needs: "User.Read.All (or GroupMember.Read.All, Directory.Read.All)",
    advanced: true,
};
const CALL_AUDIT_LOG: Call = Call {
    what: "the directory audit log (who changed the app's grants)",
    needs: "AuditLog.Read.All",
    advanced: false,
};
const CALL_OWNERS: Call = Call {
    what: "the owners of the app and its service principal",
    needs: "Application.Read.All (or the broader Directory.Read.All)",
    advanced: false,
};
const CALL_OWNER_ROLES: Call = Call {
    what: "the directory roles of the app's owners",
    needs: "User.Read.All (or Directory.Read.All)",
    advanced: true,
};
const CALL_ROLES_ELIGIBLE: Call = Call {
    what: "the service account's PIM-eligible directory roles",
    needs: "RoleEligibilitySchedule.Read.Directory (and Microsoft Entra ID P2)",
    advanced: false,
};

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// `--app`: appId, service principal object id, or exact display name.
    pub app: &'a str,
    /// `--service-account`: UPN or object id.
    pub service_account: Option<&'a str>,
    pub cloud: Cloud,
    /// The tenant asked for (`--tenant`, AZURE_TENANT_ID or a line of `--tenants`): a tenant id
    /// or one of the tenant's verified domains. The tenant read must be this one.
    pub requested_tenant: Option<&'a str>,
    /// The tenant the token was issued for (its `tid`), when the token says.
    pub token_tenant: Option<String>,
    /// Read the directory audit log's entries about the app's grants since this time (RFC 3339).
    pub audit_log_since: Option<String>,
}

/// The app was not found, or not uniquely: the audit cannot start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AppNotFound(pub String);

/// The tenant Graph answered for is not the one asked for, or cannot be confirmed: no verdict.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WrongTenant(pub String);

/// What is read about the app itself: its service principal, its grants, its registration and
/// its owners.
struct AppReads {
    sp: wire::ServicePrincipal,
    assignments: Vec<wire::AppRoleAssignment>,
    delegated: Vec<wire::OAuth2PermissionGrant>,
    application: Option<wire::Application>,
    owners: (Option<Vec<Owner>>, Vec<Finding>),
}

const APP_SELECT: &str =
    "id,appId,displayName,requiredResourceAccess,passwordCredentials,keyCredentials";

/// Whether Graph refused an alternate-key navigation in a way the two-round path avoids: a
/// malformed or unsupported request (400, 404, 405, 501), or a denial (403: listing a service
/// principal's delegated grants needs Directory.Read.All where the `$filter` form needs only
/// DelegatedPermissionGrant.Read.All).
fn refused_navigation(e: &GraphError) -> bool {
    matches!(
        e.status().map(|s| s.as_u16()),
        Some(400 | 403 | 404 | 405 | 501)
    )
}

/// Everything about the app in one round, addressing it by its appId (Graph's alternate key):
/// `servicePrincipals(appId='…')` and its navigations, `applications(appId='…')`. `None`: the id is
/// not an appId here, or Graph refused a navigation — read it in two rounds instead.
async fn app_by_app_id(client: &GraphClient, app_id: &str) -> Result<Option<AppReads>> {
    let key = format!("/v1.0/servicePrincipals(appId={})", odata_quote(app_id));
    let sp_url = client.url(&key, &[("$select", SP_SELECT)]);
    let roles_url = client.url(&format!("{key}/appRoleAssignments"), &[]);
    let grants_url = client.url(&format!("{key}/oauth2PermissionGrants"), &[]);
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})", odata_quote(app_id)),
        &[("$select", APP_SELECT)],
    );
    let (sp, assignments, delegated, application, owners) = tokio::join!(
        client.get_optional::<wire::ServicePrincipal>(sp_url, CALL_SP),
        client.get_all::<wire::AppRoleAssignment>(roles_url, CALL_ROLES),
        client.get_all::<wire::OAuth2PermissionGrant>(grants_url, CALL_GRANTS),
        client.get_optional::<wire::Application>(app_url, CALL_APP),
        owners(client, &key, app_id),
    );
    let Some(sp) = sp? else {
        tracing::info!(app = %app_id, "no service principal has this appId: trying it as an object id");
        return Ok(None);
    };
    let (assignments, delegated) = match (assignments, delegated) {
        (Ok(a), Ok(d)) => (a, d),
        (Err(e), _) | (_, Err(e)) if refused_navigation(&e) => {
            tracing::info!(
                "Graph refused addressing the app by appId ({}): reading it in two rounds",
                e.graph_words()
            );
            return Ok(None);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    Ok(Some(AppReads {
        sp,
        assignments,
        delegated,
        application: application?,
        owners: owners?,
    }))
}

/// The app read in two rounds: its service principal (by appId, object id or display name), then
/// what hangs off its object id.
async fn app_in_two_rounds(client: &GraphClient, app: &str) -> Result<AppReads> {
    let sp = resolve_app(client, app).await?;
    let sp_path = format!("/v1.0/servicePrincipals/{}", sp.id);
    let roles_url = client.url(&format!("{sp_path}/appRoleAssignments"), &[]);
    let grants_url = client.url(
        "/v1.0/oauth2PermissionGrants",
        &[("$filter", &format!("clientId eq {}", odata_quote(&sp.id)))],
    );
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})", odata_quote(&sp.app_id)),
        &[("$select", APP_SELECT)],
    );
    let (assignments, delegated, application, owners) = tokio::try_join!(
        async {
            client
                .get_all::<wire::AppRoleAssignment>(roles_url, CALL_ROLES)
                .await
                .map_err(anyhow::Error::from)
        },
        async {
            client
                .get_all::<wire::OAuth2PermissionGrant>(grants_url, CALL_GRANTS)
                .await
                .map_err(anyhow::Error::from)
        },
        async {
            client
                .get_optional::<wire::Application>(app_url, CALL_APP)
                .await
                .map_err(anyhow::Error::from)
        },
        owners(client, &sp_path, &sp.app_id),
    )?;
    Ok(AppReads {
        sp,
        assignments,
        delegated,
        application,
        owners,
    })
}

/// Fetch the grants of `target.app`. An application id is read in one round with everything
/// else (alternate-key addressing); an object id or a display name, and a Graph that refuses the
/// alternate key, take two. The service account's roles and the audit log, when asked for, come
/// after (they need ids from the first round).
pub async fn fetch(client: &GraphClient, matrix: &Matrix, target: &Target<'_>) -> Result<Grants> {
    let org_url = client.url("/v1.0/organization", &[("$select", "id,verifiedDomains")]);
    let app = target.app.trim();
    if app.is_empty() {
        bail!(Error::input("the app to audit is empty"));
    }
    let (org, catalog, user, by_app_id) = tokio::try_join!(
        async {
            Ok::<_, anyhow::Error>(
                client
                    .get_all::<wire::Organization>(org_url, CALL_ORG)
                    .await,
            )
        },
        fetch_catalog(client),
        async {
            match target.service_account {
                Some(u) => resolve_user(client, u).await.map(Some),
                None => Ok(None),
            }
        },
        async {
            if is_guid(app) {
                app_by_app_id(client, app).await
            } else {
                Ok(None)
            }
        }
    )?;
    let (tenant_id, tenant_notes) = tenant_read(org, target)?;
    let reads = match by_app_id {
        Some(reads) => reads,
        None => app_in_two_rounds(client, app).await?,
    };
    let AppReads {
        sp,
        assignments,
        delegated,
        application,
        owners,
    } = reads;

    // What needs the ids just read: the service account's roles, the audit log.
    let audit_url = target
        .audit_log_since
        .as_deref()
        .map(graph_time)
        .map(|since| {
            client.url(
                "/v1.0/auditLogs/directoryAudits",
                &[(
                    "$filter",
                    &format!(
                        "activityDateTime ge {since} and targetResources/any(t:t/id eq {})",
                        odata_quote(&sp.id)
                    ),
                )],
            )
        });
    let (roles, audit_log) = tokio::try_join!(
        async {
            match &user {
                Some(u) => Ok(Some(directory_roles(client, &u.id).await?)),
                None => Ok::<_, anyhow::Error>(None),
            }
        },
        async {
            match audit_url {
                Some(url) => Ok(Some(
                    client
                        .get_all::<wire::DirectoryAudit>(url, CALL_AUDIT_LOG)
                        .await,
                )),
                None => Ok::<_, anyhow::Error>(None),
            }
        },
    )?;

    let mut grants = Grants::new(
        target.cloud,
        AppIdentity {
            app_id: Some(sp.app_id.clone()),
            service_principal_id: Some(sp.id.clone()),
            display_name: sp.display_name.clone(),
        },
    );
    grants.tenant_id = tenant_id.clone();
    grants.read_at = Some(Grants::now());
    grants.findings.extend(tenant_notes);
    grants.graph_resource_id = Some(catalog.id.clone());
    let (owners, owner_findings) = owners;
    grants.findings.extend(owner_findings);
    let registration_here = application.is_some();
    let mut credentials = credentials(
        "servicePrincipal",
        &sp.password_credentials,
        &sp.key_credentials,
    );
    if let Some(app) = &application {
        credentials.extend(credentials_of(app));
    }
    grants.app_security = Some(AppSecurity {
        credentials,
        owners,
        registration_here,
    });
    match audit_log {
        None => {}
        Some(Ok(list)) => grants.audit_log = Some(audit_entries(&list)),
        Some(Err(e @ GraphError::Deadline { .. })) => return Err(e.into()),
        Some(Err(e)) => grants.findings.push(Finding::AuditLogUnreadable {
            status: e.status().map(|s| s.as_u16()),
            needs: e.is_denied().then(|| CALL_AUDIT_LOG.needs.to_string()),
            graph_error: (!e.is_denied()).then(|| e.graph_words()),
        }),
    }
    grants.service_account = user.map(|mut u| {
        if let Some((roles, findings)) = roles {
            u.roles = roles;
            u.findings = findings;
        }
        u
    });
    let mut resolver = Resolver::new(&catalog, matrix, &sp.id);
    resolver.app_roles(&assignments, &mut grants);
    resolver.delegated(&delegated, &mut grants);
    let owner = sp.app_owner_organization_id.as_deref().filter(|o| {
        tenant_id
            .as_deref()
            .is_none_or(|t| !t.eq_ignore_ascii_case(o))
    });
    let application = match application {
        Some(app)
            if !app
                .app_id
                .as_deref()
                .is_some_and(|a| a.eq_ignore_ascii_case(&sp.app_id)) =>
        {
            grants.findings.push(Finding::RegistrationMismatch {
                app_id: sp.app_id.clone(),
            });
            return finish(grants, resolver);
        }
        other => other,
    };
    match application {
        Some(app) => resolver.requested(&app, &mut grants),
        None => grants.findings.push(Finding::RegistrationElsewhere {
            owner_tenant_id: owner.map(str::to_string),
        }),
    }
    finish(grants, resolver)
}

/// The tenant's catalog ids and the resolver's findings, added last.
fn finish(mut grants: Grants, resolver: Resolver<'_>) -> Result<Grants> {
    grants.catalog = resolver.catalog_ids();
    grants.findings.extend(resolver.findings);
    Ok(grants)
}

/// Which tenant Graph answered for, checked against the tenant asked for (a tenant id, or one of
/// its verified domains) and the token's own tenant. Without `/organization` (not permitted) the
/// token's tenant stands in, but only a tenant id can be checked against it.
fn tenant_read(
    org: Result<Vec<wire::Organization>, GraphError>,
    target: &Target<'_>,
) -> Result<(Option<String>, Vec<Finding>)> {
    let requested = target
        .requested_tenant
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let token = target.token_tenant.as_deref();
    match org {
        Ok(list) => {
            let [org] = list.as_slice() else {
                bail!(WrongTenant(format!(
                    "Microsoft Graph answered {} organizations for GET /v1.0/organization, not one: \
                     cannot tell which tenant was read",
                    list.len()
                )));
            };
            if let Some(tid) = token.filter(|t| !t.eq_ignore_ascii_case(&org.id)) {
                bail!(WrongTenant(format!(
                    "Microsoft Graph answered for tenant {}, but the token was issued for tenant \
                     {tid}: check --graph-url and the proxy in between",
                    org.id
                )));
            }
            if let Some(req) = requested {
                let matches = if is_guid(req) {
                    req.eq_ignore_ascii_case(&org.id)
                } else {
                    org.verified_domains
                        .iter()
                        .filter_map(|d| d.name.as_deref())
                        .any(|d| d.eq_ignore_ascii_case(req))
                };
                if !matches {
                    bail!(WrongTenant(format!(
                        "the tenant read is {}, not {req} (it is neither that tenant's id nor one \
                         of its verified domains): get a token for {req}; no verdict is given for \
                         a tenant that was not read",
                        org.id
                    )));
                }
            }
            Ok((Some(org.id.to_ascii_lowercase()), Vec::new()))
        }
        Err(e) if e.is_denied() => {
            let status = e.status().map(|s| s.as_u16()).unwrap_or_default();
            let needs = CALL_ORG.needs.to_string();
            let from_token = |tid: &str| {
                Ok((
                    Some(tid.to_ascii_lowercase()),
                    vec![Finding::TenantFromToken {
                        status,
                        needs: needs.clone(),
                    }],
                ))
            };
            match (requested, token) {
                (Some(req), Some(tid)) if is_guid(req) && req.eq_ignore_ascii_case(tid) => {
                    from_token(tid)
                }
                (Some(req), _) => bail!(WrongTenant(format!(
                    "cannot confirm that the tenant read is {req}: the tenant's identity could \
                     not be read ({status}): grant the auditing identity {needs}, or give the \
                     tenant id"
                ))),
                (None, Some(tid)) => from_token(tid),
                (None, None) => Ok((None, vec![Finding::TenantUnknown { status, needs }])),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn credentials_of(app: &wire::Application) -> Vec<Credential> {
    credentials(
        "application",
        &app.password_credentials,
        &app.key_credentials,
    )
}

/// The app's credentials, as the domain sees them (never a value).
fn credentials(
    on: &str,
    secrets: &[wire::Credential],
    keys: &[wire::Credential],
) -> Vec<Credential> {
    let one = |kind: &str, c: &wire::Credential| Credential {
        on: on.to_string(),
        kind: kind.to_string(),
        display_name: c.display_name.clone(),
        end_date_time: c.end_date_time.clone(),
    };
    secrets
        .iter()
        .map(|c| one("secret", c))
        .chain(
            keys.iter()
                .filter(|k| {
                    k.usage
                        .as_deref()
                        .is_none_or(|u| u.eq_ignore_ascii_case("Verify"))
                })
                .map(|c| one("certificate", c)),
        )
        .collect()
}

/// The most owners whose roles are read.
const MAX_OWNERS: usize = 20;

/// The owners of the app registration and of the service principal, and the Tier-0 roles of each
/// user among them. Unreadable: a finding, never a failed audit.
async fn owners(
    client: &GraphClient,
    sp_path: &str,
    app_id: &str,
) -> Result<(Option<Vec<Owner>>, Vec<Finding>)> {
    let select = [("$select", "id,displayName,userPrincipalName")];
    let app_url = client.url(
        &format!("/v1.0/applications(appId={})/owners", odata_quote(app_id)),
        &select,
    );
    let sp_url = client.url(&format!("{sp_path}/owners"), &select);
    let (of_app, of_sp) = tokio::join!(
        client.get_all::<wire::Owner>(app_url, CALL_OWNERS),
        client.get_all::<wire::Owner>(sp_url, CALL_OWNERS),
    );
    let mut findings = Vec::new();
    let mut list: Vec<Owner> = Vec::new();
    let mut add = |found: Vec<wire::Owner>, of: &str| {
        for o in found {
            match list.iter_mut().find(|x| x.id.eq_ignore_ascii_case(&o.id)) {
                Some(x) => x.of.push(of.to_string()),
                None => list.push(Owner {
                    kind: match o.odata_type.as_deref() {
                        Some("#microsoft.graph.user") => "user".into(),
                        Some("#microsoft.graph.servicePrincipal") => "servicePrincipal".into(),
                        Some(other) => other.trim_start_matches("#microsoft.graph.").to_string(),
                        None => "unknown".into(),
                    },
                    id: o.id,
                    display_name: o.display_name,
                    user_principal_name: o.user_principal_name,
                    of: vec![of.to_string()],
                    tier0_roles: None,
                }),
            }
        }
    };
    let mut read_any = false;
    for (result, of) in [(of_app, "application"), (of_sp, "servicePrincipal")] {
        match result {
            Ok(found) => {
                read_any = true;
                add(found, of);
            }
            // The registration lives in the publisher's tenant: no owners here, not an error.
            Err(e) if of == "application" && e.status() == Some(reqwest::StatusCode::NOT_FOUND) => {
                read_any = true;
            }
            Err(e) => findings.push(unreadable(e, "The owners of the app")?),
        }
    }
    if !read_any {
        return Ok((None, findings));
    }
    let users: Vec<String> = list
        .iter()
        .filter(|o| o.kind == "user")
        .take(MAX_OWNERS)
        .map(|o| o.id.clone())
        .collect();
    let roles =
        futures::future::join_all(users.iter().map(|id| owner_tier0_roles(client, id))).await;
    for (id, roles) in users.iter().zip(roles) {
        match roles {
            Ok(r) => {
                if let Some(o) = list.iter_mut().find(|o| &o.id == id) {
                    o.tier0_roles = Some(r);
                }
            }
            Err(e) => {
                let f = unreadable(e, "The directory roles of the app's owners")?;
                if !findings.contains(&f) {
                    findings.push(f);
                }
            }
        }
    }
    Ok((Some(list), findings))
}

/// The Tier-0 roles a user holds, directly or through groups.
async fn owner_tier0_roles(client: &GraphClient, user_id: &str) -> Result<Vec<String>, GraphError> {
    let mut url = client.url(
        "/v1.0/users",
        &[
            ("$select", "id,displayName,roleTemplateId"),
            ("$count", "true"),
        ],
    );
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.extend([
            user_id,
            "transitiveMemberOf",
            "microsoft.graph.directoryRole",
        ]);
    }
    let roles = client
        .get_all::<wire::DirectoryRole>(url, CALL_OWNER_ROLES)
        .await?;
    let mut names: Vec<String> = roles
        .into_iter()
        .filter(|r| {
            r.role_template_id
                .as_deref()
                .and_then(crate::catalog::role_tier)
                .is_some_and(|t| t.tier == 0)
        })
        .map(|r| r.display_name.or(r.role_template_id).unwrap_or_default())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// A time as Graph's `$filter` takes it: RFC 3339 in UTC, to the second.
fn graph_time(rfc3339: &str) -> String {
    match azure_core::time::parse_rfc3339(rfc3339) {
        Ok(t) => {
            let t = t.to_utc();
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => rfc3339.to_string(),
    }
}

/// The audit log's entries about grants, as the domain sees them: activity, when, who, which
/// permissions, added or removed. Entries that failed, and other activities, are left out.
pub fn audit_entries(list: &[wire::DirectoryAudit]) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    for a in list {
        if a.result
            .as_deref()
            .is_some_and(|r| !r.eq_ignore_ascii_case("success"))
        {
            continue;
        }
        let activity = a.activity_display_name.clone().unwrap_or_default();
        let (ptype, property, added) = match activity.as_str() {
            "Add app role assignment to service principal" => {
                (Some(PermissionType::Application), "AppRole.Value", true)
            }
            "Remove app role assignment from service principal" => {
                (Some(PermissionType::Application), "AppRole.Value", false)
            }
            "Add delegated permission grant" => (
                Some(PermissionType::Delegated),
                "DelegatedPermissionGrant.Scope",
                true,
            ),
            "Remove delegated permission grant" => (
                Some(PermissionType::Delegated),
                "DelegatedPermissionGrant.Scope",
                false,
            ),
            "Consent to application" => (None, "", true),
            _ => continue,
        };
        let by = a
            .initiated_by
            .as_ref()
            .and_then(|i| {
                i.user
                    .as_ref()
                    .and_then(|u| u.user_principal_name.clone().or(u.display_name.clone()))
                    .or_else(|| {
                        i.app
                            .as_ref()
                            .and_then(|p| p.display_name.clone().or(p.app_id.clone()))
                    })
            })
            .unwrap_or_else(|| "unknown".to_string());
        let permissions: Vec<String> = a
            .target_resources
            .iter()
            .flat_map(|t| &t.modified_properties)
            .filter(|p| !property.is_empty() && p.display_name.as_deref() == Some(property))
            .flat_map(|p| {
                let raw = if added { &p.new_value } else { &p.old_value };
                audit_values(raw.as_deref().unwrap_or(""))
            })
            .collect();
        out.push(AuditEntry {
            activity,
            at: a.activity_date_time.clone().unwrap_or_default(),
            by,
            permissions,
            ptype,
            added,
        });
    }
    out.sort_by(|x, y| x.at.cmp(&y.at));
    out
}

/// The values of an audit log property: a JSON string (`"\"Mail.Read\""`), a JSON array of
/// strings, or plain text; scopes split on white space.
fn audit_values(raw: &str) -> Vec<String> {
    let texts: Vec<String> = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::String(s)) => vec![s],
        Ok(serde_json::Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![raw.to_string()],
    };
    texts
        .iter()
        .flat_map(|t| t.split_whitespace())
        .map(|s| s.trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The service account's directory roles: assigned to it directly (roleAssignments), held through
/// a role-assignable group (its transitive directoryRole memberships), and PIM-eligible. A list
/// that cannot be read is a note, not a failed audit: a grant to ask for only when Graph denied
/// the auditing identity (401/403), Graph's own words otherwise.
async fn directory_roles(
    client: &GraphClient,
    user_id: &str,
) -> Result<(Option<Vec<DirectoryRole>>, Vec<Finding>)> {
    let query = |path: &str| {
        client.url(
            path,
            &[
                (
                    "$filter",
                    &format!("principalId eq {}", odata_quote(user_id)),
                ),
                ("$expand", "roleDefinition"),
            ],
        )
    };
    // An OData cast on a transitive relationship is an advanced query: `$count=true` here, and
    // the ConsistencyLevel header from the call.
    let mut transitive_url = client.url(
        "/v1.0/users",
        &[
            ("$select", "id,displayName,roleTemplateId"),
            ("$count", "true"),
        ],
    );
    transitive_url
        .path_segments_mut()
        .map_err(|_| anyhow::anyhow!("the Graph URL cannot take a path"))?
        .extend([
            user_id,
            "transitiveMemberOf",
            "microsoft.graph.directoryRole",
        ]);
    let (active, transitive, eligible) = tokio::join!(
        client.get_all::<wire::RoleAssignment>(
            query("/v1.0/roleManagement/directory/roleAssignments"),
            CALL_ROLES_ACTIVE
        ),
        client.get_all::<wire::DirectoryRole>(transitive_url, CALL_ROLES_TRANSITIVE),
        client.get_all::<wire::RoleAssignment>(
            query("/v1.0/roleManagement/directory/roleEligibilitySchedules"),
            CALL_ROLES_ELIGIBLE
        ),
    );
    let convert = |list: Vec<wire::RoleAssignment>, assignment: Assignment| {
        list.into_iter().map(move |r| {
            let def = r.role_definition.unwrap_or(wire::RoleDefinition {
                display_name: None,
                template_id: None,
            });
            let template_id = def
                .template_id
                .or(r.role_definition_id)
                .unwrap_or_default()
                .to_ascii_lowercase();
            DirectoryRole {
                display_name: def.display_name.unwrap_or_else(|| template_id.clone()),
                template_id,
                assignment,
            }
        })
    };
    let mut notes = Vec::new();
    let mut roles: Vec<DirectoryRole> = Vec::new();
    let mut active_read = false;
    match active {
        Ok(list) => {
            active_read = true;
            roles.extend(convert(list, Assignment::Active));
        }
        Err(e) => notes.push(unreadable(
            e,
            "The service account's directory role assignments",
        )?),
    }
    match transitive {
        Ok(list) => {
            active_read = true;
            for r in list {
                let template_id = r.role_template_id.unwrap_or_default().to_ascii_lowercase();
                let held = roles
                    .iter()
                    .any(|x| x.assignment == Assignment::Active && x.template_id == template_id);
                if !template_id.is_empty() && !held {
                    roles.push(DirectoryRole {
                        display_name: r.display_name.unwrap_or_else(|| template_id.clone()),
                        template_id,
                        assignment: Assignment::Active,
                    });
                }
            }
        }
        Err(e) => notes.push(unreadable(e, "Roles held through groups")?),
    }
    if !active_read {
        return Ok((None, notes));
    }
    match eligible {
        Ok(list) => roles.extend(convert(list, Assignment::Eligible)),
        Err(e) => notes.push(unreadable(e, "PIM-eligible roles")?),
    }
    roles.sort();
    roles.dedup();
    Ok((Some(roles), notes))
}

/// The finding for optional data Graph would not give. Denied (401/403): the permission to
/// grant. Any other refusal (400, 404, …): Graph's code, message and the request, never a
/// permission. Throttling, network failures and a blown deadline stay errors: the audit did not
/// complete.
fn unreadable(e: GraphError, what: &str) -> Result<Finding> {
    let status = match e.status() {
        Some(s) if s.is_client_error() && s.as_u16() != 429 => s.as_u16(),
        _ => return Err(e.into()),
    };
    Ok(match &e {
        GraphError::Status(s) if e.is_denied() => Finding::RolesUnreadable {
            what: what.to_string(),
            status,
            needs: Some(s.call.needs.to_string()),
            graph_error: None,
        },
        _ => Finding::RolesUnreadable {
            what: what.to_string(),
            status,
            needs: None,
            graph_error: Some(e.graph_words()),
        },
    })
}

/// Find the service principal by appId, object id, or exact display name.
async fn resolve_app(client: &GraphClient, app: &str) -> Result<wire::ServicePrincipal> {
    if is_guid(app) {
        let by_app_id = client.url(
            &format!("/v1.0/servicePrincipals(appId={})", odata_quote(app)),
            &[("$select", SP_SELECT)],
        );
        let by_object_id = client.url(
            &format!("/v1.0/servicePrincipals/{app}"),
            &[("$select", SP_SELECT)],
        );
        let (a, o) = tokio::try_join!(
            client.get_optional::<wire::ServicePrincipal>(by_app_id, CALL_SP),
            client.get_optional::<wire::ServicePrincipal>(by_object_id, CALL_SP),
        )?;
        return a.or(o).ok_or_else(|| {
            AppNotFound(format!(
                "no service principal with the appId or object id {app} in this tenant: the app has \
                 not been consented here yet (an administrator must consent to it first), or \
                 --tenant / --cloud point at another tenant"
            ))
            .into()
        });
    }
    let url = client.url(
        "/v1.0/servicePrincipals",
        &[
            ("$filter", &format!("displayName eq {}", odata_quote(app))),
            ("$select", SP_SELECT),
        ],
    );
    let mut found = client
        .get_all::<wire::ServicePrincipal>(url, CALL_SP)
        .await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AppNotFound(format!(
            "no service principal named `{app}` in this tenant (the name must match exactly; \
             or name the app by its application id)"
        ))
        .into()),
        _ => Err(AppNotFound(format!(
            "{} service principals are named `{app}`; name the app by one of their application ids: {}",
            found.len(),
            found
                .iter()
                .map(|s| format!("{} (object id {})", s.app_id, s.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

async fn fetch_catalog(client: &GraphClient) -> Result<wire::ResourceCatalog> {
    let url = client.url(
        &format!(
            "/v1.0/servicePrincipals(appId={})",
            odata_quote(GRAPH_APP_ID)
        ),
        &[(
            "$select",
            "id,appId,displayName,appRoles,oauth2PermissionScopes",
        )],
    );
    Ok(client.get(url, CALL_CATALOG).await?)
}

async fn resolve_user(client: &GraphClient, user: &str) -> Result<ServiceAccount> {
    let mut url = client.url("/v1.0/users", &[("$select", "id,userPrincipalName")]);
    url.path_segments_mut()
        .map_err(|_| anyhow::anyhow!("the Graph URL cannot take a path"))?
        .push(user.trim());
    match client.get_optional::<wire::User>(url, CALL_USER).await? {
        Some(u) => Ok(ServiceAccount {
            id: u.id,
            user_principal_name: u.user_principal_name,
            roles: None,
            findings: Vec::new(),
            role_notes: Vec::new(),
        }),
        None => bail!(AppNotFound(format!(
            "the service account `{user}` does not exist in this tenant (give its user principal name or object id)"
        ))),
    }
}

/// Turns Graph ids into permission names: by id **and** type through the tenant's catalog, then
/// through the matrix's ids for permissions the catalog does not know.
struct Resolver<'a> {
    graph_sp_id: String,
    /// The audited app's service principal: only its own assignments and grants count.
    app_sp_id: String,
    roles: HashMap<String, String>,
    scopes: HashMap<String, String>,
    matrix: &'a Matrix,
    findings: Vec<Finding>,
}

impl<'a> Resolver<'a> {
    fn new(catalog: &wire::ResourceCatalog, matrix: &'a Matrix, app_sp_id: &str) -> Self {
        let index = |entries: &[wire::CatalogEntry]| {
            entries
                .iter()
                .filter_map(|e| {
                    e.value
                        .as_ref()
                        .map(|v| (e.id.to_ascii_lowercase(), v.trim().to_string()))
                })
                .collect()
        };
        Resolver {
            graph_sp_id: catalog.id.to_ascii_lowercase(),
            app_sp_id: app_sp_id.to_ascii_lowercase(),
            roles: index(&catalog.app_roles),
            scopes: index(&catalog.oauth2_permission_scopes),
            matrix,
            findings: Vec::new(),
        }
    }

    fn name(&mut self, id: &str, t: PermissionType) -> Option<String> {
        let id = id.to_ascii_lowercase();
        let from_catalog = match t {
            PermissionType::Application => self.roles.get(&id),
            _ => self.scopes.get(&id),
        };
        if let Some(name) = from_catalog {
            return Some(name.clone());
        }
        let from_matrix = self
            .matrix
            .by_id(&id)
            .into_iter()
            .find(|(_, mt)| *mt == t)
            .map(|(n, _)| n.to_string())?;
        let finding = Finding::CatalogLacksPermission {
            id: id.clone(),
            ptype: t,
            permission: from_matrix.clone(),
        };
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
        Some(from_matrix)
    }

    /// The tenant's ids of the matrix's permissions, where its catalog lists them.
    fn catalog_ids(&self) -> Vec<CatalogId> {
        let mut out = Vec::new();
        for name in self.matrix.permission_names() {
            for (t, index) in [
                (PermissionType::Application, &self.roles),
                (PermissionType::Delegated, &self.scopes),
            ] {
                if let Some((id, _)) = index.iter().find(|(_, v)| v.eq_ignore_ascii_case(name)) {
                    out.push(CatalogId {
                        permission: name.to_string(),
                        ptype: t,
                        id: id.clone(),
                    });
                }
            }
        }
        out.sort();
        out
    }

    fn is_graph(&self, resource_id: &str) -> bool {
        resource_id.eq_ignore_ascii_case(&self.graph_sp_id)
    }

    /// Whether an item names the audited app (a `principalId` or `clientId`).
    fn is_app(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| id.eq_ignore_ascii_case(&self.app_sp_id))
    }

    /// Items Graph returned for another principal: never the app's grants (a Graph or proxy that
    /// ignores the filter must not lend this app another app's consent).
    fn foreign_note(&mut self, count: usize, what: &str) {
        if count > 0 {
            self.findings.push(Finding::ForeignItemsIgnored {
                count,
                collection: what.to_string(),
            });
        }
    }

    fn app_roles(&mut self, assignments: &[wire::AppRoleAssignment], grants: &mut Grants) {
        let (assignments, foreign): (Vec<_>, Vec<_>) = assignments
            .iter()
            .partition(|a| self.is_app(a.principal_id.as_deref()));
        self.foreign_note(foreign.len(), "app role assignments");
        for a in assignments {
            if !self.is_graph(&a.resource_id) {
                grants.other_resources.push(OtherGrant {
                    resource: a
                        .resource_display_name
                        .clone()
                        .unwrap_or_else(|| a.resource_id.clone()),
                    resource_id: a.resource_id.clone(),
                    permission: if a.app_role_id == "00000000-0000-0000-0000-000000000000" {
                        "(default access)".to_string()
                    } else {
                        a.app_role_id.clone()
                    },
                    ptype: PermissionType::Application,
                });
                continue;
            }
            match self.name(&a.app_role_id, PermissionType::Application) {
                Some(permission) => grants.application.push(AppRoleGrant {
                    permission,
                    app_role_id: Some(a.app_role_id.to_ascii_lowercase()),
                    assignment_id: a.id.clone(),
                    created: a.created_date_time.clone(),
                }),
                None => grants.unresolved.push(UnresolvedGrant {
                    id: a.app_role_id.to_ascii_lowercase(),
                    ptype: PermissionType::Application,
                }),
            }
        }
        grants.other_resources.sort();
        grants.other_resources.dedup();
    }

    fn delegated(&mut self, list: &[wire::OAuth2PermissionGrant], grants: &mut Grants) {
        let (list, foreign): (Vec<_>, Vec<_>) = list
            .iter()
            .partition(|g| self.is_app(g.client_id.as_deref()));
        self.foreign_note(foreign.len(), "delegated permission grants");
        for g in list {
            let consent = match g.consent_type.as_deref() {
                Some(c) if c.eq_ignore_ascii_case("AllPrincipals") => Consent::AllPrincipals,
                _ => Consent::Principal,
            };
            let scopes = g.scope.as_deref().unwrap_or("").split_whitespace();
            if !self.is_graph(&g.resource_id) {
                for s in scopes {
                    grants.other_resources.push(OtherGrant {
                        resource: g.resource_id.clone(),
                        resource_id: g.resource_id.clone(),
                        permission: s.to_string(),
                        ptype: PermissionType::Delegated,
                    });
                }
                continue;
            }
            for s in scopes {
                let grant = DelegatedGrant {
                    permission: s.to_string(),
                    consent,
                    principal_id: match consent {
                        Consent::Principal => g.principal_id.clone(),
                        Consent::AllPrincipals => None,
                    },
                    grant_id: g.id.clone(),
                };
                if !grants.delegated.contains(&grant) {
                    grants.delegated.push(grant);
                }
            }
        }
        grants.other_resources.sort();
        grants.other_resources.dedup();
    }

    fn requested(&mut self, app: &wire::Application, grants: &mut Grants) {
        let mut requested = Vec::new();
        for rra in app
            .required_resource_access
            .iter()
            .filter(|r| r.resource_app_id.eq_ignore_ascii_case(GRAPH_APP_ID))
        {
            for ra in &rra.resource_access {
                let t = if ra.kind.eq_ignore_ascii_case("Role") {
                    PermissionType::Application
                } else {
                    PermissionType::Delegated
                };
                if let Some(permission) = self.name(&ra.id, t) {
                    requested.push(Requested {
                        permission,
                        ptype: t,
                    });
                }
            }
        }
        requested.sort();
        requested.dedup();
        grants.requested = Some(requested);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_log_entries_name_who_changed_which_permission() {
        let list: Vec<wire::DirectoryAudit> = serde_json::from_value(serde_json::json!([
            {"activityDisplayName": "Add app role assignment to service principal",
             "activityDateTime": "2026-11-22T10:00:00Z", "result": "success",
             "initiatedBy": {"user": {"userPrincipalName": "admin@contoso.com"}},
             "targetResources": [{"id": "sp", "modifiedProperties": [
                {"displayName": "AppRole.Id", "newValue": "\"e2a3a72e\""},
                {"displayName": "AppRole.Value", "oldValue": null, "newValue": "\"Mail.ReadWrite\""}]}]},
            {"activityDisplayName": "Remove delegated permission grant",
             "activityDateTime": "2026-11-21T10:00:00Z", "result": "success",
             "initiatedBy": {"app": {"displayName": "Cleanup job"}},
             "targetResources": [{"id": "sp", "modifiedProperties": [
                {"displayName": "DelegatedPermissionGrant.Scope", "oldValue": "\" User.Read Mail.Read\"", "newValue": "\"\""}]}]},
            {"activityDisplayName": "Update user", "activityDateTime": "2026-11-23T10:00:00Z"},
            {"activityDisplayName": "Consent to application", "activityDateTime": "2026-11-20T10:00:00Z",
             "result": "failure"}
        ]))
        .unwrap();
        let e = audit_entries(&list);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].by, "Cleanup job");
        assert!(!e[0].added);
        assert_eq!(e[0].permissions, vec!["User.Read", "Mail.Read"]);
        assert_eq!(e[1].permissions, vec!["Mail.ReadWrite"]);
        assert_eq!(e[1].ptype, Some(PermissionType::Application));
        assert_eq!(e[1].by, "admin@contoso.com");
    }
}
