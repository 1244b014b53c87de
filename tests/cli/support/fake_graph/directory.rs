//! The directory the fake serves: the tenant's identity, users and their roles, and the audit
//! log — with Graph's rule for advanced queries.

use serde_json::{json, Value};

use super::routes::Ctx;
use super::Reply;

/// An OData cast on a transitive relationship is an advanced query: without
/// `ConsistencyLevel: eventual` and `$count=true` Graph answers 400.
pub(super) fn advanced_query_rule(c: &Ctx<'_>) -> Option<Reply> {
    let path = c.path;
    if !(path.contains("/transitiveMemberOf/") || path.contains("/transitiveMembers/")) {
        return None;
    }
    let cast = path
        .rsplit('/')
        .next()
        .is_some_and(|s| s.starts_with("microsoft.graph."));
    if cast && c.consistency_level != Some("eventual") {
        return Some(Reply::error(
            400,
            "Request_UnsupportedQuery",
            "The specified filter to the reference property query is currently not supported.",
        ));
    }
    if cast && !c.count() {
        return Some(Reply::error(
            400,
            "Request_BadRequest",
            "$count is required for this query: add $count=true and ConsistencyLevel: eventual.",
        ));
    }
    None
}

/// `GET /auditLogs/directoryAudits` with Graph's filter:
/// `activityDateTime ge T and targetResources/any(t:t/id eq 'ID')`.
pub(super) fn audit_log(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/auditLogs/directoryAudits" {
        return None;
    }
    let filter = c.param("$filter");
    let since = filter
        .split("activityDateTime ge ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or("");
    let target = filter
        .split("t/id eq '")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or("");
    if since.is_empty() || target.is_empty() {
        return Some(Reply::error(400, "BadRequest", "Invalid filter clause"));
    }
    let items =
        c.t.audit_log
            .iter()
            .filter(|e| e["activityDateTime"].as_str().unwrap_or("") >= since)
            .filter(|e| {
                e["targetResources"]
                    .as_array()
                    .is_some_and(|ts| ts.iter().any(|r| r["id"] == target))
            })
            .cloned()
            .collect();
    Some(c.page(items))
}

/// `GET /organization`: the tenant id and its verified domains.
pub(super) fn organization(c: &Ctx<'_>) -> Option<Reply> {
    if c.path != "/v1.0/organization" {
        return None;
    }
    let t = c.t;
    // A token of one tenant's (`{token}-{domain}`, the benchmarks' many tenants) sees that
    // tenant's domain only, as each tenant's Graph would answer.
    let own = c
        .token
        .and_then(|k| k.strip_prefix(t.token.as_str()))
        .and_then(|k| k.strip_prefix('-'));
    let domains: Vec<&String> = match own {
        Some(d) if t.domains.iter().any(|x| x == d) => {
            t.domains.iter().filter(|x| *x == d).collect()
        }
        _ => t.domains.iter().collect(),
    };
    Some(
        c.page(vec![json!({"id": t.tenant_id, "displayName": "Contoso",
        "verifiedDomains": domains.iter().enumerate().map(|(i, d)| json!({
            "capabilities": "Email, OfficeCommunicationsOnline", "isDefault": i == 0,
            "isInitial": d.ends_with(".onmicrosoft.com"), "name": d, "type": "Managed"}))
            .collect::<Vec<_>>()})]),
    )
}

/// `GET /roleManagement/directory/roleAssignments` and `…/roleEligibilitySchedules`, filtered by
/// principal, with the role definition expanded.
pub(super) fn role_assignments(c: &Ctx<'_>) -> Option<Reply> {
    let eligible = match c.path {
        "/v1.0/roleManagement/directory/roleAssignments" => false,
        "/v1.0/roleManagement/directory/roleEligibilitySchedules" => true,
        _ => return None,
    };
    let filter = c.param("$filter");
    let scoped =
        c.t.scoped_roles
            .iter()
            .filter(|_| !eligible)
            .map(|(p, t, n, s)| (p, t, n, s.as_str()));
    let items =
        c.t.roles
            .iter()
            .filter(|(_, _, _, e)| *e == eligible)
            .map(|(p, t, n, _)| (p, t, n, "/"))
            .chain(scoped)
            .filter(|(principal, _, _, _)| filter == format!("principalId eq '{principal}'"))
            .map(|(principal, template, name, scope)| {
                json!({"id": format!("assignment-{template}"), "principalId": principal,
                   "directoryScopeId": scope, "roleDefinitionId": template,
                   "roleDefinition": {"id": template, "displayName": name,
                                      "templateId": template, "isBuiltIn": true}})
            })
            .collect();
    Some(c.page(items))
}

/// `GET /users/{id}/transitiveMemberOf/microsoft.graph.directoryRole`: roles held directly or
/// through a role-assignable group.
pub(super) fn user_roles(c: &Ctx<'_>) -> Option<Reply> {
    let user = c
        .path
        .strip_prefix("/v1.0/users/")?
        .strip_suffix("/transitiveMemberOf/microsoft.graph.directoryRole")?;
    let t = c.t;
    let items: Vec<Value> = t
        .roles
        .iter()
        .filter(|(u, _, _, eligible)| u == user && !eligible)
        .map(|(_, template, name, _)| (template, name))
        .chain(
            t.group_roles
                .iter()
                .filter(|(u, _, _)| u == user)
                .map(|(_, template, name)| (template, name)),
        )
        .map(|(template, name)| {
            if t.role_objects_unreadable {
                // What a reader who may not read role objects gets: the id and type only.
                json!({"@odata.type": "#microsoft.graph.directoryRole",
                       "id": format!("role-{template}"), "displayName": null,
                       "roleTemplateId": null})
            } else {
                json!({"@odata.type": "#microsoft.graph.directoryRole",
                       "id": format!("role-{template}"), "displayName": name,
                       "roleTemplateId": template})
            }
        })
        .collect();
    Some(c.page(items))
}

/// `GET /users/{id or UPN}`.
pub(super) fn user(c: &Ctx<'_>) -> Option<Reply> {
    let user = c.path.strip_prefix("/v1.0/users/")?;
    Some(
        match c
            .t
            .users
            .iter()
            .find(|(id, upn)| id == user || upn.eq_ignore_ascii_case(user))
        {
            Some((id, upn)) => Reply::json(
                200,
                json!({"id": id, "userPrincipalName": upn, "displayName": "Backup service"}),
            ),
            // The app's owners are users of the tenant too.
            None => match c
                .t
                .owners
                .iter()
                .find(|(id, _, is_sp)| id == user && !is_sp)
            {
                Some((id, upn, _)) => Reply::json(
                    200,
                    json!({"id": id, "userPrincipalName": upn, "displayName": upn}),
                ),
                None => Reply::not_found(user),
            },
        },
    )
}

/// `GET /directory/administrativeUnits/{id}`.
pub(super) fn administrative_unit(c: &Ctx<'_>) -> Option<Reply> {
    let id = c
        .path
        .strip_prefix("/v1.0/directory/administrativeUnits/")?;
    Some(match c.t.admin_units.iter().find(|(u, _)| u == id) {
        Some((id, name)) => Reply::json(200, json!({"id": id, "displayName": name})),
        None => Reply::not_found(id),
    })
}
