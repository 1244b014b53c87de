//! The audit: a pure diff of (Matrix, Grants, Options) into a Report. No I/O, no printing.
//! `Report` is serialised as the audit JSON (schemaVersion 1) documented in the README.

use serde::{Deserialize, Serialize};

use crate::catalog::{self, Path};
use crate::findings::{Finding, FindingEntry};
use crate::grants::{
    AppIdentity, Assignment, Consent, Grants, OtherGrant, Requested, Source, UnresolvedGrant,
    GLOBAL_ADMINISTRATOR_TEMPLATE_ID,
};
use crate::matrix::{Matrix, Permission, Purpose};
use crate::permission::PermissionType;

/// OpenID Connect scopes: sign-in plumbing, never reported as excess.
pub const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// Which requirements an audit checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    All,
    Backup,
    Restore,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Backup => "backup",
            Scope::Restore => "restore",
        }
    }

    /// Whether a requirement serving `purposes` is in scope.
    pub fn includes(self, purposes: &[Purpose]) -> bool {
        match self {
            Scope::All => true,
            Scope::Backup => purposes.contains(&Purpose::Backup),
            Scope::Restore => purposes.contains(&Purpose::Restore),
        }
    }
}

/// When an audit fails (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any object in scope not covered.
    Gap,
    /// Any object whose backup is not covered.
    BackupGap,
    /// Any gap, or any granted permission not needed.
    Excess,
    /// A requirement satisfied in the baseline and not now (`--baseline`; without one, any gap).
    NewGap,
    /// A grant not needed that the baseline did not have (`--baseline`; without one, any excess).
    NewExcess,
    /// A Tier-0 application permission not needed (a path to Global Administrator).
    ExcessTier0,
    /// Report only.
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Gap => "gap",
            FailOn::BackupGap => "backup-gap",
            FailOn::Excess => "excess",
            FailOn::NewGap => "new-gap",
            FailOn::NewExcess => "new-excess",
            FailOn::ExcessTier0 => "excess-tier0",
            FailOn::Never => "never",
        }
    }
}

/// What the audit checks and when it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub scope: Scope,
    pub strict: bool,
    pub fail_on: FailOn,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            scope: Scope::All,
            strict: false,
            fail_on: FailOn::Gap,
        }
    }
}

impl Options {
    fn purposes(&self) -> &'static [Purpose] {
        match self.scope {
            Scope::All => &[Purpose::Backup, Purpose::Restore],
            Scope::Backup => &[Purpose::Backup],
            Scope::Restore => &[Purpose::Restore],
        }
    }
}

/// The status of one requirement. The first that applies wins, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    Covered,
    Partial,
    Missing,
    NotApplicable,
}

impl Coverage {
    fn of(statuses: impl IntoIterator<Item = Status>) -> Coverage {
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Satisfied in the baseline, not now.
    NewGap,
    /// Not satisfied in the baseline, satisfied now.
    Resolved,
    Unchanged,
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
    /// The user principal name, or the app's name, that initiated it.
    pub by: String,
    pub at: String,
    /// The audit log's activity, e.g. "Add app role assignment to service principal".
    pub activity: String,
}

/// The baseline an audit was compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineInfo {
    pub taken_at: Option<String>,
    /// `audit` (an audit JSON) or `snapshot`.
    pub source: String,
    pub tenant_id: Option<String>,
    pub app_id: Option<String>,
}

/// What changed since the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub new_gaps: Vec<Gap>,
    pub resolved: Vec<Gap>,
    pub grants_added: Vec<GrantEntry>,
    pub grants_removed: Vec<GrantEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeCoverage {
    pub backup: Coverage,
    pub restore: Coverage,
}

/// One protected object and its requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReport {
    pub object: String,
    pub status: Coverage,
    pub purposes: PurposeCoverage,
    pub requirements: Vec<Requirement>,
}

/// An unsatisfied requirement, once per permission and type, with every object it protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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

/// Who can become the app: its credentials, its owners, and what to do about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSecurityReport {
    pub credentials: Vec<CredentialReport>,
    /// `null`: they could not be read.
    pub owners: Option<Vec<OwnerReport>>,
    pub findings: Vec<FindingEntry>,
}

/// A credential with its state on the day the grants were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialReport {
    pub on: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
    /// `valid`, `expiring` (within 30 days), `expired`, or `unknown`.
    pub state: &'static str,
}

/// An owner, and whether it is an administrator (holds a Tier-0 role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tier0_roles: Vec<String>,
}

/// Days before a credential's end that count as expiring.
pub const EXPIRING_DAYS: i64 = 30;

