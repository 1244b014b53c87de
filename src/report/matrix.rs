//! `matrix` output: a table grouped by protected object, JSON, or a GitHub Markdown table.

use std::io::Write;

use serde::Serialize;

use super::layout::{join, md_cell, md_code};
use crate::explain::Row;
use crate::matrix::{Implication, Matrix, MatrixWarning};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatrixJson<'m> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'m str>,
    rows: Vec<Row<'m>>,
    implies: &'m [Implication],
    /// Rows Microsoft's permission data does not know as written.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'m [MatrixWarning],
}

pub fn json(matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = MatrixJson {
        schema_version: 1,
        version: matrix.version.as_deref(),
        rows: matrix.permissions.iter().map(Row::from).collect(),
        implies: &matrix.implies,
        warnings: &matrix.warnings,
    };
    super::json::pretty(&doc, out)
}

pub fn table(matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let rows: Vec<[String; 4]> = matrix
        .permissions
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.ptype.to_string(),
                join(&p.api_versions, ", "),
                join(&p.purposes, ", "),
            ]
        })
        .collect();
    let header = ["PERMISSION", "TYPE", "API", "NEEDED FOR"];
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4], indent: &str| {
        let mut s = indent.to_string();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s
    };
    writeln!(out, "{}", line(header, "  "))?;
    for object in matrix.objects() {
        writeln!(out, "{object}")?;
        for (p, r) in matrix.permissions.iter().zip(&rows) {
            if p.objects.iter().any(|o| o == object) {
                writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3]], "  "))?;
            }
        }
    }
    writeln!(
        out,
        "\n{} permissions in {} rows protect {} objects. Why each one: entra-perms explain PERMISSION",
        matrix.permission_names().len(),
        matrix.permissions.len(),
        matrix.objects().len()
    )?;
    if !matrix.implies.is_empty() {
        writeln!(
            out,
            "\nBroader permissions that also satisfy narrower ones:"
        )?;
        for i in &matrix.implies {
            writeln!(out, "  {} => {} ({})", i.broader, i.narrower, i.ptype)?;
        }
    }
    if !matrix.warnings.is_empty() {
        writeln!(out, "\nWarnings:")?;
        for w in &matrix.warnings {
            writeln!(out, "  ! {}", crate::text::escape_controls(&w.message))?;
        }
    }
    Ok(())
}

pub fn markdown(matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## Microsoft Graph permissions for Entra ID backup\n")?;
    if let Some(v) = &matrix.version {
        writeln!(out, "Matrix version {}.\n", md_cell(v))?;
    }
    writeln!(
        out,
        "| Permission | Type | API | Protects | Needed for | Why | Application id | Delegated id |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for p in &matrix.permissions {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md_code(&p.name),
            p.ptype,
            join(&p.api_versions, ", "),
            md_cell(&join(&p.objects, ", ")),
            join(&p.purposes, ", "),
            md_cell(&p.description),
            p.application_id.as_deref().unwrap_or("–"),
            p.delegated_id.as_deref().unwrap_or("–"),
        )?;
    }
    if !matrix.implies.is_empty() {
        writeln!(
            out,
            "\n### Broader permissions that also satisfy narrower ones\n"
        )?;
        writeln!(out, "| Broader | Narrower | Type | Source |")?;
        writeln!(out, "|---|---|---|---|")?;
        for i in &matrix.implies {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_code(&i.broader),
                md_code(&i.narrower),
                i.ptype,
                md_cell(&i.source)
            )?;
        }
    }
    Ok(())
}

/// `diff-matrix --format json`.
pub fn diff_json(d: &crate::matrix_diff::MatrixDiff, out: &mut dyn Write) -> std::io::Result<()> {
    super::json::pretty(d, out)
}

/// `diff-matrix` for people.
pub fn diff_text(d: &crate::matrix_diff::MatrixDiff, out: &mut dyn Write) -> std::io::Result<()> {
    use crate::matrix_diff::Entry;
    let version = |v: &Option<String>| v.clone().unwrap_or_else(|| "unversioned".into());
    writeln!(
        out,
        "Matrix {} -> {}",
        version(&d.old_version),
        version(&d.new_version)
    )?;
    if d.is_empty() {
        return writeln!(out, "No requirement added, removed or changed.");
    }
    let line = |e: &Entry| {
        format!(
            "{} ({}) · {} · for {}",
            e.permission,
            e.ptype,
            e.objects.join(", "),
            join(&e.purposes, " and ")
        )
    };
    for (title, mark, entries) in [
        ("Added (grant before upgrading)", '+', &d.added),
        ("Removed (no longer needed)", '-', &d.removed),
    ] {
        if !entries.is_empty() {
            writeln!(out, "\n{title}:")?;
            for e in entries.iter() {
                writeln!(out, "  {mark} {}", line(e))?;
            }
        }
    }
    if !d.changed.is_empty() {
        writeln!(out, "\nChanged:")?;
        for c in &d.changed {
            writeln!(out, "  ~ {}\n    was {}", line(&c.new), line(&c.old))?;
        }
    }
    writeln!(
        out,
        "\nTo see exactly what to grant before upgrading: entra-perms audit --app APP --matrix NEW.toml"
    )
}
