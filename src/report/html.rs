//! `--format html`: one self-contained page to forward — styles and script inline, a Content
//! Security Policy that lets no request leave the page, readable without script and in print.
//! Laid out from the view; every string is HTML-escaped here; the audit JSON rides along in a
//! `<script type="application/json">` so the file is also data.

use std::fmt::Write as _;
use std::io::Write;

use super::safe::Safe;
use super::view::{AuditView, ObjectView};
use crate::audit::{Coverage, Report, Status};

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A Microsoft Graph permission as a link to its entry in Microsoft's permissions reference
/// (`#userreadall`: the name in lower case without its dots); `label` is what the page shows.
/// Names not of a permission's shape stay plain code.
pub fn permission(permission: &str, label: &str) -> String {
    let shaped = !permission.is_empty()
        && permission
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !shaped {
        return format!("<code>{}</code>", esc(label));
    }
    let anchor: String = permission
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    format!(
        "<a class=\"perm\" href=\"{REFERENCE}#{anchor}\" target=\"_blank\" rel=\"noopener noreferrer\" \
         title=\"{} in the Microsoft Graph permissions reference\"><code>{}</code></a>",
        esc(permission),
        esc(label).replace('.', ".<wbr>")
    )
}

/// Microsoft's page of every Microsoft Graph permission.
const REFERENCE: &str = "https://learn.microsoft.com/graph/permissions-reference";

/// A sentence for a page: escaped, its `code` spans (as the text reports write commands and
/// names) shown as code, never as literal backquotes. An unpaired backquote stays text.
pub fn prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return esc(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&esc(part));
            out.push_str("</code>");
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// JSON made safe inside `<script type="application/json">`: `<`, `>` and `&` as JSON escapes
/// (so `</script>` cannot close the element), and the characters that reorder or hide text
/// (line separators, bidi overrides, noncharacters) as `\uXXXX` — the same data, nothing raw in
/// the page's source.
pub fn script_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    crate::text::json_safe(text)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:; base-uri 'none'; form-action 'none'";

/// The page's style sheet (inline: the CSP allows no fetch).
const STYLE: &str = include_str!("assets/report.css");

/// The page's script: copy buttons, filters, print (inline, no request leaves the page).
const SCRIPT: &str = include_str!("assets/report.js");

pub(super) fn coverage_class(c: Coverage) -> &'static str {
    c.as_str()
}

pub(super) fn coverage_label(c: Coverage) -> &'static str {
    match c {
        Coverage::NotApplicable => "n/a",
        other => other.as_str(),
    }
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Granted => "ok",
        Status::Implied => "implied",
        _ => "bad",
    }
}

pub(super) fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        esc(title)
    );
}

pub(super) fn page_end(out: &mut String, data: &str) {
    out.push_str(&footer(
        "the audit embedded in this file (script <code>#entra-perms-report</code>, the same JSON as <code>--format json</code>)",
    ));
    out.push_str(data);
    out.push_str(&script_end());
}

/// The end of a page whose embedded data `data` writes (already safe inside `<script>`).
pub(super) fn page_end_with(
    out: &mut dyn Write,
    what: &str,
    data: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    out.write_all(footer(what).as_bytes())?;
    data(out)?;
    out.write_all(script_end().as_bytes())
}

/// The footer, up to the embedded data.
fn footer(what: &str) -> String {
    format!(
        "<footer>Made by {} {} from {what}. \
         It reads the tenant only; every change above is for an administrator to review and run.</footer>\n\
         </main>\n<script type=\"application/json\" id=\"entra-perms-report\">",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    )
}

/// After the embedded data: the page's script.
fn script_end() -> String {
    format!("</script>\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
}

/// The buttons that filter a page's `[data-verdict]` rows (shown by the page's script).
pub(super) fn verdict_filters(page: &mut String) {
    for (f, label) in [
        ("ALL", "All"),
        ("PASS", "Pass"),
        ("FAIL", "Fail"),
        ("ERROR", "Error"),
    ] {
        let _ = write!(
            page,
            "<button type=\"button\" hidden data-filter=\"{f}\" aria-pressed=\"{}\">{label}</button>",
            f == "ALL"
        );
    }
}

pub(super) fn copy_block(out: &mut String, label: &str, command: &str) {
    let _ = write!(
        out,
        "<div class=\"fix\"><span class=\"label\">{}</span><button class=\"copy\" type=\"button\" hidden data-copy=\"{}\">Copy</button>\
         <pre><code>{}</code></pre></div>",
        esc(label),
        esc(command),
        esc(command)
    );
}

pub(super) fn meta_row(out: &mut String, term: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(value));
}

