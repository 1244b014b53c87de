//! Apps as the fake serves them: the Graph catalog, service principals (by appId, name or id,
//! with their app role assignments and owners), delegated grants and app registrations.

use std::time::Duration;

use serde_json::{json, Value};

use super::routes::Ctx;
use super::{Reply, APP_ID, APP_NAME, GRAPH_APP_ID, SP_ID};

/// `GET /servicePrincipals(appId='00000003-…')`: the recorded catalog.
pub(super) fn catalog(c: &Ctx<'_>) -> Option<Reply> {
    (c.path == format!("/v1.0/servicePrincipals(appId='{GRAPH_APP_ID}')")).then(|| Reply {
        status: 200,
        headers: Vec::new(),
        body: c.catalog_body.to_string(),
        delay: Duration::ZERO,
    })
}

/// `GET /servicePrincipals(appId='…')`.
pub(super) fn sp_by_app_id(c: &Ctx<'_>) -> Option<Reply> {
    let rest = c.path.strip_prefix("/v1.0/servicePrincipals(appId='")?;
    let app_id = rest.trim_end_matches("')");
    Some(match c.t.sps.iter().find(|s| s.app_id == app_id) {
        Some(sp) => Reply::json(200, Ctx::sp_json(sp)),
        None => Reply::not_found(app_id),
    })
}

/// `GET /servicePrincipals?$filter=displayName eq '…'` or `appId eq '…'` (the catalog among
/// them, for a Graph that refuses the alternate key).
pub(super) fn sp_by_name(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/servicePrincipals" {
        return None;
    }
    let filter = c.param("$filter");
    if let Some(app_id) = filter
        .strip_prefix("appId eq '")
        .and_then(|r| r.strip_suffix('\''))
    {
        if app_id == GRAPH_APP_ID {
            return Some(c.page(vec![c.catalog.clone()]));
        }
        let found =
            c.t.sps
                .iter()
                .filter(|s| s.app_id == app_id)
                .map(Ctx::sp_json)
                .collect();
        return Some(c.page(found));
    }
    let name = filter
        .strip_prefix("displayName eq '")
        .and_then(|r| r.strip_suffix('\''))
        .map(|n| n.replace("''", "'"))
        .unwrap_or_default();
    let found =
        c.t.sps
            .iter()
            .filter(|s| s.display_name == name)
            .map(Ctx::sp_json)
            .collect();
    Some(c.page(found))
}

/// `GET /servicePrincipals/{id}` and its `appRoleAssignments` and `owners`.
pub(super) fn sp_by_id(c: &Ctx<'_>) -> Option<Reply> {
    let rest = c.path.strip_prefix("/v1.0/servicePrincipals/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let Some(sp) = c.t.sps.iter().find(|s| s.id == id) else {
        return Some(Reply::not_found(id));
    };
    Some(match tail {
        "" => Reply::json(200, Ctx::sp_json(sp)),
        "appRoleAssignments" if sp.id == SP_ID => c.page(app_role_assignments(c)),
        "appRoleAssignments" | "owners" => c.page(Vec::new()),
        _ => Reply::not_found(rest),
    })
}

/// The backup app's app role assignments, with other apps' and other APIs' mixed in where the
/// tenant says so.
fn app_role_assignments(c: &Ctx<'_>) -> Vec<Value> {
    let t = c.t;
    let graph_id = c.catalog["id"].as_str().unwrap_or_default().to_string();
    let mut items: Vec<Value> = t
        .app_roles
        .iter()
        .enumerate()
        .map(|(i, (_, role))| {
            json!({"id": format!("_D8GAOlUXUC481YSRyjgUa1Xc1ZJ0vZCm7nYvQz3c{i:03}"),
                   "deletedDateTime": null, "appRoleId": role,
                   "createdDateTime": format!("2024-03-{:02}T09:12:45.1234567Z", i % 28 + 1),
                   "principalDisplayName": APP_NAME, "principalId": SP_ID,
                   "principalType": "ServicePrincipal",
                   "resourceDisplayName": "Microsoft Graph", "resourceId": graph_id})
        })
        .collect();
    for (i, (principal, role)) in t.foreign_app_roles.iter().enumerate() {
        items.push(
            json!({"id": format!("VsVRpeKNzEmyic46t5OBZz4qn4i5cj5LsLp-K69dN{i:03}"),
            "appRoleId": role, "createdDateTime": "2025-09-11T14:25:30.0756405Z",
            "principalId": principal, "principalType": "ServicePrincipal",
            "resourceDisplayName": "Microsoft Graph", "resourceId": graph_id}),
        );
    }
    for (name, rid, role) in &t.other_app_roles {
        items.push(json!({"id": "_D8GAOlUXUC481YSRyjgUZ2k0c3J8oVDg1q8mX4tY2E",
            "appRoleId": role, "createdDateTime": null, "principalId": SP_ID,
            "principalType": "ServicePrincipal", "resourceDisplayName": name,
            "resourceId": rid}));
    }
    items
}

