//! `explain` output: readable text, or JSON.

use std::io::Write;

use serde::Serialize;

use super::layout::join;
use crate::explain::{Explanation, Row};

pub fn json(e: &Explanation<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc<'a, 'm> {
        schema_version: u32,
        #[serde(flatten)]
        explanation: &'a Explanation<'m>,
    }
    super::json::pretty(
        &Doc {
            schema_version: 1,
            explanation: e,
        },
        out,
    )
}

fn row_text(r: &Row<'_>, out: &mut dyn Write, show_objects: bool) -> std::io::Result<()> {
    write!(out, "  {} ({})", r.permission, r.ptype)?;
    if !r.api_versions.is_empty() {
        write!(out, " · API {}", join(r.api_versions, ", "))?;
    }
    if show_objects {
        write!(out, " · protects {}", join(r.objects, ", "))?;
    }
    writeln!(
        out,
        " · needed for {}{}",
        join(r.purposes, " and "),
        if r.optional { " (optional)" } else { "" }
    )?;
    writeln!(out, "    {}", r.description)?;
    if let Some(note) = r.note {
        writeln!(out, "    {}", crate::text::escape_controls(note))?;
    }
    if let Some(source) = r.source {
        writeln!(out, "    Source: {}", crate::text::escape_controls(source))?;
    }
    let mut ids = Vec::new();
    if let Some(id) = r.ids.application {
        ids.push(format!("app role id {id}"));
    }
    if let Some(id) = r.ids.delegated {
        ids.push(format!("delegated scope id {id}"));
    }
    if ids.is_empty() {
        return Ok(());
    }
    writeln!(out, "    {}", ids.join(" · "))
}

/// The narrower permissions a permission also satisfies, under `title`; nothing when there are none.
fn narrower_text(
    title: &str,
    implies: &[&crate::matrix::Implication],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if !implies.is_empty() {
        writeln!(out, "\n{title}")?;
        for i in implies {
            writeln!(
                out,
                "  {} ({})\n    source: {}",
                i.narrower, i.ptype, i.source
            )?;
        }
    }
    Ok(())
}

fn tier_text(tier: Option<&crate::explain::TierInfo>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "\nPrivilege tier (as an application permission):")?;
    match tier {
        Some(t) => {
            let path = match t.path {
                Some(crate::catalog::Path::Direct) => " (a direct path)",
                Some(crate::catalog::Path::Indirect) => " (an indirect path)",
                None => "",
            };
            writeln!(out, "  {}{path}", t.meaning)?;
            writeln!(out, "  {}", super::layout::wrap(t.delegated, 100, "", "  "))?;
            writeln!(
                out,
                "{}",
                super::layout::wrap(&format!("source: {}", t.source), 100, "  ", "    ")
            )
        }
        None => writeln!(
            out,
            "  not rated (no application permission of this name is tiered by {})",
            crate::catalog::TIER_SOURCE
        ),
    }
}

/// How Microsoft Graph defines a permission, type by type.
fn definitions_text(
    types: &[&crate::catalog::GraphPermission],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if types.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nMicrosoft Graph defines it as:")?;
    for p in types {
        write!(
            out,
            "  {} ({}) · {} · {}",
            p.permission,
            p.ptype,
            match p.admin_consent {
                Some(true) => "admin consent required",
                Some(false) => "users may consent",
                None => "consent not given in Microsoft's data",
            },
            if p.id.is_empty() {
                "id not in Microsoft's data".to_string()
            } else {
                format!("id {}", p.id)
            }
        )?;
        match p.privilege_level {
            Some(l) => writeln!(out, " · Microsoft's privilege level {l} of 5")?,
            None => writeln!(out)?,
        }
        if !p.allows.is_empty() {
            writeln!(out, "    \"{}\" (Microsoft)", p.allows)?;
        }
    }
    Ok(())
}

/// The most paths `explain` lists in text (`--format json` lists every one).
const PATHS_SHOWN: usize = 20;

