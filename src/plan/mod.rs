//! `plan`: from an audit's gaps to the exact ways to close them — the admin-consent URL, the
//! Microsoft Graph requests (as `az rest` and Microsoft Graph PowerShell commands) and the
//! `requiredResourceAccess` fragment. Pure: the tool never runs them; the admin reviews them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::{Report, Status};
use crate::cloud::Cloud;
use crate::grants::{AppIdentity, Consent, Grants};
use crate::matrix::{Matrix, Purpose};
use crate::permission::PermissionType;

/// Shown where the plan needs an id the source did not provide (e.g. a token audit).
pub const SP_PLACEHOLDER: &str = "<service-principal-id>";
pub const GRAPH_PLACEHOLDER: &str = "<microsoft-graph-service-principal-id>";

/// One HTTP request to Microsoft Graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphRequest {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// Assign one application permission (app role) to the service principal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleStep {
    pub permission: String,
    /// Why: the requirement's status in the audit.
    pub status: Status,
    pub objects: Vec<String>,
    pub purposes: Vec<Purpose>,
    pub app_role_id: String,
    pub request: GraphRequest,
    pub az_cli: String,
    pub powershell: String,
}

/// Add delegated permissions to the admin-consented (AllPrincipals) grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegatedStep {
    /// The permissions added, with the status that made each necessary.
    pub add: Vec<(String, Status)>,
    /// The grant's whole scope string after the change.
    pub scope: String,
    /// `PATCH` an existing admin-consent grant, or `POST` a new one.
    pub request: GraphRequest,
    pub az_cli: String,
    pub powershell: String,
}

/// Remove an application permission the app does not need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveStep {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<GraphRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub az_cli: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub powershell: Option<String>,
}

/// The remediation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub schema_version: u32,
    pub tenant_id: Option<String>,
    pub cloud: Cloud,
    pub app: AppIdentity,
    pub graph_resource_id: Option<String>,
    /// Grants everything the app registration requests, for the whole tenant.
    pub admin_consent_url: Option<String>,
    /// How to sign in to run the commands.
    pub connect: Connect,
    pub application: Vec<AppRoleStep>,
    pub delegated: Option<DelegatedStep>,
    /// The Microsoft Graph entry of the app manifest's `requiredResourceAccess` that requests
    /// every permission in scope.
    pub required_resource_access: Value,
    /// Granted but not needed: candidates for removal.
    pub remove: Vec<RemoveStep>,
    /// Restore rights just in time (`None`: not asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub just_in_time: Option<JustInTime>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connect {
    pub az_cli: String,
    pub powershell: String,
}

fn ps_environment(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Global => "Global",
        Cloud::Usgov => "USGov",
        Cloud::UsgovDod => "USGovDoD",
        Cloud::China => "China",
    }
}

fn az_cloud(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Global => "AzureCloud",
        Cloud::Usgov | Cloud::UsgovDod => "AzureUSGovernment",
        Cloud::China => "AzureChinaCloud",
    }
}