/// The header: verdict, app, and how the audit was made.
pub(super) fn header(out: &mut String, v: &AuditView, heading: &str) {
    let class = if v.passed { "pass" } else { "fail" };
    let _ = write!(
        out,
        "<header class=\"head\"><div class=\"verdict {class}\" id=\"verdict\">{}</div><div>\
         <{heading} class=\"app\">{}</{heading}><p class=\"verdict-line\">{}</p><dl class=\"meta\">",
        v.verdict_word,
        esc(&v.title),
        esc(&v.verdict)
    );
    meta_row(out, "App ID", v.app_id.as_deref().unwrap_or("unknown"));
    meta_row(
        out,
        "Service principal",
        v.service_principal_id.as_deref().unwrap_or("unknown"),
    );
    meta_row(
        out,
        "Tenant",
        &super::view::tenant_label(
            v.tenant.as_deref().unwrap_or("unknown"),
            v.tenant_name.as_deref(),
        ),
    );
    meta_row(out, "Cloud", &v.cloud);
    meta_row(out, "Read from", &v.source);
    meta_row(out, "Read at", v.read_at.as_deref().unwrap_or("unknown"));
    meta_row(out, "Tool", &v.tool);
    meta_row(out, "Matrix", &v.matrix_version);
    meta_row(out, "Scope", &v.scope);
    meta_row(
        out,
        "Tier-0 permissions",
        &if v.tier0.is_empty() {
            "none".to_string()
        } else {
            format!("{} (paths to Global Administrator)", v.tier0.len())
        },
    );
    meta_row(
        out,
        "Policy",
        &format!(
            "fail on {}{}",
            v.fail_on,
            if v.strict { ", strict" } else { "" }
        ),
    );
    out.push_str("</dl></div></header>\n");
}

fn tiles(out: &mut String, v: &AuditView) {
    out.push_str("<section class=\"tiles\" aria-label=\"Summary\">");
    for (class, n, label) in [
        ("covered", v.covered, "objects covered"),
        ("partial", v.partial, "partially covered"),
        ("missing", v.missing, "not covered"),
        ("not-applicable", v.not_applicable, "not in scope"),
    ] {
        let _ = write!(out, "<div class=\"tile {class}\"><b>{n}</b>{label}</div>");
    }
    out.push_str("</section>\n");
}

