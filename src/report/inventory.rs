//! `inventory` reports: the table (fits the terminal), JSON (schemaVersion 1), CSV (one row per
//! app and permission), Markdown, and one HTML page sortable and filterable by tier, owner kind
//! and finding. The renderers for people take the document already made safe.

use std::fmt::Write as _;
use std::io::Write;

use super::html::{esc, page_end, page_start, script_json};
use super::layout::{cell_text, md_cell, md_code, new_table, width};
use super::safe::Safe;
use crate::inventory::{App, Inventory, OwnerKind};

const SCRIPT: &str = include_str!("assets/inventory.js");

fn owner_words(a: &App) -> &'static str {
    match a.owner {
        OwnerKind::Microsoft => "Microsoft",
        OwnerKind::ThisTenant => "this tenant",
        OwnerKind::OtherTenant => "another tenant",
        OwnerKind::Unknown => "unknown",
    }
}

fn owner_key(a: &App) -> &'static str {
    match a.owner {
        OwnerKind::Microsoft => "microsoft",
        OwnerKind::ThisTenant => "this-tenant",
        OwnerKind::OtherTenant => "other-tenant",
        OwnerKind::Unknown => "unknown",
    }
}

fn tier_words(a: &App) -> String {
    match a.highest_tier {
        Some(0) => format!("Tier 0 ({})", a.tier0_count),
        Some(t) => format!("Tier {t}"),
        None => "–".to_string(),
    }
}

fn sign_in(a: &App) -> String {
    match (&a.last_sign_in, a.sign_in_known) {
        (Some(t), _) => t.chars().take(10).collect(),
        (None, true) => "none on record".to_string(),
        (None, false) => "not read".to_string(),
    }
}

fn product(a: &App) -> String {
    a.backup_product
        .as_ref()
        .map(|p| format!("{} ({}%)", p.matrix, p.percent))
        .unwrap_or_default()
}

fn summary_line(v: &Inventory) -> String {
    let s = &v.summary;
    format!(
        "{} apps hold Microsoft Graph permissions; {} Tier 0; {} look like a backup product; {} dormant Tier-0; {} foreign Tier-0 without an owner here",
        s.apps, s.tier0_apps, s.backup_products, s.dormant_tier0, s.foreign_tier0
    )
}

/// The table for people.
pub fn table(v: &Safe<Inventory>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Inventory of tenant {} · read at {}",
        v.tenant_id.as_deref().unwrap_or("unknown"),
        v.read_at
    )?;
    let name_width = (width() / 3).clamp(16, 48);
    let mut t = new_table(&[
        "Tier",
        "App",
        "Owner",
        "Last sign-in",
        "Backup product",
        "Findings",
    ]);
    for a in &v.apps {
        t.add_row(vec![
            tier_words(a),
            cell_text(&a.display_name, name_width),
            owner_words(a).to_string(),
            sign_in(a),
            product(a),
            a.findings.join(", "),
        ]);
    }
    writeln!(out, "{t}")?;
    if !v.findings.is_empty() {
        writeln!(out, "\nFindings ({}), Tier 0 first:", v.findings.len())?;
        for f in &v.findings {
            writeln!(out, "  [{}] {}", f.code, f.message)?;
            for c in &f.commands {
                writeln!(out, "      {c}")?;
            }
        }
    }
    if !v.notes.is_empty() {
        writeln!(out, "\nNotes:")?;
        for n in &v.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    writeln!(out, "\n{}", summary_line(v))
}

/// The inventory JSON.
pub fn json(v: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    super::json::pretty(v, out)
}

/// CSV: one row per app and permission.
pub fn csv(v: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(&mut *out);
    csv_header(&mut w, false)?;
    csv_rows(&mut w, None, v)?;
    w.flush()
}

/// The CSV's header (with a first `tenant` column for many tenants).
pub(super) fn csv_header<W: Write>(w: &mut ::csv::Writer<W>, tenant: bool) -> std::io::Result<()> {
    let columns = [
        "app",
        "app id",
        "service principal id",
        "owner",
        "enabled",
        "permission",
        "type",
        "consent",
        "tier",
        "granted on",
        "last sign-in",
        "backup product",
        "findings",
    ];
    let first = tenant.then_some("tenant");
    w.write_record(first.into_iter().chain(columns))
        .map_err(std::io::Error::other)
}

/// One row per app and permission of `v` (after `tenant`, for many tenants).
pub(super) fn csv_rows<W: Write>(
    w: &mut ::csv::Writer<W>,
    tenant: Option<&str>,
    v: &Inventory,
) -> std::io::Result<()> {
    let c = super::csv::cell;
    for a in &v.apps {
        for p in &a.permissions {
            let row = [
                c(&a.display_name),
                c(&a.app_id),
                c(&a.service_principal_id),
                owner_key(a).to_string(),
                a.enabled.map(|e| e.to_string()).unwrap_or_default(),
                c(&p.permission),
                p.ptype.to_string(),
                p.consent.map(|c| format!("{c:?}")).unwrap_or_default(),
                p.tier.map(|t| t.to_string()).unwrap_or_default(),
                c(p.granted_at.as_deref().unwrap_or_default()),
                c(a.last_sign_in.as_deref().unwrap_or_default()),
                product(a),
                a.findings.join(" "),
            ];
            w.write_record(tenant.map(c).into_iter().chain(row))
                .map_err(std::io::Error::other)?;
        }
    }
    Ok(())
}