/// The app's credentials and owners judged as of `now` (RFC 3339, the time the grants were read).
pub fn app_security(sec: &crate::grants::AppSecurity, now: Option<&str>) -> AppSecurityReport {
    let now = now.and_then(|n| azure_core::time::parse_rfc3339(n).ok());
    let mut findings = Vec::new();
    let credentials: Vec<CredentialReport> = sec
        .credentials
        .iter()
        .map(|c| {
            let end = c
                .end_date_time
                .as_deref()
                .and_then(|e| azure_core::time::parse_rfc3339(e).ok());
            let state = match (end, now) {
                (Some(end), Some(now)) => {
                    let days = (end - now).whole_days();
                    if end <= now {
                        findings.push(Finding::CredentialExpired {
                            on: c.on.clone(),
                            kind: c.kind.clone(),
                            name: c.display_name.clone(),
                            end: c.end_date_time.clone().unwrap_or_default(),
                        });
                        "expired"
                    } else if days < EXPIRING_DAYS {
                        findings.push(Finding::CredentialExpiring {
                            on: c.on.clone(),
                            kind: c.kind.clone(),
                            name: c.display_name.clone(),
                            end: c.end_date_time.clone().unwrap_or_default(),
                            days,
                        });
                        "expiring"
                    } else {
                        "valid"
                    }
                }
                _ => "unknown",
            };
            CredentialReport {
                on: c.on.clone(),
                kind: c.kind.clone(),
                display_name: c.display_name.clone(),
                end_date_time: c.end_date_time.clone(),
                state,
            }
        })
        .collect();
    let secrets = credentials
        .iter()
        .filter(|c| c.kind == "secret" && c.state != "expired")
        .count();
    if secrets > 0 {
        findings.push(Finding::ClientSecrets { count: secrets });
    }
    let owners = sec.owners.as_ref().map(|owners| {
        owners
            .iter()
            .map(|o| {
                let name = o
                    .user_principal_name
                    .clone()
                    .or(o.display_name.clone())
                    .unwrap_or_else(|| o.id.clone());
                let administrator = o.tier0_roles.as_ref().map(|r| !r.is_empty());
                if o.kind == "servicePrincipal" {
                    findings.push(Finding::OwnerIsApp { owner: name });
                } else if administrator == Some(false) {
                    findings.push(Finding::OwnerNotAdministrator { owner: name });
                }
                OwnerReport {
                    id: o.id.clone(),
                    kind: o.kind.clone(),
                    display_name: o.display_name.clone(),
                    user_principal_name: o.user_principal_name.clone(),
                    of: o.of.clone(),
                    administrator,
                    tier0_roles: o.tier0_roles.clone().unwrap_or_default(),
                }
            })
            .collect()
    });
    if !sec.registration_here {
        findings.push(Finding::CredentialsElsewhere);
    }
    AppSecurityReport {
        credentials,
        owners,
        findings: findings.iter().map(Finding::entry).collect(),
    }
}

/// A directory role of the service account, with its privilege tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleReport {
    pub display_name: String,
    pub template_id: String,
    pub assignment: Assignment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
}

/// The service account: who it is, its directory roles, and what acts through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub objects: usize,
    pub covered: usize,
    pub partial: usize,
    pub missing: usize,
    pub not_applicable: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// The result of an audit: the audit JSON, and what every renderer draws from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub tenant_id: Option<String>,
    pub cloud: &'static str,
    pub source: Source,
    /// When the grants were read (RFC 3339), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
    pub app: AppIdentity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matrix_version: Option<String>,
    pub scope: Scope,
    pub strict: bool,
    pub fail_on: &'static str,
    pub passed: bool,
    pub objects: Vec<ObjectReport>,
    pub missing: Vec<Gap>,
    pub excess: Vec<Excess>,
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

/// The grants, indexed for the questions the diff asks.
struct Granted<'g> {
    grants: &'g Grants,
    service_account: Option<&'g str>,
}

/// How a permission is held, when it counts as granted.
#[derive(Clone)]
struct Hold {
    consent: Option<Consent>,
    created: Option<String>,
}

impl<'g> Granted<'g> {
    fn new(grants: &'g Grants) -> Self {
        Granted {
            grants,
            service_account: grants.service_account.as_ref().map(|s| s.id.as_str()),
        }
    }

    /// Whether `name` counts as granted with type `t` (Application or Delegated).
    fn holds(&self, name: &str, t: PermissionType) -> Option<Hold> {
        match t {
            PermissionType::Application => self
                .grants
                .application
                .iter()
                .find(|g| g.permission.eq_ignore_ascii_case(name))
                .map(|g| Hold {
                    consent: None,
                    created: g.created.clone(),
                }),
            PermissionType::Delegated => {
                let mut found = None;
                for g in self
                    .grants
                    .delegated
                    .iter()
                    .filter(|g| g.permission.eq_ignore_ascii_case(name))
                {
                    match g.consent {
                        Consent::AllPrincipals => return Some(hold(Consent::AllPrincipals)),
                        Consent::Principal
                            if self.service_account.is_some()
                                && g.principal_id.as_deref().map(str::to_ascii_lowercase)
                                    == self.service_account.map(str::to_ascii_lowercase) =>
                        {
                            found = Some(hold(Consent::Principal));
                        }
                        Consent::Principal => {}
                    }
                }
                found
            }
            PermissionType::Any => None,
        }
    }

    /// Whether `name` has any delegated consent at all (for any user).
    fn any_delegated(&self, name: &str) -> bool {
        self.grants
            .delegated
            .iter()
            .any(|g| g.permission.eq_ignore_ascii_case(name))
    }

    fn any_of_type(&self, name: &str, t: PermissionType) -> bool {
        match t {
            PermissionType::Application => self.holds(name, t).is_some(),
            _ => self.any_delegated(name),
        }
    }

    fn requested(&self, name: &str, t: PermissionType) -> bool {
        self.grants.requested.as_ref().is_some_and(|r| {
            r.iter()
                .any(|q: &Requested| q.ptype == t && q.permission.eq_ignore_ascii_case(name))
        })
    }
}

fn hold(consent: Consent) -> Hold {
    Hold {
        consent: Some(consent),
        created: None,
    }
}

/// The concrete grant types that satisfy a requirement type.
fn grant_types(t: PermissionType) -> &'static [PermissionType] {
    match t {
        PermissionType::Application => &[PermissionType::Application],
        PermissionType::Delegated => &[PermissionType::Delegated],
        PermissionType::Any => &[PermissionType::Application, PermissionType::Delegated],
    }
}

fn other_type(t: PermissionType) -> Option<PermissionType> {
    match t {
        PermissionType::Application => Some(PermissionType::Delegated),
        PermissionType::Delegated => Some(PermissionType::Application),
        PermissionType::Any => None,
    }
}

