//! The tenant-wide collections `inventory` reads, in the shapes Graph answers them (as the
//! recorded `appRoleAssignedTo` page shows): every application permission on Microsoft Graph,
//! the delegated grants on it, every service principal, the sign-in activity report (beta), the
//! app registrations' credentials, and the owners of a service principal.

use serde_json::{json, Value};

use super::routes::Ctx;
use super::Reply;

/// An app of the tenant, for the tenant-wide reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantApp {
    pub id: String,
    pub app_id: String,
    /// `None`: the principal was deleted (Graph then answers a null name).
    pub name: Option<String>,
    pub owner_org: String,
    pub enabled: bool,
    /// App role ids on Graph, each with when it was granted.
    pub app_roles: Vec<(String, String)>,
    /// An admin-consented delegated grant on Graph: its scope string.
    pub delegated: Option<String>,
    /// In the sign-in activity report, with this last sign-in (`None`: never).
    pub sign_in: Option<Option<String>>,
    /// Registered in this tenant, with this many client secrets.
    pub registered_here: Option<usize>,
    /// Owners: (id, user principal name).
    pub owners: Vec<(String, String)>,
    /// Its registration's federated identity credentials: (issuer, subject).
    pub federated: Vec<(String, String)>,
    /// The service principal was deleted: its assignments remain (with a null name), the
    /// principal is in no list.
    pub deleted: bool,
}

fn graph_id(c: &Ctx<'_>) -> String {
    c.catalog["id"].as_str().unwrap_or_default().to_string()
}

fn sp(a: &TenantApp) -> Value {
    json!({"id": a.id, "appId": a.app_id, "displayName": a.name, "appOwnerOrganizationId": a.owner_org,
           "accountEnabled": a.enabled, "servicePrincipalType": "Application",
           "passwordCredentials": [], "keyCredentials": []})
}

/// `GET /servicePrincipals/{Graph's id}/appRoleAssignedTo`.
pub(super) fn assigned_to(c: &Ctx<'_>) -> Option<Reply> {
    let graph = graph_id(c);
    if c.path != format!("/v1.0/servicePrincipals/{graph}/appRoleAssignedTo") {
        return None;
    }
    // (app, role) of each assignment, in order; an item is made only for the page asked for.
    let index: Vec<(usize, usize)> =
        c.t.tenant_apps
            .iter()
            .enumerate()
            .flat_map(|(a, app)| (0..app.app_roles.len()).map(move |r| (a, r)))
            .collect();
    let item = |i: usize| {
        let (a, r) = index[i];
        let app = &c.t.tenant_apps[a];
        let (role, created) = &app.app_roles[r];
        json!({"appRoleId": role, "createdDateTime": created, "deletedDateTime": null,
               "id": format!("{}{:03}", &app.id.replace('-', "")[..20], r),
               "principalDisplayName": if app.deleted { None } else { app.name.clone() },
               "principalId": app.id,
               "principalType": "ServicePrincipal", "resourceDisplayName": "Microsoft Graph",
               "resourceId": graph})
    };
    Some(c.page_of(index.len(), &item))
}

/// `GET /servicePrincipals` without a filter: every service principal.
pub(super) fn all_principals(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/servicePrincipals"
        || !c.param("$filter").is_empty()
        || c.t.tenant_apps.is_empty()
    {
        return None;
    }
    let fixed = c.t.sps.len();
    let listed: Vec<&TenantApp> = c.t.tenant_apps.iter().filter(|a| !a.deleted).collect();
    let item = |i: usize| {
        if i < fixed {
            Ctx::sp_json(&c.t.sps[i])
        } else {
            sp(listed[i - fixed])
        }
    };
    Some(c.page_of(fixed + listed.len(), &item))
}

/// `GET /oauth2PermissionGrants?$filter=resourceId eq '{Graph's id}'`.
pub(super) fn grants_on_graph(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/oauth2PermissionGrants"
        || c.param("$filter") != format!("resourceId eq '{}'", graph_id(c))
    {
        return None;
    }
    let graph = graph_id(c);
    let items =
        c.t.tenant_apps
            .iter()
            .filter_map(|a| {
                let scope = a.delegated.as_ref()?;
                Some(
                    json!({"id": format!("{}-grant", a.id.replace('-', "")), "clientId": a.id,
                        "consentType": "AllPrincipals", "principalId": null, "resourceId": graph,
                        "scope": format!(" {scope}")}),
                )
            })
            .collect();
    Some(c.page(items))
}

/// `GET /beta/reports/servicePrincipalSignInActivities`.
pub(super) fn sign_ins(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/beta/reports/servicePrincipalSignInActivities" {
        return None;
    }
    let items = c
        .t
        .tenant_apps
        .iter()
        .filter_map(|a| {
            let last = a.sign_in.as_ref()?;
            Some(json!({"id": a.app_id, "appId": a.app_id,
                        "lastSignInActivity": {"lastSignInDateTime": last, "lastSignInRequestId": null}}))
        })
        .collect();
    Some(c.page(items))
}

/// `GET /applications` without a filter: the registrations of this tenant.
pub(super) fn applications(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/applications" || !c.param("$filter").is_empty() {
        return None;
    }
    let items = c
        .t
        .tenant_apps
        .iter()
        .filter_map(|a| {
            let secrets = a.registered_here?;
            let password: Vec<Value> = (0..secrets)
                .map(|i| json!({"keyId": format!("5a8f7c2e-0000-4000-8000-00000000000{i}"), "displayName": "script",
                                "endDateTime": "2027-06-01T00:00:00Z", "hint": "abc"}))
                .collect();
            Some(json!({"appId": a.app_id, "passwordCredentials": password, "keyCredentials": []}))
        })
        .collect();
    Some(c.page(items))
}

/// `GET /applications(appId='…')/federatedIdentityCredentials` of a tenant app: its
/// credentials when registered here, else 404 as Graph answers for a registration elsewhere.
pub(super) fn federated(c: &Ctx<'_>) -> Option<Reply> {
    let app_id = c
        .path
        .strip_prefix("/v1.0/applications(appId='")?
        .strip_suffix("')/federatedIdentityCredentials")?;
    let app = c.t.tenant_apps.iter().find(|a| a.app_id == app_id)?;
    if app.registered_here.is_none() {
        return Some(Reply::not_found(app_id));
    }
    Some(
        c.page(
            app.federated
                .iter()
                .enumerate()
                .map(|(i, (issuer, subject))| {
                    json!({
                "id": format!("{}{i:04}", &app.id[..32]), "name": format!("fic-{i}"),
                "issuer": issuer, "subject": subject, "description": null,
                "audiences": ["api://AzureADTokenExchange"]})
                })
                .collect(),
        ),
    )
}

/// `GET /servicePrincipals/{id}/owners` of a tenant app.
pub(super) fn owners(c: &Ctx<'_>) -> Option<Reply> {
    let rest = c.path.strip_prefix("/v1.0/servicePrincipals/")?;
    let (id, tail) = rest.split_once('/')?;
    let app = c.t.tenant_apps.iter().find(|a| a.id == id)?;
    if app.deleted {
        return Some(Reply::not_found(id));
    }
    (tail == "owners").then(|| {
        c.page(
            app.owners
                .iter()
                .map(|(id, upn)| json!({"@odata.type": "#microsoft.graph.user", "id": id, "displayName": upn, "userPrincipalName": upn}))
                .collect(),
        )
    })
}