/// Markdown: the summary, the apps and the findings.
pub fn markdown(v: &Safe<Inventory>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "## entra-perms inventory\n\n{}\n",
        md_cell(&summary_line(v))
    )?;
    writeln!(
        out,
        "| Tier | App | Owner | Last sign-in | Backup product | Findings |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for a in &v.apps {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            tier_words(a),
            md_cell(&a.display_name),
            owner_words(a),
            sign_in(a),
            md_cell(&product(a)),
            a.findings
                .iter()
                .map(|f| md_code(f))
                .collect::<Vec<_>>()
                .join(" ")
        )?;
    }
    if !v.findings.is_empty() {
        writeln!(out, "\n### Findings\n")?;
        for f in &v.findings {
            writeln!(out, "- {} {}", md_code(&f.code), md_cell(&f.message))?;
        }
    }
    for n in &v.notes {
        writeln!(out, "\n> {}", md_cell(n))?;
    }
    Ok(())
}

/// The filters: tier, owner kind and finding (shown once the page's script runs).
fn toolbar(page: &mut String, v: &Inventory) {
    let mut codes: Vec<&str> = v
        .apps
        .iter()
        .flat_map(|a| a.findings.iter().map(String::as_str))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    page.push_str("<div class=\"toolbar no-print\">");
    let select = |page: &mut String, key: &str, label: &str, options: &[(String, String)]| {
        let _ = write!(page, "<label>{label} <select hidden data-filter-by=\"{key}\"><option value=\"\">all</option>");
        for (value, words) in options {
            let _ = write!(
                page,
                "<option value=\"{}\">{}</option>",
                esc(value),
                esc(words)
            );
        }
        page.push_str("</select></label>");
    };
    select(
        page,
        "tier",
        "Tier",
        &[
            ("0", "Tier 0"),
            ("1", "Tier 1"),
            ("2", "Tier 2"),
            ("none", "not rated"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    select(
        page,
        "owner",
        "Owner",
        &[
            ("microsoft", "Microsoft"),
            ("this-tenant", "this tenant"),
            ("other-tenant", "another tenant"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    let finding_options: Vec<(String, String)> = codes
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    select(page, "findings", "Finding", &finding_options);
    page.push_str("<span id=\"shown\" class=\"filter-count\" aria-live=\"polite\"></span></div>");
}

/// One app as a row, its sort and filter keys in data attributes.
fn row(page: &mut String, a: &App) {
    let perms: Vec<String> = a
        .permissions
        .iter()
        .map(|p| {
            format!(
                "{}{}",
                super::html::permission(&p.permission, &format!("{} ({})", p.permission, p.ptype)),
                match p.tier {
                    Some(0) => " <span class=\"st bad\">Tier 0</span>".to_string(),
                    _ => String::new(),
                }
            )
        })
        .collect();
    let _ = write!(
        page,
        "<tr data-tier=\"{}\" data-name=\"{}\" data-owner=\"{}\" data-signin=\"{}\" data-product=\"{}\" data-findings=\"{}\">\
         <td>{}</td><td><b>{}</b><br><span class=\"why\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        a.highest_tier.map_or("none".to_string(), |t| t.to_string()),
        esc(&a.display_name.to_lowercase()),
        owner_key(a),
        esc(a.last_sign_in.as_deref().unwrap_or("")),
        esc(&product(a)),
        esc(&a.findings.join(" ")),
        esc(&tier_words(a)),
        esc(&a.display_name),
        esc(&a.app_id),
        owner_words(a),
        esc(&sign_in(a)),
        esc(&product(a)),
        perms.join("<br>"),
        esc(&a.findings.join(", "))
    );
}

/// One HTML page: the apps, sortable by column and filterable by tier, owner kind and finding.
pub fn html(v: &Safe<Inventory>, raw: &Inventory, out: &mut dyn Write) -> std::io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    page_start(&mut page, "entra-perms inventory");
    let _ = write!(
        page,
        "<header class=\"head\"><div><h1>Microsoft Graph permissions in tenant {}</h1><p class=\"verdict-line\">{}</p></div></header>",
        esc(v.tenant_id.as_deref().unwrap_or("unknown")),
        esc(&summary_line(v))
    );
    toolbar(&mut page, v);
    page.push_str(
        "<div class=\"matrix\"><table id=\"apps\" class=\"stack\"><thead><tr><th data-sort=\"tier\">Tier</th>\
         <th data-sort=\"name\">App</th><th data-sort=\"owner\">Owner</th><th data-sort=\"signin\">Last sign-in</th>\
         <th data-sort=\"product\">Backup product</th><th>Permissions</th><th data-sort=\"findings\">Findings</th></tr></thead><tbody>",
    );
    for a in &v.apps {
        row(&mut page, a);
    }
    page.push_str("</tbody></table></div>");
    if !v.findings.is_empty() {
        let _ = write!(
            page,
            "<h2>Findings ({}), Tier 0 first</h2><ul class=\"plain\">",
            v.findings.len()
        );
        for f in &v.findings {
            let _ = write!(
                page,
                "<li><code>{}</code> {}",
                esc(&f.code),
                esc(&f.message)
            );
            if !f.commands.is_empty() {
                let _ = write!(
                    page,
                    "<pre class=\"commands\">{}</pre>",
                    esc(&f.commands.join("\n"))
                );
            }
            page.push_str("</li>");
        }
        page.push_str("</ul>");
    }
    if !v.notes.is_empty() {
        page.push_str("<h2>Notes</h2><ul class=\"plain\">");
        for n in &v.notes {
            let _ = write!(page, "<li>{}</li>", esc(n));
        }
        page.push_str("</ul>");
    }
    page_end(&mut page, &script_json(raw));
    let page = page.replacen("</body>", &format!("<script>{SCRIPT}</script>\n</body>"), 1);
    out.write_all(page.as_bytes())
}
