//! The audit JSON (schemaVersion 1): every type the audit serialises, and nothing that decides.
//! Field names are camelCase, as Graph's; docs/json.md documents each.

use serde::{Deserialize, Serialize};

use crate::catalog::Path;
use crate::cloud::Cloud;
use crate::findings::FindingEntry;
use crate::grants::{AppIdentity, Assignment, Consent, OtherGrant, Source, UnresolvedGrant};
use crate::matrix::Purpose;
use crate::permission::PermissionType;

use super::policy::{FailOn, Scope};

/// The status of one requirement. The first that applies wins, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Granted,
    Implied,
    PrincipalConsentOnly,
    WrongType,
    RequestedNotGranted,
    Missing,
}

impl Status {
    /// Whether the requirement is satisfied.
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Granted | Status::Implied)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Granted => "granted",
            Status::Implied => "implied",
            Status::PrincipalConsentOnly => "principal-consent-only",
            Status::WrongType => "wrong-type",
            Status::RequestedNotGranted => "requested-not-granted",
            Status::Missing => "missing",
        }
    }
}

/// The coverage of an object, or of one purpose of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    Covered,
    Partial,
    Missing,
    NotApplicable,
}

impl Coverage {
    pub(crate) fn of(statuses: impl IntoIterator<Item = Status>) -> Coverage {
        let (mut ok, mut total) = (0, 0);
        for s in statuses {
            total += 1;
            ok += usize::from(s.is_ok());
        }
        match (ok, total) {
            (_, 0) => Coverage::NotApplicable,
            (o, t) if o == t => Coverage::Covered,
            (0, _) => Coverage::Missing,
            _ => Coverage::Partial,
        }
    }

    /// Whether this counts as a gap.
    pub fn is_gap(self) -> bool {
        matches!(self, Coverage::Partial | Coverage::Missing)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Covered => "covered",
            Coverage::Partial => "partial",
            Coverage::Missing => "missing",
            Coverage::NotApplicable => "not-applicable",
        }
    }
}

/// How a requirement is met (or why not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    /// The purposes it serves, within the audit's scope.
    pub purposes: Vec<Purpose>,
    pub status: Status,
    /// The broader permission that satisfies it (`implied`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// How the satisfying delegated grant was consented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// The type it is granted as instead (`wrong-type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_as: Option<PermissionType>,
    /// When the satisfying application permission was granted, where Graph says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_on: Option<String>,
    /// Against `--baseline`: whether it became a gap, was resolved, or did not change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// The privilege tier of the application permission (Application and Any requirements; a
    /// delegated permission acts within the signed-in account's roles and has none of its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier_path: Option<Path>,
}

/// How a requirement changed since the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Satisfied in the baseline, not now.
    NewGap,
    /// Not satisfied in the baseline, satisfied now.
    Resolved,
    Unchanged,
    /// The baseline does not have this requirement (a newer matrix); a gap counts as new.
    NotInBaseline,
}

/// A grant the app holds, on any API (what drift compares).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantEntry {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    /// The API: `Microsoft Graph`, or the other resource's name or id.
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Who made the change and when, from the directory audit log (drift only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<ChangedBy>,
}

/// Who changed a grant, and when.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangedBy {
    /// The user principal name, or the app's name and id, that initiated it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The audit log's activity, e.g. "Add app role assignment to service principal".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// What the attribution rests on.
    #[serde(default)]
    pub basis: Basis,
}

/// What a grant's `changedBy` rests on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// A record of the audit log that names the permission (matched to the app by target,
    /// `ServicePrincipal.ObjectID` or correlation id).
    Event,
    /// No record names the permission; the latest "Consent to application" of the app since the
    /// baseline is the likeliest cause.
    ConsentOnly,
    /// The audit log (read) has no record of it: older than its retention, or not logged.
    #[default]
    Unknown,
}

