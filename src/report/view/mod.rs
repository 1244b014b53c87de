//! The one view behind every report for people: an audit (or many) turned once into what a
//! reader sees — the verdict, the header, per-object rows with backup and restore cells, what to
//! grant, what is not needed, the service account, the notes — with every tenant-supplied string
//! already free of control characters. The table, Markdown and HTML renderers only lay it out,
//! so they cannot disagree.

use serde::{Deserialize, Serialize};

use crate::audit::{
    Basis, Change, ChangedBy, Coverage, FailOn, GrantEntry, Report, Requirement, Status,
};
use crate::grants::{Consent, Source};
use crate::matrix::Matrix;

use crate::permission::PermissionType;
use crate::plan::Plan;

/// One audit, as people read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditView {
    pub passed: bool,
    /// `PASS` or `FAIL`.
    pub verdict_word: String,
    /// The one-line verdict: `FAIL: 3 of 18 objects not covered (…); grant 4 permissions`.
    pub verdict: String,
    /// The app's display name, else its appId.
    pub title: String,
    pub app_id: Option<String>,
    pub service_principal_id: Option<String>,
    pub tenant: Option<String>,
    /// The organization's display name, where it was read.
    pub tenant_name: Option<String>,
    pub cloud: String,
    /// Where the grants were read: `Microsoft Graph`, `a snapshot`, `the token's claims`.
    pub source: String,
    /// When they were read (RFC 3339), where known.
    pub read_at: Option<String>,
    /// `entra-perms 0.1.0`.
    pub tool: String,
    pub matrix_version: String,
    pub scope: String,
    pub strict: bool,
    pub fail_on: String,
    pub objects_in_scope: usize,
    pub covered: usize,
    pub partial: usize,
    pub missing: usize,
    pub not_applicable: usize,
    pub objects: Vec<ObjectView>,
    pub to_grant: Vec<GapView>,
    /// Admin consent for everything the registration requests, where the plan has one.
    pub consent_url: Option<String>,
    /// Requirements satisfied only by a broader permission: `Name (Type): implied by X`.
    pub implied: Vec<String>,
    pub excess: Vec<ExcessView>,
    /// `Needed only for restore — keep these if this app restores` (none: `None`).
    pub out_of_scope_title: Option<String>,
    /// `Policy.ReadWrite.ConditionalAccess (Application) · Tier 0`.
    pub out_of_scope: Vec<String>,
    /// `Resource: permission (Type)`.
    pub other_apis: Vec<String>,
    /// `id (Type)`.
    pub unresolved: Vec<String>,
    pub service_account: Option<AccountView>,
    pub notes: Vec<String>,
    /// Against `--baseline`: what changed.
    pub drift: Option<DriftView>,
    /// The Tier-0 application permissions the app holds (paths to Global Administrator).
    pub tier0: Vec<String>,
    /// `The app holds 9 Tier-0 application permissions: …` (none: `None`).
    pub tier0_line: Option<String>,
    /// Who can become the app.
    pub app_security: Option<AppSecurityView>,
}

/// Credentials and owners, for people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppSecurityView {
    /// `secret "backup-prod" on the app registration · ends 2026-11-01 · expired`.
    pub credentials: Vec<String>,
    /// `dev@contoso.com (user, owns the application) · not an administrator`; `None`: unread.
    pub owners: Option<Vec<String>>,
    /// `"deploy" · https://token.actions.githubusercontent.com · repo:contoso/backup:pull_request ·
    /// OPEN`; `None`: unread.
    pub federated: Option<Vec<String>>,
    /// The app's own directory roles, `Privileged Authentication Administrator (Tier 0)`; `None`:
    /// unread.
    pub roles: Option<Vec<String>>,
    /// The commands that remove each credential, federated ones included.
    pub commands: Vec<String>,
    pub findings: Vec<String>,
}

