//! `audit` output for people: one row per protected object with backup and restore coverage,
//! what is not satisfied, the permissions not needed, and a one-line verdict.

use std::io::Write;

use comfy_table::{Cell, Color, ColumnConstraint, Width};

use super::{join, new_table, wrap};
use crate::audit::{Coverage, Report, Requirement, Status};
use crate::grants::Source;

/// The reader-facing name of a requirement: `Name (Type)`.
pub(crate) fn req_name(permission: &str, ptype: impl std::fmt::Display) -> String {
    format!("{permission} ({ptype})")
}

/// What a requirement's status means, in a few words.
pub(crate) fn status_words(r: &Requirement) -> String {
    match r.status {
        Status::Granted => "granted".into(),
        Status::Implied => format!("implied by {}", r.via.as_deref().unwrap_or("?")),
        Status::PrincipalConsentOnly => "consented only for individual users".into(),
        Status::WrongType => format!(
            "granted as {} instead",
            r.granted_as.map(|t| t.to_string()).unwrap_or_default()
        ),
        Status::RequestedNotGranted => "requested but never consented".into(),
        Status::Missing => "missing".into(),
    }
}

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

/// The one-line verdict that ends the table output.
pub fn verdict(r: &Report) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let gaps = r.summary.partial + r.summary.missing;
    let in_scope = r.summary.objects - r.summary.not_applicable;
    let mut parts = vec![if gaps == 0 {
        format!("all {in_scope} objects in scope covered")
    } else {
        format!(
            "{gaps} of {in_scope} objects not covered ({} partial, {} missing)",
            r.summary.partial, r.summary.missing
        )
    }];
    if !r.missing.is_empty() {
        parts.push(format!(
            "grant {}",
            plural(r.missing.len(), "permission", "permissions")
        ));
    }
    if !r.excess.is_empty() {
        parts.push(format!("{} not needed", r.excess.len()));
    }
    let mut policy = Vec::new();
    if r.fail_on != "gap" {
        policy.push(format!("--fail-on {}", r.fail_on));
    }
    if r.strict {
        policy.push("--strict".to_string());
    }
    let policy = if policy.is_empty() {
        String::new()
    } else {
        format!(" [{}]", policy.join(", "))
    };
    format!(
        "{}: {}{policy}",
        if r.passed { "PASS" } else { "FAIL" },
        parts.join("; ")
    )
}

pub fn table(r: &Report, out: &mut dyn Write, color: bool) -> std::io::Result<()> {
    let r = &super::safe::report(r);
    let app = r
        .app
        .display_name
        .clone()
        .or_else(|| r.app.app_id.clone())
        .unwrap_or_else(|| "the app".into());
    let mut head = format!("Audit of {app}");
    if let Some(id) = r.app.app_id.as_ref().filter(|id| **id != app) {
        head.push_str(&format!(" (appId {id})"));
    }
    writeln!(out, "{head}")?;
    let mut head = match &r.tenant_id {
        Some(t) => format!("Tenant {t} · "),
        None => String::new(),
    };
    head.push_str(&format!(
        "{} cloud · read from {}",
        r.cloud,
        match r.source {
            Source::Graph => "Microsoft Graph",
            Source::Snapshot => "a snapshot",
            Source::Token => "the token's claims",
        }
    ));
    // (A token's point-in-time caveat is one of the notes, shown once below.)
    writeln!(out, "{head}")?;
    if let Some(sa) = &r.service_account {
        let roles = match &sa.roles {
            None => "roles unknown".to_string(),
            Some(roles) if roles.is_empty() => "no directory roles".to_string(),
            Some(roles) => roles
                .iter()
                .map(|role| match role.assignment {
                    crate::grants::Assignment::Active => role.display_name.clone(),
                    crate::grants::Assignment::Eligible => {
                        format!("{} (eligible)", role.display_name)
                    }
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        let line = format!(
            "Service account: {} · {roles}",
            sa.user_principal_name.as_deref().unwrap_or(&sa.id)
        );
        writeln!(out, "{}", wrap(&line, 100, "", "  "))?;
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
    for i in [1, 2] {
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(9)));
        }
    }
    for o in &r.objects {
        let details: Vec<String> = o
            .requirements
            .iter()
            .filter(|q| q.status != Status::Granted)
            .map(|q| format!("{}: {}", req_name(&q.permission, q.ptype), status_words(q)))
            .collect();
        table.add_row(vec![
            Cell::new(&o.object),
            coverage_cell(o.purposes.backup, color),
            coverage_cell(o.purposes.restore, color),
            Cell::new(details.join("\n")),
        ]);
    }
    writeln!(out, "{table}")?;

    if !r.missing.is_empty() {
        writeln!(out, "\nTo grant ({}):", r.missing.len())?;
        for g in &r.missing {
            let line = format!(
                "{}: {} · for {} of {}",
                req_name(&g.permission, g.ptype),
                g.status.as_str(),
                join(&g.purposes, " and "),
                g.objects.join(", ")
            );
            writeln!(out, "{}", wrap(&line, 100, "  ", "      "))?;
        }
    }
    if !r.excess.is_empty() {
        writeln!(out, "\nGranted but not needed ({}):", r.excess.len())?;
        for e in &r.excess {
            let consent = match e.consent {
                Some(crate::grants::Consent::Principal) => " (consented by individual users)",
                _ => "",
            };
            writeln!(out, "  {}{consent}", req_name(&e.permission, e.ptype))?;
        }
    }
    if !r.other_resources.is_empty() {
        writeln!(
            out,
            "\nPermissions on other APIs (not audited, not excess) ({}):",
            r.other_resources.len()
        )?;
        for o in &r.other_resources {
            writeln!(out, "  {}: {} ({})", o.resource, o.permission, o.ptype)?;
        }
    }
    if !r.unresolved.is_empty() {
        writeln!(
            out,
            "\nMicrosoft Graph grants with ids neither the tenant's catalog nor the matrix knows:"
        )?;
        for u in &r.unresolved {
            writeln!(out, "  {} ({})", u.id, u.ptype)?;
        }
    }
    if let Some(sa) = r.service_account.as_ref().filter(|sa| !sa.notes.is_empty()) {
        writeln!(out, "\nService account:")?;
        for n in &sa.notes {
            writeln!(out, "{}", wrap(n, 100, "  ! ", "    "))?;
        }
        let acts = format!(
            "Delegated permissions acting through it: {}",
            sa.acts_for.join(", ")
        );
        writeln!(out, "{}", wrap(&acts, 100, "  ", "    "))?;
    }
    if !r.notes.is_empty() {
        writeln!(out, "\nNotes:")?;
        for n in &r.notes {
            writeln!(out, "{}", wrap(n, 100, "  - ", "    "))?;
        }
    }
    writeln!(out, "\n{}", wrap(&verdict(r), 100, "", "      "))
}

pub fn json(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::audit::{diff, Options};
    use crate::grants::{AppIdentity, Grants, Source};
    use crate::graph::Cloud;
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
        super::table(&r, &mut out, color).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn colour_only_when_asked() {
        assert!(render(true).contains("\u{1b}["));
        assert!(!render(false).contains('\u{1b}'));
        assert!(render(false).contains("FAIL: 18 of 18 objects not covered"));
    }
}
