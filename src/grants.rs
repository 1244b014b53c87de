//! What the tenant has granted the backup app: the domain model the diff reads, whether it came
//! from Microsoft Graph, a snapshot file or a token's own claims.

use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::error::Error;
use crate::findings::Finding;
use crate::permission::PermissionType;
use crate::token::Claims;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    /// The id of the app role assignment (to remove it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
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
    /// The id of the oauth2PermissionGrant holding it (to change its scopes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
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
    /// Its directory roles; `None` when they could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<DirectoryRole>>,
    /// Why the roles, or the eligible ones, could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// The same in words, from snapshots written before findings had codes (read, never written).
    #[serde(default, skip_serializing)]
    pub role_notes: Vec<String>,
}

/// How a directory role is held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assignment {
    #[default]
    Active,
    /// PIM-eligible: the user must activate it first.
    Eligible,
}

/// A directory role of the service account or of the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectoryRole {
    pub display_name: String,
    pub template_id: String,
    pub assignment: Assignment,
    /// Where it applies (`directoryScopeId`): absent or `/` for the whole tenant, else e.g.
    /// `/administrativeUnits/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_scope_id: Option<String>,
    /// The administrative unit's name, where it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_name: Option<String>,
}

impl DirectoryRole {
    /// Whether it applies to the whole tenant (a scoped assignment never counts as tenant-wide).
    pub fn tenant_wide(&self) -> bool {
        self.directory_scope_id.as_deref().is_none_or(|s| s == "/")
    }

    /// Whether it is an active, tenant-wide Global Administrator assignment.
    pub fn is_global_administrator(&self, assignment: Assignment) -> bool {
        self.assignment == assignment
            && self.tenant_wide()
            && self
                .template_id
                .eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR_TEMPLATE_ID)
    }
}

/// One change the directory audit log records to the app's grants: who added or removed which
/// permissions, when — the app matched by a target id, `ServicePrincipal.ObjectID` or a
/// `correlationId` shared with its "Consent to application"; the permissions the difference of the
/// record's old and new lists. A "Consent to application" record names none (`permissions` empty,
/// no `type`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditEntry {
    /// e.g. "Add app role assignment to service principal".
    pub activity: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who initiated it: the user's principal name (or id), or the app's name and id — never a
    /// service's display name.
    pub by: String,
    /// The permissions it names (an app role's value, a delegated grant's scopes); empty when
    /// the entry does not say (e.g. "Consent to application").
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Application (app role assignment) or Delegated (delegated grant); none for consent.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ptype: Option<PermissionType>,
    /// Whether it added (true) or removed (false) the permissions.
    pub added: bool,
    /// The transaction it belongs to (an amendment writes Remove, Add and Consent under one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

/// Who can become the app: its credentials and the owners who could add one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSecurity {
    /// Credentials of the app registration (`None`: not read, e.g. it lives in another tenant)
    /// and of the service principal.
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// The owners of the app registration and of the service principal (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<Owner>>,
    /// Whether the app registration (and so its credentials and owners) is in this tenant.
    pub registration_here: bool,
    /// The registration's object id (PowerShell's `-ApplicationId`), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_object_id: Option<String>,
    /// The registration's federated identity credentials: who outside can sign in as the app
    /// without a secret (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub federated_credentials: Option<Vec<FederatedCredential>>,
    /// The directory roles held by the app's service principal itself (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<DirectoryRole>>,
}

/// A federated identity credential of the app registration: tokens of `issuer` whose subject
/// matches sign in as the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FederatedCredential {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A flexible credential's expression in place of a subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_matching_expression: Option<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
}

/// A credential of the app (never its value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Credential {
    /// `application` or `servicePrincipal`.
    pub on: String,
    /// `secret` or `certificate`.
    pub kind: String,
    /// The id to remove it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
}

/// An owner of the app registration or the service principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Owner {
    pub id: String,
    /// `user` or `servicePrincipal` (or another directory object type).
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// Of `application` or `servicePrincipal` (or both).
    pub of: Vec<String>,
    /// The Tier-0 directory roles the owner holds (`None`: not read); an owner without one is
    /// not an administrator, yet can add a credential to the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier0_roles: Option<Vec<String>>,
}