/// The baseline an audit was compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineInfo {
    pub taken_at: Option<String>,
    /// `audit` (an audit JSON) or `snapshot`.
    pub source: String,
    pub tenant_id: Option<String>,
    pub app_id: Option<String>,
}

/// What changed since the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub new_gaps: Vec<Gap>,
    pub resolved: Vec<Gap>,
    pub grants_added: Vec<GrantEntry>,
    pub grants_removed: Vec<GrantEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeCoverage {
    pub backup: Coverage,
    pub restore: Coverage,
}

/// One protected object and its requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReport {
    pub object: String,
    pub status: Coverage,
    pub purposes: PurposeCoverage,
    pub requirements: Vec<Requirement>,
}

/// An unsatisfied requirement, once per permission and type, with every object it protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub status: Status,
    pub objects: Vec<String>,
    pub purposes: Vec<Purpose>,
}

/// A granted Microsoft Graph permission that no in-scope requirement needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Excess {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// The privilege tier of an application permission (delegated grants have none of their own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier_path: Option<Path>,
}

/// A granted permission that only the purpose outside `--scope` needs (e.g. restore, when only
/// backup is checked): never excess, never removed by `plan`, never failing `--fail-on excess*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutOfScope {
    #[serde(flatten)]
    pub grant: Excess,
    /// The purposes that need it.
    pub purposes: Vec<Purpose>,
}

/// Who can become the app: its credentials, its owners, and what to do about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSecurityReport {
    pub credentials: Vec<CredentialReport>,
    /// `null`: they could not be read.
    pub owners: Option<Vec<OwnerReport>>,
    /// The registration's federated identity credentials (`null`: not read).
    #[serde(default)]
    pub federated_credentials: Option<Vec<FederatedCredentialReport>>,
    /// The directory roles the app's own service principal holds, with their tier (`null`: not
    /// read).
    #[serde(default)]
    pub roles: Option<Vec<RoleReport>>,
    pub findings: Vec<FindingEntry>,
}

/// A credential with its state on the day the grants were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialReport {
    pub on: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
    pub state: CredentialState,
    /// The id to remove it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The commands that remove it (Azure CLI, then Microsoft Graph PowerShell); empty when its
    /// ids are not plain GUIDs (never a tenant's text in a shell command).
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A federated identity credential: tokens of `issuer` with this subject sign in as the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedCredentialReport {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_matching_expression: Option<String>,
    pub audiences: Vec<String>,
    /// Whether someone outside the admins can satisfy it (a finding says who).
    pub open: bool,
    /// The commands that remove it.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A credential's state on the day the grants were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialState {
    Valid,
    /// Ends within `EXPIRING_DAYS`.
    Expiring,
    Expired,
    /// No end date, or the time read is unknown.
    Unknown,
}

impl CredentialState {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialState::Valid => "valid",
            CredentialState::Expiring => "expiring",
            CredentialState::Expired => "expired",
            CredentialState::Unknown => "unknown",
        }
    }
}

/// An owner, and whether it is an administrator (holds a Tier-0 role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReport {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    pub of: Vec<String>,
    /// `null` when its roles could not be read (or it is not a user).
    pub administrator: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tier0_roles: Vec<String>,
}

/// A directory role of the service account, with its privilege tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleReport {
    pub display_name: String,
    pub template_id: String,
    pub assignment: Assignment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    /// Where it applies when not the whole tenant (e.g. `/administrativeUnits/{id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory_scope_id: Option<String>,
    /// The administrative unit's name, where read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_name: Option<String>,
}

impl RoleReport {
    pub fn of(r: &crate::grants::DirectoryRole) -> RoleReport {
        RoleReport {
            display_name: r.display_name.clone(),
            template_id: r.template_id.clone(),
            assignment: r.assignment,
            tier: crate::catalog::role_tier(&r.template_id).map(|t| t.tier),
            directory_scope_id: r.directory_scope_id.clone(),
            scope_name: r.scope_name.clone(),
        }
    }

