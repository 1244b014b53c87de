//! `inventory --tenants` reports: an overview of every tenant (its counts, its verdict) with each
//! tenant's findings Tier 0 first — as a table, Markdown or one HTML page — and the documents of
//! every tenant's full inventory (JSON, CSV), written a tenant at a time from disk.

use std::fmt::Write as _;
use std::io::Write;

use super::html::{copy_block, esc, page_end_with, page_start, script_json, verdict_filters};
use super::layout::{md_cell, new_table};
use super::safe::Safe;
use crate::inventory::tenants::{InventoryTenants, TenantInventory, TenantRow};
use crate::multi::{MultiSummary, Spill};

fn counts(t: &TenantRow) -> [String; 4] {
    match &t.summary {
        Some(s) => [
            s.apps.to_string(),
            s.tier0_apps.to_string(),
            s.backup_products.to_string(),
            match t.finding_count {
                1 => "1 finding".to_string(),
                n => format!("{n} findings"),
            },
        ],
        None => ["–".into(), "–".into(), "–".into(), "–".into()],
    }
}

fn summary_line(s: &MultiSummary) -> String {
    format!(
        "{} tenants: {} pass, {} fail, {} could not be read",
        s.tenants, s.passed, s.failed, s.errors
    )
}

/// The overview table, then each tenant's findings (Tier 0 first).
pub fn table(v: &Safe<InventoryTenants>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = new_table(&[
        "Tenant",
        "Verdict",
        "Apps",
        "Tier 0",
        "Backup products",
        "Findings / error",
    ]);
    table.force_no_tty();
    for t in &v.tenants {
        let [apps, tier0, products, findings] = counts(t);
        table.add_row(vec![
            t.tenant.clone(),
            t.verdict_word.clone(),
            apps,
            tier0,
            products,
            t.error.clone().unwrap_or(findings),
        ]);
    }
    writeln!(out, "{table}")?;
    for t in v.tenants.iter().filter(|t| !t.findings.is_empty()) {
        writeln!(out, "\n{}:", t.tenant)?;
        for f in &t.findings {
            writeln!(out, "  [{}] {}", f.code, f.message)?;
        }
        if t.finding_count > t.findings.len() {
            writeln!(
                out,
                "  … and {} more (entra-perms inventory --tenant {})",
                t.finding_count - t.findings.len(),
                t.tenant
            )?;
        }
    }
    writeln!(out, "\n{}", summary_line(&v.summary))
}

/// Markdown: the overview table, then each tenant's findings.
pub fn markdown(v: &Safe<InventoryTenants>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "## entra-perms inventory of {} tenants\n\n{}\n",
        v.tenants.len(),
        summary_line(&v.summary)
    )?;
    writeln!(
        out,
        "| Tenant | Verdict | Apps | Tier 0 | Backup products | Findings / error |\n|---|---|---|---|---|---|"
    )?;
    for t in &v.tenants {
        let [apps, tier0, products, findings] = counts(t);
        writeln!(
            out,
            "| {} | {} | {apps} | {tier0} | {products} | {} |",
            md_cell(&t.tenant),
            t.verdict_word,
            md_cell(t.error.as_deref().unwrap_or(&findings))
        )?;
    }
    for t in v.tenants.iter().filter(|t| !t.findings.is_empty()) {
        writeln!(out, "\n### {}\n", md_cell(&t.tenant))?;
        for f in &t.findings {
            writeln!(out, "- **{}**: {}", f.code, md_cell(&f.message))?;
        }
    }
    Ok(())
}

