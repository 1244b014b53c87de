//! Directory roles — the service account's (active, through groups, eligible) and the app's
//! own — with their scope, and optional data Graph would not give, said as a finding.

use anyhow::Result;

use super::calls::{
    CALL_APP_ROLES, CALL_APP_ROLES_ELIGIBLE, CALL_ROLES_ACTIVE, CALL_ROLES_ELIGIBLE,
    CALL_ROLES_TRANSITIVE, CALL_SCOPE,
};
use crate::findings::Finding;
use crate::grants::{Assignment, DirectoryRole};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::{Call, GraphError};
use crate::graph::wire;

/// Role assignments of `principal_id` (`roleAssignments` or `roleEligibilitySchedules`), with
/// the role definition expanded.
async fn assignments(
    client: &GraphClient,
    path: &str,
    principal_id: &str,
    call: Call,
) -> Result<Vec<wire::RoleAssignment>, GraphError> {
    let url = client.url(
        path,
        &[
            (
                "$filter",
                &format!("principalId eq {}", odata_quote(principal_id)),
            ),
            ("$expand", "roleDefinition"),
        ],
    );
    client.get_all::<wire::RoleAssignment>(url, call).await
}

/// Role assignments as the domain sees them: the template id (a built-in role's definition id
/// is its template id), and the scope.
fn convert(list: Vec<wire::RoleAssignment>, assignment: Assignment) -> Vec<DirectoryRole> {
    list.into_iter()
        .map(|r| {
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
                directory_scope_id: r.directory_scope_id.filter(|s| s != "/"),
                scope_name: None,
            }
        })
        .collect()
}

/// The most administrative units whose names are read.
const MAX_SCOPES: usize = 20;

/// Names the administrative units that scoped roles apply to, where the auditing identity can
/// read them (a unit it cannot read keeps its id only).
async fn name_scopes(client: &GraphClient, roles: &mut [DirectoryRole]) {
    let mut units: Vec<String> = roles
        .iter()
        .filter_map(|r| r.directory_scope_id.as_deref())
        .filter_map(|s| s.strip_prefix("/administrativeUnits/"))
        .filter(|id| crate::permission::is_guid(id))
        .map(str::to_string)
        .collect();
    units.sort();
    units.dedup();
    units.truncate(MAX_SCOPES);
    let names = futures::future::join_all(units.iter().map(|id| {
        let url = client.url(
            &format!("/v1.0/directory/administrativeUnits/{id}"),
            &[("$select", "displayName")],
        );
        client.get_optional::<wire::AdministrativeUnit>(url, CALL_SCOPE)
    }))
    .await;
    for (id, name) in units.iter().zip(names) {
        let Ok(Some(unit)) = name else { continue };
        for r in roles.iter_mut() {
            if r.directory_scope_id.as_deref() == Some(&format!("/administrativeUnits/{id}")) {
                r.scope_name = unit.display_name.clone();
            }
        }
    }
}

/// Tenant-wide roles read as `directoryRole` objects (a transitive membership): those without a
/// `roleTemplateId` — the auditing identity may not read role objects — cannot be told apart,
/// and are counted, never dropped as if they were no role.
pub(super) fn identified(list: Vec<wire::DirectoryRole>) -> (Vec<(String, String)>, usize) {
    let mut unidentified = 0;
    let mut out = Vec::new();
    for r in list {
        match r.role_template_id.filter(|t| !t.trim().is_empty()) {
            Some(t) => {
                let t = t.to_ascii_lowercase();
                out.push((r.display_name.unwrap_or_else(|| t.clone()), t));
            }
            None => unidentified += 1,
        }
    }
    (out, unidentified)
}

/// The service account's directory roles: assigned to it directly (roleAssignments, with their
/// scope), held through a role-assignable group (its transitive directoryRole memberships,
/// tenant-wide), and PIM-eligible. A list that cannot be read is a note, not a failed audit: a
/// grant to ask for only when Graph denied the auditing identity (401/403), Graph's own words
/// otherwise.
pub(super) async fn directory_roles(
    client: &GraphClient,
    user_id: &str,
) -> Result<(Option<Vec<DirectoryRole>>, Vec<Finding>)> {
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
        assignments(
            client,
            "/v1.0/roleManagement/directory/roleAssignments",
            user_id,
            CALL_ROLES_ACTIVE
        ),
        client.get_all::<wire::DirectoryRole>(transitive_url, CALL_ROLES_TRANSITIVE),
        assignments(
            client,
            "/v1.0/roleManagement/directory/roleEligibilitySchedules",
            user_id,
            CALL_ROLES_ELIGIBLE
        ),
    );
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
            let (found, unidentified) = identified(list);
            if unidentified > 0 {
                notes.push(Finding::RolesUnidentified {
                    what: "Roles held through groups".into(),
                    count: unidentified,
                    needs: CALL_ROLES_ACTIVE.needs.to_string(),
                });
            }
            for (display_name, template_id) in found {
                let held = roles.iter().any(|x| {
                    x.assignment == Assignment::Active
                        && x.tenant_wide()
                        && x.template_id == template_id
                });
                if !held {
                    roles.push(DirectoryRole {
                        display_name,
                        template_id,
                        assignment: Assignment::Active,
                        directory_scope_id: None,
                        scope_name: None,
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
    name_scopes(client, &mut roles).await;
    roles.sort();
    roles.dedup();
    Ok((Some(roles), notes))
}

/// The directory roles assigned to the app's own service principal, active and eligible (some
/// backup products ask for roles such as User Administrator): a Tier-0 role there is as much a
/// path to Global Administrator as a Tier-0 application permission.
pub(super) async fn app_roles(
    client: &GraphClient,
    sp_id: &str,
) -> Result<(Option<Vec<DirectoryRole>>, Vec<Finding>)> {
    let (active, eligible) = tokio::join!(
        assignments(
            client,
            "/v1.0/roleManagement/directory/roleAssignments",
            sp_id,
            CALL_APP_ROLES
        ),
        assignments(
            client,
            "/v1.0/roleManagement/directory/roleEligibilitySchedules",
            sp_id,
            CALL_APP_ROLES_ELIGIBLE
        ),
    );
    let mut notes = Vec::new();
    let mut roles = match active {
        Ok(list) => convert(list, Assignment::Active),
        Err(e) => {
            notes.push(unreadable(e, "The directory roles of the app")?);
            return Ok((None, notes));
        }
    };
    match eligible {
        Ok(list) => roles.extend(convert(list, Assignment::Eligible)),
        Err(e) => notes.push(unreadable(
            e,
            "The directory roles the app is eligible for",
        )?),
    }
    name_scopes(client, &mut roles).await;
    roles.sort();
    roles.dedup();
    Ok((Some(roles), notes))
}

/// The finding for optional data Graph would not give. Denied (401/403): the permission to
/// grant. Any other refusal (400, 404, …): Graph's code, message and the request, never a
/// permission. Throttling, network failures and a blown deadline stay errors: the audit did not
/// complete.
pub(super) fn unreadable(e: GraphError, what: &str) -> Result<Finding> {
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
