//! The table for people: one audit (coverage per object, what to grant, what is not needed, who
//! can become the app, the verdict) or one row per tenant, laid out to the terminal.

use std::io::Write;

use comfy_table::{Cell, Color, ColumnConstraint, Width};

use super::layout::{cell_text, new_table, width, wrap};
use super::safe::Safe;
use super::view::{AuditView, TenantsView};
use crate::audit::Coverage;

fn coverage_cell(c: Coverage, color: bool) -> Cell {
    let cell = Cell::new(match c {
        Coverage::NotApplicable => "n/a",
        other => other.as_str(),
    });
    if !color {
        return cell;
    }
    match c {
        Coverage::Covered => cell.fg(Color::Green),
        Coverage::Partial => cell.fg(Color::Yellow),
        Coverage::Missing => cell.fg(Color::Red),
        Coverage::NotApplicable => cell.fg(Color::DarkGrey),
    }
}

/// The audit as a table for a terminal, laid out from the view.
const GREEN: &str = "\u{1b}[1;32m";
const RED: &str = "\u{1b}[1;31m";
const YELLOW: &str = "\u{1b}[33m";

/// `text` in a colour (each line, so a wrapped verdict stays coloured), or as it is.
fn paint(text: &str, colour: &str, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    text.lines()
        .map(|l| format!("{colour}{l}\u{1b}[0m"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn audit(v: &Safe<AuditView>, out: &mut dyn Write, color: bool) -> std::io::Result<()> {
    let mut head = format!("Audit of {}", v.title);
    if let Some(id) = v.app_id.as_ref().filter(|id| **id != v.title) {
        head.push_str(&format!(" (appId {id})"));
    }
    writeln!(out, "{head}")?;
    let mut head = match &v.tenant {
        Some(t) => format!("Tenant {t} · "),
        None => String::new(),
    };
    head.push_str(&format!("{} cloud · read from {}", v.cloud, v.source));
    writeln!(out, "{}", wrap(&head, width(), "", "  "))?;
    if let Some(d) = &v.drift {
        writeln!(
            out,
            "{}",
            wrap(&format!("Changes {}", d.line), width(), "", "  ")
        )?;
    }
    if let Some(t) = &v.tier0_line {
        writeln!(out, "{}", paint(&wrap(t, width(), "", "  "), YELLOW, color))?;
    }
    if let Some(sa) = &v.service_account {
        let line = format!("Service account: {} · {}", sa.who, sa.roles_words);
        writeln!(out, "{}", wrap(&line, width(), "", "  "))?;
    }

    let mut table = new_table(&[
        "Protected object",
        "Backup",
        "Restore",
        "Not satisfied / notes",
    ]);
    if !color {
        table.force_no_tty();
    } else {
        table.enforce_styling();
    }
    // The object column as wide as its longest name (within reason), the coverage columns
    // fixed, the rest for the details; cells wrapped here so that no name is cut mid-word.
    let total = width();
    let longest = v
        .objects
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(16);
    let object_w = longest.clamp(16, (total / 3).max(16));
    // Borders and padding: five rules and two spaces a column.
    let details_w = total.saturating_sub(object_w + 9 + 9 + 13).max(20);
    for (i, w) in [(0, object_w), (1, 9), (2, 9), (3, details_w)] {
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                u16::try_from(w).unwrap_or(20),
            )));
        }
    }
    for o in &v.objects {
        let mut details = o.not_granted.clone();
        if let Some(c) = &o.change {
            details.insert(0, format!("{} since the baseline", c.to_uppercase()));
        }
        table.add_row(vec![
            // (A column's width holds a space of padding either side.)
            Cell::new(cell_text(&o.name, object_w - 2)),
            coverage_cell(o.backup, color),
            coverage_cell(o.restore, color),
            Cell::new(cell_text(&details.join("\n"), details_w - 2)),
        ]);
    }
    writeln!(out, "{table}")?;

    if let Some(d) = &v.drift {
        for (title, items) in d.sections() {
            if !items.is_empty() {
                writeln!(out, "\n{title} since the baseline ({}):", items.len())?;
                for i in items {
                    writeln!(out, "{}", wrap(i, width(), "  ", "      "))?;
                }
            }
        }
    }
    if !v.to_grant.is_empty() {
        writeln!(out, "\nTo grant ({}):", v.to_grant.len())?;
        for g in &v.to_grant {
            let line = format!(
                "{}: {} · for {} of {}",
                g.name, g.status, g.purposes, g.objects
            );
            writeln!(out, "{}", wrap(&line, width(), "  ", "      "))?;
        }
    }
    sections_after_gaps(v, out, color)
}

