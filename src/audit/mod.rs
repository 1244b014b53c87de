//! The audit: the matrix against what is granted, compared with a baseline, and the verdict.
//!
//! The one pipeline is [`run`]: the pure diff (`diff.rs`), then drift against a baseline
//! (`drift.rs`), then the verdict (`policy::verdict`, the only place `passed` is decided). One
//! tenant and many both call it. `report.rs` holds every type the audit JSON serialises.

mod app_security;
mod baseline;
pub mod diff;
pub mod drift;
pub mod policy;
pub mod report;
#[cfg(test)]
mod security_tests;
#[cfg(test)]
mod tests;
pub mod vendor;

pub use app_security::{app_security, EXPIRING_DAYS};
pub use diff::{diff, grant_entries, OPENID_SCOPES};
pub use policy::{verdict, FailOn, Options, Scope};
pub use report::*;

use crate::error::Error;
use crate::findings::Finding;
use crate::grants::{Grants, Source};
use crate::matrix::Matrix;

/// What an audit is compared with.
#[derive(Debug, Clone, Copy)]
pub enum Against<'a> {
    /// No baseline was given.
    Nothing,
    /// This tenant's earlier state; `origin` names it in errors. What changed since is attributed
    /// from the audit log the grants carry, when it was read.
    Baseline {
        baseline: &'a drift::Baseline,
        origin: &'a str,
    },
    /// A multi-tenant baseline that does not list this tenant (as listed in the tenants file).
    NewTenant(&'a str),
}

/// Audit `grants` against `matrix`: diff, compare with what it is `against`, decide the verdict.
/// Errors only when the baseline is of another app or tenant (an input error).
pub fn run(
    matrix: &Matrix,
    grants: &Grants,
    source: Source,
    opts: &Options,
    against: Against<'_>,
) -> Result<Report, Error> {
    let mut report = diff(matrix, grants, source, opts);
    match against {
        Against::Nothing => no_baseline(&mut report, opts.fail_on),
        Against::Baseline { baseline, origin } => {
            drift::check_same(&report, baseline, origin)?;
            drift::compare(&mut report, baseline, grants.audit_log.as_deref());
        }
        Against::NewTenant(tenant) => drift::new_tenant(&mut report, tenant),
    }
    report.passed = verdict(&report, opts.fail_on);
    Ok(report)
}

/// `--fail-on new-gap` / `new-excess` without a baseline: say that every gap counts as new.
fn no_baseline(report: &mut Report, fail_on: FailOn) {
    if matches!(fail_on, FailOn::NewGap | FailOn::NewExcess) {
        let f = Finding::NoBaseline {
            fail_on: fail_on.as_str().to_string(),
        };
        report.notes.push(f.message());
        report.findings.push(f.entry());
    }
}