/// `GET /oauth2PermissionGrants?$filter=clientId eq '…'` (or by alternate key). Real scope
/// strings often begin with a space; `principalId` is null for AllPrincipals.
pub(super) fn delegated_grants(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/oauth2PermissionGrants" {
        return None;
    }
    let t = c.t;
    let filter = match &c.grants_of {
        Some(id) => format!("clientId eq '{id}'"),
        None => c.param("$filter"),
    };
    let graph_id = c.catalog["id"].as_str().unwrap_or_default().to_string();
    let mut items: Vec<Value> = Vec::new();
    if t.ignore_filters || filter == format!("clientId eq '{SP_ID}'") {
        items.extend(
            t.delegated
                .iter()
                .enumerate()
                .map(|(i, (consent, principal, scope))| {
                    json!({"clientId": SP_ID, "consentType": consent,
                       "id": format!("_D8GAOlUXUBEqemaLbZ_RtECCz0FbFhPoX8ccIbt{i:03}"),
                       "principalId": principal, "resourceId": graph_id,
                       "scope": format!(" {scope}")})
                }),
        );
    }
    if t.ignore_filters {
        items.extend(t.foreign_delegated.iter().enumerate().map(
            |(i, (client, consent, scope))| {
                json!({"clientId": client, "consentType": consent,
                       "id": format!("QddU3TOM_0O2yrt8A9hDYecXy2Je0lZDrVGoYVhfh{i:03}"),
                       "principalId": null, "resourceId": graph_id, "scope": scope})
            },
        ));
    }
    Some(c.page(items))
}

/// The registration's object id in the fake tenant.
pub(super) const APPLICATION_OBJECT_ID: &str = "7bec5fd1-a25f-474c-a6ca-5492082c6a9b";

/// `GET /applications(appId='…')/federatedIdentityCredentials`.
pub(super) fn federated_credentials(c: &Ctx<'_>) -> Option<Reply> {
    let app_id = c
        .path
        .strip_prefix("/v1.0/applications(appId='")?
        .strip_suffix("')/federatedIdentityCredentials")?;
    Some(match (&c.t.requested, app_id == APP_ID) {
        (Some(_), true) => c.page(c.t.federated.clone()),
        _ => Reply::not_found(app_id),
    })
}

/// `GET /applications?$filter=appId eq '…'`: the registration, as a collection.
pub(super) fn application_by_filter(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/applications" {
        return None;
    }
    let filter = c.param("$filter");
    let app_id = filter.strip_prefix("appId eq '")?.strip_suffix('\'')?;
    Some(match (&c.t.requested, app_id == APP_ID) {
        (Some(_), true) => c.page(vec![registration(c)]),
        _ => c.page(Vec::new()),
    })
}

/// `GET /applications/{id}` and its `owners` and `federatedIdentityCredentials`.
pub(super) fn application_by_id(c: &Ctx<'_>) -> Option<Reply> {
    let rest = c.path.strip_prefix("/v1.0/applications/")?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if c.t.requested.is_none() || id != APPLICATION_OBJECT_ID {
        return Some(Reply::not_found(id));
    }
    Some(match tail {
        "" => Reply::json(200, registration(c)),
        "owners" => c.page(owners(c)),
        "federatedIdentityCredentials" => c.page(c.t.federated.clone()),
        _ => Reply::not_found(rest),
    })
}

/// `GET /applications(appId='…')/owners`.
pub(super) fn application_owners(c: &Ctx<'_>) -> Option<Reply> {
    let app_id = c
        .path
        .strip_prefix("/v1.0/applications(appId='")?
        .strip_suffix("')/owners")?;
    Some(match (&c.t.requested, app_id == APP_ID) {
        (Some(_), true) => c.page(owners(c)),
        _ => Reply::not_found(app_id),
    })
}

fn owners(c: &Ctx<'_>) -> Vec<Value> {
    c.t.owners
        .iter()
        .map(|(id, name, is_sp)| {
            if c.t.owners_unnamed {
                // Microsoft's example response under Application.Read.All: id and type only.
                let kind = if *is_sp { "servicePrincipal" } else { "user" };
                json!({"@odata.type": format!("#microsoft.graph.{kind}"), "id": id})
            } else if *is_sp {
                json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": id,
                       "displayName": name, "userPrincipalName": null})
            } else {
                json!({"@odata.type": "#microsoft.graph.user", "id": id,
                       "displayName": name, "userPrincipalName": name})
            }
        })
        .collect()
}

/// `GET /applications(appId='…')`: the registration, its credentials and what it requests.
pub(super) fn application(c: &Ctx<'_>) -> Option<Reply> {
    let rest = c.path.strip_prefix("/v1.0/applications(appId='")?;
    let app_id = rest.trim_end_matches("')");
    Some(match (&c.t.requested, app_id == APP_ID) {
        (Some(_), true) => Reply::json(200, registration(c)),
        _ => Reply::not_found(app_id),
    })
}

fn registration(c: &Ctx<'_>) -> Value {
    let t = c.t;
    let req = t.requested.clone().unwrap_or_default();
    json!({"id": APPLICATION_OBJECT_ID, "appId": APP_ID,
    "displayName": APP_NAME, "passwordCredentials": t.app_secrets,
    "keyCredentials": t.app_certificates, "requiredResourceAccess": [
        {"resourceAppId": "00000002-0000-0000-c000-000000000000",
         "resourceAccess": [{"id": "311a71cc-e848-46a1-bdf8-97ff7156d8e6", "type": "Scope"}]},
        {"resourceAppId": GRAPH_APP_ID, "resourceAccess":
            req.iter().map(|(id, kind)| json!({"id": id, "type": kind})).collect::<Vec<_>>()}
    ]})
}
