//! Fetch what an app was granted: resolve its service principal, read the tenant's Graph
//! permission catalog, the app role assignments, the delegated grants, the requested permissions
//! and the service account, with independent calls in flight together (two dependent rounds).
//! Each file reads one thing: `app`, `tenant`, `owners`, `roles`, `federated`, `audit_log`, `resolve`; `calls`
//! says what each read needs.

mod app;
mod audit_log;
mod calls;
mod federated;
pub mod inventory;
mod owners;
mod resolve;
mod roles;
mod tenant;

pub use app::SharedCatalog;
pub use audit_log::audit_entries;

use anyhow::{bail, Result};

use self::app::{app_by_app_id, app_in_two_rounds, catalog, credentials, credentials_of, AppReads};
use self::audit_log::graph_time;
use self::calls::{CALL_AUDIT_LOG, CALL_ORG};
use self::federated::Federated;
use self::resolve::{resolve_user, Resolver};
use self::roles::{app_roles, directory_roles};
pub(crate) use self::tenant::tenant_read;
use crate::cloud::Cloud;
use crate::error::Error;
use crate::findings::Finding;
use crate::grants::{AppIdentity, AppSecurity, DirectoryRole, Grants, Owner, ServiceAccount};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::GraphError;
use crate::graph::wire;
use crate::matrix::Matrix;
use crate::permission::is_guid;

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
    /// With `--tenants`: the permission catalog shared by every tenant of the run.
    pub shared_catalog: Option<&'a SharedCatalog>,
}

/// The app was not found, or not uniquely: the audit cannot start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AppNotFound(pub String);

/// Graph answered with another object than the one asked for (another app's service principal,
/// another user): no verdict.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WrongObject(pub String);

/// The tenant Graph answered for is not the one asked for, or cannot be confirmed: no verdict.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct WrongTenant(pub String);

