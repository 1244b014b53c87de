//! The view of a multi-tenant audit: one compact row per tenant — its verdict, counts, each
//! object's coverage, the gaps to grant — built as each tenant finishes and kept, while the
//! tenant's full report goes on (to disk or to `--report-dir`).

use serde::{Deserialize, Serialize};

use super::audit;
use crate::audit::Coverage;
use crate::matrix::Matrix;
use crate::multi::{MultiSummary, TenantResult};
use crate::permission::PermissionType;

/// One tenant of a multi-tenant audit, as the overview needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantView {
    /// The tenant as listed.
    pub tenant: String,
    /// The tenant as people know it: its organization's name beside the id listed
    /// (`Contoso (3f2b…)`), or the id alone where the name was not read.
    pub label: String,
    /// `PASS`, `FAIL` or `ERROR`.
    pub verdict_word: String,
    /// Why it could not be audited.
    pub error: Option<String>,
    /// Objects covered, partly covered and missing (none when it could not be audited).
    pub counts: Option<[usize; 3]>,
    /// Each protected object's coverage, in the order of [`TenantsView::objects`].
    pub objects: Vec<Coverage>,
    /// The permissions to grant.
    pub to_grant: Vec<(String, PermissionType)>,
    /// Gaps, unneeded grants and unneeded Tier-0 application permissions.
    pub missing: usize,
    pub excess: usize,
    pub excess_tier0: usize,
    /// `--report-dir`: the tenant's own page, as the overview links to it.
    pub page: Option<String>,
}

/// Many tenants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantsView {
    pub summary: String,
    /// The protected objects audited (the same in every tenant: one matrix, one scope).
    pub objects: Vec<String>,
    pub tenants: Vec<TenantView>,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

fn tenant_word(t: &TenantResult) -> &'static str {
    match (&t.report, &t.error) {
        (Some(r), _) if r.passed => "PASS",
        (Some(_), _) => "FAIL",
        _ => "ERROR",
    }
}

/// One tenant's row, from its full result (`page`: where `--report-dir` wrote its page), and
/// the names of the objects its coverage is of (none when it could not be audited).
pub fn tenant(
    t: &TenantResult,
    matrix: &Matrix,
    page: Option<String>,
) -> (TenantView, Vec<String>) {
    let full = t.report.as_ref().map(|r| (r, audit(r, matrix, None)));
    let names = full
        .as_ref()
        .map(|(_, a)| a.objects.iter().map(|o| o.name.clone()).collect())
        .unwrap_or_default();
    let row = TenantView {
        tenant: t.tenant.clone(),
        label: label(
            &t.tenant,
            t.report.as_ref().and_then(|r| r.tenant_name.as_deref()),
        ),
        verdict_word: tenant_word(t).to_string(),
        error: t.error.clone(),
        counts: full
            .as_ref()
            .map(|(_, a)| [a.covered, a.partial, a.missing]),
        objects: full
            .as_ref()
            .map(|(_, a)| a.objects.iter().map(|o| o.status).collect())
            .unwrap_or_default(),
        to_grant: full
            .as_ref()
            .map(|(_, a)| {
                a.to_grant
                    .iter()
                    .map(|g| (g.permission.clone(), g.ptype))
                    .collect()
            })
            .unwrap_or_default(),
        missing: full.as_ref().map_or(0, |(r, _)| r.missing.len()),
        excess: full.as_ref().map_or(0, |(r, _)| r.excess.len()),
        excess_tier0: full.as_ref().map_or(0, |(r, _)| {
            r.excess.iter().filter(|e| e.tier == Some(0)).count()
        }),
        page,
    };
    (row, names)
}

/// The view of many tenants, from their rows in the tenants file's order and the objects'
/// names.
pub fn tenants(rows: Vec<TenantView>, objects: Vec<String>, s: &MultiSummary) -> TenantsView {
    TenantsView {
        objects,
        summary: format!(
            "{} tenants: {} passed, {} failed, {} could not be audited",
            s.tenants, s.passed, s.failed, s.errors
        ),
        passed: s.passed,
        failed: s.failed,
        errors: s.errors,
        tenants: rows,
    }
}

/// `name (id)`, or the id alone.
pub(crate) fn label(id: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{name} ({id})"),
        None => id.to_string(),
    }
}

pub(crate) fn counts(t: &TenantView) -> [String; 3] {
    match t.counts {
        Some(c) => c.map(|n| n.to_string()),
        None => ["–".into(), "–".into(), "–".into()],
    }
}

/// The error, or the permissions to grant.
pub(crate) fn detail(t: &TenantView, name: impl Fn(&str, PermissionType) -> String) -> String {
    match &t.error {
        Some(e) => e.clone(),
        None => t
            .to_grant
            .iter()
            .map(|(p, k)| name(p, *k))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
