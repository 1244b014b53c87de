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
    write!(
        out,
        "  {} ({}) · API {}",
        r.permission,
        r.ptype,
        join(r.api_versions, ", ")
    )?;
    if show_objects {
        write!(out, " · protects {}", join(r.objects, ", "))?;
    }
    writeln!(out, " · needed for {}", join(r.purposes, " and "))?;
    writeln!(out, "    {}", r.description)?;
    let mut ids = Vec::new();
    if let Some(id) = r.ids.application {
        ids.push(format!("app role id {id}"));
    }
    if let Some(id) = r.ids.delegated {
        ids.push(format!("delegated scope id {id}"));
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

pub fn text(e: &Explanation<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    match e {
        Explanation::Permission {
            permission,
            matched_id_type,
            rows,
            implied_by,
            implies,
            tier,
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
        }
        Explanation::CatalogPermission {
            permission,
            matched_id_type,
            types,
            tier,
            implies,
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
            writeln!(out, "\nMicrosoft Graph defines it as:")?;
            for p in types {
                writeln!(
                    out,
                    "  {} ({}) · {} · id {}",
                    p.permission,
                    p.ptype,
                    if p.admin_consent {
                        "admin consent required"
                    } else {
                        "users may consent"
                    },
                    p.id
                )?;
                if !p.allows.is_empty() {
                    writeln!(out, "    {}", p.allows)?;
                }
            }
            narrower_text(
                "It also satisfies these requirements of the matrix:",
                implies,
                out,
            )?;
            tier_text(tier.as_ref(), out)?;
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
