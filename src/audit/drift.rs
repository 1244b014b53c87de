//! Drift: an audit compared with an earlier one (`--baseline`) — which requirements became gaps or
//! were resolved, which grants appeared or disappeared, and, from the directory audit log, who
//! changed them and when. Parsing a baseline is the only I/O-free reading here; `compare` is pure.

use std::collections::{HashMap, HashSet};

use crate::audit::{BaselineInfo, Basis, Change, ChangedBy, Changes, Gap, GrantEntry, Report};
use crate::error::Error;
use crate::findings::Finding;
use crate::grants::AuditEntry;
use crate::permission::PermissionType;

/// One tenant's earlier state.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub info: BaselineInfo,
    pub service_principal_id: Option<String>,
    /// Whether each requirement (permission lower-cased, type) was satisfied.
    pub(super) satisfied: HashMap<(String, PermissionType), bool>,
    /// Every grant then (`None`: the baseline does not record them).
    pub(super) grants: Option<Vec<GrantEntry>>,
}

/// A baseline file: one audit or snapshot, or a multi-tenant audit (by tenant as listed).
#[derive(Debug, Clone)]
pub enum BaselineDoc {
    One(Box<Baseline>),
    Many(Vec<(String, Baseline)>),
}

impl BaselineDoc {
    /// The earliest time of its audits, to read the audit log from.
    pub fn since(&self) -> Option<String> {
        match self {
            BaselineDoc::One(b) => b.info.taken_at.clone(),
            BaselineDoc::Many(list) => list
                .iter()
                .filter_map(|(_, b)| b.info.taken_at.clone())
                .min(),
        }
    }
}

pub use super::baseline::parse;

pub(super) fn key(permission: &str, t: PermissionType) -> (String, PermissionType) {
    (permission.to_ascii_lowercase(), t)
}

/// Satisfaction of each requirement of an audit, and its grants.
pub(super) fn from_report(r: &Report, source: &str, taken_at: Option<String>) -> Baseline {
    let mut satisfied = HashMap::new();
    for q in r.objects.iter().flat_map(|o| &o.requirements) {
        satisfied.insert(key(&q.permission, q.ptype), q.status.is_ok());
    }
    Baseline {
        info: BaselineInfo {
            taken_at,
            source: source.to_string(),
            tenant_id: r.tenant_id.clone(),
            app_id: r.app.app_id.clone(),
        },
        service_principal_id: r.app.service_principal_id.clone(),
        satisfied,
        grants: Some(r.grants.clone()),
    }
}

/// The baseline must be of the same app and tenant: exit 2 naming both otherwise.
pub fn check_same(report: &Report, baseline: &Baseline, origin: &str) -> Result<(), Error> {
    let differs = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
        _ => false,
    };
    let app_differs = differs(&report.app.app_id, &baseline.info.app_id)
        || differs(
            &report.app.service_principal_id,
            &baseline.service_principal_id,
        );
    if app_differs {
        return Err(Error::input(format!(
            "the baseline {origin} is of another app ({}), not {}: give a baseline of the same app",
            baseline.info.app_id.as_deref().unwrap_or("unknown"),
            report.app.app_id.as_deref().unwrap_or("unknown"),
        )));
    }
    if differs(&report.tenant_id, &baseline.info.tenant_id) {
        return Err(Error::input(format!(
            "the baseline {origin} is of another tenant ({}), not {}: give a baseline of the same tenant",
            baseline.info.tenant_id.as_deref().unwrap_or("unknown"),
            report.tenant_id.as_deref().unwrap_or("unknown"),
        )));
    }
    Ok(())
}

fn grant_key(
    g: &GrantEntry,
) -> (
    String,
    PermissionType,
    String,
    Option<crate::grants::Consent>,
) {
    (
        g.permission.to_ascii_lowercase(),
        g.ptype,
        g.resource.to_ascii_lowercase(),
        g.consent,
    )
}

/// The audit log indexed once (linear in its length): for each permission, change direction and
/// type, the latest entry since the baseline that names it, and the latest "Consent to
/// application" — so attributing every changed grant stays linear, however long the log.
struct LogIndex<'a> {
    named: HashMap<(String, bool, Option<PermissionType>), (usize, &'a AuditEntry)>,
    consent: Option<&'a AuditEntry>,
}