/// Quote for a POSIX shell (single quotes).
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Quote for PowerShell (single quotes). PowerShell also takes the typographic single quotes
/// (U+2018 to U+201B) as quotes, so every one of them is doubled too.
fn ps(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The Microsoft Graph resource of a cloud, for `az rest --resource`: az attaches a token only
/// to URLs it recognises as the current cloud's Graph, which in US Gov DoD it does not.
fn graph_resource(cloud: Cloud) -> String {
    format!("https://{}", cloud.graph_host())
}

fn az_rest(req: &GraphRequest, cloud: Cloud) -> String {
    let mut cmd = format!(
        "az rest --method {} --url {} --resource {}",
        req.method,
        sh(&req.url),
        sh(&graph_resource(cloud))
    );
    if let Some(body) = &req.body {
        cmd.push_str(&format!(
            " --headers Content-Type=application/json --body {}",
            sh(&body.to_string())
        ));
    }
    cmd
}

/// The id of `name` as type `t`: the tenant's (from its Graph catalog), else the matrix's, with a
/// note when the tenant's catalog was read but lacks it.
fn id_of(
    matrix: &Matrix,
    grants: &Grants,
    name: &str,
    t: PermissionType,
    notes: &mut Vec<String>,
) -> Option<String> {
    let tenant = grants
        .catalog
        .iter()
        .find(|c| c.ptype == t && c.permission.eq_ignore_ascii_case(name))
        .map(|c| c.id.clone());
    tenant.or_else(|| {
        let id = matrix.id_of(name, t)?.to_string();
        if !grants.catalog.is_empty() {
            notes.push(format!(
                "{name} ({t}) is not in this tenant's Microsoft Graph catalog; the plan uses the matrix's id {id}, which Graph may not accept here yet."
            ));
        }
        Some(id)
    })
}

/// Build the plan for the gaps of `report`.
pub fn plan(matrix: &Matrix, grants: &Grants, report: &Report, cloud: Cloud) -> Plan {
    build(matrix, grants, report, cloud, false)
}

/// The plan with restore rights just in time: the Tier-0 application permissions only restore
/// needs are not granted for good but in a grant block to run before a restore and a revoke
/// block to run after it.
pub fn plan_just_in_time(matrix: &Matrix, grants: &Grants, report: &Report, cloud: Cloud) -> Plan {
    build(matrix, grants, report, cloud, true)
}

fn build(
    matrix: &Matrix,
    grants: &Grants,
    report: &Report,
    cloud: Cloud,
    just_in_time: bool,
) -> Plan {
    let graph = format!("https://{}/v1.0", cloud.graph_host());
    let mut notes = Vec::new();
    let sp = grants.app.service_principal_id.clone().unwrap_or_else(|| {
        notes.push(format!(
            "The service principal's object id is not known here: replace {SP_PLACEHOLDER} (run `plan --app` against the tenant to have it filled in)."
        ));
        SP_PLACEHOLDER.to_string()
    });
    let resource = grants.graph_resource_id.clone().unwrap_or_else(|| {
        notes.push(format!(
            "Microsoft Graph's service principal id in this tenant is not known here: replace {GRAPH_PLACEHOLDER} (GET /v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000'))."
        ));
        GRAPH_PLACEHOLDER.to_string()
    });
    let to = Target {
        graph: &graph,
        sp: &sp,
        resource: &resource,
        cloud,
    };
    let (mut application, delegated_add) = grant_steps(matrix, grants, report, &to, &mut notes);
    let just_in_time = just_in_time.then(|| {
        let window = matrix.restore_only_tier0();
        application.retain(|s| !window.iter().any(|w| w.eq_ignore_ascii_case(&s.permission)));
        just_in_time::just_in_time(matrix, grants, &to, &mut notes)
    });
    let added: Vec<String> = delegated_add.iter().map(|(p, _)| p.clone()).collect();
    let delegated = delegated_step(grants, report, delegated_add, &to);
    let resource_access = resource_access(matrix, grants, report, &mut notes);
    let remove = remove_steps(grants, report, &added, &to);
    let tenant = grants.tenant_id.clone();
    let (admin_consent_url, connect) = consent_and_connect(grants, cloud);
    notes.sort();
    notes.dedup();
    Plan {
        schema_version: 1,
        tenant_id: tenant,
        cloud,
        app: grants.app.clone(),
        graph_resource_id: grants.graph_resource_id.clone(),
        admin_consent_url,
        connect,
        application,
        delegated,
        required_resource_access: json!({
            "resourceAppId": crate::cloud::GRAPH_APP_ID,
            "resourceAccess": resource_access,
        }),
        remove,
        just_in_time,
        notes,
    }
}

/// Where the plan's requests go: Graph's base URL, the app's and Graph's service principals.
struct Target<'a> {
    graph: &'a str,
    sp: &'a str,
    resource: &'a str,
    cloud: Cloud,
}