/// Decide one requirement's status: the first status of the contract's table that applies.
fn requirement(
    matrix: &Matrix,
    granted: &Granted<'_>,
    row: &Permission,
    purposes: Vec<Purpose>,
    strict: bool,
) -> (Requirement, Option<(String, PermissionType)>) {
    let mut req = Requirement {
        permission: row.name.clone(),
        ptype: row.ptype,
        purposes,
        status: Status::Missing,
        via: None,
        consent: None,
        granted_as: None,
        granted_on: None,
        change: None,
        tier: None,
        tier_path: None,
    };
    if row.ptype != PermissionType::Delegated {
        if let Some(t) = catalog::app_tier(&row.name) {
            req.tier = Some(t.tier);
            req.tier_path = t.path;
        }
    }
    let types = grant_types(row.ptype);
    for &t in types {
        if let Some(h) = granted.holds(&row.name, t) {
            req.status = Status::Granted;
            req.consent = h.consent;
            req.granted_on = h.created;
            return (req, None);
        }
    }
    if !strict {
        for imp in matrix
            .implies
            .iter()
            .filter(|i| i.narrower == row.name && types.contains(&i.ptype))
        {
            if let Some(h) = granted.holds(&imp.broader, imp.ptype) {
                req.status = Status::Implied;
                req.via = Some(imp.broader.clone());
                req.consent = h.consent;
                req.granted_on = h.created;
                return (req, Some((imp.broader.clone(), imp.ptype)));
            }
        }
    }
    if types.contains(&PermissionType::Delegated) && granted.any_delegated(&row.name) {
        req.status = Status::PrincipalConsentOnly;
        req.consent = Some(Consent::Principal);
        return (req, None);
    }
    if let Some(other) = other_type(row.ptype) {
        if granted.any_of_type(&row.name, other) {
            req.status = Status::WrongType;
            req.granted_as = Some(other);
            return (req, None);
        }
    }
    if types.iter().any(|&t| granted.requested(&row.name, t)) {
        req.status = Status::RequestedNotGranted;
    }
    (req, None)
}

/// The audit: compare what the matrix requires with what is granted.
pub fn diff(matrix: &Matrix, grants: &Grants, source: Source, opts: &Options) -> Report {
    let in_scope = opts.purposes();
    let granted = Granted::new(grants);

    // Each in-scope row, decided once.
    let mut decided: Vec<(&Permission, Requirement)> = Vec::new();
    let mut used_via: Vec<(String, PermissionType)> = Vec::new();
    for row in &matrix.permissions {
        let purposes: Vec<Purpose> = row
            .purposes
            .iter()
            .copied()
            .filter(|p| in_scope.contains(p))
            .collect();
        if purposes.is_empty() {
            continue;
        }
        let (req, via) = requirement(matrix, &granted, row, purposes, opts.strict);
        used_via.extend(via);
        decided.push((row, req));
    }

    let objects: Vec<ObjectReport> = matrix
        .objects()
        .into_iter()
        .map(|object| {
            let reqs: Vec<Requirement> = decided
                .iter()
                .filter(|(row, _)| row.objects.iter().any(|o| o == object))
                .map(|(_, r)| r.clone())
                .collect();
            let by_purpose = |p: Purpose| {
                Coverage::of(
                    reqs.iter()
                        .filter(|r| r.purposes.contains(&p))
                        .map(|r| r.status),
                )
            };
            ObjectReport {
                object: object.to_string(),
                status: Coverage::of(reqs.iter().map(|r| r.status)),
                purposes: PurposeCoverage {
                    backup: by_purpose(Purpose::Backup),
                    restore: by_purpose(Purpose::Restore),
                },
                requirements: reqs,
            }
        })
        .collect();

    let mut missing: Vec<Gap> = Vec::new();
    for (row, req) in decided.iter().filter(|(_, r)| !r.status.is_ok()) {
        match missing
            .iter_mut()
            .find(|g| g.permission == req.permission && g.ptype == req.ptype)
        {
            Some(g) => {
                for o in &row.objects {
                    if !g.objects.contains(o) {
                        g.objects.push(o.clone());
                    }
                }
                for p in &req.purposes {
                    if !g.purposes.contains(p) {
                        g.purposes.push(*p);
                    }
                }
                g.purposes.sort();
                g.status = g.status.min(req.status);
            }
            None => missing.push(Gap {
                permission: req.permission.clone(),
                ptype: req.ptype,
                status: req.status,
                objects: row.objects.clone(),
                purposes: req.purposes.clone(),
            }),
        }
    }

    let needed = |name: &str, t: PermissionType| {
        decided
            .iter()
            .any(|(row, _)| row.name.eq_ignore_ascii_case(name) && row.ptype.accepts(t))
            || used_via
                .iter()
                .any(|(n, vt)| n.eq_ignore_ascii_case(name) && *vt == t)
    };
    let mut excess: Vec<Excess> = Vec::new();
    let mut push_excess = |e: Excess| {
        if !excess
            .iter()
            .any(|x| x.ptype == e.ptype && x.permission.eq_ignore_ascii_case(&e.permission))
        {
            excess.push(e);
        }
    };
    for g in &grants.application {
        if !needed(&g.permission, PermissionType::Application) {
            let tier = catalog::app_tier(&g.permission);
            push_excess(Excess {
                permission: g.permission.clone(),
                ptype: PermissionType::Application,
                consent: None,
                tier: tier.map(|t| t.tier),
                tier_path: tier.and_then(|t| t.path),
            });
        }
    }
    let mut delegated = grants.delegated.clone();
    delegated.sort_by_key(|g| g.consent);
    for g in &delegated {
        let openid = OPENID_SCOPES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&g.permission));
        if !openid && !needed(&g.permission, PermissionType::Delegated) {
            push_excess(Excess {
                permission: g.permission.clone(),
                ptype: PermissionType::Delegated,
                consent: Some(g.consent),
                tier: None,
                tier_path: None,
            });
        }
    }
    // Riskiest first: Tier 0, 1, 2, then permissions without a tier (delegated, unknown).
    excess.sort_by(|a, b| {
        (a.tier.unwrap_or(9), &a.permission, a.ptype).cmp(&(
            b.tier.unwrap_or(9),
            &b.permission,
            b.ptype,
        ))
    });

    let count = |c: Coverage| objects.iter().filter(|o| o.status == c).count();
    let summary = Summary {
        objects: objects.len(),
        covered: count(Coverage::Covered),
        partial: count(Coverage::Partial),
        missing: count(Coverage::Missing),
        not_applicable: count(Coverage::NotApplicable),
    };
    let any_gap = objects.iter().any(|o| o.status.is_gap());
    let passed = match opts.fail_on {
        FailOn::Gap => !any_gap,
        FailOn::BackupGap => !objects.iter().any(|o| o.purposes.backup.is_gap()),
        FailOn::Excess => !any_gap && excess.is_empty(),
        // Without a baseline every gap or excess grant is new; `drift::compare` narrows these.
        FailOn::NewGap => !any_gap,
        FailOn::NewExcess => excess.is_empty(),
        FailOn::ExcessTier0 => !excess.iter().any(|e| e.tier == Some(0)),
        FailOn::Never => true,
    };

    let findings = findings(grants, &decided);
    Report {
        schema_version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        tenant_id: grants.tenant_id.clone(),
        cloud: grants.cloud.as_str(),
        source,
        read_at: grants.read_at.clone(),
        app: grants.app.clone(),
        matrix_version: matrix.version.clone(),
        scope: opts.scope,
        strict: opts.strict,
        fail_on: opts.fail_on.as_str(),
        passed,
        objects,
        missing,
        excess,
        other_resources: grants.other_resources.clone(),
        unresolved: grants.unresolved.clone(),
        service_account: service_account_report(grants, &decided, &findings),
        notes: findings
            .iter()
            .filter(|f| !f.is_about_service_account())
            .map(Finding::message)
            .collect(),
        findings: findings.iter().map(Finding::entry).collect(),
        grants: grant_entries(grants),
        tier0_application: {
            let mut held: Vec<String> = grants
                .application
                .iter()
                .filter(|a| catalog::app_tier(&a.permission).is_some_and(|t| t.tier == 0))
                .map(|a| a.permission.clone())
                .collect();
            held.sort();
            held.dedup();
            held
        },
        app_security: grants
            .app_security
            .as_ref()
            .map(|sec| app_security(sec, grants.read_at.as_deref())),
        baseline: None,
        changes: None,
        summary,
    }
}