/// What changed since the baseline.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftView {
    /// `since 2026-11-20T08:00:00Z: 2 new gaps, 1 resolved, 1 grant added, 0 removed`.
    pub line: String,
    pub new_gaps: Vec<String>,
    pub resolved: Vec<String>,
    /// `Mail.ReadWrite (Application) on Microsoft Graph: by admin@… on …`.
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl DriftView {
    /// The four lists under their titles, in the order every renderer shows them.
    pub fn sections(&self) -> [(&'static str, &[String]); 4] {
        [
            ("New gaps", &self.new_gaps),
            ("Resolved", &self.resolved),
            ("Grants added", &self.added),
            ("Grants removed", &self.removed),
        ]
    }
}

/// One protected object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectView {
    pub name: String,
    pub status: Coverage,
    pub backup: Coverage,
    pub restore: Coverage,
    /// Every requirement not granted exactly: `Name (Type): words`.
    pub not_granted: Vec<String>,
    pub requirements: Vec<RequirementView>,
    /// `new gap` or `resolved` when a requirement changed since the baseline.
    pub change: Option<String>,
}

/// One requirement of an object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequirementView {
    /// `Name (Type)`.
    pub name: String,
    pub permission: String,
    pub ptype: PermissionType,
    /// `backup and restore`.
    pub purposes: String,
    pub status: Status,
    /// What the status means here: `implied by User.ReadWrite.All`.
    pub status_words: String,
    /// `for all users` / `for one user`.
    pub consent: Option<String>,
    pub granted_on: Option<String>,
    /// Why the backup needs it (the matrix's description).
    pub why: String,
    /// How to grant it, when it is not satisfied and the plan knows.
    pub fix: Option<Fix>,
    /// `new gap` or `resolved` since the baseline.
    pub change: Option<String>,
}

/// The commands that close one gap.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fix {
    pub az: String,
    pub powershell: String,
}

/// A permission to grant, once, with every object it protects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GapView {
    pub name: String,
    pub permission: String,
    pub ptype: PermissionType,
    pub status: String,
    pub purposes: String,
    pub objects: String,
}

/// A granted permission that is not needed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExcessView {
    pub name: String,
    /// The tier of an application permission.
    pub tier: Option<u8>,
    /// `Tier 0`, `Tier 2`, `tier not rated` (an application permission the tier data does not
    /// rate), or empty (a delegated permission has no tier of its own).
    pub tier_words: String,
    /// For a Tier-0 grant: the plain advice.
    pub warning: Option<String>,
    /// `consented by individual users`, where so.
    pub consent: Option<String>,
    /// What it allows, where the matrix knows the permission.
    pub allows: Option<String>,
}

/// The service account panel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountView {
    /// Its UPN, else its object id.
    pub who: String,
    /// `Global Administrator`, `User Administrator (eligible)`; `None`: unknown.
    pub roles: Option<Vec<String>>,
    /// `Global Administrator, …` / `no directory roles` / `roles unknown`.
    pub roles_words: String,
    pub has_global_administrator: Option<bool>,
    pub acts_for: String,
    pub notes: Vec<String>,
}

/// The reader-facing name of a requirement: `Name (Type)`.
pub fn req_name(permission: &str, ptype: impl std::fmt::Display) -> String {
    format!("{permission} ({ptype})")
}

/// What a requirement's status means, in a few words.
pub fn status_words(r: &Requirement) -> String {
    match r.status {
        Status::Granted => "granted".into(),
        Status::Implied => format!("implied by {}", r.via.as_deref().unwrap_or("?")),
        Status::PrincipalConsentOnly => "consented only for individual users".into(),
        Status::WrongType => format!(
            "granted as {} instead",
            r.granted_as.map(|t| t.to_string()).unwrap_or_default()
        ),
        Status::RequestedNotGranted => "requested but never consented".into(),
        Status::Missing => "missing".into(),
    }
}

fn source_words(s: Source) -> &'static str {
    match s {
        Source::Graph => "Microsoft Graph",
        Source::Snapshot => "a snapshot",
        Source::Token => "the token's claims",
    }
}

fn words<T: std::fmt::Display>(items: &[T], sep: &str) -> String {
    super::layout::join(items, sep)
}