impl<'a> LogIndex<'a> {
    fn new(log: &'a [AuditEntry], since: Option<&str>) -> LogIndex<'a> {
        let since_t = since.and_then(|s| azure_core::time::parse_rfc3339(s).ok());
        let after = |at: &str| match (since, since_t) {
            (None, _) => true,
            (Some(_), Some(s)) => azure_core::time::parse_rfc3339(at).is_ok_and(|a| a >= s),
            (Some(since), None) => at >= since,
        };
        let mut named = HashMap::new();
        let mut consent = None;
        for (i, e) in log.iter().enumerate().filter(|(_, e)| after(&e.at)) {
            if e.added && e.permissions.is_empty() && e.ptype.is_none() {
                consent = Some(e);
            }
            for p in &e.permissions {
                named.insert((p.to_ascii_lowercase(), e.added, e.ptype), (i, e));
            }
        }
        LogIndex { named, consent }
    }

    /// What explains a grant's change: the latest record naming its permission (and type), else,
    /// for an addition, the latest "Consent to application" (said so), else nothing (said so).
    fn explain(&self, g: &GrantEntry, added: bool) -> ChangedBy {
        let name = g.permission.to_ascii_lowercase();
        let typed = self.named.get(&(name.clone(), added, Some(g.ptype)));
        let untyped = self.named.get(&(name, added, None));
        let best = match (typed, untyped) {
            (Some(a), Some(b)) => Some(if a.0 >= b.0 { a.1 } else { b.1 }),
            (a, b) => a.or(b).map(|x| x.1),
        };
        let (entry, basis) = match (best, added) {
            (Some(e), _) => (Some(e), Basis::Event),
            (None, true) if self.consent.is_some() => (self.consent, Basis::ConsentOnly),
            _ => (None, Basis::Unknown),
        };
        ChangedBy {
            by: entry.map(|e| e.by.clone()),
            at: entry.map(|e| e.at.clone()),
            activity: entry.map(|e| e.activity.clone()),
            basis,
        }
    }
}

/// Compare `report` with `baseline`: mark each requirement's change, list what changed, and
/// attribute grant changes from `log` (the audit log's entries since the baseline, when read).
pub fn compare(report: &mut Report, baseline: &Baseline, log: Option<&[AuditEntry]>) {
    let mut changes = Changes::default();
    let mut resolved_keys: HashSet<(String, PermissionType)> = HashSet::new();
    let mut new_keys: HashSet<(String, PermissionType)> = HashSet::new();
    for o in &mut report.objects {
        for q in &mut o.requirements {
            let k = key(&q.permission, q.ptype);
            let change = match baseline.satisfied.get(&k) {
                Some(true) if !q.status.is_ok() => Change::NewGap,
                Some(false) if q.status.is_ok() => Change::Resolved,
                Some(_) => Change::Unchanged,
                // Never "unchanged": the baseline does not know it. Unsatisfied, it counts as new.
                None => {
                    if !q.status.is_ok() {
                        new_keys.insert(k.clone());
                    }
                    Change::NotInBaseline
                }
            };
            match change {
                Change::NewGap => {
                    new_keys.insert(k);
                }
                Change::Resolved => {
                    if resolved_keys.insert(k) {
                        changes.resolved.push(Gap {
                            permission: q.permission.clone(),
                            ptype: q.ptype,
                            status: q.status,
                            objects: Vec::new(),
                            purposes: q.purposes.clone(),
                        });
                    }
                }
                Change::Unchanged | Change::NotInBaseline => {}
            }
            q.change = Some(change);
        }
    }
    // Objects and purposes of resolved requirements, as missing[] lists them.
    for g in &mut changes.resolved {
        for o in &report.objects {
            for q in &o.requirements {
                if q.ptype == g.ptype && q.permission.eq_ignore_ascii_case(&g.permission) {
                    if !g.objects.contains(&o.object) {
                        g.objects.push(o.object.clone());
                    }
                    for p in &q.purposes {
                        if !g.purposes.contains(p) {
                            g.purposes.push(*p);
                        }
                    }
                }
            }
        }
        g.purposes.sort();
    }
    changes.new_gaps = report
        .missing
        .iter()
        .filter(|g| new_keys.contains(&key(&g.permission, g.ptype)))
        .cloned()
        .collect();

    let mut findings = Vec::new();
    match &baseline.grants {
        None => findings.push(Finding::BaselineWithoutGrants),
        Some(then) => {
            let then_keys: HashSet<_> = then.iter().map(grant_key).collect();
            let now_keys: HashSet<_> = report.grants.iter().map(grant_key).collect();
            // No log read (denied, or not in this cloud): no attribution, and a note says why.
            let index = log.map(|l| LogIndex::new(l, baseline.info.taken_at.as_deref()));
            for g in &report.grants {
                if !then_keys.contains(&grant_key(g)) {
                    let mut g = g.clone();
                    g.changed_by = index.as_ref().map(|i| i.explain(&g, true));
                    changes.grants_added.push(g);
                }
            }
            for g in then {
                if !now_keys.contains(&grant_key(g)) {
                    let mut g = g.clone();
                    g.changed_by = index.as_ref().map(|i| i.explain(&g, false));
                    changes.grants_removed.push(g);
                }
            }
        }
    }
    let unattributed = changes
        .grants_added
        .iter()
        .chain(&changes.grants_removed)
        .filter(|g| {
            g.changed_by
                .as_ref()
                .is_none_or(|c| c.basis == Basis::Unknown)
        })
        .count();
    if unattributed > 0 {
        findings.push(Finding::ChangesUnattributed {
            count: unattributed,
            since: baseline
                .info
                .taken_at
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        });
    }
    for f in findings {
        report.notes.push(f.message());
        report.findings.push(f.entry());
    }
    report.baseline = Some(baseline.info.clone());
    report.changes = Some(changes);
}

/// The baseline of one tenant of a multi-tenant baseline (as listed in the tenants file).
pub fn of_tenant<'b>(list: &'b [(String, Baseline)], tenant: &str) -> Option<&'b Baseline> {
    list.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(tenant))
        .map(|(_, b)| b)
}

