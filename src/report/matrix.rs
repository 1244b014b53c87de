//! `matrix` output: a table grouped by protected object, JSON, or a GitHub Markdown table.

use std::io::Write;

use serde::Serialize;

use super::layout::{join, md_cell, md_code};
use crate::explain::Row;
use crate::matrix::{AppRole, Implication, Matrix, MatrixInfo, MatrixWarning, RoleSet};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MatrixJson<'m> {
    schema_version: u32,
    /// The embedded matrix's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'m str>,
    /// Whose list it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    matrix: Option<&'m MatrixInfo>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    roles: &'m [RoleSet],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    app_roles: &'m [AppRole],
    rows: Vec<Row<'m>>,
    implies: &'m [Implication],
    /// Rows Microsoft's permission data does not know as written.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'m [MatrixWarning],
}

pub fn json(matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = MatrixJson {
        schema_version: 1,
        name: matrix.name.as_deref(),
        version: matrix.version.as_deref(),
        matrix: matrix.info.as_ref(),
        roles: &matrix.roles,
        app_roles: &matrix.app_roles,
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
                join(&p.purposes, ", ") + if p.optional { " (optional)" } else { "" },
            ]
        })
        .collect();
    header_lines(matrix, out)?;
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
    let notes: Vec<String> = matrix
        .permissions
        .iter()
        .filter_map(|p| {
            p.note
                .as_ref()
                .map(|n| format!("{} ({}): {n}", p.name, p.ptype))
        })
        .collect();
    if !notes.is_empty() {
        writeln!(out, "\nNotes:")?;
        for n in notes {
            writeln!(out, "  - {}", crate::text::escape_controls(&n))?;
        }
    }
    for (title, sets) in [(
        "Roles the vendor requires of a service account:",
        &matrix.roles,
    )] {
        if !sets.is_empty() {
            writeln!(out, "\n{title}")?;
            for (i, s) in sets.iter().enumerate() {
                let or = if i > 0 && sets[i - 1].purposes == s.purposes {
                    "or "
                } else {
                    ""
                };
                writeln!(
                    out,
                    "  {or}for {}: {}",
                    join(&s.purposes, " and "),
                    s.roles
                        .iter()
                        .map(|r| r.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
    }
    if !matrix.app_roles.is_empty() {
        writeln!(
            out,
            "\nRoles the vendor assigns to the app's service principal:"
        )?;
        for r in &matrix.app_roles {
            writeln!(out, "  {}", r.role.name)?;
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
    if let (Some(o), Some(n)) = (&d.old_product, &d.new_product) {
        writeln!(
            out,
            "{} -> {}",
            crate::text::escape_controls(o),
            crate::text::escape_controls(n)
        )?;
    }
    let line = |e: &Entry| {
        format!(
            "{} ({}) · {} · for {}{}",
            e.permission,
            e.ptype,
            e.objects.join(", "),
            join(&e.purposes, " and "),
            if e.optional { " (optional)" } else { "" }
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
    for (title, mark, roles) in [
        ("Roles added", '+', &d.roles_added),
        ("Roles removed", '-', &d.roles_removed),
    ] {
        if !roles.is_empty() {
            writeln!(out, "\n{title}:")?;
            for r in roles {
                writeln!(out, "  {mark} {}", crate::text::escape_controls(r))?;
            }
        }
    }
    writeln!(
        out,
        "\nTo see exactly what to grant before upgrading: entra-perms audit --app APP --matrix NEW.toml"
    )
}

/// Whose list a matrix is, above its table.
fn header_lines(matrix: &Matrix, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(i) = &matrix.info else {
        return Ok(());
    };
    let esc = crate::text::escape_controls;
    writeln!(
        out,
        "{} by {}{}",
        esc(&i.product),
        esc(&i.vendor),
        i.version
            .as_deref()
            .map(|v| format!(", version {}", esc(v)))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "Source: {} ({}read {})",
        esc(&i.source),
        i.document_date
            .as_deref()
            .map(|d| format!("page of {d}, "))
            .unwrap_or_default(),
        i.retrieved.as_deref().unwrap_or("–")
    )?;
    if let Some(p) = &i.partial {
        writeln!(
            out,
            "PARTIAL: {}: {}",
            esc(p),
            esc(&i.unreadable.join("; "))
        )?;
    }
    writeln!(out)
}

/// One line of `matrix --list`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'m> {
    name: &'m str,
    vendor: &'m str,
    product: &'m str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'m str>,
    source: &'m str,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_date: Option<&'m str>,
    rows: usize,
    optional: usize,
    /// Rows Graph cannot grant as the vendor lists them.
    not_in_graph: usize,
    partial: bool,
}

fn listed(m: &Matrix) -> Listed<'_> {
    let info = m.info.as_ref();
    Listed {
        name: m.name.as_deref().unwrap_or(&m.origin),
        vendor: info.map_or("Keepit", |i| i.vendor.as_str()),
        product: info.map_or(
            "Permissions for Entra ID Backup (the source document)",
            |i| i.product.as_str(),
        ),
        // A vendor's product version; the source document's matrix has only its own.
        version: match info {
            Some(i) => i.version.as_deref(),
            None => m.version.as_deref(),
        },
        source: info.map_or("the source document, embedded (permissions.toml)", |i| {
            i.source.as_str()
        }),
        document_date: info.and_then(|i| i.document_date.as_deref()),
        rows: m.permissions.len(),
        optional: m.permissions.iter().filter(|p| p.optional).count(),
        not_in_graph: m.permissions.iter().filter(|p| p.impossible).count(),
        partial: info.is_some_and(|i| i.partial.is_some()),
    }
}

/// `matrix --list`: every embedded matrix, one block each.
pub fn list_table(all: &[Matrix], out: &mut dyn Write) -> std::io::Result<()> {
    for m in all {
        let l = listed(m);
        writeln!(
            out,
            "{}{}\n  {} by {}{}\n  {} rows{}{} · {}\n  {}",
            l.name,
            if m.name.as_deref() == Some("keepit") {
                " (default)"
            } else {
                ""
            },
            l.product,
            l.vendor,
            l.version
                .map(|v| format!(", version {v}"))
                .unwrap_or_default(),
            l.rows,
            if l.optional > 0 {
                format!(", {} optional", l.optional)
            } else {
                String::new()
            },
            if l.not_in_graph > 0 {
                format!(", {} not in Graph", l.not_in_graph)
            } else {
                String::new()
            },
            match (l.partial, l.document_date) {
                (true, Some(d)) => format!("PARTIAL · page of {d}"),
                (true, None) => "PARTIAL · page undated".to_string(),
                (false, Some(d)) => format!("page of {d}"),
                (false, None) => "page undated".to_string(),
            },
            l.source
        )?;
    }
    writeln!(
        out,
        "\nUse one: entra-perms audit --app APP --matrix NAME (or --matrix auto)"
    )
}

pub fn list_json(all: &[Matrix], out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc<'m> {
        schema_version: u32,
        matrices: Vec<Listed<'m>>,
    }
    super::json::pretty(
        &Doc {
            schema_version: 1,
            matrices: all.iter().map(listed).collect(),
        },
        out,
    )
}

pub fn list_markdown(all: &[Matrix], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "| Name | Product | Vendor | Version | Rows | Page of | Source |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for m in all {
        let l = listed(m);
        writeln!(
            out,
            "| {} | {}{} | {} | {} | {} | {} | {} |",
            md_code(l.name),
            md_cell(l.product),
            if l.partial { " (partial)" } else { "" },
            md_cell(l.vendor),
            md_cell(l.version.unwrap_or("–")),
            l.rows,
            l.document_date.unwrap_or("–"),
            md_cell(l.source)
        )?;
    }
    Ok(())
}
