//! The view of a multi-tenant audit: one row per tenant, with its verdict, counts and gaps.

use serde::{Deserialize, Serialize};

use super::{audit, AuditView, GapView};
use crate::matrix::Matrix;
use crate::multi::{MultiReport, TenantResult};

/// One tenant of a multi-tenant audit.
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
    pub audit: Option<AuditView>,
}

/// Many tenants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TenantsView {
    pub summary: String,
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

/// Build the view of a multi-tenant audit.
pub fn tenants(m: &MultiReport, matrix: &Matrix) -> TenantsView {
    TenantsView {
        summary: format!(
            "{} tenants: {} passed, {} failed, {} could not be audited",
            m.summary.tenants, m.summary.passed, m.summary.failed, m.summary.errors
        ),
        passed: m.summary.passed,
        failed: m.summary.failed,
        errors: m.summary.errors,
        tenants: m
            .tenants
            .iter()
            .map(|t| TenantView {
                tenant: t.tenant.clone(),
                label: label(
                    &t.tenant,
                    t.report.as_ref().and_then(|r| r.tenant_name.as_deref()),
                ),
                verdict_word: tenant_word(t).to_string(),
                error: t.error.clone(),
                audit: t.report.as_ref().map(|r| audit(r, matrix, None)),
            })
            .collect(),
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
    match &t.audit {
        Some(a) => [
            a.covered.to_string(),
            a.partial.to_string(),
            a.missing.to_string(),
        ],
        None => ["–".into(), "–".into(), "–".into()],
    }
}

/// The error, or the permissions to grant.
pub(crate) fn detail(t: &TenantView, name: impl Fn(&GapView) -> String) -> String {
    match (&t.audit, &t.error) {
        (_, Some(e)) => e.clone(),
        (Some(a), None) => a.to_grant.iter().map(name).collect::<Vec<_>>().join(", "),
        (None, None) => String::new(),
    }
}
