//! `audit --tenants` output: one row per tenant (verdict, coverage, error), JSON, or Markdown.

use std::io::Write;

use comfy_table::Cell;

use super::{md_cell, new_table};
use crate::tenants::{MultiReport, TenantResult};

fn verdict(t: &TenantResult) -> &'static str {
    match (&t.report, &t.error) {
        (Some(r), _) if r.passed => "PASS",
        (Some(_), _) => "FAIL",
        _ => "ERROR",
    }
}

fn counts(t: &TenantResult) -> [String; 3] {
    match &t.report {
        Some(r) => [
            r.summary.covered.to_string(),
            r.summary.partial.to_string(),
            r.summary.missing.to_string(),
        ],
        None => ["–".into(), "–".into(), "–".into()],
    }
}

fn summary_line(m: &MultiReport) -> String {
    format!(
        "{} tenants: {} passed, {} failed, {} could not be audited",
        m.summary.tenants, m.summary.passed, m.summary.failed, m.summary.errors
    )
}

pub fn table(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    let m = &super::safe::multi(m);
    let mut table = new_table(&["Tenant", "Verdict", "Cov/Part/Miss", "Error / to grant"]);
    table.force_no_tty();
    if let Some(col) = table.column_mut(0) {
        col.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
            comfy_table::Width::Fixed(38),
        ));
    }
    for t in &m.tenants {
        let [c, p, mi] = counts(t);
        let detail = match (&t.report, &t.error) {
            (_, Some(e)) => e.clone(),
            (Some(r), None) => r
                .missing
                .iter()
                .map(|g| format!("{} ({})", g.permission, g.ptype))
                .collect::<Vec<_>>()
                .join(", "),
            (None, None) => String::new(),
        };
        table.add_row(vec![
            Cell::new(&t.tenant),
            Cell::new(verdict(t)),
            Cell::new(format!("{c} / {p} / {mi}")),
            Cell::new(detail),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "\n{}", summary_line(m))
}

pub fn json(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, m)?;
    writeln!(out)
}

pub fn markdown(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    let m = &super::safe::multi(m);
    writeln!(
        out,
        "## entra-perms audit of {} tenants\n",
        m.summary.tenants
    )?;
    writeln!(out, "{}\n", summary_line(m))?;
    writeln!(
        out,
        "| Tenant | Verdict | Covered | Partial | Missing | Error / to grant |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for t in &m.tenants {
        let [c, p, mi] = counts(t);
        let detail = match (&t.report, &t.error) {
            (_, Some(e)) => md_cell(e),
            (Some(r), None) => r
                .missing
                .iter()
                .map(|g| format!("`{}` ({})", md_cell(&g.permission), g.ptype))
                .collect::<Vec<_>>()
                .join(", "),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "| `{}` | {} | {c} | {p} | {mi} | {detail} |",
            md_cell(&t.tenant),
            verdict(t)
        )?;
    }
    Ok(())
}
