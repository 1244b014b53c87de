//! Restore rights just in time: the Tier-0 application permissions only restore needs, granted
//! before a restore and revoked after it — two ready blocks, for az and PowerShell. The revoke
//! finds each assignment by its app role id, so it works after the grant made new ids.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{az_rest, graph_resource, id_of, ps, sh, GraphRequest, Target};
use crate::grants::Grants;
use crate::matrix::Matrix;
use crate::permission::{is_guid, PermissionType};

/// The restore window: what to grant before, and revoke after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JustInTime {
    /// Each Tier-0 application permission only restore needs, with its grant and revoke.
    pub permissions: Vec<JitPermission>,
    /// Before the restore: every grant, one command a line.
    pub grant: JitBlock,
    /// After the restore: every revoke, one command a line.
    pub revoke: JitBlock,
}

/// One permission of the restore window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitPermission {
    pub permission: String,
    pub app_role_id: String,
    /// Whether the app holds it now (a backup-only posture holds none).
    pub held: bool,
    /// The grant's request.
    pub grant: GraphRequest,
    /// The revoke's two requests: list the app's assignments, then delete the one whose
    /// `appRoleId` is this permission's (`{assignmentId}` in its URL).
    pub find: GraphRequest,
    pub delete: GraphRequest,
}

/// A block of commands to paste, for each shell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JitBlock {
    pub az_cli: Vec<String>,
    pub powershell: Vec<String>,
}

/// The restore window for the matrix's Tier-0 restore-only permissions. A permission whose id
/// is not a plain GUID (a tenant's catalog could say anything) is left out, with a note: no
/// tenant text reaches a pasted command unquoted.
pub(super) fn just_in_time(
    matrix: &Matrix,
    grants: &Grants,
    to: &Target<'_>,
    notes: &mut Vec<String>,
) -> JustInTime {
    let (graph, sp, resource, cloud) = (to.graph, to.sp, to.resource, to.cloud);
    let mut permissions = Vec::new();
    let mut grant = JitBlock {
        az_cli: Vec::new(),
        powershell: Vec::new(),
    };
    let mut revoke = grant.clone();
    let list_url = format!("{graph}/servicePrincipals/{sp}/appRoleAssignments");
    for name in matrix.restore_only_tier0() {
        let Some(role) = id_of(matrix, grants, name, PermissionType::Application, notes) else {
            continue;
        };
        if !is_guid(&role) {
            notes.push(format!(
                "{name}'s app role id `{role}` is not a GUID: it is left out of the just-in-time blocks."
            ));
            continue;
        }
        let post = GraphRequest {
            method: "POST".into(),
            url: list_url.clone(),
            body: Some(json!({"principalId": sp, "resourceId": resource, "appRoleId": role})),
        };
        grant.az_cli.push(az_rest(&post, cloud));
        grant.powershell.push(format!(
            "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {} -PrincipalId {} -ResourceId {} -AppRoleId {}",
            ps(sp), ps(sp), ps(resource), ps(&role)
        ));
        let res = sh(&graph_resource(cloud));
        revoke.az_cli.push(format!(
            "id=$(az rest --method GET --url {} --resource {res} --query {} --output tsv) && [ -n \"$id\" ] && az rest --method DELETE --url {}\"$id\" --resource {res}",
            sh(&list_url),
            sh(&format!("value[?appRoleId=='{role}'].id | [0]")),
            sh(&format!("{list_url}/")),
        ));
        revoke.powershell.push(format!(
            "Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {} -All | Where-Object {{ $_.AppRoleId -eq {} }} | ForEach-Object {{ Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {} -AppRoleAssignmentId $_.Id }}",
            ps(sp), ps(&role), ps(sp)
        ));
        permissions.push(JitPermission {
            permission: name.to_string(),
            held: grants
                .application
                .iter()
                .any(|a| a.permission.eq_ignore_ascii_case(name)),
            grant: post,
            find: GraphRequest {
                method: "GET".into(),
                url: list_url.clone(),
                body: None,
            },
            delete: GraphRequest {
                method: "DELETE".into(),
                url: format!("{list_url}/{{assignmentId}}"),
                body: None,
            },
            app_role_id: role,
        });
    }
    if !permissions.is_empty() {
        notes.push(
            "Just in time: run the grant block before a restore and the revoke block after it; between restores the app holds none of these permissions, and `audit --scope backup` checks that posture. The az revoke reads the first page of the app's assignments (PowerShell's -All reads every page)."
                .to_string(),
        );
    }
    JustInTime {
        permissions,
        grant,
        revoke,
    }
}