/// The one-line verdict.
pub fn verdict(r: &Report) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let gaps = r.summary.partial + r.summary.missing;
    let in_scope = r.summary.objects - r.summary.not_applicable;
    let mut parts = vec![if gaps == 0 {
        format!("all {in_scope} objects in scope covered")
    } else {
        format!(
            "{gaps} of {in_scope} objects not covered ({} partial, {} missing)",
            r.summary.partial, r.summary.missing
        )
    }];
    if !r.missing.is_empty() {
        parts.push(format!(
            "grant {}",
            plural(r.missing.len(), "permission", "permissions")
        ));
    }
    if !r.excess.is_empty() {
        parts.push(format!("{} not needed", r.excess.len()));
    }
    let mut policy = Vec::new();
    if r.fail_on != FailOn::Gap {
        policy.push(format!("--fail-on {}", r.fail_on.as_str()));
    }
    if r.strict {
        policy.push("--strict".to_string());
    }
    let policy = if policy.is_empty() {
        String::new()
    } else {
        format!(" [{}]", policy.join(", "))
    };
    format!(
        "{}: {}{policy}",
        if r.passed { "PASS" } else { "FAIL" },
        parts.join("; ")
    )
}

/// The fix for a requirement from the plan: the application step that grants it, or the
/// delegated step that adds it.
fn fix_for(plan: Option<&Plan>, q: &Requirement) -> Option<Fix> {
    let plan = plan?;
    if q.status.is_ok() {
        return None;
    }
    let same = |p: &str| p.eq_ignore_ascii_case(&q.permission);
    if q.ptype != PermissionType::Delegated {
        if let Some(step) = plan.application.iter().find(|s| same(&s.permission)) {
            return Some(Fix {
                az: step.az_cli.clone(),
                powershell: step.powershell.clone(),
            });
        }
    }
    let step = plan.delegated.as_ref()?;
    step.add.iter().any(|(p, _)| same(p)).then(|| Fix {
        az: step.az_cli.clone(),
        powershell: step.powershell.clone(),
    })
}

fn change_word(c: Option<Change>) -> Option<&'static str> {
    match c {
        Some(Change::NewGap) => Some("new gap"),
        Some(Change::Resolved) => Some("resolved"),
        Some(Change::NotInBaseline) => Some("not in the baseline"),
        _ => None,
    }
}

fn grant_words(g: &GrantEntry) -> String {
    let mut s = format!("{} ({}) on {}", g.permission, g.ptype, g.resource);
    if let Some(c) = g.consent {
        s.push_str(match c {
            Consent::AllPrincipals => ", for all users",
            Consent::Principal => ", for one user",
        });
    }
    match &g.changed_by {
        Some(ChangedBy {
            by: Some(by),
            at,
            activity,
            basis,
        }) => {
            s.push_str(&format!(": by {by}"));
            if let Some(at) = at {
                s.push_str(&format!(" at {at}"));
            }
            if let Some(activity) = activity {
                s.push_str(&format!(" ({activity})"));
            }
            if *basis == Basis::ConsentOnly {
                s.push_str(", likely: the log names no permission, only a consent to the app");
            }
        }
        Some(_) => s.push_str(": the audit log has no record of it"),
        None => s.push_str(": who and when not known"),
    }
    s
}

fn drift(r: &Report) -> Option<DriftView> {
    let (b, c) = (r.baseline.as_ref()?, r.changes.as_ref()?);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Some(DriftView {
        line: format!(
            "since {}: {}, {} resolved, {} added, {} removed",
            b.taken_at.as_deref().unwrap_or("the baseline"),
            plural(c.new_gaps.len(), "new gap", "new gaps"),
            c.resolved.len(),
            plural(c.grants_added.len(), "grant", "grants"),
            c.grants_removed.len()
        ),
        new_gaps: c
            .new_gaps
            .iter()
            .map(|g| {
                format!(
                    "{}: {} · {}",
                    req_name(&g.permission, g.ptype),
                    g.status.as_str(),
                    g.objects.join(", ")
                )
            })
            .collect(),
        resolved: c
            .resolved
            .iter()
            .map(|g| {
                format!(
                    "{} · {}",
                    req_name(&g.permission, g.ptype),
                    g.objects.join(", ")
                )
            })
            .collect(),
        added: c.grants_added.iter().map(grant_words).collect(),
        removed: c.grants_removed.iter().map(grant_words).collect(),
    })
}