/// The template id of the Global Administrator role (the same in every tenant).
pub const GLOBAL_ADMINISTRATOR_TEMPLATE_ID: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The id of a matrix permission in the tenant's Microsoft Graph catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogId {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub id: String,
}

/// Everything the audit knows about what the app was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Grants {
    pub tenant_id: Option<String>,
    /// The organization's display name (`/organization`), where it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_name: Option<String>,
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
    /// The object id of Microsoft Graph's service principal in this tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graph_resource_id: Option<String>,
    /// The tenant's own ids for the matrix's permissions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalog: Vec<CatalogId>,
    /// Who can become the app (`None`: not read, e.g. from a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_security: Option<AppSecurity>,
    /// The directory audit log's entries about the app's grants (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_log: Option<Vec<AuditEntry>>,
    /// When they were read (RFC 3339): now for Graph, the snapshot's `takenAt`, a token's `iat`.
    /// Not written into a snapshot (its `takenAt` says it).
    #[serde(skip)]
    pub read_at: Option<String>,
    /// Things the reader should know about how the grants were read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// The same in words, from snapshots written before findings had codes (read, never written).
    #[serde(default, skip_serializing)]
    pub notes: Vec<String>,
}

impl Grants {
    /// An empty set of grants for an app, to fill in.
    pub fn new(cloud: Cloud, app: AppIdentity) -> Grants {
        Grants {
            tenant_id: None,
            tenant_name: None,
            cloud,
            app,
            application: Vec::new(),
            delegated: Vec::new(),
            requested: None,
            other_resources: Vec::new(),
            unresolved: Vec::new(),
            service_account: None,
            graph_resource_id: None,
            catalog: Vec::new(),
            app_security: None,
            audit_log: None,
            read_at: None,
            findings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The time now, RFC 3339 in UTC to the second, for `read_at`.
    pub fn now() -> String {
        let now = azure_core::time::OffsetDateTime::now_utc();
        azure_core::time::to_rfc3339(&now.replace_nanosecond(0).unwrap_or(now))
    }

    /// Notes in words from an older snapshot become findings (code `note`).
    pub fn adopt_legacy_notes(&mut self) {
        let notes = std::mem::take(&mut self.notes);
        self.findings
            .extend(notes.into_iter().map(Finding::from_legacy));
        if let Some(sa) = &mut self.service_account {
            let notes = std::mem::take(&mut sa.role_notes);
            sa.findings
                .extend(notes.into_iter().map(Finding::from_legacy));
        }
    }
}

/// What a value from a snapshot must look like before it may reach a printed command.
#[derive(Clone, Copy)]
enum Shape {
    /// An object id, app id or role id.
    Guid,
    /// A tenant id or a domain name.
    Tenant,
    /// Graph's grant and assignment ids: base64url.
    GraphKey,
    /// A permission (claim value): letters, digits, `.`, `_`, `-`.
    Permission,
}

fn fits(value: &str, shape: Shape) -> bool {
    let domain = |v: &str| {
        v.len() <= 253
            && v.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    match shape {
        Shape::Guid => crate::permission::is_guid(value),
        Shape::Tenant => crate::permission::is_guid(value) || domain(value),
        Shape::GraphKey => {
            !value.is_empty()
                && value.len() <= 256
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }
        Shape::Permission => {
            !value.is_empty()
                && value.len() <= 200
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        }
    }
}

impl Grants {
    /// Check that every id, tenant and permission name has Graph's shape, so that a snapshot
    /// (a file anyone can send) cannot smuggle shell or PowerShell syntax into `plan`'s
    /// commands. The error names the field.
    pub fn check_shapes(&self) -> Result<(), String> {
        let mut checks: Vec<(String, String, Shape)> = Vec::new();
        let mut add = |field: String, v: Option<&str>, shape: Shape| {
            if let Some(v) = v {
                checks.push((field, v.to_string(), shape));
            }
        };
        add(
            "grants.tenantId".into(),
            self.tenant_id.as_deref(),
            Shape::Tenant,
        );
        add(
            "grants.app.appId".into(),
            self.app.app_id.as_deref(),
            Shape::Guid,
        );
        add(
            "grants.app.servicePrincipalId".into(),
            self.app.service_principal_id.as_deref(),
            Shape::Guid,
        );
        add(
            "grants.graphResourceId".into(),
            self.graph_resource_id.as_deref(),
            Shape::Guid,
        );
        for (i, a) in self.application.iter().enumerate() {
            let f = |k: &str| format!("grants.application[{i}].{k}");
            add(f("permission"), Some(&a.permission), Shape::Permission);
            add(f("appRoleId"), a.app_role_id.as_deref(), Shape::Guid);
            add(
                f("assignmentId"),
                a.assignment_id.as_deref(),
                Shape::GraphKey,
            );
        }
        for (i, d) in self.delegated.iter().enumerate() {
            let f = |k: &str| format!("grants.delegated[{i}].{k}");
            add(f("permission"), Some(&d.permission), Shape::Permission);
            add(f("principalId"), d.principal_id.as_deref(), Shape::Guid);
            add(f("grantId"), d.grant_id.as_deref(), Shape::GraphKey);
        }
        for (i, r) in self.requested.iter().flatten().enumerate() {
            add(
                format!("grants.requested[{i}].permission"),
                Some(&r.permission),
                Shape::Permission,
            );
        }
        for (i, c) in self.catalog.iter().enumerate() {
            let f = |k: &str| format!("grants.catalog[{i}].{k}");
            add(f("permission"), Some(&c.permission), Shape::Permission);
            add(f("id"), Some(&c.id), Shape::Guid);
        }
        for (i, o) in self.other_resources.iter().enumerate() {
            add(
                format!("grants.otherResources[{i}].resourceId"),
                Some(&o.resource_id),
                Shape::Guid,
            );
        }
        for (i, u) in self.unresolved.iter().enumerate() {
            add(
                format!("grants.unresolved[{i}].id"),
                Some(&u.id),
                Shape::Guid,
            );
        }
        if let Some(sa) = &self.service_account {
            add("grants.serviceAccount.id".into(), Some(&sa.id), Shape::Guid);
            for (i, r) in sa.roles.iter().flatten().enumerate() {
                add(
                    format!("grants.serviceAccount.roles[{i}].templateId"),
                    Some(&r.template_id),
                    Shape::Guid,
                );
            }
        }
        for (field, value, shape) in checks {
            if !fits(&value, shape) {
                let what = match shape {
                    Shape::Guid => "a GUID",
                    Shape::Tenant => "a tenant id (GUID) or a domain name",
                    Shape::GraphKey => "a Microsoft Graph id (base64url)",
                    Shape::Permission => "a permission name",
                };
                let shown: String = value.chars().take(80).collect();
                return Err(format!(
                    "{field} `{}` is not {what}; the file was changed by hand or is not from entra-perms",
                    crate::text::escape_controls(&shown)
                ));
            }
        }
        Ok(())
    }
}

impl Grants {
    /// What a token carries: `roles` (application permissions of an app-only token) or `scp`
    /// (delegated scopes of a user token, which act as the token's user).
    pub fn from_claims(claims: &Claims, cloud: Cloud) -> Result<Grants, Error> {
        let roles = claims.roles.clone().unwrap_or_default();
        let scopes: Vec<String> = claims
            .scp
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if claims.roles.is_none() && claims.scp.is_none() {
            return Err(Error::input(
                "the token has neither a `roles` claim (application permissions) nor an `scp` claim \
                 (delegated permissions): is it a Microsoft Graph access token?",
            ));
        }
        let mut grants = Grants::new(
            cloud,
            AppIdentity {
                app_id: claims.client_id().map(str::to_string),
                service_principal_id: None,
                display_name: None,
            },
        );
        grants.tenant_id = claims.tid.clone();
        grants.application = roles
            .into_iter()
            .map(|permission| AppRoleGrant {
                permission,
                app_role_id: None,
                assignment_id: None,
                created: None,
            })
            .collect();
        if !scopes.is_empty() {
            // A delegated token acts as its user: that user is the service account.
            let user = claims.oid.clone().ok_or_else(|| {
                Error::input(
                    "the token carries delegated scopes (`scp`) but no `oid` claim: it cannot be \
                     told which user they act as",
                )
            })?;
            grants.delegated = scopes
                .into_iter()
                .map(|permission| DelegatedGrant {
                    permission,
                    consent: Consent::Principal,
                    principal_id: Some(user.clone()),
                    grant_id: None,
                })
                .collect();
            grants.service_account = Some(ServiceAccount {
                id: user,
                user_principal_name: claims.upn.clone(),
                roles: None,
                findings: Vec::new(),
                role_notes: Vec::new(),
            });
        }
        grants.findings.push(Finding::TokenPointInTime);
        grants.read_at = claims
            .iat
            .and_then(|t| azure_core::time::OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| azure_core::time::to_rfc3339(&t));
        // Only a Microsoft Graph token of this cloud says what is granted on Graph: a token for
        // another API (or one that names none) proves nothing, so there is no verdict.
        crate::token::check_for_graph(claims, cloud)?;
        Ok(grants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_only_roles_become_application_grants() {
        let claims = Claims {
            tid: Some("t".into()),
            appid: Some("a".into()),
            aud: Some("https://graph.microsoft.com".into()),
            roles: Some(vec!["Policy.Read.All".into()]),
            ..Default::default()
        };
        let g = Grants::from_claims(&claims, Cloud::Global).unwrap();
        assert_eq!(g.application[0].permission, "Policy.Read.All");
        assert!(g.delegated.is_empty());
        assert_eq!(g.findings, vec![Finding::TokenPointInTime]);
        assert_eq!(g.app.app_id.as_deref(), Some("a"));
    }

    #[test]
    fn delegated_scopes_act_as_the_tokens_user() {
        let claims = Claims {
            oid: Some("u".into()),
            aud: Some("00000003-0000-0000-c000-000000000000".into()),
            scp: Some("User.Read.All openid".into()),
            ..Default::default()
        };
        let g = Grants::from_claims(&claims, Cloud::Global).unwrap();
        assert_eq!(g.delegated.len(), 2);
        assert_eq!(g.service_account.unwrap().id, "u");
        assert_eq!(g.findings.len(), 1, "{:?}", g.findings);
    }

    #[test]
    fn a_delegated_token_without_its_user_is_refused() {
        let claims = Claims {
            scp: Some("User.Read.All".into()),
            ..Default::default()
        };
        let e = Grants::from_claims(&claims, Cloud::Global).unwrap_err();
        assert!(e.message().contains("no `oid` claim"), "{e}");
    }

    #[test]
    fn snapshot_values_must_have_graphs_shapes() {
        let mut g = Grants::new(Cloud::Global, AppIdentity::default());
        g.tenant_id = Some("contoso.onmicrosoft.com".into());
        assert!(g.check_shapes().is_ok());
        for bad in [
            "x; touch PWNED #",
            "$(touch PWNED)",
            "`touch PWNED`",
            "a..b",
            "",
        ] {
            g.tenant_id = Some(bad.into());
            let e = g.check_shapes().unwrap_err();
            assert!(e.starts_with("grants.tenantId `"), "{e}");
        }
        g.tenant_id = None;
        g.delegated.push(DelegatedGrant {
            permission: "User.Read.All".into(),
            consent: Consent::AllPrincipals,
            principal_id: None,
            grant_id: Some("id' ; rm -rf ~".into()),
        });
        let e = g.check_shapes().unwrap_err();
        assert!(e.starts_with("grants.delegated[0].grantId"), "{e}");
    }

    #[test]
    fn a_token_for_another_api_or_none_gives_no_verdict() {
        let token = |aud: Option<&str>| Claims {
            aud: aud.map(str::to_string),
            roles: Some(vec!["User.Read.All".into()]),
            ..Default::default()
        };
        let arm = Grants::from_claims(&token(Some("https://management.azure.com")), Cloud::Global)
            .unwrap_err();
        assert_eq!(arm.kind(), crate::error::Kind::Incomplete);
        assert!(
            arm.message().contains("`https://management.azure.com`"),
            "{arm}"
        );
        let none = Grants::from_claims(&token(None), Cloud::Global).unwrap_err();
        assert!(none.message().contains("`aud` is missing"), "{none}");
        assert!(
            Grants::from_claims(&token(Some("https://graph.microsoft.com/")), Cloud::Global)
                .is_ok()
        );
        // A Graph token of another cloud is not this cloud's.
        assert!(
            Grants::from_claims(&token(Some("https://graph.microsoft.com")), Cloud::China).is_err()
        );
        assert!(Grants::from_claims(&Claims::default(), Cloud::Global).is_err());
    }
}
