//! `plan` output: text for a terminal, JSON, or Markdown for a change ticket.

use std::fmt::Write as _;
use std::io::Write;

use super::html::{copy_block, esc, meta_row, page_end, page_start, script_json};
use super::layout::{join, md_cell, md_code};
use super::safe::Safe;
use crate::plan::{GraphRequest, JitBlock, JustInTime, Plan};

fn heading(p: &Plan) -> String {
    let app = p
        .app
        .display_name
        .as_deref()
        .or(p.app.app_id.as_deref())
        .unwrap_or("the app");
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    let window = p.just_in_time.as_ref().map_or(0, |j| j.permissions.len());
    let jit = match window {
        0 => String::new(),
        n => format!(
            ", and a restore window of {n} Tier-0 permission{} granted just in time",
            if n == 1 { "" } else { "s" }
        ),
    };
    if steps == 0 && window == 0 {
        format!("Nothing to grant: {app} has every permission in scope.")
    } else {
        format!(
            "Plan for {app}: {steps} change{} to review and run{jit} (entra-perms itself changes nothing).",
            if steps == 1 { "" } else { "s" }
        )
    }
}

/// The restore window's two blocks, as (heading, block) pairs.
fn windows(j: &JustInTime) -> [(&'static str, &JitBlock); 2] {
    [
        ("Before a restore: grant", &j.grant),
        ("After the restore: revoke", &j.revoke),
    ]
}

fn jit_names(j: &JustInTime) -> String {
    j.permissions
        .iter()
        .map(|p| {
            format!(
                "{}{}",
                p.permission,
                if p.held { " (held now)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const JIT_WHY: &str = "Tier-0 application permissions that only restore needs: an app that restores rarely holds them only while restoring.";

pub fn json(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    super::json::pretty(p, out)
}

/// A step's Graph request and the two commands that send it.
fn commands(
    out: &mut dyn Write,
    request: &GraphRequest,
    az: &str,
    powershell: &str,
) -> std::io::Result<()> {
    writeln!(out, "   {} {}", request.method, request.url)?;
    if let Some(body) = &request.body {
        writeln!(out, "   {body}")?;
    }
    writeln!(out, "   az:         {az}")?;
    writeln!(out, "   PowerShell: {powershell}")
}

pub fn text(p: &Safe<Plan>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", heading(p))?;
    if p.is_empty() && p.remove.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nSign in (as an administrator who may grant consent):"
    )?;
    writeln!(out, "  {}", p.connect.az_cli)?;
    writeln!(out, "  {}", p.connect.powershell)?;
    // Admin consent grants for good everything the registration requests: never offered for a
    // restore window alone.
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    if let Some(url) = p.admin_consent_url.as_ref().filter(|_| steps > 0) {
        writeln!(
            out,
            "\nEither: admin consent for everything the app registration requests:\n  {url}"
        )?;
        writeln!(
            out,
            "  (it grants only what the registration requests: see requiredResourceAccess below)"
        )?;
    }
    let mut n = 0;
    for s in &p.application {
        n += 1;
        writeln!(
            out,
            "\n{n}. Grant {} (Application) · {} · for {} of {}",
            s.permission,
            s.status.as_str(),
            join(&s.purposes, " and "),
            s.objects.join(", ")
        )?;
        commands(out, &s.request, &s.az_cli, &s.powershell)?;
    }
    if let Some(d) = &p.delegated {
        n += 1;
        let added: Vec<String> = d
            .add
            .iter()
            .map(|(perm, status)| format!("{perm} ({})", status.as_str()))
            .collect();
        writeln!(
            out,
            "\n{n}. Grant delegated permissions for all users: {}",
            added.join(", ")
        )?;
        commands(out, &d.request, &d.az_cli, &d.powershell)?;
    }
    if let Some(j) = p
        .just_in_time
        .as_ref()
        .filter(|j| !j.permissions.is_empty())
    {
        writeln!(out, "\nRestore rights just in time: {}", jit_names(j))?;
        writeln!(out, "  {JIT_WHY}")?;
        for (title, block) in windows(j) {
            writeln!(out, "\n  {title}")?;
            writeln!(out, "  az:")?;
            for c in &block.az_cli {
                writeln!(out, "    {c}")?;
            }
            writeln!(out, "  PowerShell:")?;
            for c in &block.powershell {
                writeln!(out, "    {c}")?;
            }
        }
    }
    if !p.remove.is_empty() {
        writeln!(
            out,
            "\nGranted but not needed (remove after checking nothing else uses them):"
        )?;
        for r in &p.remove {
            writeln!(out, "  {} ({})", r.permission, r.ptype)?;
            if let Some(az) = &r.az_cli {
                writeln!(out, "    az:         {az}")?;
            }
            if let Some(ps) = &r.powershell {
                writeln!(out, "    PowerShell: {ps}")?;
            }
        }
    }
    writeln!(
        out,
        "\nrequiredResourceAccess entry for the app manifest (every permission in scope):"
    )?;
    for line in p.required_resource_access_json().lines() {
        writeln!(out, "  {line}")?;
    }
    for note in &p.notes {
        writeln!(out, "\nNote: {note}")?;
    }
    Ok(())
}

pub fn markdown(p: &Safe<Plan>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## entra-perms plan\n\n{}\n", md_cell(&heading(p)))?;
    if p.is_empty() && p.remove.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Sign in:\n\n```sh\n{}\n```\n\n```powershell\n{}\n```\n",
        p.connect.az_cli, p.connect.powershell
    )?;
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    if let Some(url) = p.admin_consent_url.as_ref().filter(|_| steps > 0) {
        writeln!(
            out,
            "Admin consent for everything the app registration requests: <{url}>\n"
        )?;
    }
    let mut n = 0;
    for s in &p.application {
        n += 1;
        writeln!(
            out,
            "### {n}. Grant {} (Application)\n\n{} · for {} of {}\n",
            md_code(&s.permission),
            s.status.as_str(),
            join(&s.purposes, " and "),
            md_cell(&s.objects.join(", "))
        )?;
        writeln!(
            out,
            "```sh\n{}\n```\n\n```powershell\n{}\n```\n",
            s.az_cli, s.powershell
        )?;
    }
    if let Some(d) = &p.delegated {
        n += 1;
        let added: Vec<String> = d.add.iter().map(|(perm, _)| md_code(perm)).collect();
        writeln!(
            out,
            "### {n}. Grant delegated permissions for all users\n\nAdds {}.\n",
            added.join(", ")
        )?;
        writeln!(
            out,
            "```sh\n{}\n```\n\n```powershell\n{}\n```\n",
            d.az_cli, d.powershell
        )?;
    }
    if let Some(j) = p
        .just_in_time
        .as_ref()
        .filter(|j| !j.permissions.is_empty())
    {
        writeln!(
            out,
            "### Restore rights just in time\n\n{} {}\n",
            md_cell(&jit_names(j)),
            JIT_WHY
        )?;
        for (title, block) in windows(j) {
            writeln!(
                out,
                "**{title}**\n\n```sh\n{}\n```\n\n```powershell\n{}\n```\n",
                block.az_cli.join("\n"),
                block.powershell.join("\n")
            )?;
        }
    }
    if !p.remove.is_empty() {
        writeln!(out, "### Granted but not needed\n")?;
        for r in &p.remove {
            match &r.az_cli {
                Some(az) => writeln!(
                    out,
                    "- {} ({}): {}",
                    md_code(&r.permission),
                    r.ptype,
                    md_code(az)
                )?,
                None => writeln!(out, "- {} ({})", md_code(&r.permission), r.ptype)?,
            }
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "### requiredResourceAccess\n\n```json\n{}\n```",
        p.required_resource_access_json()
    )?;
    if !p.notes.is_empty() {
        writeln!(out, "\n### Notes\n")?;
        for note in &p.notes {
            writeln!(out, "- {}", md_cell(note))?;
        }
    }
    Ok(())
}

/// `plan --format html`: the plan as a page, with copy buttons.
pub fn html(p: &Safe<Plan>, out: &mut dyn Write) -> std::io::Result<()> {
    let title = p
        .app
        .display_name
        .clone()
        .or_else(|| p.app.app_id.clone())
        .unwrap_or_else(|| "the app".into());
    let mut page = String::with_capacity(32 * 1024);
    page_start(&mut page, &format!("entra-perms plan · {title}"));
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    let window = p.just_in_time.as_ref().map_or(0, |j| j.permissions.len());
    let _ = write!(
        page,
        "<header class=\"head\"><div class=\"verdict {}\" id=\"verdict\">{}</div><div><h1>Plan for {}</h1>\
         <p class=\"verdict-line\">{}</p><dl class=\"meta\">",
        if steps == 0 { "pass" } else { "fail" },
        match (steps, window) {
            (0, 0) => "NOTHING TO DO",
            (0, _) => "JUST IN TIME",
            _ => "TO DO",
        },
        esc(&title),
        match (steps, window) {
            (0, 0) => "Every permission in scope is granted.".to_string(),
            // The same words as the text and Markdown plans.
            _ => esc(&heading(p)),
        }
    );
    meta_row(
        &mut page,
        "App ID",
        p.app.app_id.as_deref().unwrap_or("unknown"),
    );
    meta_row(
        &mut page,
        "Tenant",
        p.tenant_id.as_deref().unwrap_or("unknown"),
    );
    meta_row(&mut page, "Cloud", p.cloud.as_str());
    page.push_str("</dl></div></header>\n<h2>Sign in</h2>");
    copy_block(&mut page, "az", &p.connect.az_cli);
    copy_block(&mut page, "PowerShell", &p.connect.powershell);
    if let Some(url) = p.admin_consent_url.as_ref().filter(|_| steps > 0) {
        let _ = write!(
            page,
            "<h2>Either: admin consent for everything the registration requests</h2>\
             <a class=\"consent\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">Open the admin-consent page</a>",
            esc(url)
        );
    }
    if steps > 0 {
        page.push_str("<h2>Or: grant each permission</h2>");
    }
    for s in &p.application {
        let _ = write!(
            page,
            "<h3><code>{} (Application)</code> <span class=\"st bad\">{}</span></h3><p class=\"why\">for {} of {}</p>",
            esc(&s.permission),
            esc(s.status.as_str()),
            esc(&super::layout::join(&s.purposes, " and ")),
            esc(&s.objects.join(", "))
        );
        copy_block(&mut page, "az", &s.az_cli);
        copy_block(&mut page, "PowerShell", &s.powershell);
    }
    if let Some(d) = &p.delegated {
        let names: Vec<&str> = d.add.iter().map(|(n, _)| n.as_str()).collect();
        let _ = write!(
            page,
            "<h3>Delegated, for all users: <code>{}</code></h3><p class=\"why\">The admin-consent grant's scopes become: {}</p>",
            esc(&names.join(", ")),
            esc(&d.scope)
        );
        copy_block(&mut page, "az", &d.az_cli);
        copy_block(&mut page, "PowerShell", &d.powershell);
    }
    if let Some(j) = p
        .just_in_time
        .as_ref()
        .filter(|j| !j.permissions.is_empty())
    {
        let _ = write!(
            page,
            "<h2 id=\"just-in-time\">Restore rights just in time</h2><p class=\"why\">{} {}</p>",
            esc(&jit_names(j)),
            esc(JIT_WHY)
        );
        for (title, block) in windows(j) {
            let _ = write!(page, "<h3>{}</h3>", esc(title));
            copy_block(&mut page, "az", &block.az_cli.join("\n"));
            copy_block(&mut page, "PowerShell", &block.powershell.join("\n"));
        }
    }
    if !p.remove.is_empty() {
        page.push_str("<h2>Granted but not needed: candidates for removal</h2>");
        for r in &p.remove {
            let _ = write!(
                page,
                "<h3><code>{} ({})</code></h3>",
                esc(&r.permission),
                r.ptype
            );
            if let (Some(az), Some(ps)) = (&r.az_cli, &r.powershell) {
                copy_block(&mut page, "az", az);
                copy_block(&mut page, "PowerShell", ps);
            }
        }
    }
    page.push_str("<h2>requiredResourceAccess (app manifest)</h2>");
    copy_block(&mut page, "JSON", &p.required_resource_access_json());
    if !p.notes.is_empty() {
        page.push_str("<h2>Notes</h2><ul class=\"plain\">");
        for n in &p.notes {
            let _ = write!(page, "<li>{}</li>", esc(n));
        }
        page.push_str("</ul>");
    }
    page_end(&mut page, &script_json(&**p));
    out.write_all(page.as_bytes())
}