/// Every grant, on any API, once per permission, type, resource and consent.
pub fn grant_entries(grants: &Grants) -> Vec<GrantEntry> {
    let graph = "Microsoft Graph".to_string();
    let mut out: Vec<GrantEntry> = Vec::new();
    let entry = |permission: &str, ptype, resource: &str, consent| GrantEntry {
        permission: permission.to_string(),
        ptype,
        resource: resource.to_string(),
        consent,
        changed_by: None,
    };
    out.extend(
        grants
            .application
            .iter()
            .map(|a| entry(&a.permission, PermissionType::Application, &graph, None)),
    );
    out.extend(grants.delegated.iter().map(|d| {
        entry(
            &d.permission,
            PermissionType::Delegated,
            &graph,
            Some(d.consent),
        )
    }));
    out.extend(
        grants
            .other_resources
            .iter()
            .map(|o| entry(&o.permission, o.ptype, &o.resource, None)),
    );
    out.extend(
        grants
            .unresolved
            .iter()
            .map(|u| entry(&u.id, u.ptype, &graph, None)),
    );
    out.sort();
    out.dedup();
    out
}

/// The grants' findings, and those the statuses and the service account's roles call for.
fn findings(grants: &Grants, decided: &[(&Permission, Requirement)]) -> Vec<Finding> {
    let mut findings = grants.findings.clone();
    findings.extend(
        grants
            .notes
            .iter()
            .map(|text| Finding::Note { text: text.clone() }),
    );
    let principal_only: Vec<String> = decided
        .iter()
        .filter(|(_, r)| r.status == Status::PrincipalConsentOnly)
        .map(|(row, _)| row.name.clone())
        .collect();
    if !principal_only.is_empty() && grants.service_account.is_none() {
        findings.push(Finding::PrincipalConsentOnly {
            permissions: principal_only,
        });
    }
    if let Some(sa) = &grants.service_account {
        findings.extend(sa.findings.iter().cloned());
        findings.extend(
            sa.role_notes
                .iter()
                .map(|text| Finding::Note { text: text.clone() }),
        );
        let held = |a: Assignment| {
            sa.roles.as_ref().map(|roles| {
                roles.iter().any(|r| {
                    r.assignment == a
                        && r.template_id
                            .eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR_TEMPLATE_ID)
                })
            })
        };
        if held(Assignment::Active) == Some(false) {
            findings.push(Finding::NotGlobalAdministrator {
                eligible: held(Assignment::Eligible) == Some(true),
            });
        }
    }
    findings
}