fn object(out: &mut String, o: &ObjectView, id: &str, prefix: &str) {
    let _ = write!(
        out,
        "<details class=\"obj\" id=\"{id}\" data-status=\"{}\" data-filter-item=\"{prefix}\"><summary><span class=\"name\">{}{}</span>\
         <span class=\"cell {}\" title=\"backup\">{}</span><span class=\"cell {}\" title=\"restore\">{}</span>\
         <span class=\"gaps\">{}</span></summary><div class=\"reqs\"><table class=\"stack req\"><thead><tr><th>Permission</th>\
         <th>Needed for</th><th>Status</th><th>Consent, granted on</th><th>Why it is needed</th></tr></thead><tbody>",
        coverage_class(o.status),
        esc(&o.name),
        o.change.as_deref()
            .map(|c| format!(
                " <span class=\"st {}\" title=\"since the baseline\">{c}</span>",
                if c == "resolved" { "ok" } else { "bad" }
            ))
            .unwrap_or_default(),
        coverage_class(o.backup),
        coverage_label(o.backup),
        coverage_class(o.restore),
        coverage_label(o.restore),
        esc(&o.not_granted.join(" · "))
    );

    for q in &o.requirements {
        let consent = [q.consent.clone(), q.granted_on.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let _ = write!(
            out,
            "<tr data-requirement=\"{}\"><td>{}</td><td>{}</td><td><span class=\"st {}\">{}</span>{}</td><td>{}</td><td class=\"why\">{}</td></tr>",
            esc(&q.name),
            permission(&q.permission, &q.name),
            esc(&q.purposes),
            status_class(q.status),
            esc(&q.status_words),
            q.change.as_deref()
                .map(|c| format!(" <span class=\"st {}\">{c}</span>", if c == "resolved" { "ok" } else { "bad" }))
                .unwrap_or_default(),
            esc(&consent),
            esc(&q.why)
        );
        if let Some(fix) = &q.fix {
            let _ = write!(
                out,
                "<tr class=\"fixrow\"><td colspan=\"5\"><span class=\"label\">Fix {}:</span>",
                esc(&q.name)
            );
            copy_block(out, "az", &fix.az);
            copy_block(out, "PowerShell", &fix.powershell);
            out.push_str("</td></tr>");
        }
    }
    out.push_str("</tbody></table></div></details>\n");
}

/// Everything below the header of one audit; `prefix` keeps ids unique when several audits
/// share a page.
pub(super) fn body(out: &mut String, v: &AuditView, prefix: &str) {
    if let Some(d) = &v.drift {
        let class = if d.new_gaps.is_empty() {
            "good"
        } else {
            "warn"
        };
        let _ = write!(
            out,
            "<p class=\"{class} drift\" id=\"{prefix}drift\">Changes {}</p>",
            esc(&d.line)
        );
    }
    if let Some(t) = &v.tier0_line {
        let _ = write!(
            out,
            "<p class=\"warn tier0\" id=\"{prefix}tier0\">{}<br><span class=\"why\">{}</span></p>",
            esc(t),
            esc(&v.tier0.join(", "))
        );
    }
    tiles(out, v);
    let _ = write!(
        out,
        "<h2 id=\"{prefix}objects\">Protected objects</h2>\
         <div class=\"toolbar no-print\"><button type=\"button\" hidden data-expand=\"open\" data-target=\"obj\">Open all</button>\
         <button type=\"button\" hidden data-expand=\"close\" data-target=\"obj\">Close all</button>\
         <input type=\"search\" class=\"filter\" hidden data-filter-for=\"{prefix}\" placeholder=\"Filter objects and permissions\" \
         aria-label=\"Filter objects and permissions\"><span class=\"filter-count\" aria-live=\"polite\"></span></div>\
         <div class=\"grid-head\"><span>Object (click for its requirements)</span><span>Backup</span><span>Restore</span><span class=\"gaps-h\">Not granted exactly</span></div>"
    );
    for (i, o) in v.objects.iter().enumerate() {
        object(out, o, &format!("{prefix}obj-{i}"), prefix);
    }

    if let Some(d) = &v.drift {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}changes\">Changes since the baseline</h2>"
        );
        for (title, items) in d.sections() {
            if !items.is_empty() {
                let _ = write!(
                    out,
                    "<h3>{title} ({})</h3><ul class=\"plain\">",
                    items.len()
                );
                for i in items {
                    let _ = write!(out, "<li>{}</li>", esc(i));
                }
                out.push_str("</ul>");
            }
        }
    }
    let _ = write!(
        out,
        "<h2 id=\"{prefix}grant\">To grant ({})</h2>",
        v.to_grant.len()
    );
    if v.to_grant.is_empty() {
        out.push_str("<p class=\"good\">Nothing: every requirement in scope is satisfied.</p>");
    } else {
        if let Some(url) = &v.consent_url {
            let _ = write!(
                out,
                "<p>Admin consent grants everything the app registration requests, in one step:<br>\
                 <a class=\"consent\" href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">Open the admin-consent page</a></p>",
                esc(url)
            );
        }
        out.push_str("<table class=\"stack grant\"><thead><tr><th>Permission</th><th>Status</th><th>Needed for</th><th>Protects</th></tr></thead><tbody>");
        for g in &v.to_grant {
            let _ = write!(
                out,
                "<tr data-filter-item=\"{prefix}\"><td>{}</td><td><span class=\"st bad\">{}</span></td><td>{}</td><td>{}</td></tr>",
                permission(&g.permission, &g.name),
                esc(&g.status),
                esc(&g.purposes),
                esc(&g.objects)
            );
        }
        out.push_str("</tbody></table><p class=\"why\">Each object above shows the exact commands; <code>entra-perms plan</code> prints them all.</p>");
    }

    lists(out, v, prefix);
    people(out, v, prefix);
}

/// What is satisfied only by implication, not needed, on other APIs or unresolved.
fn lists(out: &mut String, v: &AuditView, prefix: &str) {
    if !v.implied.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}implied\">Satisfied by a broader permission</h2><ul class=\"plain\">"
        );
        for i in &v.implied {
            let _ = write!(out, "<li>{}</li>", esc(i));
        }
        out.push_str("</ul>");
    }
    if !v.excess.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}excess\">Granted but not needed ({})</h2><table class=\"stack excess\"><thead><tr><th>Permission</th><th>Tier</th><th>What it allows</th></tr></thead><tbody>",
            v.excess.len()
        );
        for e in &v.excess {
            let allows = e
                .allows
                .clone()
                .unwrap_or_else(|| "Not a backup requirement; the Microsoft Graph permissions reference says what it allows.".into());
            let _ = write!(
                out,
                "<tr data-tier=\"{}\" data-filter-item=\"{prefix}\"><td>{}{}</td><td>{}</td><td class=\"why\">{}{}</td></tr>",
                e.tier.map(|t| t.to_string()).unwrap_or_default(),
                permission(e.name.split(" (").next().unwrap_or(&e.name), &e.name),
                e.consent
                    .as_ref().map(|c| format!("<br><span class=\"why\">{}</span>", esc(c)))
                    .unwrap_or_default(),
                match e.tier {
                    Some(0) => "<span class=\"st bad\">Tier 0</span>".to_string(),
                    _ if e.tier_words.is_empty() => "–".to_string(),
                    _ => esc(&e.tier_words),
                },
                esc(&allows),
                e.warning
                    .as_ref().map(|w| format!("<br><b class=\"tier0-advice\">{}</b>", esc(w)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(title) = &v.out_of_scope_title {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}outofscope\">{} ({})</h2><ul class=\"plain\">",
            esc(title),
            v.out_of_scope.len()
        );
        for o in &v.out_of_scope {
            let _ = write!(out, "<li>{}</li>", esc(o));
        }
        out.push_str("</ul>");
    }
    if !v.other_apis.is_empty() {
        let _ = write!(out, "<h2 id=\"{prefix}other\">Permissions on other APIs (not audited, not excess)</h2><ul class=\"plain\">");
        for o in &v.other_apis {
            let _ = write!(out, "<li>{}</li>", esc(o));
        }
        out.push_str("</ul>");
    }
    if !v.unresolved.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}unresolved\">Grants with ids nobody knows</h2><ul class=\"plain\">"
        );
        for u in &v.unresolved {
            let _ = write!(out, "<li><code>{}</code></li>", esc(u));
        }
        out.push_str("</ul>");
    }
}

