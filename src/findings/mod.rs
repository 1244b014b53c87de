//! Findings: what the reader should know about how the grants were read and what they mean, as
//! data with a stable `code` and parameters. Their words are written in one place, [`Finding::message`],
//! so every report says the same thing and rewording a sentence never changes the JSON contract.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::permission::PermissionType;

/// One finding. The `code` (kebab-case) and the parameters are the contract; the message is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "code",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Finding {
    /// A token shows the consent of the moment it was issued.
    TokenPointInTime,
    /// The token was issued for another API than Microsoft Graph.
    TokenAudience { audience: String, graph: String },
    /// The tenant's Graph catalog does not list a permission id; the matrix recognised it.
    CatalogLacksPermission {
        id: String,
        #[serde(rename = "type")]
        ptype: PermissionType,
        permission: String,
    },
    /// The app registration is not in this tenant (a multi-tenant app's is in its publisher's).
    RegistrationElsewhere { owner_tenant_id: Option<String> },
    /// Graph answered the app registration with another app's; it was ignored.
    RegistrationMismatch { app_id: String },
    /// Graph returned items of other apps with this app's; they were ignored.
    ForeignItemsIgnored { count: usize, collection: String },
    /// `GET /organization` was refused: the tenant was taken from the token.
    TenantFromToken { status: u16, needs: String },
    /// `GET /organization` was refused and the token does not say: the tenant is unknown.
    TenantUnknown { status: u16, needs: String },
    /// Some of the service account's roles could not be read: denied (a permission to grant) or
    /// refused (Graph's own words).
    RolesUnreadable {
        what: String,
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        needs: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        graph_error: Option<String>,
    },
    /// Delegated consent exists only for individual users, none known to be the service account.
    PrincipalConsentOnly { permissions: Vec<String> },
    /// The service account is not an active Global Administrator.
    NotGlobalAdministrator { eligible: bool },
    /// The directory audit log could not be read: who changed the grants is not known.
    AuditLogUnreadable {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        needs: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        graph_error: Option<String>,
    },
    /// Changes since the baseline that the audit log does not explain (older than its retention).
    ChangesUnattributed { count: usize, since: String },
    /// `--fail-on new-gap` / `new-excess` without `--baseline`: every gap counts as new.
    NoBaseline { fail_on: String },
    /// With `--tenants --baseline`: a tenant the baseline does not have.
    NewSinceBaseline { tenant: String },
    /// The baseline lists no grants (an audit JSON from before they were recorded).
    BaselineWithoutGrants,
    /// A credential of the app has expired: a backup signing in with it has stopped.
    CredentialExpired {
        on: String,
        kind: String,
        name: Option<String>,
        end: String,
    },
    /// A credential of the app expires within 30 days.
    CredentialExpiring {
        on: String,
        kind: String,
        name: Option<String>,
        end: String,
        days: i64,
    },
    /// The app signs in with client secrets where a certificate or federation would do.
    ClientSecrets { count: usize },
    /// An owner holds no Tier-0 role, yet can add a credential to a Tier-0 app.
    OwnerNotAdministrator { owner: String },
    /// An app (service principal) owns the backup app.
    OwnerIsApp { owner: String },
    /// A multi-tenant app: its registration, credentials and owners live in the publisher's tenant.
    CredentialsElsewhere,
    /// Graph returned directory roles without a `roleTemplateId` (the auditing identity may not
    /// read role objects): whether they are Tier-0 is not known.
    RolesUnidentified {
        what: String,
        count: usize,
        needs: String,
    },
    /// Owners came back without names (the auditing identity may not read users).
    OwnersUnnamed { count: usize, needs: String },
    /// The directory audit log is not available in this cloud: who changed a grant is not known.
    AuditLogUnavailable { cloud: String },
    /// The app's own service principal holds a Tier-0 directory role tenant-wide: a path to
    /// Global Administrator.
    AppHoldsTier0Role { role: String, assignment: String },
    /// A federated credential trusts a subject people outside the admins can satisfy.
    FederatedCredentialOpen {
        name: String,
        subject: String,
        why: String,
    },
    /// A federated credential trusts an issuer other than Entra ID, GitHub, Azure DevOps or a
    /// Kubernetes cluster of the tenant.
    FederatedCredentialIssuer { name: String, issuer: String },
    /// The app holds Tier-0 application permissions that only restore needs: it can hold them
    /// just in time, while restoring.
    RestoreOnlyTier0 { permissions: Vec<String> },
    /// The tenant's catalog gives a permission another id than the matrix (and Microsoft's
    /// data): the tenant's is used.
    CatalogIdDiffers {
        permission: String,
        #[serde(rename = "type")]
        ptype: PermissionType,
        tenant: String,
        matrix: String,
    },
    /// A row of the matrix Microsoft's permission data does not know as written.
    MatrixRowUnknown {
        line: usize,
        permission: String,
        #[serde(rename = "type")]
        ptype: PermissionType,
        /// The name exists with another type only: it can never be granted, and is never a gap.
        impossible: bool,
        message: String,
    },
    /// Rows the vendor marks optional, not counted (`--include-optional` counts them).
    OptionalPermissions {
        granted: Vec<String>,
        not_granted: Vec<String>,
    },
    /// The vendor maps these permissions to no object: coverage is of the app as a whole.
    VendorMapsNoObject { vendor: String, count: usize },
    /// The vendor's list could not be read whole.
    MatrixPartial {
        vendor: String,
        unreadable: Vec<String>,
    },
    /// The service account lacks roles the matrix requires for a purpose (of the alternative it
    /// comes closest to).
    ServiceAccountRolesMissing {
        purpose: String,
        missing: Vec<String>,
        alternatives: usize,
    },
    /// The matrix requires roles of a service account, and none was named to check.
    ServiceAccountRolesUnchecked { purposes: Vec<String> },
    /// A role the vendor assigns to the app's service principal, which it does not hold.
    AppRoleMissing { role: String, vendor: String },
    /// A role the vendor assigns to the app, held, and Tier 0: expected, still a path to Global
    /// Administrator.
    AppRoleExpectedTier0 { role: String, vendor: String },
    /// `--matrix auto`: which embedded matrix was used, and why.
    MatrixChosen {
        name: String,
        /// How well the grants fit it, 0–100.
        percent: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runner_up: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        runner_up_percent: Option<u32>,
    },
    /// A note in words only (from a snapshot written before findings had codes).
    Note { text: String },
}

