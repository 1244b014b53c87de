//! `audit --format markdown`: a summary table and the details of each gap, for a GitHub job
//! summary or a pull-request comment.

use std::io::Write;

use super::audit_view::{req_name, status_words, verdict};
use super::{join, md_cell};
use crate::audit::{Coverage, Report};
use crate::grants::{Consent, Source};

fn badge(c: Coverage) -> &'static str {
    match c {
        Coverage::Covered => "✅ covered",
        Coverage::Partial => "⚠️ partial",
        Coverage::Missing => "❌ missing",
        Coverage::NotApplicable => "–",
    }
}

pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let r = &super::safe::report(r);
    writeln!(
        out,
        "## entra-perms audit: {}\n",
        if r.passed { "✅ PASS" } else { "❌ FAIL" }
    )?;
    let app = r
        .app
        .display_name
        .as_deref()
        .or(r.app.app_id.as_deref())
        .unwrap_or("the app");
    let mut who = format!("**{}**", md_cell(app));
    if let Some(id) = &r.app.app_id {
        who.push_str(&format!(" (appId `{id}`)"));
    }
    if let Some(t) = &r.tenant_id {
        who.push_str(&format!(" · tenant `{t}`"));
    }
    who.push_str(&format!(
        " · {} cloud · read from {}",
        r.cloud,
        match r.source {
            Source::Graph => "Microsoft Graph",
            Source::Snapshot => "a snapshot",
            Source::Token => "the token's claims",
        }
    ));
    writeln!(out, "{who}\n")?;
    writeln!(out, "{}\n", md_cell(&verdict(r)))?;

    writeln!(
        out,
        "| Protected object | Backup | Restore | Not satisfied |"
    )?;
    writeln!(out, "|---|---|---|---|")?;
    for o in &r.objects {
        let details: Vec<String> = o
            .requirements
            .iter()
            .filter(|q| !q.status.is_ok())
            .map(|q| {
                format!(
                    "`{}` ({}): {}",
                    q.permission,
                    q.ptype,
                    md_cell(&status_words(q))
                )
            })
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_cell(&o.object),
            badge(o.purposes.backup),
            badge(o.purposes.restore),
            details.join("<br>")
        )?;
    }

    if !r.missing.is_empty() {
        writeln!(out, "\n### To grant ({})\n", r.missing.len())?;
        writeln!(
            out,
            "| Permission | Type | Status | Protects | Needed for |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for g in &r.missing {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                md_cell(&g.permission),
                g.ptype,
                g.status.as_str(),
                md_cell(&g.objects.join(", ")),
                join(&g.purposes, ", ")
            )?;
        }
        writeln!(
            out,
            "\nWhy each is needed: `entra-perms explain <permission>`. How to grant them: `entra-perms plan --app <app>`."
        )?;
    }
    let implied: Vec<String> = r
        .objects
        .iter()
        .flat_map(|o| &o.requirements)
        .filter(|q| q.via.is_some())
        .map(|q| {
            format!(
                "- {}: {}",
                req_name(&q.permission, q.ptype),
                status_words(q)
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !implied.is_empty() {
        writeln!(out, "\n### Satisfied by a broader permission\n")?;
        for line in implied {
            writeln!(out, "{line}")?;
        }
    }
    if !r.excess.is_empty() {
        writeln!(out, "\n### Granted but not needed ({})\n", r.excess.len())?;
        for e in &r.excess {
            let consent = match e.consent {
                Some(Consent::Principal) => " — consented by individual users",
                _ => "",
            };
            writeln!(out, "- `{}` ({}){consent}", md_cell(&e.permission), e.ptype)?;
        }
    }
    if let Some(sa) = &r.service_account {
        writeln!(
            out,
            "\n### Service account `{}`\n",
            md_cell(sa.user_principal_name.as_deref().unwrap_or(&sa.id))
        )?;
        match &sa.roles {
            None => writeln!(out, "- Directory roles: unknown")?,
            Some(roles) => writeln!(
                out,
                "- Directory roles: {}",
                if roles.is_empty() {
                    "none".to_string()
                } else {
                    roles
                        .iter()
                        .map(|r| {
                            format!(
                                "{} ({})",
                                md_cell(&r.display_name),
                                match r.assignment {
                                    crate::grants::Assignment::Active => "active",
                                    crate::grants::Assignment::Eligible => "eligible",
                                }
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )?,
        }
        writeln!(
            out,
            "- Delegated permissions acting through it: {}",
            md_cell(&sa.acts_for.join(", "))
        )?;
        for n in &sa.notes {
            writeln!(out, "- ⚠️ {}", md_cell(n))?;
        }
    }
    if !r.notes.is_empty() {
        writeln!(out, "\n### Notes\n")?;
        for n in &r.notes {
            writeln!(out, "- {}", md_cell(n))?;
        }
    }
    writeln!(
        out,
        "\n<sub>{} {} · matrix {} · scope {} · fail on {}{}</sub>",
        r.tool.name,
        r.tool.version,
        r.matrix_version.as_deref().unwrap_or("(unversioned)"),
        serde_json::to_value(r.scope)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        r.fail_on,
        if r.strict { " · strict" } else { "" }
    )
}