/// The per-object rows, with each requirement's reason from the matrix and fix from the plan.
fn object_views(r: &Report, matrix: &Matrix, plan: Option<&Plan>) -> Vec<ObjectView> {
    let why = |q: &Requirement| {
        matrix
            .permissions
            .iter()
            .find(|p| p.ptype == q.ptype && p.name.eq_ignore_ascii_case(&q.permission))
            .map(|p| p.description.clone())
            .unwrap_or_default()
    };
    r.objects
        .iter()
        .map(|o| ObjectView {
            name: o.object.clone(),
            status: o.status,
            backup: o.purposes.backup,
            restore: o.purposes.restore,
            not_granted: o
                .requirements
                .iter()
                .filter(|q| q.status != Status::Granted)
                .map(|q| format!("{}: {}", req_name(&q.permission, q.ptype), status_words(q)))
                .collect(),
            requirements: o
                .requirements
                .iter()
                .map(|q| RequirementView {
                    name: req_name(&q.permission, q.ptype),
                    permission: q.permission.clone(),
                    ptype: q.ptype,
                    purposes: words(&q.purposes, " and "),
                    status: q.status,
                    status_words: status_words(q),
                    consent: q.consent.map(|c| {
                        match c {
                            Consent::AllPrincipals => "for all users",
                            Consent::Principal => "for the service account only",
                        }
                        .to_string()
                    }),
                    granted_on: q.granted_on.clone(),
                    why: why(q),
                    fix: fix_for(plan, q),
                    change: change_word(q.change).map(str::to_string),
                })
                .collect(),
            change: if o
                .requirements
                .iter()
                .any(|q| q.change == Some(Change::NewGap))
            {
                Some("new gap".to_string())
            } else if o
                .requirements
                .iter()
                .any(|q| q.change == Some(Change::Resolved))
            {
                Some("resolved".to_string())
            } else {
                None
            },
        })
        .collect()
}