impl Finding {
    /// The stable code.
    pub fn code(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("note")
                .to_string(),
            _ => "note".to_string(),
        }
    }

    /// A note in words from a snapshot written before findings had codes: the finding whose
    /// words it is, for those that take no parameter, else a `note`.
    pub fn from_legacy(text: String) -> Finding {
        [
            Finding::RegistrationElsewhere {
                owner_tenant_id: None,
            },
            Finding::TokenPointInTime,
            Finding::CredentialsElsewhere,
            Finding::BaselineWithoutGrants,
        ]
        .into_iter()
        .find(|f| f.message() == text.trim())
        .unwrap_or(Finding::Note { text })
    }

    /// Whether it is about the service account (shown with it).
    pub fn is_about_service_account(&self) -> bool {
        matches!(
            self,
            Finding::RolesUnreadable { .. }
                | Finding::RolesUnidentified { .. }
                | Finding::NotGlobalAdministrator { .. }
        )
    }

    /// The finding in words.
    pub fn message(&self) -> String {
        match self {
            Finding::TokenPointInTime => "A token shows the consent in force when it was issued: \
                permissions granted or revoked since then appear only in tokens issued after the change."
                .to_string(),
            Finding::TokenAudience { audience, graph } => format!(
                "The token's audience is {audience}, not Microsoft Graph ({graph}): its permissions are for another API."
            ),
            Finding::CatalogLacksPermission { id, ptype, permission } => format!(
                "The tenant's Microsoft Graph catalog does not list the {} id {id}; it was recognised \
                 as {permission} from the matrix.",
                if *ptype == PermissionType::Application { "app role" } else { "delegated scope" }
            ),
            Finding::RegistrationElsewhere { owner_tenant_id: Some(owner) } => format!(
                "The app is registered in its publisher's tenant {owner} (a multi-tenant app), not \
                 in this one, so requested-but-not-granted permissions cannot be told apart from \
                 missing ones."
            ),
            Finding::RegistrationElsewhere { owner_tenant_id: None } => {
                "The app registration is not in this tenant (normal for a multi-tenant vendor \
                 app), so requested-but-not-granted permissions cannot be told apart from missing \
                 ones."
                    .to_string()
            }
            Finding::RegistrationMismatch { app_id } => format!(
                "Microsoft Graph answered the app registration of appId {app_id} with another \
                 app's; it was ignored, so requested-but-not-granted permissions cannot be told \
                 apart from missing ones."
            ),
            Finding::ForeignItemsIgnored { count, collection } => format!(
                "Microsoft Graph returned {count} {collection} of other apps with this app's; they \
                 were ignored (the request's filter was not applied: check any proxy in between)."
            ),
            Finding::TenantFromToken { status, needs } => format!(
                "The tenant was taken from the token, as the tenant's identity could not be read \
                 ({status}): grant the auditing identity {needs}."
            ),
            Finding::TenantUnknown { status, needs } => format!(
                "The tenant is not known: the tenant's identity could not be read ({status}): \
                 grant the auditing identity {needs}."
            ),
            Finding::RolesUnreadable { what, status, needs: Some(needs), .. } => format!(
                "{what} could not be read ({status}): grant the auditing identity {needs} to check them."
            ),
            Finding::RolesUnreadable { what, graph_error, .. } => format!(
                "{what} could not be read: Microsoft Graph answered {}.",
                graph_error.as_deref().unwrap_or("an error")
            ),
            Finding::PrincipalConsentOnly { permissions } => format!(
                "Delegated consent for {} exists only for individual users. If one of them is the \
                 backup's service account, audit again with --service-account USER; otherwise an \
                 administrator must consent for the whole organisation.",
                permissions.join(", ")
            ),
            Finding::NotGlobalAdministrator { eligible } => format!(
                "The service account is not a Global Administrator. The source recommends Global \
                 Administrator for the delegated permissions; restricted or custom roles are not \
                 officially supported until tested, and a backup or restore may need Global \
                 Administrator assigned temporarily.{}",
                if *eligible {
                    " It is only eligible for it (PIM): the role must be active while backups and restores run."
                } else {
                    ""
                }
            ),
            Finding::AuditLogUnreadable { needs: Some(needs), status, .. } => format!(
                "The directory audit log could not be read ({}): grant the auditing identity {needs} \
                 to see who changed the grants.",
                status.map(|s| s.to_string()).unwrap_or_default()
            ),
            Finding::AuditLogUnreadable { graph_error, .. } => format!(
                "The directory audit log could not be read ({}); who changed the grants is not shown.",
                graph_error.as_deref().unwrap_or("an error")
            ),
            Finding::ChangesUnattributed { count, since } => format!(
                "Who made {count} of the changes since the baseline ({since}) is not known: the \
                 directory audit log was not read, or does not go back that far (it keeps 30 days \
                 of entries, 7 without Microsoft Entra ID P1 or P2)."
            ),
            Finding::NoBaseline { fail_on } => format!(
                "No --baseline was given, so --fail-on {fail_on} treats every current one as new; \
                 keep this run's JSON report and pass it as --baseline next time."
            ),
            Finding::NewSinceBaseline { tenant } => {
                format!("The tenant {tenant} is new since the baseline: nothing to compare with.")
            }
            Finding::BaselineWithoutGrants => "The baseline records no grants (an audit JSON from an \
                older entra-perms), so grants added or removed cannot be listed; requirement changes are."
                .to_string(),
            Finding::RolesUnidentified { what, count, needs } => format!(
                "{what}: Graph returned {count} directory role{} without saying which (no role \
                 template id: the auditing identity may not read role objects), so whether {} \
                 Tier-0 is not known; grant the auditing identity {needs} to read {}.",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "it is" } else { "they are" },
                if *count == 1 { "it" } else { "them" },
            ),
            Finding::AuditLogUnavailable { cloud } => format!(
                "The directory audit log is not available in the {cloud} cloud: who changed each \
                 grant is not known, and it was not asked for."
            ),
            Finding::Note { text } => text.clone(),
            Finding::MatrixRowUnknown { message, .. } => message.clone(),
            Finding::CatalogIdDiffers { permission, ptype, tenant, matrix } => format!(
                "This tenant's Microsoft Graph catalog gives {permission} ({ptype}) the id {tenant}, \
                 not {matrix} as the matrix and Microsoft's data do: the tenant's id is used."
            ),
            Finding::CredentialExpired { .. }
            | Finding::CredentialExpiring { .. }
            | Finding::ClientSecrets { .. }
            | Finding::OwnerNotAdministrator { .. }
            | Finding::OwnerIsApp { .. }
            | Finding::CredentialsElsewhere
            | Finding::OwnersUnnamed { .. }
            | Finding::AppHoldsTier0Role { .. }
            | Finding::FederatedCredentialOpen { .. }
            | Finding::FederatedCredentialIssuer { .. }
            | Finding::RestoreOnlyTier0 { .. } => self.security_message(),
            vendor => vendor_message(vendor),
        }
    }

    /// The words of the findings about who can become the app, and what it holds.
    fn security_message(&self) -> String {
        match self {
            Finding::RestoreOnlyTier0 { permissions } => {
                let (n, one) = (permissions.len(), permissions.len() == 1);
                let them = if one { "it" } else { "them" };
                format!(
                    "{n} Tier-0 application permission{} the app holds serve{} only restore: {}. \
                     An app that restores rarely can hold {them} only while restoring: \
                     `entra-perms plan --scope restore --just-in-time` prints the commands that \
                     grant {them} before a restore and revoke {them} after it; `audit --scope \
                     backup` then checks the backup-only posture.",
                    if one { "" } else { "s" },
                    if one { "s" } else { "" },
                    permissions.join(", "),
                )
            }
            Finding::CredentialExpired { on, kind, name, end } => format!(
                "The {} {kind} {}expired on {end}: a backup signing in with it has stopped.",
                if on == "application" { "app registration's" } else { "service principal's" },
                name.as_deref().map(|n| format!("`{n}` ")).unwrap_or_default()
            ),
            Finding::CredentialExpiring { on, kind, name, end, days } => format!(
                "The {} {kind} {}expires on {end}, in {days} day{}: renew it before the backup stops.",
                if on == "application" { "app registration's" } else { "service principal's" },
                name.as_deref().map(|n| format!("`{n}` ")).unwrap_or_default(),
                if *days == 1 { "" } else { "s" }
            ),
            Finding::ClientSecrets { count } => format!(
                "The app has {count} client secret{}: a certificate or a federated credential would \
                 do, and cannot leak from a configuration file.",
                if *count == 1 { "" } else { "s" }
            ),
            Finding::OwnerNotAdministrator { owner } => format!(
                "{owner} owns the app but holds no Tier-0 role: an owner can add a credential and act \
                 as the app, a Tier-0 identity."
            ),
            Finding::OwnerIsApp { owner } => format!(
                "The app {owner} owns the backup app: whoever controls it can add a credential and \
                 act as the backup app."
            ),
            Finding::CredentialsElsewhere => "The app is registered in its publisher's tenant: its \
                registration's credentials and owners live there and are not read here (only the \
                service principal's)."
                .to_string(),
            Finding::OwnersUnnamed { count, needs } => format!(
                "{count} owner{} of the app {} shown by id and type only: the auditing identity \
                 cannot read users; {needs} names them.",
                if *count == 1 { "" } else { "s" },
                if *count == 1 { "is" } else { "are" },
            ),
            Finding::AppHoldsTier0Role { role, assignment } => format!(
                "The app's own service principal holds the Tier-0 directory role {role} \
                 ({assignment}, tenant-wide): a path to Global Administrator, as much as a Tier-0 \
                 application permission; whoever can add a credential to the app holds it too."
            ),
            Finding::FederatedCredentialOpen { name, subject, why } => format!(
                "The federated credential `{name}` trusts the subject `{subject}`: {why}, and \
                 each can act as the app without a secret. Narrow it to a protected branch or \
                 environment, or remove it."
            ),
            Finding::FederatedCredentialIssuer { name, issuer } => format!(
                "The federated credential `{name}` trusts tokens from {issuer}, which is not \
                 Microsoft Entra ID, GitHub, Azure DevOps or a Kubernetes cluster: whoever \
                 controls that issuer can act as the app."
            ),
            _ => String::new(),
        }
    }

    /// The JSON entry of the audit report: `{code, message, data}`.
    pub fn entry(&self) -> FindingEntry {
        let mut data = match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let code = data
            .remove("code")
            .and_then(|c| c.as_str().map(str::to_string))
            .unwrap_or_else(|| "note".into());
        FindingEntry {
            code,
            message: self.message(),
            data: Value::Object(data),
        }
    }
}

/// A finding as the audit JSON carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingEntry {
    pub code: String,
    pub message: String,
    pub data: Value,
}

#[cfg(test)]
mod tests;
mod vendor;
use vendor::vendor_message;