/// The service account as reported, with its roles checked against the source's
/// recommendation (Global Administrator for delegated backup and restore).
fn service_account_report(
    grants: &Grants,
    decided: &[(&Permission, Requirement)],
    findings: &[Finding],
) -> Option<ServiceAccountReport> {
    let sa = grants.service_account.as_ref()?;
    let mut acts_for: Vec<String> = Vec::new();
    for (row, _) in decided
        .iter()
        .filter(|(row, _)| row.ptype != PermissionType::Application)
    {
        let name = format!("{} ({})", row.name, row.ptype);
        if !acts_for.contains(&name) {
            acts_for.push(name);
        }
    }
    let has_ga = sa.roles.as_ref().map(|roles| {
        roles.iter().any(|r| {
            r.assignment == Assignment::Active
                && r.template_id
                    .eq_ignore_ascii_case(GLOBAL_ADMINISTRATOR_TEMPLATE_ID)
        })
    });
    let notes = findings
        .iter()
        .filter(|f| f.is_about_service_account())
        .map(Finding::message)
        .collect();
    Some(ServiceAccountReport {
        id: sa.id.clone(),
        user_principal_name: sa.user_principal_name.clone(),
        roles: sa.roles.as_ref().map(|roles| {
            roles
                .iter()
                .map(|r| RoleReport {
                    display_name: r.display_name.clone(),
                    template_id: r.template_id.clone(),
                    assignment: r.assignment,
                    tier: catalog::role_tier(&r.template_id).map(|t| t.tier),
                })
                .collect()
        }),
        has_global_administrator: has_ga,
        acts_for,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::Cloud;
    use crate::grants::{AppRoleGrant, DelegatedGrant, ServiceAccount};

    const SA: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";

    fn matrix() -> Matrix {
        Matrix::embedded().unwrap()
    }

    fn app(p: &str) -> AppRoleGrant {
        AppRoleGrant {
            permission: p.into(),
            app_role_id: None,
            assignment_id: None,
            created: None,
        }
    }

    fn all(p: &str) -> DelegatedGrant {
        DelegatedGrant {
            permission: p.into(),
            consent: Consent::AllPrincipals,
            principal_id: None,
            grant_id: None,
        }
    }

    fn principal(p: &str, user: &str) -> DelegatedGrant {
        DelegatedGrant {
            permission: p.into(),
            consent: Consent::Principal,
            principal_id: Some(user.into()),
            grant_id: None,
        }
    }

    /// Every requirement of the embedded matrix granted exactly.
    fn everything() -> Grants {
        let m = matrix();
        let mut g = Grants::new(Cloud::Global, AppIdentity::default());
        for p in &m.permissions {
            match p.ptype {
                PermissionType::Application | PermissionType::Any => {
                    g.application.push(app(&p.name))
                }
                PermissionType::Delegated => g.delegated.push(all(&p.name)),
            }
        }
        g
    }

    fn without(mut g: Grants, name: &str, t: PermissionType) -> Grants {
        match t {
            PermissionType::Application => g.application.retain(|a| a.permission != name),
            _ => g.delegated.retain(|d| d.permission != name),
        }
        g
    }

    fn audit(g: &Grants, opts: Options) -> Report {
        diff(&matrix(), g, Source::Graph, &opts)
    }

    fn req<'r>(r: &'r Report, object: &str, perm: &str, t: PermissionType) -> &'r Requirement {
        r.objects
            .iter()
            .find(|o| o.object == object)
            .and_then(|o| {
                o.requirements
                    .iter()
                    .find(|q| q.permission == perm && q.ptype == t)
            })
            .unwrap_or_else(|| panic!("{object}/{perm}/{t} not in report"))
    }

    fn object<'r>(r: &'r Report, object: &str) -> &'r ObjectReport {
        r.objects.iter().find(|o| o.object == object).unwrap()
    }

    #[test]
    fn everything_granted_covers_all_18_objects() {
        let r = audit(&everything(), Options::default());
        assert!(r.passed);
        assert_eq!(r.summary.objects, 18);
        assert_eq!(r.summary.covered, 18);
        assert!(r.missing.is_empty());
        assert!(r.excess.is_empty());
    }

    #[test]
    fn nothing_granted_is_all_missing() {
        let r = audit(
            &Grants::new(Cloud::Global, AppIdentity::default()),
            Options::default(),
        );
        assert!(!r.passed);
        assert_eq!(r.summary.missing, 18);
        assert_eq!(r.missing.len(), 20);
    }

    #[test]
    fn removing_an_application_permission_uncovers_its_objects() {
        let g = without(
            everything(),
            "Policy.ReadWrite.ConditionalAccess",
            PermissionType::Application,
        );
        let r = audit(&g, Options::default());
        assert!(!r.passed);
        let o = object(&r, "Conditional access policies");
        assert_eq!(o.status, Coverage::Missing);
        assert_eq!(o.purposes.restore, Coverage::Missing);
        assert_eq!(o.purposes.backup, Coverage::NotApplicable);
        assert_eq!(r.missing.len(), 1);
        assert_eq!(r.missing[0].objects, vec!["Conditional access policies"]);
        assert_eq!(r.summary.covered, 17);
    }

    #[test]
    fn one_of_several_requirements_makes_an_object_partial() {
        let g = without(
            everything(),
            "User.ReadWrite.All",
            PermissionType::Application,
        );
        let r = audit(&g, Options::default());
        let users = object(&r, "Users");
        assert_eq!(users.status, Coverage::Partial);
        assert_eq!(users.purposes.backup, Coverage::Covered);
        assert_eq!(users.purposes.restore, Coverage::Partial);
    }

    #[test]
    fn a_gap_shared_by_objects_is_listed_once_with_all_of_them() {
        let g = without(
            everything(),
            "Directory.ReadWrite.All",
            PermissionType::Application,
        );
        let r = audit(&g, Options::default());
        assert_eq!(r.missing.len(), 1);
        assert_eq!(r.missing[0].objects, vec!["Group policies", "Groups"]);
        assert_eq!(r.missing[0].purposes, vec![Purpose::Restore]);
    }

    #[test]
    fn a_broader_permission_outside_the_matrix_implies_and_is_not_excess() {
        let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
        g = without(g, "User.ReadWrite.All", PermissionType::Delegated);
        g.delegated.push(all("Directory.Read.All"));
        let r = audit(&g, Options::default());
        let q = req(&r, "Users", "User.Read.All", PermissionType::Delegated);
        assert_eq!(q.status, Status::Implied);
        assert_eq!(q.via.as_deref(), Some("Directory.Read.All"));
        assert!(!r
            .excess
            .iter()
            .any(|e| e.permission == "Directory.Read.All"));
    }

    #[test]
    fn implied_by_a_broader_permission_and_not_under_strict() {
        let g = without(everything(), "User.Read.All", PermissionType::Delegated);
        let r = audit(&g, Options::default());
        let q = req(&r, "Users", "User.Read.All", PermissionType::Delegated);
        assert_eq!(q.status, Status::Implied);
        assert_eq!(q.via.as_deref(), Some("User.ReadWrite.All"));
        assert_eq!(q.consent, Some(Consent::AllPrincipals));
        assert!(r.passed);

        let strict = audit(
            &g,
            Options {
                strict: true,
                ..Options::default()
            },
        );
        let q = req(&strict, "Users", "User.Read.All", PermissionType::Delegated);
        assert_eq!(q.status, Status::Missing);
        assert!(!strict.passed);
    }

    #[test]
    fn implied_beats_wrong_type_and_strict_falls_through_to_it() {
        let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
        g.application.push(app("User.Read.All"));
        let r = audit(&g, Options::default());
        assert_eq!(
            req(&r, "Users", "User.Read.All", PermissionType::Delegated).status,
            Status::Implied
        );
        let strict = audit(
            &g,
            Options {
                strict: true,
                ..Options::default()
            },
        );
        let q = req(&strict, "Users", "User.Read.All", PermissionType::Delegated);
        assert_eq!(q.status, Status::WrongType);
        assert_eq!(q.granted_as, Some(PermissionType::Application));
    }

    #[test]
    fn a_broader_permission_used_by_an_implied_requirement_is_not_excess() {
        let mut g = without(everything(), "User.Read.All", PermissionType::Delegated);
        g.delegated.push(all("Directory.ReadWrite.All"));
        g = without(g, "User.ReadWrite.All", PermissionType::Delegated);
        let r = audit(&g, Options::default());
        assert_eq!(
            req(&r, "Users", "User.Read.All", PermissionType::Delegated)
                .via
                .as_deref(),
            Some("Directory.ReadWrite.All")
        );
        assert!(r.excess.is_empty(), "{:?}", r.excess);
        let strict = audit(
            &g,
            Options {
                strict: true,
                ..Options::default()
            },
        );
        assert_eq!(strict.excess.len(), 1);
        assert_eq!(strict.excess[0].permission, "Directory.ReadWrite.All");
    }

    #[test]
    fn wrong_type_application_instead_of_delegated() {
        let mut g = without(
            everything(),
            "BitlockerKey.Read.All",
            PermissionType::Delegated,
        );
        g.application.push(app("BitlockerKey.Read.All"));
        let r = audit(&g, Options::default());
        let q = req(
            &r,
            "BitLocker keys",
            "BitlockerKey.Read.All",
            PermissionType::Delegated,
        );
        assert_eq!(q.status, Status::WrongType);
        assert_eq!(object(&r, "BitLocker keys").status, Coverage::Partial);
        assert_eq!(r.missing[0].status, Status::WrongType);
        assert_eq!(
            r.excess,
            vec![Excess {
                permission: "BitlockerKey.Read.All".into(),
                ptype: PermissionType::Application,
                consent: None,
                tier: crate::catalog::app_tier("BitlockerKey.Read.All").map(|t| t.tier),
                tier_path: None,
            }]
        );
    }

    #[test]
    fn excess_is_ranked_tier_0_first_and_can_fail_alone() {
        let mut g = everything();
        g.application.push(app("Mail.ReadWrite"));
        g.application.push(app("AppRoleAssignment.ReadWrite.All"));
        let r = audit(&g, Options::default());
        let names: Vec<(&str, Option<u8>)> = r
            .excess
            .iter()
            .map(|e| (e.permission.as_str(), e.tier))
            .collect();
        assert_eq!(
            names,
            vec![
                ("AppRoleAssignment.ReadWrite.All", Some(0)),
                ("Mail.ReadWrite", Some(1))
            ]
        );
        assert!(r.passed, "gaps only by default");
        let strict = audit(
            &g,
            Options {
                fail_on: FailOn::ExcessTier0,
                ..Options::default()
            },
        );
        assert!(!strict.passed);
        g.application
            .retain(|a| a.permission != "AppRoleAssignment.ReadWrite.All");
        let tier1_only = audit(
            &g,
            Options {
                fail_on: FailOn::ExcessTier0,
                ..Options::default()
            },
        );
        assert!(tier1_only.passed);
        assert!(tier1_only
            .tier0_application
            .contains(&"RoleManagement.ReadWrite.Directory".to_string()));
        let delegated = tier1_only
            .objects
            .iter()
            .flat_map(|o| &o.requirements)
            .find(|q| q.ptype == PermissionType::Delegated)
            .unwrap();
        assert_eq!(
            delegated.tier, None,
            "a delegated permission has no tier of its own"
        );
    }

    #[test]
    fn expired_and_expiring_credentials_secrets_and_owners_are_judged() {
        use crate::grants::{AppSecurity, Credential, Owner};
        let cred = |kind: &str, end: &str| Credential {
            on: "application".into(),
            kind: kind.into(),
            display_name: Some(format!("{kind} {end}")),
            end_date_time: Some(end.into()),
        };
        let owner = |upn: &str, roles: Option<Vec<String>>| Owner {
            id: upn.into(),
            kind: "user".into(),
            display_name: None,
            user_principal_name: Some(upn.into()),
            of: vec!["application".into()],
            tier0_roles: roles,
        };
        let sec = AppSecurity {
            credentials: vec![
                cred("secret", "2026-11-01T00:00:00Z"),
                cred("secret", "2026-12-10T00:00:00Z"),
                cred("certificate", "2027-06-01T00:00:00Z"),
            ],
            owners: Some(vec![
                owner("dev@contoso.com", Some(vec![])),
                owner("ga@contoso.com", Some(vec!["Global Administrator".into()])),
            ]),
            registration_here: true,
        };
        let r = app_security(&sec, Some("2026-11-28T12:00:00Z"));
        let states: Vec<&str> = r.credentials.iter().map(|c| c.state).collect();
        assert_eq!(states, vec!["expired", "expiring", "valid"]);
        let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            codes,
            vec![
                "credential-expired",
                "credential-expiring",
                "client-secrets",
                "owner-not-administrator"
            ]
        );
        assert_eq!(r.findings[1].data["days"], 11);
        assert!(r.findings[3]
            .message
            .starts_with("dev@contoso.com owns the app"));
        let owners = r.owners.unwrap();
        assert_eq!(owners[1].administrator, Some(true));
    }

    #[test]
    fn wrong_type_delegated_instead_of_application() {
        let mut g = without(
            everything(),
            "AuditLog.Read.All",
            PermissionType::Application,
        );
        g.delegated.push(all("AuditLog.Read.All"));
        let r = audit(&g, Options::default());
        let q = req(
            &r,
            "Activity logs",
            "AuditLog.Read.All",
            PermissionType::Application,
        );
        assert_eq!(q.status, Status::WrongType);
        assert_eq!(q.granted_as, Some(PermissionType::Delegated));
    }

    #[test]
    fn any_type_accepts_either() {
        let mut g = without(
            everything(),
            "DeviceLocalCredential.Read.All",
            PermissionType::Application,
        );
        assert_eq!(
            req(
                &audit(&g, Options::default()),
                "Windows LAPS credentials",
                "DeviceLocalCredential.Read.All",
                PermissionType::Any
            )
            .status,
            Status::Missing
        );
        g.delegated.push(all("DeviceLocalCredential.Read.All"));
        let r = audit(&g, Options::default());
        let q = req(
            &r,
            "Windows LAPS credentials",
            "DeviceLocalCredential.Read.All",
            PermissionType::Any,
        );
        assert_eq!(q.status, Status::Granted);
        assert!(r.excess.is_empty());
    }

    #[test]
    fn principal_only_consent_without_a_service_account_is_explained() {
        let mut g = without(
            everything(),
            "Directory.AccessAsUser.All",
            PermissionType::Delegated,
        );
        g.delegated
            .push(principal("Directory.AccessAsUser.All", SA));
        let r = audit(&g, Options::default());
        assert!(
            r.notes.iter().any(|n| n.contains("--service-account")),
            "{:?}",
            r.notes
        );
        let r = audit(&everything(), Options::default());
        assert!(r.notes.is_empty());
    }

    #[test]
    fn principal_consent_counts_only_for_the_service_account() {
        let mut g = without(
            everything(),
            "Directory.AccessAsUser.All",
            PermissionType::Delegated,
        );
        g.delegated
            .push(principal("Directory.AccessAsUser.All", SA));
        let r = audit(&g, Options::default());
        let q = req(
            &r,
            "Users",
            "Directory.AccessAsUser.All",
            PermissionType::Delegated,
        );
        assert_eq!(q.status, Status::PrincipalConsentOnly);
        assert!(!r.passed);

        g.service_account = Some(ServiceAccount {
            id: SA.to_uppercase(),
            user_principal_name: Some("backup@contoso.com".into()),
            roles: None,
            findings: Vec::new(),
            role_notes: Vec::new(),
        });
        let r = audit(&g, Options::default());
        let q = req(
            &r,
            "Users",
            "Directory.AccessAsUser.All",
            PermissionType::Delegated,
        );
        assert_eq!(q.status, Status::Granted);
        assert_eq!(q.consent, Some(Consent::Principal));
        assert!(r.passed);

        g.service_account.as_mut().unwrap().id = "00000000-0000-0000-0000-000000000001".into();
        let r = audit(&g, Options::default());
        assert_eq!(
            req(
                &r,
                "Users",
                "Directory.AccessAsUser.All",
                PermissionType::Delegated
            )
            .status,
            Status::PrincipalConsentOnly
        );
    }

    #[test]
    fn requested_but_not_granted_is_stale_consent() {
        let mut g = without(
            everything(),
            "AuditLog.Read.All",
            PermissionType::Application,
        );
        g.requested = Some(vec![Requested {
            permission: "AuditLog.Read.All".into(),
            ptype: PermissionType::Application,
        }]);
        let r = audit(&g, Options::default());
        assert_eq!(
            req(
                &r,
                "Activity logs",
                "AuditLog.Read.All",
                PermissionType::Application
            )
            .status,
            Status::RequestedNotGranted
        );
        // Requested as the other type does not count.
        g.requested.as_mut().unwrap()[0].ptype = PermissionType::Delegated;
        let r = audit(&g, Options::default());
        assert_eq!(
            req(
                &r,
                "Activity logs",
                "AuditLog.Read.All",
                PermissionType::Application
            )
            .status,
            Status::Missing
        );
    }

    #[test]
    fn excess_lists_unneeded_graph_permissions_but_not_openid_scopes() {
        let mut g = everything();
        g.application.push(app("Mail.ReadWrite"));
        g.delegated.push(all("offline_access"));
        g.delegated.push(all("openid"));
        g.delegated.push(principal("Calendars.Read", SA));
        g.other_resources.push(OtherGrant {
            resource: "Office 365 Exchange Online".into(),
            resource_id: "x".into(),
            permission: "full_access_as_app".into(),
            ptype: PermissionType::Application,
        });
        let r = audit(&g, Options::default());
        let names: Vec<_> = r.excess.iter().map(|e| e.permission.as_str()).collect();
        // Ranked by tier: the application permission (Tier 1) before the delegated one (no tier).
        assert_eq!(names, vec!["Mail.ReadWrite", "Calendars.Read"]);
        assert!(r.passed, "excess alone does not fail --fail-on gap");
        let r = audit(
            &g,
            Options {
                fail_on: FailOn::Excess,
                ..Options::default()
            },
        );
        assert!(!r.passed);
        assert_eq!(r.other_resources.len(), 1);
    }

    #[test]
    fn scope_limits_requirements_purposes_and_excess() {
        let g = everything();
        let r = audit(
            &g,
            Options {
                scope: Scope::Backup,
                ..Options::default()
            },
        );
        assert!(r.passed);
        let ca = object(&r, "Conditional access policies");
        assert_eq!(ca.status, Coverage::NotApplicable);
        assert_eq!(ca.purposes.restore, Coverage::NotApplicable);
        assert_eq!(r.summary.not_applicable, 3, "{:?}", r.summary);
        // Restore-only permissions are not needed for backup.
        assert!(r
            .excess
            .iter()
            .any(|e| e.permission == "Policy.ReadWrite.ConditionalAccess"));
        let users = object(&r, "Users");
        assert!(users
            .requirements
            .iter()
            .all(|q| q.purposes == vec![Purpose::Backup]));
    }

    #[test]
    fn fail_on_backup_gap_ignores_restore_gaps() {
        let g = without(
            everything(),
            "Policy.ReadWrite.ConditionalAccess",
            PermissionType::Application,
        );
        let opts = Options {
            fail_on: FailOn::BackupGap,
            ..Options::default()
        };
        assert!(audit(&g, opts).passed);
        let g = without(g, "Policy.Read.All", PermissionType::Application);
        assert!(!audit(&g, opts).passed);
        assert!(
            audit(
                &g,
                Options {
                    fail_on: FailOn::Never,
                    ..Options::default()
                }
            )
            .passed
        );
    }

    #[test]
    fn objects_follow_the_matrix_order() {
        let r = audit(&everything(), Options::default());
        let names: Vec<_> = r.objects.iter().map(|o| o.object.as_str()).collect();
        assert_eq!(names, matrix().objects());
    }

    #[test]
    fn permission_names_match_case_insensitively() {
        let mut g = without(everything(), "Policy.Read.All", PermissionType::Application);
        g.application.push(app("policy.read.all"));
        assert!(audit(&g, Options::default()).passed);
    }
}