/// The API paths a permission opens, by method, reads first.
fn opens_text(opens: &[&crate::catalog::PathGrant], out: &mut dyn Write) -> std::io::Result<()> {
    if opens.is_empty() {
        return writeln!(out, "\nOpens: no API path in Microsoft's data.");
    }
    let mut sorted: Vec<&&crate::catalog::PathGrant> = opens.iter().collect();
    let rank = |m: &str| {
        ["GET", "POST", "PATCH", "PUT", "DELETE"]
            .iter()
            .position(|x| *x == m)
            .unwrap_or(9)
    };
    // Where it is the least-privileged permission first, then reads before writes.
    sorted.sort_by_key(|g| {
        (
            g.least.is_empty(),
            g.methods.iter().map(|m| rank(m)).min().unwrap_or(9),
            g.path.clone(),
        )
    });
    writeln!(
        out,
        "\nOpens ({} API paths in Microsoft's data; * least privileged):",
        opens.len()
    )?;
    for g in sorted.iter().take(PATHS_SHOWN) {
        writeln!(
            out,
            "  {:<6} {}{} ({})",
            g.methods.join(","),
            g.path,
            if g.least.is_empty() { "" } else { " *" },
            join(&g.types, ", ")
        )?;
    }
    if opens.len() > PATHS_SHOWN {
        writeln!(
            out,
            "  … and {} more (`--format json` lists every one)",
            opens.len() - PATHS_SHOWN
        )?;
    }
    Ok(())
}

pub fn text(e: &Explanation<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    match e {
        Explanation::Permission {
            permission,
            matched_id_type,
            rows,
            implied_by,
            implies,
            tier,
            types,
            opens,
        } => {
            write!(out, "{permission}")?;
            if let Some(t) = matched_id_type {
                write!(out, " (the id is its {t} id)")?;
            }
            writeln!(out)?;
            writeln!(out, "\nRequired as:")?;
            for r in rows {
                row_text(r, out, true)?;
            }
            writeln!(out, "\nAlso satisfied by (broader permissions):")?;
            if implied_by.is_empty() {
                writeln!(
                    out,
                    "  none documented: only {permission} itself satisfies it"
                )?;
            }
            for i in implied_by {
                writeln!(
                    out,
                    "  {} ({})\n    source: {}",
                    i.broader, i.ptype, i.source
                )?;
            }
            narrower_text("Also satisfies (narrower permissions):", implies, out)?;
            tier_text(tier.as_ref(), out)?;
            definitions_text(types, out)?;
            opens_text(opens, out)?;
        }
        Explanation::CatalogPermission {
            permission,
            matched_id_type,
            types,
            tier,
            implies,
            opens,
            ..
        } => {
            write!(out, "{permission}")?;
            if let Some(t) = matched_id_type {
                write!(out, " (the id is its {t} id)")?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "\nNot a requirement of the backup app: the matrix does not ask for it. Granted to the app, it is excess,\nunless it satisfies one of the matrix's requirements (below)."
            )?;
            definitions_text(types, out)?;
            narrower_text(
                "It also satisfies these requirements of the matrix:",
                implies,
                out,
            )?;
            tier_text(tier.as_ref(), out)?;
            opens_text(opens, out)?;
        }
        Explanation::Path { path, permissions } => {
            writeln!(
                out,
                "{path}: the permissions that open it, in Microsoft's data (least-privileged first)"
            )?;
            for o in permissions {
                let g = o.grant;
                write!(
                    out,
                    "  {} ({}) · {}",
                    g.permission,
                    join(&g.types, ", "),
                    g.methods.join(", ")
                )?;
                if !g.least.is_empty() {
                    write!(out, " · least privileged for {}", join(&g.least, ", "))?;
                }
                match &o.tier {
                    Some(t) => writeln!(out, " · Tier {} as an application permission", t.tier)?,
                    None => writeln!(out)?,
                }
            }
        }
        Explanation::Object {
            object,
            backup,
            restore,
        } => {
            writeln!(out, "{object}")?;
            for (purpose, rows) in [("Backup", backup), ("Restore", restore)] {
                writeln!(out, "\n{purpose} needs:")?;
                if rows.is_empty() {
                    writeln!(out, "  nothing in this matrix")?;
                }
                for r in rows {
                    row_text(r, out, false)?;
                }
            }
        }
    }
    Ok(())
}
