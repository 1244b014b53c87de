//! `plan` output: text for a terminal, JSON, or Markdown for a change ticket.

use std::io::Write;

use super::{join, md_cell};
use crate::plan::{GraphRequest, Plan};

fn heading(p: &Plan) -> String {
    let app = p
        .app
        .display_name
        .as_deref()
        .or(p.app.app_id.as_deref())
        .unwrap_or("the app");
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    if steps == 0 {
        format!("Nothing to grant: {app} has every permission in scope.")
    } else {
        format!(
            "Plan for {app}: {steps} change{} to review and run (entra-perms itself changes nothing).",
            if steps == 1 { "" } else { "s" }
        )
    }
}

pub fn json(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, p)?;
    writeln!(out)
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

pub fn text(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    let p = &super::safe::plan(p);
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
    if let Some(url) = &p.admin_consent_url {
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

pub fn markdown(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    let p = &super::safe::plan(p);
    writeln!(out, "## entra-perms plan\n\n{}\n", md_cell(&heading(p)))?;
    if p.is_empty() && p.remove.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Sign in:\n\n```sh\n{}\n```\n\n```powershell\n{}\n```\n",
        p.connect.az_cli, p.connect.powershell
    )?;
    if let Some(url) = &p.admin_consent_url {
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
            "### {n}. Grant `{}` (Application)\n\n{} · for {} of {}\n",
            s.permission,
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
        let added: Vec<String> = d.add.iter().map(|(perm, _)| format!("`{perm}`")).collect();
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
    if !p.remove.is_empty() {
        writeln!(out, "### Granted but not needed\n")?;
        for r in &p.remove {
            match &r.az_cli {
                Some(az) => writeln!(out, "- `{}` ({}): `{az}`", r.permission, r.ptype)?,
                None => writeln!(out, "- `{}` ({})", r.permission, r.ptype)?,
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
