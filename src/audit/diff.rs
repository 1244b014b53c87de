//! The pure diff: (Matrix, Grants, Options) into a Report. No I/O, no printing, no verdict (that is
//! `policy::verdict`, once drift is known).

use crate::catalog;
use crate::findings::Finding;
use crate::grants::{Assignment, Consent, Grants, Requested, Source};
use crate::matrix::{Matrix, Permission, Purpose};
use crate::permission::PermissionType;

use super::app_security::app_security;
use super::policy::{Options, Scope};
use super::report::*;

/// OpenID Connect scopes: sign-in plumbing, never reported as excess.
pub const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

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

/// Each in-scope row of the matrix, decided once, and the broader permissions that satisfied
/// rows by implication (which are then needed, not excess).
type Decided<'m> = (
    Vec<(&'m Permission, Requirement)>,
    Vec<(String, PermissionType)>,
);

fn decide<'m>(matrix: &'m Matrix, granted: &Granted<'_>, opts: &Options) -> Decided<'m> {
    let in_scope = opts.purposes();
    let mut decided = Vec::new();
    let mut used_via = Vec::new();
    // A row Microsoft Graph cannot grant (a name with another type only) is never a gap; one the
    // vendor marks optional counts only when asked.
    let counted = |r: &&Permission| !r.impossible && (opts.include_optional || !r.optional);
    for row in matrix.permissions.iter().filter(counted) {
        let purposes: Vec<Purpose> = row
            .purposes
            .iter()
            .copied()
            .filter(|p| in_scope.contains(p))
            .collect();
        if purposes.is_empty() {
            continue;
        }
        let (req, via) = requirement(matrix, granted, row, purposes, opts.strict);
        used_via.extend(via);
        decided.push((row, req));
    }
    (decided, used_via)
}

/// Every protected object with its requirements and coverage, in the matrix's order.
fn objects(matrix: &Matrix, decided: &[(&Permission, Requirement)]) -> Vec<ObjectReport> {
    matrix
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
        .collect()
}

/// Every unsatisfied requirement, once per permission and type, with all it protects.
fn gaps(decided: &[(&Permission, Requirement)]) -> Vec<Gap> {
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
    missing
}

/// The grants needed only by the purpose outside the scope: in `in_scope_unneeded` but needed by
/// some requirement of the matrix (so not in `excess`).
fn out_of_scope(
    in_scope_unneeded: Vec<Excess>,
    excess: &[Excess],
    opts: &Options,
) -> Vec<OutOfScope> {
    let outside: Vec<Purpose> = Purpose::ALL
        .into_iter()
        .filter(|p| !opts.purposes().contains(p))
        .collect();
    in_scope_unneeded
        .into_iter()
        .filter(|g| {
            !excess
                .iter()
                .any(|e| e.ptype == g.ptype && e.permission.eq_ignore_ascii_case(&g.permission))
        })
        .map(|grant| OutOfScope {
            grant,
            purposes: outside.clone(),
        })
        .collect()
}