/// The service account, who can become the app, and the notes.
fn people(out: &mut String, v: &AuditView, prefix: &str) {
    if let Some(sa) = &v.service_account {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}account\">Service account</h2><p><b>{}</b> · {}</p>",
            esc(&sa.who),
            esc(&sa.roles_words)
        );
        // One warning: where a note of the account says why (not an administrator, only
        // eligible, roles unread), that note is the warning, shown below.
        match sa.has_global_administrator {
            Some(true) => out.push_str("<p class=\"good\">It is an active Global Administrator, as the source recommends for the delegated permissions.</p>"),
            _ if !sa.notes.is_empty() => {}
            Some(false) => out.push_str("<p class=\"warn\">It is not an active Global Administrator: the source recommends Global Administrator for the delegated permissions.</p>"),
            None => out.push_str("<p class=\"warn\">Its directory roles could not be read.</p>"),
        }
        let _ = write!(
            out,
            "<p class=\"why\">Delegated permissions acting through it: {}</p>",
            esc(&sa.acts_for)
        );
        if !sa.notes.is_empty() {
            out.push_str("<ul class=\"plain warn\">");
            for n in &sa.notes {
                let _ = write!(out, "<li>{}</li>", prose(n));
            }
            out.push_str("</ul>");
        }
    }
    if let Some(a) = &v.app_security {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}security\">Who can become the app</h2><p class=\"why\">Whoever holds a \
             credential of the app, or can add one (its owners), acts with all of its permissions.</p>"
        );
        if !a.findings.is_empty() {
            out.push_str("<ul class=\"plain warn\">");
            for f in &a.findings {
                let _ = write!(out, "<li>{}</li>", prose(f));
            }
            out.push_str("</ul>");
        }
        out.push_str("<ul class=\"plain\">");
        for c in &a.credentials {
            let _ = write!(out, "<li>Credential: {}</li>", esc(c));
        }
        match &a.owners {
            Some(owners) if owners.is_empty() => out.push_str("<li>Owners: none</li>"),
            Some(owners) => {
                for o in owners {
                    let _ = write!(out, "<li>Owner: {}</li>", esc(o));
                }
            }
            None => out.push_str("<li>Owners: not read</li>"),
        }
        for (label, list) in [
            ("Federated credential", &a.federated),
            ("Directory role of the app", &a.roles),
        ] {
            for item in list.iter().flatten() {
                let _ = write!(out, "<li>{label}: {}</li>", esc(item));
            }
        }
        out.push_str("</ul>");
        if !a.commands.is_empty() {
            out.push_str("<p>To remove a credential:</p><pre class=\"commands\">");
            for c in &a.commands {
                let _ = writeln!(out, "{}", esc(c));
            }
            out.push_str("</pre>");
        }
    }
    if !v.notes.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}notes\">Notes</h2><ul class=\"plain\">"
        );
        for n in &v.notes {
            let _ = write!(out, "<li>{}</li>", prose(n));
        }
        out.push_str("</ul>");
    }
}

/// One audit as a page.
pub fn audit(v: &Safe<AuditView>, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    page_start(
        &mut page,
        &format!("entra-perms audit: {} · {}", v.verdict_word, v.title),
    );
    header(&mut page, v, "h1");
    body(&mut page, v, "");
    page_end(&mut page, &script_json(report));
    out.write_all(page.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_script_escaping() {
        assert_eq!(
            esc("<img src=x onerror=alert(1)> & \"'"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;"
        );
        let s = script_json(&serde_json::json!({"n": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</script>"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["n"], "</script><script>alert(1)</script>");
    }
}