#[cfg(test)]
mod service_account_tests {
    use super::*;
    use crate::cloud::Cloud;
    use crate::grants::{DirectoryRole, ServiceAccount};

    fn with_roles(roles: Option<Vec<DirectoryRole>>) -> Report {
        let mut g = Grants::new(Cloud::Global, AppIdentity::default());
        g.service_account = Some(ServiceAccount {
            id: "u".into(),
            user_principal_name: Some("svc@contoso.com".into()),
            roles,
            findings: Vec::new(),
            role_notes: Vec::new(),
        });
        diff(
            &Matrix::embedded().unwrap(),
            &g,
            Source::Graph,
            &Options::default(),
        )
    }

    fn role(name: &str, id: &str, a: Assignment) -> DirectoryRole {
        DirectoryRole {
            display_name: name.into(),
            template_id: id.into(),
            assignment: a,
        }
    }

    #[test]
    fn global_administrator_present() {
        let r = with_roles(Some(vec![role(
            "Global Administrator",
            GLOBAL_ADMINISTRATOR_TEMPLATE_ID,
            Assignment::Active,
        )]));
        let sa = r.service_account.unwrap();
        assert_eq!(sa.has_global_administrator, Some(true));
        assert!(sa.notes.is_empty());
        assert_eq!(sa.acts_for.len(), 8, "{:?}", sa.acts_for);
        assert!(sa
            .acts_for
            .contains(&"Directory.AccessAsUser.All (Delegated)".to_string()));
        assert!(sa
            .acts_for
            .contains(&"DeviceLocalCredential.Read.All (Any)".to_string()));
    }

    #[test]
    fn global_administrator_absent_or_only_eligible_is_warned() {
        let r = with_roles(Some(vec![role(
            "User Administrator",
            "fe930be7-5e62-47db-91af-98c3a49a38b1",
            Assignment::Active,
        )]));
        let sa = r.service_account.unwrap();
        assert_eq!(sa.has_global_administrator, Some(false));
        assert!(sa.notes[0].contains("not a Global Administrator"));
        let r = with_roles(Some(vec![role(
            "Global Administrator",
            GLOBAL_ADMINISTRATOR_TEMPLATE_ID,
            Assignment::Eligible,
        )]));
        let sa = r.service_account.unwrap();
        assert_eq!(sa.has_global_administrator, Some(false));
        assert!(sa.notes[0].contains("only eligible"));
    }

    #[test]
    fn unreadable_roles_are_unknown_not_absent() {
        let sa = with_roles(None).service_account.unwrap();
        assert_eq!(sa.has_global_administrator, None);
        assert!(sa.notes.is_empty());
    }
}