/// The sections after what to grant: not needed, other APIs, people, notes, the verdict.
fn sections_after_gaps(v: &AuditView, out: &mut dyn Write, color: bool) -> std::io::Result<()> {
    if !v.excess.is_empty() {
        writeln!(out, "\nGranted but not needed ({}):", v.excess.len())?;
        for e in &v.excess {
            let mut line = e.name.clone();
            if !e.tier_words.is_empty() {
                line.push_str(&format!(" · {}", e.tier_words));
            }
            if let Some(c) = &e.consent {
                line.push_str(&format!(" · {c}"));
            }
            if let Some(w) = &e.warning {
                line.push_str(&format!(": {w}"));
            }
            writeln!(out, "{}", wrap(&line, width(), "  ", "    "))?;
        }
    }
    if let Some(title) = &v.out_of_scope_title {
        writeln!(out, "\n{title} ({}):", v.out_of_scope.len())?;
        for o in &v.out_of_scope {
            writeln!(out, "  {o}")?;
        }
    }
    if !v.other_apis.is_empty() {
        writeln!(
            out,
            "\nPermissions on other APIs (not audited, not excess) ({}):",
            v.other_apis.len()
        )?;
        for o in &v.other_apis {
            writeln!(out, "  {o}")?;
        }
    }
    if !v.unresolved.is_empty() {
        writeln!(
            out,
            "\nMicrosoft Graph grants with ids neither the tenant's catalog nor the matrix knows:"
        )?;
        for u in &v.unresolved {
            writeln!(out, "  {u}")?;
        }
    }
    if let Some(sa) = v.service_account.as_ref().filter(|sa| !sa.notes.is_empty()) {
        writeln!(out, "\nService account:")?;
        for n in &sa.notes {
            writeln!(out, "{}", wrap(n, width(), "  ! ", "    "))?;
        }
        let acts = format!("Delegated permissions acting through it: {}", sa.acts_for);
        writeln!(out, "{}", wrap(&acts, width(), "  ", "    "))?;
    }
    if let Some(a) = &v.app_security {
        writeln!(out, "\nWho can become the app:")?;
        for c in &a.credentials {
            writeln!(out, "{}", wrap(c, width(), "  credential: ", "    "))?;
        }
        match &a.owners {
            Some(owners) if owners.is_empty() => writeln!(out, "  owners: none")?,
            Some(owners) => {
                for o in owners {
                    writeln!(out, "{}", wrap(o, width(), "  owner: ", "    "))?;
                }
            }
            None => writeln!(out, "  owners: not read")?,
        }
        for (label, list) in [
            ("federated credential", &a.federated),
            ("directory role", &a.roles),
        ] {
            for item in list.iter().flatten() {
                writeln!(
                    out,
                    "{}",
                    wrap(item, width(), &format!("  {label}: "), "    ")
                )?;
            }
        }
        for c in &a.commands {
            writeln!(out, "  to remove: {c}")?;
        }
        for f in &a.findings {
            writeln!(out, "{}", wrap(f, width(), "  ! ", "    "))?;
        }
    }
    if !v.notes.is_empty() {
        writeln!(out, "\nNotes:")?;
        for n in &v.notes {
            writeln!(out, "{}", wrap(n, width(), "  - ", "    "))?;
        }
    }
    let verdict = wrap(&v.verdict, width(), "", "      ");
    writeln!(
        out,
        "\n{}",
        paint(&verdict, if v.passed { GREEN } else { RED }, color)
    )
}

/// One row per tenant, for a terminal.
pub fn tenants(v: &Safe<TenantsView>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = new_table(&["Tenant", "Verdict", "Cov/Part/Miss", "Error / to grant"]);
    table.force_no_tty();
    if let Some(col) = table.column_mut(0) {
        col.set_constraint(comfy_table::ColumnConstraint::LowerBoundary(
            comfy_table::Width::Fixed(38),
        ));
    }
    for t in &v.tenants {
        let [c, p, mi] = super::view::counts(t);
        table.add_row(vec![
            Cell::new(&t.label),
            Cell::new(t.verdict_word.clone()),
            Cell::new(format!("{c} / {p} / {mi}")),
            Cell::new(super::view::detail(t, super::view::req_name)),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "\n{}", v.summary)
}

#[cfg(test)]
mod tests {
    use crate::audit::{diff, Options};
    use crate::cloud::Cloud;
    use crate::grants::{AppIdentity, Grants, Source};
    use crate::matrix::Matrix;

    fn render(color: bool) -> String {
        let m = Matrix::embedded().unwrap();
        let r = diff(
            &m,
            &Grants::new(Cloud::Global, AppIdentity::default()),
            Source::Snapshot,
            &Options::default(),
        );
        let mut out = Vec::new();
        let v = crate::report::safe::Safe::new(&crate::report::view::audit(&r, &m, None)).unwrap();
        super::audit(&v, &mut out, color).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(render(true).contains("\u{1b}["));
        assert!(!render(false).contains('\u{1b}'));
        assert!(render(false).contains("FAIL: 18 of 18 objects not covered"));
    }
}