/// The granted Microsoft Graph permissions the `decided` requirements do not need, riskiest first.
fn excess(matrix: &Matrix, grants: &Grants, decided: &Decided<'_>) -> Vec<Excess> {
    let (rows, used_via) = decided;
    // A row the vendor marks optional is never excess, counted or not.
    let optional = matrix.permissions.iter().filter(|r| r.optional);
    let needed = |name: &str, t: PermissionType| {
        (rows.iter().map(|(row, _)| *row).chain(optional.clone()))
            .any(|row| row.name.eq_ignore_ascii_case(name) && row.ptype.accepts(t))
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
    excess
}

/// The Tier-0 Microsoft Graph application permissions the app holds.
fn tier0_application(grants: &Grants) -> Vec<String> {
    let mut held: Vec<String> = grants
        .application
        .iter()
        .filter(|a| catalog::app_tier(&a.permission).is_some_and(|t| t.tier == 0))
        .map(|a| a.permission.clone())
        .collect();
    held.sort();
    held.dedup();
    held
}

/// The audit: compare what the matrix requires with what is granted.
pub fn diff(matrix: &Matrix, grants: &Grants, source: Source, opts: &Options) -> Report {
    let granted = Granted::new(grants);
    let decided = decide(matrix, &granted, opts);
    let objects = objects(matrix, &decided.0);
    let missing = gaps(&decided.0);
    // Excess is what no requirement of the matrix needs, whatever the scope: the scope says what
    // is checked, not what the app will never do. What only the other purpose needs is apart.
    let every_purpose = Options {
        scope: Scope::All,
        ..*opts
    };
    let excess_all = excess(matrix, grants, &decide(matrix, &granted, &every_purpose));
    let out_of_scope = out_of_scope(excess(matrix, grants, &decided), &excess_all, opts);
    let decided = decided.0;
    let count = |c: Coverage| objects.iter().filter(|o| o.status == c).count();
    let summary = Summary {
        objects: objects.len(),
        covered: count(Coverage::Covered),
        partial: count(Coverage::Partial),
        missing: count(Coverage::Missing),
        not_applicable: count(Coverage::NotApplicable),
    };
    let mut findings = findings(matrix, grants, &decided);
    findings.extend(super::vendor::findings(matrix, grants, opts));
    Report {
        schema_version: 1,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        tenant_id: grants.tenant_id.clone(),
        tenant_name: grants.tenant_name.clone(),
        cloud: grants.cloud,
        source,
        read_at: grants.read_at.clone(),
        app: grants.app.clone(),
        matrix_version: matrix.version.clone(),
        matrix: MatrixUsed::of(matrix),
        scope: opts.scope,
        strict: opts.strict,
        fail_on: opts.fail_on,
        // Decided by `policy::verdict` once the comparison with a baseline is known.
        passed: false,
        objects,
        missing,
        excess: excess_all,
        out_of_scope,
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
        tier0_application: tier0_application(grants),
        app_security: grants
            .app_security
            .as_ref()
            .map(|sec| app_security(sec, grants)),
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
fn findings(
    matrix: &Matrix,
    grants: &Grants,
    decided: &[(&Permission, Requirement)],
) -> Vec<Finding> {
    let mut findings = grants.findings.clone();
    findings.extend(
        grants
            .notes
            .iter()
            .map(|text| Finding::Note { text: text.clone() }),
    );
    // The tenant's own catalog wins; where its id differs from the matrix's (and so from
    // Microsoft's data), say so.
    findings.extend(grants.catalog.iter().filter_map(|c| {
        let ours = matrix.id_of(&c.permission, c.ptype)?;
        (!ours.eq_ignore_ascii_case(&c.id)).then(|| Finding::CatalogIdDiffers {
            permission: c.permission.clone(),
            ptype: c.ptype,
            tenant: c.id.clone(),
            matrix: ours.to_string(),
        })
    }));
    findings.extend(matrix.warnings.iter().map(|w| Finding::MatrixRowUnknown {
        line: w.line,
        permission: w.permission.clone(),
        ptype: w.ptype,
        impossible: w.impossible,
        message: w.message.clone(),
    }));
    let held_for_restore: Vec<String> = matrix
        .restore_only_tier0()
        .into_iter()
        .filter(|name| {
            grants
                .application
                .iter()
                .any(|a| a.permission.eq_ignore_ascii_case(name))
        })
        .map(str::to_string)
        .collect();
    if !held_for_restore.is_empty() {
        findings.push(Finding::RestoreOnlyTier0 {
            permissions: held_for_restore,
        });
    }
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
        // Only a tenant-wide assignment counts: a scoped one is not Global Administrator.
        let held = |a: Assignment| {
            sa.roles
                .as_ref()
                .map(|roles| roles.iter().any(|r| r.is_global_administrator(a)))
        };
        // A matrix that names the roles it requires is checked against those instead.
        if held(Assignment::Active) == Some(false) && matrix.roles.is_empty() {
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
        roles
            .iter()
            .any(|r| r.is_global_administrator(Assignment::Active))
    });
    let notes = findings
        .iter()
        .filter(|f| f.is_about_service_account())
        .map(Finding::message)
        .collect();
    Some(ServiceAccountReport {
        id: sa.id.clone(),
        user_principal_name: sa.user_principal_name.clone(),
        roles: sa
            .roles
            .as_ref()
            .map(|roles| roles.iter().map(RoleReport::of).collect()),
        has_global_administrator: has_ga,
        acts_for,
        notes,
    })
}

#[cfg(test)]
mod service_account_tests {
    use super::*;
    use crate::cloud::Cloud;
    use crate::grants::{AppIdentity, GLOBAL_ADMINISTRATOR_TEMPLATE_ID};
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
            ..Default::default()
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
