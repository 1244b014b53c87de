//! Microsoft Graph wire types: the JSON shapes of the responses the audit reads. Lenient: unknown
//! fields are ignored (Graph adds fields freely) and optional ones may be absent or null.

use serde::Deserialize;

/// One page of a collection. `value` is required: a 200 answer without it (`{}`, an error
/// envelope) is unreadable, never an empty list.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

/// The error envelope: `{"error": {"code", "message", "innerError": {"request-id"}}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "innerError")]
    pub inner_error: Option<InnerError>,
}

#[derive(Debug, Deserialize)]
pub struct InnerError {
    #[serde(rename = "request-id")]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    pub display_name: Option<String>,
    pub app_owner_organization_id: Option<String>,
    #[serde(default)]
    pub password_credentials: Vec<Credential>,
    #[serde(default)]
    pub key_credentials: Vec<Credential>,
}

/// A client secret (passwordCredential) or a certificate (keyCredential); never its value.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    pub end_date_time: Option<String>,
    /// For keyCredentials: `Verify` (a certificate to sign in with) or `Sign`.
    pub usage: Option<String>,
}

/// An owner of the app or its service principal: a user or a service principal.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    #[serde(rename = "@odata.type")]
    pub odata_type: Option<String>,
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
}

/// The tenant's Microsoft Graph service principal with its permission catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCatalog {
    pub id: String,
    #[serde(default)]
    pub app_roles: Vec<CatalogEntry>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<CatalogEntry>,
}

/// An app role or a delegated scope: its id and its value (the permission name).
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogEntry {
    pub id: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: Option<String>,
    /// The service principal holding the role (must be the audited app's).
    pub principal_id: Option<String>,
    pub app_role_id: String,
    pub resource_id: String,
    pub resource_display_name: Option<String>,
    pub created_date_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2PermissionGrant {
    pub id: Option<String>,
    /// The client service principal the grant is for (must be the audited app's).
    pub client_id: Option<String>,
    pub consent_type: Option<String>,
    pub principal_id: Option<String>,
    pub resource_id: String,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The registration's object id (its navigations, when the alternate key is refused).
    #[serde(default)]
    pub id: Option<String>,
    pub app_id: Option<String>,
    #[serde(default)]
    pub required_resource_access: Vec<RequiredResourceAccess>,
    #[serde(default)]
    pub password_credentials: Vec<Credential>,
    #[serde(default)]
    pub key_credentials: Vec<Credential>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    pub resource_app_id: String,
    #[serde(default)]
    pub resource_access: Vec<ResourceAccess>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceAccess {
    pub id: String,
    /// "Role" (application permission) or "Scope" (delegated).
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub user_principal_name: Option<String>,
}

/// A directory role assignment or eligibility, with its role definition expanded.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub role_definition_id: Option<String>,
    /// `/` for the whole tenant, `/administrativeUnits/{id}` or an object's path when scoped.
    #[serde(default)]
    pub directory_scope_id: Option<String>,
    pub role_definition: Option<RoleDefinition>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    pub display_name: Option<String>,
    pub template_id: Option<String>,
}

/// A directory role the user is a member of (directly or through a group).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    pub display_name: Option<String>,
    pub role_template_id: Option<String>,
}

/// The tenant itself (`GET /organization`): which tenant was read, and its domains.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VerifiedDomain {
    pub name: Option<String>,
}

/// An entry of the directory audit log (`GET /auditLogs/directoryAudits`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryAudit {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    pub activity_display_name: Option<String>,
    pub activity_date_time: Option<String>,
    pub result: Option<String>,
    pub initiated_by: Option<InitiatedBy>,
    #[serde(default)]
    pub target_resources: Vec<TargetResource>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiatedBy {
    pub user: Option<AuditUser>,
    pub app: Option<AuditApp>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditUser {
    pub user_principal_name: Option<String>,
    pub display_name: Option<String>,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditApp {
    pub display_name: Option<String>,
    pub app_id: Option<String>,
    pub service_principal_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResource {
    pub id: Option<String>,
    #[serde(default)]
    pub modified_properties: Vec<ModifiedProperty>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifiedProperty {
    pub display_name: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// A federated identity credential of an app registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedIdentityCredential {
    pub id: String,
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    /// A flexible credential: `{"value": "claims['sub'] matches '…'", "languageVersion": 1}`.
    #[serde(default)]
    pub claims_matching_expression: Option<ClaimsMatchingExpression>,
    #[serde(default)]
    pub audiences: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsMatchingExpression {
    pub value: Option<String>,
}

/// An administrative unit (a role assignment's scope).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdministrativeUnit {
    pub display_name: Option<String>,
}