/// One app role assignment per application permission to grant, and the delegated scopes to add.
fn grant_steps(
    matrix: &Matrix,
    grants: &Grants,
    report: &Report,
    to: &Target<'_>,
    notes: &mut Vec<String>,
) -> (Vec<AppRoleStep>, Vec<(String, Status)>) {
    let (graph, sp, resource, cloud) = (to.graph, to.sp, to.resource, to.cloud);
    let mut application = Vec::new();
    let mut delegated_add: Vec<(String, Status)> = Vec::new();
    for gap in &report.missing {
        let as_app = matches!(gap.ptype, PermissionType::Application | PermissionType::Any);
        if as_app {
            let Some(role) = id_of(
                matrix,
                grants,
                &gap.permission,
                PermissionType::Application,
                notes,
            ) else {
                continue;
            };
            let request = GraphRequest {
                method: "POST".into(),
                url: format!("{graph}/servicePrincipals/{sp}/appRoleAssignments"),
                body: Some(json!({"principalId": sp, "resourceId": resource, "appRoleId": role})),
            };
            application.push(AppRoleStep {
                permission: gap.permission.clone(),
                status: gap.status,
                objects: gap.objects.clone(),
                purposes: gap.purposes.clone(),
                az_cli: az_rest(&request, cloud),
                powershell: format!(
                    "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {} -PrincipalId {} -ResourceId {} -AppRoleId {}",
                    ps(sp), ps(sp), ps(resource), ps(&role)
                ),
                app_role_id: role,
                request,
            });
            if gap.ptype == PermissionType::Any {
                notes.push(format!(
                    "{} may be granted as either type; the plan grants it as an application permission.",
                    gap.permission
                ));
            }
        } else if !delegated_add.iter().any(|(p, _)| p == &gap.permission) {
            delegated_add.push((gap.permission.clone(), gap.status));
        }
    }

    (application, delegated_add)
}

/// The delegated scopes to add: a PATCH of the existing admin-consent grant, or a new one.
fn delegated_step(
    grants: &Grants,
    report: &Report,
    delegated_add: Vec<(String, Status)>,
    to: &Target<'_>,
) -> Option<DelegatedStep> {
    let (graph, sp, resource, cloud) = (to.graph, to.sp, to.resource, to.cloud);
    (!delegated_add.is_empty()).then(|| {
        // The existing admin-consent grant to Microsoft Graph, if any.
        let existing_id = admin_grant_id(grants);
        let mut scopes: Vec<String> = match &existing_id {
            Some(id) => grants
                .delegated
                .iter()
                .filter(|d| d.grant_id.as_deref() == Some(id))
                // What the plan removes is never added back.
                .filter(|d| !not_needed_scope(report, &d.permission))
                .map(|d| d.permission.clone())
                .collect(),
            None => Vec::new(),
        };
        for (p, _) in &delegated_add {
            if !scopes.iter().any(|s| s.eq_ignore_ascii_case(p)) {
                scopes.push(p.clone());
            }
        }
        let scope = scopes.join(" ");
        let (request, powershell) = match &existing_id {
            Some(id) => (
                GraphRequest {
                    method: "PATCH".into(),
                    url: format!("{graph}/oauth2PermissionGrants/{id}"),
                    body: Some(json!({"scope": scope})),
                },
                format!(
                    "Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId {} -Scope {}",
                    ps(id),
                    ps(&scope)
                ),
            ),
            None => (
                GraphRequest {
                    method: "POST".into(),
                    url: format!("{graph}/oauth2PermissionGrants"),
                    body: Some(json!({"clientId": sp, "consentType": "AllPrincipals",
                                      "resourceId": resource, "scope": scope})),
                },
                format!(
                    "New-MgOauth2PermissionGrant -ClientId {} -ConsentType 'AllPrincipals' -ResourceId {} -Scope {}",
                    ps(sp),
                    ps(resource),
                    ps(&scope)
                ),
            ),
        };
        DelegatedStep {
            add: delegated_add,
            scope,
            az_cli: az_rest(&request, cloud),
            request,
            powershell,
        }
    })
}

