//! `audit --tenants` output: one row per tenant (verdict, coverage, error), JSON, or Markdown.

use std::io::Write;

use comfy_table::Cell;

use super::view::{GapView, TenantView, TenantsView};
use super::{md_cell, new_table};
use crate::multi::MultiReport;

fn counts(t: &TenantView) -> [String; 3] {
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
fn detail(t: &TenantView, name: impl Fn(&GapView) -> String) -> String {
    match (&t.audit, &t.error) {
        (_, Some(e)) => e.clone(),
        (Some(a), None) => a.to_grant.iter().map(name).collect::<Vec<_>>().join(", "),
        (None, None) => String::new(),
    }
}

/// One row per tenant, for a terminal.
pub fn table(v: &TenantsView, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = new_table(&["Tenant", "Verdict", "Cov/Part/Miss", "Error / to grant"]);
    table.force_no_tty();
    if let Some(col) = table.column_mut(0) {
        col.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
            comfy_table::Width::Fixed(38),
        ));
    }
    for t in &v.tenants {
        let [c, p, mi] = counts(t);
        table.add_row(vec![
            Cell::new(&t.tenant),
            Cell::new(t.verdict_word),
            Cell::new(format!("{c} / {p} / {mi}")),
            Cell::new(detail(t, |g| g.name.clone())),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "\n{}", v.summary)
}

pub fn json(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, m)?;
    writeln!(out)
}

/// One row per tenant, in GitHub Markdown.
pub fn markdown(v: &TenantsView, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## entra-perms audit of {} tenants\n", v.tenants.len())?;
    writeln!(out, "{}\n", v.summary)?;
    writeln!(
        out,
        "| Tenant | Verdict | Covered | Partial | Missing | Error / to grant |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for t in &v.tenants {
        let [c, p, mi] = counts(t);
        let detail = match &t.error {
            Some(e) => md_cell(e),
            None => detail(t, |g| format!("`{}` ({})", md_cell(&g.permission), g.ptype)),
        };
        writeln!(
            out,
            "| `{}` | {} | {c} | {p} | {mi} | {detail} |",
            md_cell(&t.tenant),
            t.verdict_word
        )?;
    }
    Ok(())
}