/// Requirements satisfied only by a broader permission, once each.
fn implied_views(r: &Report) -> Vec<String> {
    r.objects
        .iter()
        .flat_map(|o| &o.requirements)
        .filter(|q| q.via.is_some())
        .map(|q| format!("{}: {}", req_name(&q.permission, q.ptype), status_words(q)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The service account panel.
fn account_view(sa: &crate::audit::ServiceAccountReport) -> AccountView {
    let roles: Option<Vec<String>> = sa
        .roles
        .as_ref()
        .map(|roles| roles.iter().map(|role| role.qualified(false)).collect());
    let roles_words = match &roles {
        None => "roles unknown".to_string(),
        Some(list) if list.is_empty() => "no directory roles".to_string(),
        Some(list) => list.join(", "),
    };
    AccountView {
        who: sa
            .user_principal_name
            .clone()
            .unwrap_or_else(|| sa.id.clone()),
        roles,
        roles_words,
        has_global_administrator: sa.has_global_administrator,
        acts_for: sa.acts_for.join(", "),
        notes: sa.notes.clone(),
    }
}

/// A grant's tier in words: a delegated permission has none of its own; an application
/// permission the tier data does not rate says so, never silently nothing.
fn tier_words(tier: Option<u8>, ptype: PermissionType) -> String {
    match (tier, ptype) {
        (Some(t), _) => format!("Tier {t}"),
        (None, PermissionType::Delegated) => String::new(),
        (None, _) => "tier not rated".to_string(),
    }
}

/// A granted permission that is not needed, for people.
fn excess_view(e: &crate::audit::Excess, matrix: &Matrix) -> ExcessView {
    ExcessView {
        name: req_name(&e.permission, e.ptype),
        tier: e.tier,
        tier_words: tier_words(e.tier, e.ptype),
        warning: (e.tier == Some(0)).then_some(
            "needed by no backup or restore requirement, and a path to Global Administrator: remove it".to_string(),
        ),
        consent: match e.consent {
            Some(Consent::Principal) => Some("consented by individual users".to_string()),
            _ => None,
        },
        allows: matrix
            .permissions
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&e.permission))
            .map(|p| p.description.clone())
            .or_else(|| {
                crate::catalog::permissions(&e.permission)
                    .into_iter()
                    .find(|p| p.ptype == e.ptype)
                    .map(|p| p.allows.clone())
                    .filter(|a| !a.is_empty())
            }),
    }
}

/// Build the view of one audit. `matrix` gives each requirement's reason; `plan`, when given,
/// each gap's fix and the consent URL.
pub fn audit(report: &Report, matrix: &Matrix, plan: Option<&Plan>) -> AuditView {
    let r = report;
    let objects = object_views(r, matrix, plan);
    let implied = implied_views(r);
    let service_account = r.service_account.as_ref().map(account_view);
    let title = r
        .app
        .display_name
        .clone()
        .or_else(|| r.app.app_id.clone())
        .unwrap_or_else(|| "the app".into());
    AuditView {
        passed: r.passed,
        verdict_word: if r.passed {
            "PASS".to_string()
        } else {
            "FAIL".to_string()
        },
        verdict: verdict(r),
        title,
        app_id: r.app.app_id.clone(),
        service_principal_id: r.app.service_principal_id.clone(),
        tenant: r.tenant_id.clone(),
        tenant_name: r.tenant_name.clone(),
        cloud: r.cloud.as_str().to_string(),
        source: source_words(r.source).to_string(),
        read_at: r.read_at.clone(),
        tool: format!("{} {}", r.tool.name, r.tool.version),
        matrix_version: matrix_words(r),
        scope: r.scope.as_str().to_string(),
        strict: r.strict,
        fail_on: r.fail_on.as_str().to_string(),
        objects_in_scope: r.summary.objects - r.summary.not_applicable,
        covered: r.summary.covered,
        partial: r.summary.partial,
        missing: r.summary.missing,
        not_applicable: r.summary.not_applicable,
        objects,
        to_grant: r
            .missing
            .iter()
            .map(|g| GapView {
                name: req_name(&g.permission, g.ptype),
                permission: g.permission.clone(),
                ptype: g.ptype,
                status: g.status.as_str().to_string(),
                purposes: words(&g.purposes, " and "),
                objects: g.objects.join(", "),
            })
            .collect(),
        consent_url: plan
            .filter(|p| !p.is_empty())
            .and_then(|p| p.admin_consent_url.clone()),
        implied,
        excess: r.excess.iter().map(|e| excess_view(e, matrix)).collect(),
        out_of_scope_title: r.out_of_scope.first().map(|o| {
            format!(
                "Needed only for {}: keep these if this app {}s",
                words(&o.purposes, " and "),
                words(&o.purposes, " and ")
            )
        }),
        out_of_scope: r
            .out_of_scope
            .iter()
            .map(|o| {
                let g = &o.grant;
                let mut line = req_name(&g.permission, g.ptype);
                let tier = tier_words(g.tier, g.ptype);
                if !tier.is_empty() {
                    line.push_str(&format!(" · {tier}"));
                }
                line
            })
            .collect(),
        other_apis: r
            .other_resources
            .iter()
            .map(|o| format!("{}: {} ({})", o.resource, o.permission, o.ptype))
            .collect(),
        unresolved: r
            .unresolved
            .iter()
            .map(|u| format!("{} ({})", u.id, u.ptype))
            .collect(),
        service_account,
        notes: r.notes.clone(),
        drift: drift(r),
        tier0: r.tier0_application.clone(),
        app_security: r.app_security.as_ref().map(app_security_view),
        tier0_line: tier0_line(r),
    }
}

mod security;
/// Which matrix, in words: `2026.11` for the default, else the vendor's product, its version and
/// the embedded name (`Veeam Data Cloud for Microsoft Entra ID (veeam-data-cloud)`).
fn matrix_words(r: &Report) -> String {
    let version = r
        .matrix_version
        .clone()
        .unwrap_or_else(|| "(unversioned)".into());
    match &r.matrix {
        Some(m) if m.product.is_some() => {
            let mut s = m.product.clone().unwrap_or_default();
            if let Some(v) = &m.product_version {
                s.push_str(&format!(" {v}"));
            }
            if let Some(n) = &m.name {
                s.push_str(&format!(" ({n})"));
            }
            if m.partial {
                s.push_str(", a partial list");
            }
            s
        }
        Some(m) if m.name.as_deref().is_some_and(|n| n != "keepit") => {
            format!("{version} ({})", m.name.as_deref().unwrap_or_default())
        }
        _ => version,
    }
}

mod tenants;

use security::{app_security_view, tier0_line};

pub(crate) use tenants::{counts, detail, label as tenant_label};
pub use tenants::{tenant, tenants, TenantView, TenantsView};