/// The `requiredResourceAccess` entries for everything in scope.
fn resource_access(
    matrix: &Matrix,
    grants: &Grants,
    report: &Report,
    notes: &mut Vec<String>,
) -> Vec<Value> {
    let mut resource_access: Vec<Value> = Vec::new();
    let in_scope = |p: &[Purpose]| report.scope.includes(p);
    for row in matrix.permissions.iter().filter(|r| in_scope(&r.purposes)) {
        let (t, kind) = match row.ptype {
            PermissionType::Delegated => (PermissionType::Delegated, "Scope"),
            _ => (PermissionType::Application, "Role"),
        };
        if let Some(id) = id_of(matrix, grants, &row.name, t, notes) {
            let entry = json!({"id": id, "type": kind});
            if !resource_access.contains(&entry) {
                resource_access.push(entry);
            }
        }
    }

    resource_access
}

/// The removal of each grant not needed.
/// Whether `scope` is a delegated grant not needed (one the plan removes).
fn not_needed_scope(report: &Report, scope: &str) -> bool {
    report
        .excess
        .iter()
        .any(|e| e.ptype == PermissionType::Delegated && e.permission.eq_ignore_ascii_case(scope))
}

/// The admin-consent grant the plan adds delegated scopes to, if there is one.
fn admin_grant_id(grants: &Grants) -> Option<String> {
    grants
        .delegated
        .iter()
        .find(|d| d.consent == Consent::AllPrincipals && d.grant_id.is_some())
        .and_then(|d| d.grant_id.clone())
}

fn remove_steps(
    grants: &Grants,
    report: &Report,
    added: &[String],
    to: &Target<'_>,
) -> Vec<RemoveStep> {
    report
        .excess
        .iter()
        .map(|e| match e.ptype {
            PermissionType::Delegated => remove_scope(grants, report, e, added, to),
            _ => remove_app_role(grants, e, to),
        })
        .collect()
}

/// The DELETE of an application permission's assignment.
fn remove_app_role(grants: &Grants, e: &crate::audit::Excess, to: &Target<'_>) -> RemoveStep {
    let (graph, sp, cloud) = (to.graph, to.sp, to.cloud);
    let assignment = grants
        .application
        .iter()
        .find(|a| a.permission == e.permission)
        .and_then(|a| a.assignment_id.clone());
    let request = assignment.as_ref().map(|id| GraphRequest {
        method: "DELETE".into(),
        url: format!("{graph}/servicePrincipals/{sp}/appRoleAssignments/{id}"),
        body: None,
    });
    RemoveStep {
        permission: e.permission.clone(),
        ptype: e.ptype,
        az_cli: request.as_ref().map(|r| az_rest(r, cloud)),
        powershell: assignment.map(|id| {
            format!(
                "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId {} -AppRoleAssignmentId {}",
                ps(sp),
                ps(&id)
            )
        }),
        request,
    }
}

