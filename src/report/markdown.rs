//! `audit --format markdown`: a summary table and the details of each gap, for a GitHub job
//! summary or a pull-request comment.

use std::io::Write;

use super::layout::{md_cell, md_code};
use super::safe::Safe;
use super::view::AuditView;
use super::view::TenantsView;
use crate::audit::Coverage;

fn badge(c: Coverage) -> &'static str {
    match c {
        Coverage::Covered => "✅ covered",
        Coverage::Partial => "⚠️ partial",
        Coverage::Missing => "❌ missing",
        Coverage::NotApplicable => "–",
    }
}

/// The audit in GitHub Markdown, laid out from the view.
pub fn audit(v: &Safe<AuditView>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "## entra-perms audit: {}\n",
        if v.passed { "✅ PASS" } else { "❌ FAIL" }
    )?;
    let mut who = format!("**{}**", md_cell(&v.title));
    if let Some(id) = &v.app_id {
        who.push_str(&format!(" (appId {})", md_code(id)));
    }
    if let Some(t) = &v.tenant {
        who.push_str(&format!(" · tenant {}", md_code(t)));
    }
    who.push_str(&format!(" · {} cloud · read from {}", v.cloud, v.source));
    writeln!(out, "{who}\n")?;
    if let Some(d) = &v.drift {
        writeln!(out, "**Changes {}**\n", md_cell(&d.line))?;
    }
    if let Some(t) = &v.tier0_line {
        writeln!(out, "⚠️ {}\n", md_cell(t))?;
    }
    writeln!(out, "{}\n", md_cell(&v.verdict))?;

    writeln!(
        out,
        "| Protected object | Backup | Restore | Not satisfied / notes |"
    )?;
    writeln!(out, "|---|---|---|---|")?;
    for o in &v.objects {
        let details: Vec<String> = o.not_granted.iter().map(|d| md_cell(d)).collect();
        writeln!(
            out,
            "| {}{} | {} | {} | {} |",
            md_cell(&o.name),
            <std::option::Option<std::string::String> as Clone>::clone(&o.change)
                .map(|c| format!(" **({c})**"))
                .unwrap_or_default(),
            badge(o.backup),
            badge(o.restore),
            details.join("<br>")
        )?;
    }

    if let Some(d) = &v.drift {
        for (title, items) in d.sections() {
            if !items.is_empty() {
                writeln!(out, "\n### {title} since the baseline ({})\n", items.len())?;
                for i in items {
                    writeln!(out, "- {}", md_cell(i))?;
                }
            }
        }
    }
    if !v.to_grant.is_empty() {
        writeln!(out, "\n### To grant ({})\n", v.to_grant.len())?;
        writeln!(
            out,
            "| Permission | Type | Status | Protects | Needed for |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for g in &v.to_grant {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_code(&g.permission),
                g.ptype,
                g.status,
                md_cell(&g.objects),
                g.purposes
            )?;
        }
        if let Some(url) = &v.consent_url {
            writeln!(
                out,
                "\nAdmin consent for everything the app registration requests: <{url}>"
            )?;
        }
        writeln!(
            out,
            "\nWhy each is needed: `entra-perms explain <permission>`. How to grant them: `entra-perms plan --app <app>`."
        )?;
    }
    sections_after_gaps(v, out)
}

/// The sections after what to grant: implied, not needed, other APIs, people, notes, verdict.
fn sections_after_gaps(v: &AuditView, out: &mut dyn Write) -> std::io::Result<()> {
    if !v.implied.is_empty() {
        writeln!(out, "\n### Satisfied by a broader permission\n")?;
        for line in &v.implied {
            writeln!(out, "- {}", md_cell(line))?;
        }
    }
    if !v.excess.is_empty() {
        writeln!(out, "\n### Granted but not needed ({})\n", v.excess.len())?;
        for e in &v.excess {
            let mut line = md_cell(&e.name);
            if !e.tier_words.is_empty() {
                line.push_str(&format!(" · {}", e.tier_words));
            }
            if let Some(c) = &e.consent {
                line.push_str(&format!(" — {c}"));
            }
            if let Some(w) = &e.warning {
                line.push_str(&format!(" — **{w}**"));
            }
            writeln!(out, "- {line}")?;
        }
    }
    if let Some(title) = &v.out_of_scope_title {
        writeln!(out, "\n### {} ({})\n", md_cell(title), v.out_of_scope.len())?;
        for o in &v.out_of_scope {
            writeln!(out, "- {}", md_cell(o))?;
        }
    }
    if !v.other_apis.is_empty() {
        writeln!(out, "\n### Permissions on other APIs (not audited)\n")?;
        for o in &v.other_apis {
            writeln!(out, "- {}", md_cell(o))?;
        }
    }
    if !v.unresolved.is_empty() {
        writeln!(out, "\n### Grants with unknown ids\n")?;
        for u in &v.unresolved {
            writeln!(out, "- {}", md_cell(u))?;
        }
    }
    if let Some(sa) = &v.service_account {
        writeln!(out, "\n### Service account {}\n", md_code(&sa.who))?;
        writeln!(out, "- Directory roles: {}", md_cell(&sa.roles_words))?;
        writeln!(
            out,
            "- Delegated permissions acting through it: {}",
            md_cell(&sa.acts_for)
        )?;
        for n in &sa.notes {
            writeln!(out, "- ⚠️ {}", md_cell(n))?;
        }
    }
    if let Some(a) = &v.app_security {
        writeln!(out, "\n### Who can become the app\n")?;
        for c in &a.credentials {
            writeln!(out, "- Credential: {}", md_cell(c))?;
        }
        match &a.owners {
            Some(owners) if owners.is_empty() => writeln!(out, "- Owners: none")?,
            Some(owners) => {
                for o in owners {
                    writeln!(out, "- Owner: {}", md_cell(o))?;
                }
            }
            None => writeln!(out, "- Owners: not read")?,
        }
        for (label, list) in [
            ("Federated credential", &a.federated),
            ("Directory role of the app", &a.roles),
        ] {
            for item in list.iter().flatten() {
                writeln!(out, "- {label}: {}", md_cell(item))?;
            }
        }
        if !a.commands.is_empty() {
            writeln!(out, "\nTo remove a credential:\n\n```sh")?;
            for c in &a.commands {
                writeln!(out, "{c}")?;
            }
            writeln!(out, "```")?;
        }
        for f in &a.findings {
            writeln!(out, "- ⚠️ {}", md_cell(f))?;
        }
    }
    if !v.notes.is_empty() {
        writeln!(out, "\n### Notes\n")?;
        for n in &v.notes {
            writeln!(out, "- {}", md_cell(n))?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} · matrix {} · scope {} · fail on {}{}</sub>",
        v.tool,
        md_cell(&v.matrix_version),
        v.scope,
        v.fail_on,
        if v.strict { " · strict" } else { "" }
    )
}

/// One row per tenant, in GitHub Markdown.
pub fn tenants(v: &Safe<TenantsView>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "## entra-perms audit of {} tenants\n", v.tenants.len())?;
    writeln!(out, "{}\n", v.summary)?;
    writeln!(
        out,
        "| Tenant | Verdict | Covered | Partial | Missing | Error / to grant |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for t in &v.tenants {
        let [c, p, mi] = super::view::counts(t);
        let detail = match &t.error {
            Some(e) => md_cell(e),
            None => super::view::detail(t, |p, k| format!("{} ({k})", md_code(p))),
        };
        writeln!(
            out,
            "| {} | {} | {c} | {p} | {mi} | {detail} |",
            md_cell(&t.label),
            t.verdict_word
        )?;
    }
    Ok(())
}
