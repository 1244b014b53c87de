//! What the tenant has granted the backup app: the domain model the diff reads, whether it came
//! from Microsoft Graph, a snapshot file or a token's own claims.

use serde::{Deserialize, Serialize};

use crate::cli::Cloud;
use crate::matrix::PermissionType;

/// Where the grants were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Graph,
    Snapshot,
    Token,
}

/// The application being audited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppIdentity {
    pub app_id: Option<String>,
    pub service_principal_id: Option<String>,
    pub display_name: Option<String>,
}

/// How a delegated permission was consented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Consent {
    /// Admin consent for every user of the tenant.
    AllPrincipals,
    /// Consent for one user only.
    Principal,
}

/// An application permission (app role) of Microsoft Graph held by the service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppRoleGrant {
    pub permission: String,
    pub app_role_id: Option<String>,
    /// When it was granted, where Graph says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// A delegated permission (scope) of Microsoft Graph consented for the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DelegatedGrant {
    pub permission: String,
    pub consent: Consent,
    /// The user, for `Principal` consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

/// A permission the app registration requests (`requiredResourceAccess`) of Microsoft Graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Requested {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
}

/// A grant to an API other than Microsoft Graph: listed, never counted as excess.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OtherGrant {
    pub resource: String,
    pub resource_id: String,
    /// The permission's name where known, else its id.
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
}

/// A grant whose id neither the tenant's Graph catalog nor the matrix knows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnresolvedGrant {
    pub id: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
}

/// The user that delegated permissions act through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccount {
    pub id: String,
    pub user_principal_name: Option<String>,
}

/// Everything the audit knows about what the app was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grants {
    pub tenant_id: Option<String>,
    pub cloud: Cloud,
    pub app: AppIdentity,
    /// Microsoft Graph app roles granted to the service principal.
    pub application: Vec<AppRoleGrant>,
    /// Microsoft Graph delegated grants.
    pub delegated: Vec<DelegatedGrant>,
    /// What the app registration requests, when it is registered in this tenant (`None`: unknown).
    pub requested: Option<Vec<Requested>>,
    #[serde(default)]
    pub other_resources: Vec<OtherGrant>,
    #[serde(default)]
    pub unresolved: Vec<UnresolvedGrant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<ServiceAccount>,
    /// Things the reader should know about how the grants were read.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Grants {
    /// An empty set of grants for an app, to fill in.
    pub fn new(cloud: Cloud, app: AppIdentity) -> Grants {
        Grants {
            tenant_id: None,
            cloud,
            app,
            application: Vec::new(),
            delegated: Vec::new(),
            requested: None,
            other_resources: Vec::new(),
            unresolved: Vec::new(),
            service_account: None,
            notes: Vec::new(),
        }
    }
}