/// A delegated scope not needed: the PATCH of its grant with every scope not needed taken out
/// and, on the grant the plan adds to, the scopes it adds kept — so every PATCH of one grant
/// writes the same final scope, whichever runs first — or the DELETE of the grant when nothing
/// would remain.
fn remove_scope(
    grants: &Grants,
    report: &Report,
    e: &crate::audit::Excess,
    added: &[String],
    to: &Target<'_>,
) -> RemoveStep {
    let (graph, cloud) = (to.graph, to.cloud);
    let grant_id = grants
        .delegated
        .iter()
        .find(|d| d.permission.eq_ignore_ascii_case(&e.permission) && d.grant_id.is_some())
        .and_then(|d| d.grant_id.clone());
    let Some(id) = grant_id else {
        return RemoveStep {
            permission: e.permission.clone(),
            ptype: e.ptype,
            request: None,
            az_cli: None,
            powershell: None,
        };
    };
    let mut remaining: Vec<String> = grants
        .delegated
        .iter()
        .filter(|d| d.grant_id.as_deref() == Some(id.as_str()))
        .filter(|d| !not_needed_scope(report, &d.permission))
        .map(|d| d.permission.clone())
        .collect();
    if admin_grant_id(grants).as_deref() == Some(id.as_str()) {
        for a in added {
            if !remaining.iter().any(|r| r.eq_ignore_ascii_case(a)) {
                remaining.push(a.clone());
            }
        }
    }
    let url = format!("{graph}/oauth2PermissionGrants/{id}");
    let (request, powershell) = if remaining.is_empty() {
        (
            GraphRequest {
                method: "DELETE".into(),
                url,
                body: None,
            },
            format!(
                "Remove-MgOauth2PermissionGrant -OAuth2PermissionGrantId {}",
                ps(&id)
            ),
        )
    } else {
        let scope = remaining.join(" ");
        (
            GraphRequest {
                method: "PATCH".into(),
                url,
                body: Some(json!({"scope": scope})),
            },
            format!(
                "Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId {} -Scope {}",
                ps(&id),
                ps(&scope)
            ),
        )
    };
    RemoveStep {
        permission: e.permission.clone(),
        ptype: e.ptype,
        az_cli: Some(az_rest(&request, cloud)),
        powershell: Some(powershell),
        request: Some(request),
    }
}

/// The admin-consent URL and the sign-in commands, for the tenant.
fn consent_and_connect(grants: &Grants, cloud: Cloud) -> (Option<String>, Connect) {
    let tenant = grants.tenant_id.clone();
    let admin_consent_url = grants.app.app_id.as_ref().map(|app| {
        // Each part percent-encoded (everything but letters, digits and `-._*`): the URL is
        // clicked, and pasted into shells.
        let enc = |v: &str| {
            url::form_urlencoded::byte_serialize(v.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        format!(
            "https://{}/{}/adminconsent?client_id={}",
            cloud.login_host(),
            enc(tenant.as_deref().unwrap_or("organizations")),
            enc(app)
        )
    });
    let tenant_arg = tenant
        .as_deref()
        .map(|t| format!(" --tenant {}", sh(t)))
        .unwrap_or_default();
    let connect = Connect {
        az_cli: format!(
            "az cloud set --name {} && az login --allow-no-subscriptions{tenant_arg}",
            az_cloud(cloud)
        ),
        powershell: format!(
            "Connect-MgGraph -Environment {}{} -Scopes 'Application.Read.All','AppRoleAssignment.ReadWrite.All','DelegatedPermissionGrant.ReadWrite.All'",
            ps_environment(cloud),
            tenant
                .as_deref()
                .map(|t| format!(" -TenantId {}", ps(t)))
                .unwrap_or_default()
        ),
    };
    (admin_consent_url, connect)
}

impl Plan {
    /// The `requiredResourceAccess` entry as compact JSON, one permission a line.
    pub fn required_resource_access_json(&self) -> String {
        let entries: Vec<String> = self.required_resource_access["resourceAccess"]
            .as_array()
            .map(|a| a.iter().map(|e| format!("    {e}")).collect())
            .unwrap_or_default();
        format!(
            "{{\n  \"resourceAppId\": \"{}\",\n  \"resourceAccess\": [\n{}\n  ]\n}}",
            crate::cloud::GRAPH_APP_ID,
            entries.join(",\n")
        )
    }

    /// Whether there is anything to grant (for good, or just in time).
    pub fn is_empty(&self) -> bool {
        self.application.is_empty()
            && self.delegated.is_none()
            && self
                .just_in_time
                .as_ref()
                .is_none_or(|j| j.permissions.is_empty())
    }
}

mod just_in_time;
#[cfg(test)]
mod tests;

pub use just_in_time::{JitBlock, JitPermission, JustInTime};