    /// `User Administrator (Tier 0, eligible, scoped to the administrative unit Paris (/administrativeUnits/…))`.
    pub fn words(&self) -> String {
        self.qualified(true)
    }

    /// The name with how it is held (eligible, scoped) and, when asked, its tier.
    pub fn qualified(&self, with_tier: bool) -> String {
        let mut s = self.display_name.clone();
        let mut parts = Vec::new();
        if let (Some(t), true) = (self.tier, with_tier) {
            parts.push(format!("Tier {t}"));
        }
        if self.assignment == Assignment::Eligible {
            parts.push("eligible".to_string());
        }
        match (&self.directory_scope_id, &self.scope_name) {
            (Some(id), Some(name)) => parts.push(format!("scoped to {name} ({id})")),
            (Some(id), None) => parts.push(format!("scoped to {id}")),
            (None, _) => {}
        }
        if !parts.is_empty() {
            s.push_str(&format!(" ({})", parts.join(", ")));
        }
        s
    }
}

/// The service account: who it is, its directory roles, and what acts through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountReport {
    pub id: String,
    pub user_principal_name: Option<String>,
    /// Its directory roles (`null`: they could not be read).
    pub roles: Option<Vec<RoleReport>>,
    /// Whether it holds Global Administrator, actively (`null`: the roles could not be read).
    pub has_global_administrator: Option<bool>,
    /// The delegated requirements in scope, which act through this account.
    pub acts_for: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub objects: usize,
    pub covered: usize,
    pub partial: usize,
    pub missing: usize,
    pub not_applicable: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The result of an audit: the audit JSON, and what every renderer draws from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub tenant_id: Option<String>,
    /// The organization's display name, where it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_name: Option<String>,
    pub cloud: Cloud,
    pub source: Source,
    /// When the grants were read (RFC 3339), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
    pub app: AppIdentity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix_version: Option<String>,
    /// Which matrix: its embedded name, and whose list it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<MatrixUsed>,
    pub scope: Scope,
    pub strict: bool,
    pub fail_on: FailOn,
    pub passed: bool,
    pub objects: Vec<ObjectReport>,
    pub missing: Vec<Gap>,
    pub excess: Vec<Excess>,
    /// Grants needed only by the purpose outside the scope.
    #[serde(default)]
    pub out_of_scope: Vec<OutOfScope>,
    pub other_resources: Vec<OtherGrant>,
    pub unresolved: Vec<UnresolvedGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<ServiceAccountReport>,
    /// The messages of the findings not about the service account (those are its `notes`).
    pub notes: Vec<String>,
    /// Every finding, with its stable code, its message and its data.
    pub findings: Vec<FindingEntry>,
    /// Every grant the app holds, on any API.
    pub grants: Vec<GrantEntry>,
    /// The Tier-0 Microsoft Graph application permissions the app holds: each a path to Global
    /// Administrator, which makes the app a Tier-0 identity.
    pub tier0_application: Vec<String>,
    /// Who can become the app (read from Graph; absent for a token audit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_security: Option<AppSecurityReport>,
    /// With `--baseline`: what it was compared with, and what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    pub summary: Summary,
}

/// The matrix an audit used: an embedded one's name, and the vendor's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixUsed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_date: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

impl MatrixUsed {
    /// What the report says of `matrix` (nothing for a file without a header).
    pub fn of(matrix: &crate::matrix::Matrix) -> Option<MatrixUsed> {
        let info = matrix.info.as_ref();
        if matrix.name.is_none() && info.is_none() {
            return None;
        }
        Some(MatrixUsed {
            name: matrix.name.clone(),
            vendor: info.map(|i| i.vendor.clone()),
            product: info.map(|i| i.product.clone()),
            product_version: info.and_then(|i| i.version.clone()),
            source: info.map(|i| i.source.clone()),
            document_date: info.and_then(|i| i.document_date.clone()),
            partial: info.is_some_and(|i| i.partial.is_some()),
        })
    }
}