/// A finding for a tenant the baseline does not have.
pub fn new_tenant(report: &mut Report, tenant: &str) {
    let f = Finding::NewSinceBaseline {
        tenant: tenant.to_string(),
    };
    report.notes.push(f.message());
    report.findings.push(f.entry());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{FailOn, Options};
    use crate::cloud::Cloud;
    use crate::grants::Source;
    use crate::grants::{AppIdentity, AppRoleGrant, Grants};
    use crate::matrix::Matrix;

    fn grants(perms: &[&str]) -> Grants {
        let mut g = Grants::new(
            Cloud::Global,
            AppIdentity {
                app_id: Some("46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b".into()),
                ..Default::default()
            },
        );
        g.tenant_id = Some("65415bb1-9267-4313-bbf5-ae259732ee12".into());
        for p in perms {
            g.application.push(AppRoleGrant {
                permission: p.to_string(),
                app_role_id: None,
                assignment_id: None,
                created: None,
            });
        }
        g
    }

    fn audit(perms: &[&str], fail_on: FailOn) -> Report {
        let opts = Options {
            fail_on,
            ..Options::default()
        };
        crate::audit::run(
            &Matrix::embedded().unwrap(),
            &grants(perms),
            Source::Graph,
            &opts,
            crate::audit::Against::Nothing,
        )
        .unwrap()
    }

    /// The audit of `perms` against `base`, through the pipeline (with `log` as the audit log
    /// the grants carry).
    fn audit_since(
        perms: &[&str],
        fail_on: FailOn,
        base: &Baseline,
        log: Option<Vec<AuditEntry>>,
    ) -> Report {
        let opts = Options {
            fail_on,
            ..Options::default()
        };
        let mut g = grants(perms);
        g.audit_log = log;
        let against = crate::audit::Against::Baseline {
            baseline: base,
            origin: "b.json",
        };
        crate::audit::run(
            &Matrix::embedded().unwrap(),
            &g,
            Source::Graph,
            &opts,
            against,
        )
        .unwrap()
    }

    #[test]
    fn a_revoked_permission_is_a_new_gap_and_a_new_grant_is_listed() {
        let then = audit(
            &["Policy.ReadWrite.ConditionalAccess", "Policy.Read.All"],
            FailOn::Gap,
        );
        let base = from_report(&then, "audit", Some("2026-11-20T00:00:00Z".into()));
        let log = vec![AuditEntry {
            activity: "Add app role assignment to service principal".into(),
            at: "2026-11-22T10:00:00Z".into(),
            by: "admin@contoso.com".into(),
            permissions: vec!["Mail.ReadWrite".into()],
            ptype: Some(PermissionType::Application),
            added: true,
            correlation_id: None,
        }];
        let now = audit_since(
            &["Policy.Read.All", "Mail.ReadWrite"],
            FailOn::NewGap,
            &base,
            Some(log),
        );
        let changes = now.changes.as_ref().unwrap();
        assert_eq!(changes.new_gaps.len(), 1);
        assert_eq!(
            changes.new_gaps[0].permission,
            "Policy.ReadWrite.ConditionalAccess"
        );
        assert!(!now.passed);
        assert_eq!(changes.grants_added.len(), 1);
        assert_eq!(changes.grants_added[0].permission, "Mail.ReadWrite");
        assert_eq!(
            changes.grants_added[0]
                .changed_by
                .as_ref()
                .unwrap()
                .by
                .as_deref(),
            Some("admin@contoso.com")
        );
        assert_eq!(
            changes.grants_added[0].changed_by.as_ref().unwrap().basis,
            Basis::Event
        );
        assert_eq!(changes.grants_removed.len(), 1);
        // The log was read and has no record of the removal: said so, never guessed.
        let removed = changes.grants_removed[0].changed_by.as_ref().unwrap();
        assert_eq!(
            (removed.basis, removed.by.as_deref()),
            (Basis::Unknown, None)
        );
        assert!(now
            .findings
            .iter()
            .any(|f| f.code == "changes-unattributed"));
        let ca = now
            .objects
            .iter()
            .flat_map(|o| &o.requirements)
            .find(|q| q.permission == "Policy.ReadWrite.ConditionalAccess")
            .unwrap();
        assert_eq!(ca.change, Some(Change::NewGap));
    }

    #[test]
    fn old_gaps_pass_under_new_gap_and_resolved_ones_are_listed() {
        let then = audit(&[], FailOn::Gap);
        let base = from_report(&then, "audit", None);
        let alone = audit(&["Policy.Read.All"], FailOn::NewGap);
        assert!(!alone.passed, "without the comparison every gap is new");
        let now = audit_since(&["Policy.Read.All"], FailOn::NewGap, &base, None);
        assert!(now.passed);
        let changes = now.changes.unwrap();
        assert!(changes.new_gaps.is_empty());
        assert_eq!(changes.resolved.len(), 1);
        assert_eq!(changes.resolved[0].objects, vec!["Policies"]);
    }

    #[test]
    fn new_excess_fails_only_for_grants_added_beyond_the_matrix() {
        let base = from_report(&audit(&["Mail.Read"], FailOn::Gap), "audit", None);
        let same = audit_since(&["Mail.Read"], FailOn::NewExcess, &base, None);
        assert!(same.passed);
        let more = audit_since(
            &["Mail.Read", "Sites.Read.All"],
            FailOn::NewExcess,
            &base,
            None,
        );
        assert!(!more.passed);
    }

    #[test]
    fn attribution_is_linear_in_the_log_30000_entries_for_30000_grants() {
        // Quadratic matching would take minutes here; the index takes a moment.
        let then = audit(&[], FailOn::Gap);
        let mut base = from_report(&then, "audit", Some("2026-11-20T00:00:00Z".into()));
        base.grants = Some(Vec::new());
        let mut now = then.clone();
        now.grants = (0..30_000)
            .map(|i| GrantEntry {
                permission: format!("Perm{i}.Read.All"),
                ptype: PermissionType::Application,
                resource: "Microsoft Graph".into(),
                consent: None,
                changed_by: None,
            })
            .collect();
        let log: Vec<AuditEntry> = (0..30_000)
            .map(|i| AuditEntry {
                activity: "Add app role assignment to service principal".into(),
                at: "2026-11-22T10:00:00Z".into(),
                by: format!("admin{i}@contoso.com"),
                permissions: vec![format!("Perm{i}.Read.All")],
                ptype: Some(PermissionType::Application),
                added: true,
                correlation_id: None,
            })
            .collect();
        compare(&mut now, &base, Some(&log));
        let added = &now.changes.as_ref().unwrap().grants_added;
        assert_eq!(added.len(), 30_000);
        assert_eq!(
            added[7].changed_by.as_ref().unwrap().by.as_deref(),
            Some("admin7@contoso.com")
        );
    }

    #[test]
    fn another_app_or_tenant_is_refused() {
        let then = audit(&[], FailOn::Gap);
        let mut base = from_report(&then, "audit", None);
        assert!(check_same(&then, &base, "b.json").is_ok());
        base.info.app_id = Some("00000000-0000-0000-0000-000000000001".into());
        let e = check_same(&then, &base, "b.json").unwrap_err();
        assert!(
            e.message()
                .contains("another app (00000000-0000-0000-0000-000000000001), not 46e6adf4"),
            "{e}"
        );
    }
}