/// One page: the tenants (filterable by verdict), then each tenant's findings with what to do.
pub fn html(v: &Safe<InventoryTenants>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    let s = &v.summary;
    let worst = match (s.errors, s.failed) {
        (0, 0) => ("pass", "PASS"),
        (0, _) => ("fail", "FAIL"),
        _ => ("error", "ERROR"),
    };
    page_start(
        &mut page,
        &format!(
            "entra-perms inventory of {} tenants: {}",
            s.tenants, worst.1
        ),
    );
    let _ = write!(
        page,
        "<header class=\"head\"><div class=\"verdict {}\" id=\"verdict\">{}</div><div><h1>Inventory of {} tenants</h1>\
         <p class=\"verdict-line\">{}</p></div></header>\
         <h2>Tenants</h2><div class=\"toolbar no-print\">",
        worst.0,
        worst.1,
        s.tenants,
        esc(&summary_line(s))
    );
    verdict_filters(&mut page);
    page.push_str(
        "</div><table class=\"stack inv-tenants\"><thead><tr><th>Tenant</th><th>Verdict</th><th>Apps</th><th>Tier 0</th>\
         <th>Backup products</th><th>Findings / error</th></tr></thead><tbody>",
    );
    for (i, t) in v.tenants.iter().enumerate() {
        let [apps, tier0, products, findings] = counts(t);
        let name = if t.findings.is_empty() {
            esc(&t.tenant)
        } else {
            format!(
                "<a href=\"#tenant-{i}\" data-open=\"tenant-{i}\">{}</a>",
                esc(&t.tenant)
            )
        };
        let _ = write!(
            page,
            "<tr data-verdict=\"{}\" data-tenant=\"{}\"><td>{name}</td><td><span class=\"st {}\">{}</span></td>\
             <td>{apps}</td><td>{tier0}</td><td>{products}</td><td>{}</td></tr>",
            t.verdict_word,
            esc(&t.tenant),
            if t.verdict_word == "PASS" { "ok" } else { "bad" },
            t.verdict_word,
            esc(t.error.as_deref().unwrap_or(&findings))
        );
    }
    page.push_str("</tbody></table>\n");
    out.write_all(page.as_bytes())?;
    page.clear();
    for (i, t) in v.tenants.iter().enumerate() {
        if t.findings.is_empty() {
            continue;
        }
        let _ = write!(
            page,
            "<details class=\"tenant\" id=\"tenant-{i}\" data-verdict=\"{}\"><summary>{} · {} finding{}</summary><ul>",
            t.verdict_word,
            esc(&t.tenant),
            t.finding_count,
            if t.finding_count == 1 { "" } else { "s" }
        );
        for f in &t.findings {
            let _ = write!(page, "<li><b>{}</b> {}", esc(&f.code), esc(&f.message));
            for c in &f.commands {
                copy_block(&mut page, "Run", c);
            }
            page.push_str("</li>");
        }
        page.push_str("</ul></details>\n");
        out.write_all(page.as_bytes())?;
        page.clear();
    }
    page_end_with(
        out,
        "the overview embedded in this file (script <code>#entra-perms-report</code>: a row per tenant; <code>--format json</code> has each tenant's whole inventory)",
        &mut |w| w.write_all(script_json(&**v).as_bytes()),
    )
}

/// `{"schemaVersion": 1, "tenants": [{"tenant", "exitCode", "inventory" | "error"}…],
/// "summary"}`: each tenant's full inventory, written one at a time.
pub fn json(
    kept: &Spill<TenantInventory>,
    summary: &MultiSummary,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    super::json::many(summary, out, &mut |items| {
        kept.each_kept(&mut |t| items.item(t))
    })
}

/// CSV: every tenant's rows (one per app and permission) with the tenant first; a tenant that
/// could not be read is one row saying why.
pub fn csv(kept: &Spill<TenantInventory>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(&mut *out);
    super::inventory::csv_header(&mut w, true)?;
    kept.each_kept(&mut |t| match &t.inventory {
        Some(inv) => super::inventory::csv_rows(&mut w, Some(&t.tenant), inv),
        None => {
            let why = format!(
                "could not be read: {}",
                t.error.as_deref().unwrap_or("unknown error")
            );
            let mut row = vec![super::csv::cell(&t.tenant)];
            row.extend(std::iter::repeat_n(String::new(), 12));
            row.push(super::csv::cell(&why));
            w.write_record(&row).map_err(std::io::Error::other)
        }
    })?;
    w.flush()
}
