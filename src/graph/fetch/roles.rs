//! The service account's directory roles (active, through groups, eligible), and optional data
//! Graph would not give, said as a finding.

use anyhow::Result;

use super::calls::{CALL_ROLES_ACTIVE, CALL_ROLES_ELIGIBLE, CALL_ROLES_TRANSITIVE};
use crate::findings::Finding;
use crate::grants::{Assignment, DirectoryRole};
use crate::graph::client::{odata_quote, GraphClient};
use crate::graph::error::GraphError;
use crate::graph::wire;

/// The service account's directory roles: assigned to it directly (roleAssignments), held through
/// a role-assignable group (its transitive directoryRole memberships), and PIM-eligible. A list
/// that cannot be read is a note, not a failed audit: a grant to ask for only when Graph denied
/// the auditing identity (401/403), Graph's own words otherwise.
pub(super) async fn directory_roles(
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
