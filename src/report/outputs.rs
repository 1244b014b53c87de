//! The `outputs` format: a few `key=value` lines summing up an audit (verdict and counts only,
//! never tenant text), as GitHub's `$GITHUB_OUTPUT`, a shell or any CI reads them with no JSON
//! tool on the runner.

use std::io::Write;

use crate::audit::Report;
use crate::multi::MultiReport;

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
pub fn tenants(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    let reports: Vec<&Report> = m.tenants.iter().filter_map(|t| t.report.as_ref()).collect();
    let sum = |f: &dyn Fn(&Report) -> usize| reports.iter().map(|r| f(r)).sum::<usize>();
    let s = &m.summary;
    let passed = s.failed == 0 && s.errors == 0;
    writeln!(out, "passed={passed}")?;
    writeln!(
        out,
        "verdict={}",
        match (s.errors, s.failed) {
            (0, 0) => "PASS",
            (0, _) => "FAIL",
            _ => "ERROR",
        }
    )?;
    writeln!(out, "tenants={}", s.tenants)?;
    writeln!(out, "tenants-passed={}", s.passed)?;
    writeln!(out, "tenants-failed={}", s.failed)?;
    writeln!(out, "tenants-errors={}", s.errors)?;
    writeln!(out, "missing={}", sum(&|r| r.missing.len()))?;
    writeln!(out, "excess={}", sum(&|r| r.excess.len()))?;
    writeln!(
        out,
        "excess-tier0={}",
        sum(&|r| r.excess.iter().filter(|e| e.tier == Some(0)).count())
    )?;
    Ok(())
}
