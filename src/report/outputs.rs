//! The `outputs` format: a few `key=value` lines summing up an audit (verdict and counts only,
//! never tenant text), as GitHub's `$GITHUB_OUTPUT`, a shell or any CI reads them with no JSON
//! tool on the runner.

use std::io::Write;

use super::view::{TenantView, TenantsView};
use crate::audit::Report;

/// One audit: `passed`, `verdict`, the object counts, what to grant and what is not needed.
pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    let tier0 = r.excess.iter().filter(|e| e.tier == Some(0)).count();
    writeln!(out, "passed={}", r.passed)?;
    writeln!(out, "verdict={}", if r.passed { "PASS" } else { "FAIL" })?;
    writeln!(out, "objects={}", s.objects)?;
    writeln!(out, "covered={}", s.covered)?;
    writeln!(out, "partial={}", s.partial)?;
    writeln!(out, "not-covered={}", s.missing)?;
    writeln!(out, "missing={}", r.missing.len())?;
    writeln!(out, "excess={}", r.excess.len())?;
    writeln!(out, "excess-tier0={tier0}")?;
    if let Some(changes) = &r.changes {
        writeln!(out, "new-gaps={}", changes.new_gaps.len())?;
        writeln!(out, "resolved={}", changes.resolved.len())?;
    }
    Ok(())
}

/// Many tenants: the same sums over the tenants audited, and how many passed, failed or could not
/// be audited (`passed` only when every tenant passed).
pub fn tenants(v: &TenantsView, out: &mut dyn Write) -> std::io::Result<()> {
    let sum = |f: &dyn Fn(&TenantView) -> usize| v.tenants.iter().map(f).sum::<usize>();
    let passed = v.failed == 0 && v.errors == 0;
    writeln!(out, "passed={passed}")?;
    writeln!(
        out,
        "verdict={}",
        match (v.errors, v.failed) {
            (0, 0) => "PASS",
            (0, _) => "FAIL",
            _ => "ERROR",
        }
    )?;
    writeln!(out, "tenants={}", v.tenants.len())?;
    writeln!(out, "tenants-passed={}", v.passed)?;
    writeln!(out, "tenants-failed={}", v.failed)?;
    writeln!(out, "tenants-errors={}", v.errors)?;
    writeln!(out, "missing={}", sum(&|t| t.missing))?;
    writeln!(out, "excess={}", sum(&|t| t.excess))?;
    writeln!(out, "excess-tier0={}", sum(&|t| t.excess_tier0))?;
    Ok(())
}