/// Fetch the grants of `target.app`. An application id is read in one round with everything
/// else (alternate-key addressing); an object id or a display name, and a Graph that refuses the
/// alternate key, take two. The service account's roles and the audit log, when asked for, come
/// after (they need ids from the first round).
pub async fn fetch(client: &GraphClient, matrix: &Matrix, target: &Target<'_>) -> Result<Grants> {
    let org_url = client.url(
        "/v1.0/organization",
        &[("$select", "id,displayName,verifiedDomains")],
    );
    let app = target.app.trim();
    if app.is_empty() {
        bail!(Error::input("the app to audit is empty"));
    }
    let (org, (graph_sp_id, catalog), user, by_app_id) = tokio::try_join!(
        async {
            Ok::<_, anyhow::Error>(
                client
                    .get_all::<wire::Organization>(org_url, CALL_ORG)
                    .await,
            )
        },
        catalog(client, target.shared_catalog),
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
    // The organization's name, for people reading many tenants' reports (at most Entra's 256).
    let tenant_name = org
        .as_ref()
        .ok()
        .and_then(|list| list.first())
        .and_then(|o| o.display_name.as_deref())
        .map(|n| n.chars().take(256).collect::<String>())
        .filter(|n| !n.trim().is_empty());
    let (tenant_id, tenant_notes) =
        tenant_read(org, target.requested_tenant, target.token_tenant.as_deref())?;
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
        federated,
    } = reads;
    check_identity(app, &sp)?;

    let SecondRound {
        roles,
        app_roles,
        audit_log,
    } = second_round(client, target, user.as_ref(), &sp.id, &graph_sp_id).await?;

    let mut grants = Grants::new(
        target.cloud,
        AppIdentity {
            app_id: Some(sp.app_id.clone()),
            service_principal_id: Some(sp.id.clone()),
            display_name: sp.display_name.clone(),
        },
    );
    grants.tenant_id = tenant_id.clone();
    grants.tenant_name = tenant_name;
    grants.read_at = Some(Grants::now());
    grants.findings.extend(tenant_notes);
    grants.graph_resource_id = Some(graph_sp_id.clone());
    let (security, security_findings) =
        app_security(&sp, application.as_ref(), owners, federated, app_roles);
    grants.findings.extend(security_findings);
    grants.app_security = Some(security);
    audit_log_read(&mut grants, target, audit_log, &sp.id)?;
    grants.service_account = user.map(|mut u| {
        if let Some((roles, findings)) = roles {
            u.roles = roles;
            u.findings = findings;
        }
        u
    });
    let mut resolver = Resolver::new(&graph_sp_id, &catalog, matrix, &sp.id);
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

/// The service principal read must be the app asked for: by appId or object id for a GUID, by
/// exact display name otherwise.
fn check_identity(app: &str, sp: &wire::ServicePrincipal) -> Result<(), WrongObject> {
    let same = if is_guid(app) {
        sp.app_id.eq_ignore_ascii_case(app) || sp.id.eq_ignore_ascii_case(app)
    } else {
        sp.display_name.as_deref() == Some(app)
    };
    if same {
        return Ok(());
    }
    Err(WrongObject(format!(
        "Microsoft Graph answered the request for the app `{app}` with the service principal of another app ({}, appId {}, object id {}): no verdict; check for a proxy rewriting requests",
        sp.display_name.as_deref().unwrap_or("no name"),
        sp.app_id,
        sp.id
    )))
}

/// What the second round reads, with the ids of the first.
struct SecondRound {
    /// The service account's roles (`None`: no service account).
    roles: Option<(Option<Vec<DirectoryRole>>, Vec<Finding>)>,
    /// The app's own directory roles.
    app_roles: (Option<Vec<DirectoryRole>>, Vec<Finding>),
    /// The audit log's records (`None`: not asked for, or not available in this cloud).
    audit_log: Option<Result<Vec<wire::DirectoryAudit>, GraphError>>,
}

/// The second round, with the ids of the first: the service account's roles, the app's own
/// roles and the audit log — the app's own records (its consents, its app role assignments) and
/// those that target Microsoft Graph's service principal, where Graph writes delegated grants
/// (the app is matched in them when they are parsed).
async fn second_round(
    client: &GraphClient,
    target: &Target<'_>,
    user: Option<&ServiceAccount>,
    sp_id: &str,
    graph_sp_id: &str,
) -> Result<SecondRound> {
    let audit_urls = target
        .audit_log_since
        .as_deref()
        .filter(|_| target.cloud != Cloud::China)
        .map(graph_time)
        .map(|since| {
            [sp_id, graph_sp_id].map(|id| {
                client.url(
                    "/v1.0/auditLogs/directoryAudits",
                    &[(
                        "$filter",
                        &format!(
                            "activityDateTime ge {since} and targetResources/any(t:t/id eq {})",
                            odata_quote(id)
                        ),
                    )],
                )
            })
        });
    let (roles, app_roles, audit_log) = tokio::try_join!(
        async {
            match user {
                Some(u) => Ok(Some(directory_roles(client, &u.id).await?)),
                None => Ok::<_, anyhow::Error>(None),
            }
        },
        app_roles(client, sp_id),
        async {
            let Some([own, graph]) = audit_urls else {
                return Ok::<_, anyhow::Error>(None);
            };
            let (own, graph) = tokio::join!(
                client.get_all::<wire::DirectoryAudit>(own, CALL_AUDIT_LOG),
                client.get_all::<wire::DirectoryAudit>(graph, CALL_AUDIT_LOG),
            );
            Ok(Some(own.and_then(|mut own| {
                own.extend(graph?);
                Ok(own)
            })))
        },
    )?;
    Ok(SecondRound {
        roles,
        app_roles,
        audit_log,
    })
}

/// The audit log's records as the domain sees them, or why there are none: not in this cloud,
/// or unreadable (a note; only a blown deadline ends the audit).
fn audit_log_read(
    grants: &mut Grants,
    target: &Target<'_>,
    audit_log: Option<Result<Vec<wire::DirectoryAudit>, GraphError>>,
    sp_id: &str,
) -> Result<()> {
    if target.audit_log_since.is_some() && target.cloud == Cloud::China {
        grants.findings.push(Finding::AuditLogUnavailable {
            cloud: target.cloud.as_str().to_string(),
        });
    }
    match audit_log {
        None => {}
        Some(Ok(list)) => grants.audit_log = Some(audit_entries(&list, sp_id)),
        Some(Err(e @ GraphError::Deadline { .. })) => return Err(e.into()),
        Some(Err(e)) => grants.findings.push(Finding::AuditLogUnreadable {
            status: e.status().map(|s| s.as_u16()),
            needs: e.is_denied().then(|| CALL_AUDIT_LOG.needs.to_string()),
            graph_error: (!e.is_denied()).then(|| e.graph_words()),
        }),
    }
    Ok(())
}

/// Who can become the app: the credentials of its service principal and registration, the
/// registration's federated credentials, the app's own directory roles and its owners — with
/// the findings of the reads that Graph refused.
fn app_security(
    sp: &wire::ServicePrincipal,
    application: Option<&wire::Application>,
    (owners, mut findings): (Option<Vec<Owner>>, Vec<Finding>),
    federated: Option<Federated>,
    (roles, role_findings): (Option<Vec<DirectoryRole>>, Vec<Finding>),
) -> (AppSecurity, Vec<Finding>) {
    let mut credentials = credentials(
        "servicePrincipal",
        &sp.password_credentials,
        &sp.key_credentials,
    );
    if let Some(app) = application {
        credentials.extend(credentials_of(app));
    }
    let (federated_credentials, federated_findings) = federated.unwrap_or((None, Vec::new()));
    findings.extend(federated_findings);
    findings.extend(role_findings);
    (
        AppSecurity {
            credentials,
            owners,
            registration_here: application.is_some(),
            application_object_id: application.and_then(|a| a.id.clone()),
            federated_credentials,
            roles,
        },
        findings,
    )
}

/// The tenant's catalog ids and the resolver's findings, added last.
fn finish(mut grants: Grants, resolver: Resolver<'_>) -> Result<Grants> {
    grants.catalog = resolver.catalog_ids();
    grants.findings.extend(resolver.findings);
    Ok(grants)
}
