//! `--format html`: one self-contained page to forward — styles and script inline, a Content
//! Security Policy that lets no request leave the page, readable without script and in print.
//! Laid out from the view; every string is HTML-escaped here; the audit JSON rides along in a
//! `<script type="application/json">` so the file is also data.

use std::fmt::Write as _;
use std::io::Write;

use super::view::{AuditView, ObjectView, TenantsView};
use crate::audit::{Coverage, Report, Status};
use crate::multi::MultiReport;
use crate::plan::Plan;

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

/// JSON made safe inside `<script type="application/json">`: `<`, `>` and `&` as JSON escapes
/// (so `</script>` cannot close the element), and the two line separators JavaScript dislikes.
pub fn script_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --part:#7d4e00; --part-bg:#fff1c2; --miss:#b42318;
  --miss-bg:#ffe4e1; --na:#59636e; --na-bg:#eef1f4; --line:#d0d7de; --ink:#1f2328; --muted:#59636e;
  --accent:#0550ae; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; min-height: 100vh; }
h1 { font-size: 1.55rem; margin: 0 0 2px; word-break: break-word; }
h2 { font-size: 1.15rem; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
code, pre { font: 0.85rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; border: 1px solid var(--line);
  border-radius: 6px; padding: 8px 10px; margin: 4px 0; }
.head { display: flex; gap: 20px; align-items: flex-start; }
.verdict { flex: none; font-weight: 800; font-size: 1.6rem; letter-spacing: .06em; color: #fff;
  border-radius: 10px; padding: 14px 22px; }
.verdict.pass { background: var(--ok); } .verdict.fail { background: var(--miss); }
.verdict.error { background: #57606a; }
.verdict-line { margin: 2px 0 10px; font-weight: 600; }
.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 0;
  font-size: .88rem; color: var(--muted); }
.meta dt { font-weight: 600; } .meta dd { margin: 0; color: var(--ink); word-break: break-all; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 22px 0 4px; }
.tile { border-radius: 10px; padding: 12px 16px; border: 1px solid var(--line); }
.tile b { display: block; font-size: 1.9rem; line-height: 1.1; }
.tile.covered { background: var(--ok-bg); color: var(--ok); }
.tile.partial { background: var(--part-bg); color: var(--part); }
.tile.missing { background: var(--miss-bg); color: var(--miss); }
.tile.not-applicable { background: var(--na-bg); color: var(--na); }
.cell { display: inline-block; min-width: 96px; text-align: center; border-radius: 6px; padding: 2px 8px;
  font-size: .85rem; font-weight: 600; }
.cell.covered, .st.ok { background: var(--ok-bg); color: var(--ok); }
.cell.partial { background: var(--part-bg); color: var(--part); }
.cell.missing, .st.bad { background: var(--miss-bg); color: var(--miss); }
.cell.not-applicable { background: var(--na-bg); color: var(--na); }
.st { border-radius: 5px; padding: 1px 6px; font-size: .8rem; font-weight: 600; white-space: nowrap; }
.st.implied { background: #ddf4ff; color: var(--accent); }
.grid-head, .obj > summary { display: grid; grid-template-columns: 2.2fr 110px 110px 3fr; gap: 10px;
  align-items: center; padding: 7px 10px; }
.grid-head { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  border-bottom: 2px solid var(--line); }
.obj { border-bottom: 1px solid var(--line); }
.obj > summary { cursor: pointer; list-style: none; }
.obj > summary::-webkit-details-marker { display: none; }
.obj > summary:hover { background: #f6f8fa; }
.obj > summary .name::before { content: "▸"; display: inline-block; width: 1em; color: var(--muted); }
.obj[open] > summary .name::before { content: "▾"; }
.obj .name { font-weight: 600; }
.drift { font-weight: 600; }
.gaps { font-size: .85rem; color: var(--muted); }
.reqs { padding: 4px 10px 14px 28px; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.why { color: var(--muted); font-size: .84rem; }
.fix { margin-top: 6px; }
.fixrow td { padding-top: 0; background: #fbfcfd; }
.fixrow .label, .fix .label { font-size: .75rem; color: var(--muted); font-weight: 600; }
.reqs td:first-child { width: 30%; } .reqs td:nth-child(2) { width: 12%; } .reqs td:nth-child(3) { width: 17%; }
.reqs td:nth-child(4) { width: 14%; }
.fix .label { font-size: .75rem; color: var(--muted); font-weight: 600; }
.copy { font-size: .75rem; border: 1px solid var(--line); background: #fff; border-radius: 5px;
  padding: 1px 8px; cursor: pointer; margin-left: 6px; }
.copy:hover { background: #f3f4f6; }
.consent { display: inline-block; margin: 8px 0; padding: 8px 14px; border-radius: 6px;
  background: var(--accent); color: #fff; text-decoration: none; font-weight: 600; }
.warn { border-left: 4px solid var(--miss); background: var(--miss-bg); padding: 8px 12px; border-radius: 4px; }
.good { border-left: 4px solid var(--ok); background: var(--ok-bg); padding: 8px 12px; border-radius: 4px; }
ul.plain { padding-left: 20px; margin: 6px 0; }
.toolbar { margin: 6px 0 10px; display: flex; gap: 8px; flex-wrap: wrap; }
.toolbar button { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 3px 12px;
  cursor: pointer; font: inherit; font-size: .85rem; }
.toolbar button[aria-pressed="true"] { background: var(--ink); color: #fff; border-color: var(--ink); }
.matrix { overflow-x: auto; }
.matrix table { font-size: .78rem; }
.matrix th.o { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; height: 240px;
  vertical-align: bottom; text-transform: none; letter-spacing: 0; }
.matrix td.c { text-align: center; padding: 4px 2px; font-weight: 700; }
.matrix td.c.covered { background: var(--ok-bg); color: var(--ok); }
.matrix td.c.partial { background: var(--part-bg); color: var(--part); }
.matrix td.c.missing { background: var(--miss-bg); color: var(--miss); }
.matrix td.c.not-applicable { background: var(--na-bg); color: var(--na); }
.tenant > summary { cursor: pointer; font-weight: 600; padding: 8px 0; }
footer { margin-top: 40px; font-size: .8rem; color: var(--muted); }
@media (max-width: 760px) { .grid-head, .obj > summary { grid-template-columns: 1fr 90px 90px; }
  .grid-head .gaps-h, .obj .gaps { display: none; } .meta { grid-template-columns: max-content 1fr; }
  .tiles { grid-template-columns: repeat(2, 1fr); } .head { flex-direction: column; } }
@media print { body { background: #fff; font-size: 10.5pt; } main { padding: 0; max-width: none; }
  .copy, .toolbar, .no-print { display: none !important; } details > summary { list-style: none; }
  .tile, tr, pre { break-inside: avoid; } .obj > summary { break-after: avoid; }
  .grid-head, .obj > summary { grid-template-columns: 1.8fr 90px 90px 3fr; }
  .grid-head .gaps-h, .obj .gaps { display: block; } .meta { grid-template-columns: max-content 1fr max-content 1fr; }
  .tiles { grid-template-columns: repeat(4, 1fr); } .head { flex-direction: row; }
  a.consent { color: var(--ink); background: none; padding: 0; }
  a.consent::after { content: " (" attr(href) ")"; font-weight: 400; word-break: break-all; } }
"#;

const SCRIPT: &str = r#"
(function () {
  function copy(text, button) {
    function done() { var t = button.textContent; button.textContent = "Copied"; setTimeout(function () { button.textContent = t; }, 1200); }
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, fallback); } else { fallback(); }
    function fallback() { var a = document.createElement("textarea"); a.value = text; document.body.appendChild(a); a.select();
      try { document.execCommand("copy"); done(); } catch (e) {} document.body.removeChild(a); }
  }
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { copy(b.getAttribute("data-copy"), b); });
  });
  document.querySelectorAll("[data-expand]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var open = b.getAttribute("data-expand") === "open";
      document.querySelectorAll("details." + b.getAttribute("data-target")).forEach(function (d) { d.open = open; });
    });
  });
  var filters = document.querySelectorAll("[data-filter]");
  filters.forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var want = b.getAttribute("data-filter");
      filters.forEach(function (x) { x.setAttribute("aria-pressed", x === b ? "true" : "false"); });
      document.querySelectorAll("[data-verdict]").forEach(function (el) {
        el.hidden = !(want === "ALL" || el.getAttribute("data-verdict") === want);
      });
    });
  });
  document.querySelectorAll("a[data-open]").forEach(function (a) {
    a.addEventListener("click", function () { var d = document.getElementById(a.getAttribute("data-open")); if (d) { d.open = true; } });
  });
  var opened = [];
  // In print, every tenant and every object with a gap is opened; covered objects stay one line.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.tenant:not([open]), details.obj:not([open]):not([data-status=covered]):not([data-status=not-applicable])")
      .forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () { opened.forEach(function (d) { d.open = false; }); opened = []; });
  document.documentElement.classList.add("js");
})();
"#;

fn coverage_class(c: Coverage) -> &'static str {
    c.as_str()
}

fn coverage_label(c: Coverage) -> &'static str {
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

fn page_start(out: &mut String, title: &str) {
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

fn page_end(out: &mut String, data: &str) {
    let _ = write!(
        out,
        "<footer>Made by {} {} from the audit embedded in this file (script <code>#entra-perms-report</code>, the same JSON as <code>--format json</code>). \
         It reads the tenant only; every change above is for an administrator to review and run.</footer>\n\
         </main>\n<script type=\"application/json\" id=\"entra-perms-report\">{data}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
    );
}

fn copy_block(out: &mut String, label: &str, command: &str) {
    let _ = write!(
        out,
        "<div class=\"fix\"><span class=\"label\">{}</span><button class=\"copy\" type=\"button\" hidden data-copy=\"{}\">Copy</button>\
         <pre><code>{}</code></pre></div>",
        esc(label),
        esc(command),
        esc(command)
    );
}

fn meta_row(out: &mut String, term: &str, value: &str) {
    let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(value));
}

/// The header: verdict, app, and how the audit was made.
fn header(out: &mut String, v: &AuditView, heading: &str) {
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
    meta_row(out, "Tenant", v.tenant.as_deref().unwrap_or("unknown"));
    meta_row(out, "Cloud", v.cloud);
    meta_row(out, "Read from", v.source);
    meta_row(out, "Read at", v.read_at.as_deref().unwrap_or("unknown"));
    meta_row(out, "Tool", &v.tool);
    meta_row(out, "Matrix", &v.matrix_version);
    meta_row(out, "Scope", v.scope);
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

fn object(out: &mut String, o: &ObjectView, id: &str) {
    let _ = write!(
        out,
        "<details class=\"obj\" id=\"{id}\" data-status=\"{}\"><summary><span class=\"name\">{}{}</span>\
         <span class=\"cell {}\" title=\"backup\">{}</span><span class=\"cell {}\" title=\"restore\">{}</span>\
         <span class=\"gaps\">{}</span></summary><div class=\"reqs\"><table><thead><tr><th>Permission</th>\
         <th>Needed for</th><th>Status</th><th>Consent, granted on</th><th>Why it is needed</th></tr></thead><tbody>",
        coverage_class(o.status),
        esc(&o.name),
        o.change
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
        let consent = [q.consent.map(str::to_string), q.granted_on.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let _ = write!(
            out,
            "<tr data-requirement=\"{}\"><td><code>{}</code></td><td>{}</td><td><span class=\"st {}\">{}</span>{}</td><td>{}</td><td class=\"why\">{}</td></tr>",
            esc(&q.name),
            esc(&q.name),
            esc(&q.purposes),
            status_class(q.status),
            esc(&q.status_words),
            q.change
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
fn body(out: &mut String, v: &AuditView, prefix: &str) {
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
         <button type=\"button\" hidden data-expand=\"close\" data-target=\"obj\">Close all</button></div>\
         <div class=\"grid-head\"><span>Object (click for its requirements)</span><span>Backup</span><span>Restore</span><span class=\"gaps-h\">Not granted exactly</span></div>"
    );
    for (i, o) in v.objects.iter().enumerate() {
        object(out, o, &format!("{prefix}obj-{i}"));
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
        out.push_str("<table><thead><tr><th>Permission</th><th>Status</th><th>Needed for</th><th>Protects</th></tr></thead><tbody>");
        for g in &v.to_grant {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td><span class=\"st bad\">{}</span></td><td>{}</td><td>{}</td></tr>",
                esc(&g.name),
                esc(g.status),
                esc(&g.purposes),
                esc(&g.objects)
            );
        }
        out.push_str("</tbody></table><p class=\"why\">Each object above shows the exact commands; <code>entra-perms plan</code> prints them all.</p>");
    }

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
            "<h2 id=\"{prefix}excess\">Granted but not needed ({})</h2><table><thead><tr><th>Permission</th><th>Tier</th><th>What it allows</th></tr></thead><tbody>",
            v.excess.len()
        );
        for e in &v.excess {
            let allows = e
                .allows
                .clone()
                .unwrap_or_else(|| "Not a backup requirement; the Microsoft Graph permissions reference says what it allows.".into());
            let _ = write!(
                out,
                "<tr data-tier=\"{}\"><td><code>{}</code>{}</td><td>{}</td><td class=\"why\">{}{}</td></tr>",
                e.tier.map(|t| t.to_string()).unwrap_or_default(),
                esc(&e.name),
                e.consent
                    .map(|c| format!("<br><span class=\"why\">{}</span>", esc(c)))
                    .unwrap_or_default(),
                match e.tier {
                    Some(0) => "<span class=\"st bad\">Tier 0</span>".to_string(),
                    Some(t) => format!("Tier {t}"),
                    None => "–".to_string(),
                },
                esc(&allows),
                e.warning
                    .map(|w| format!("<br><b class=\"tier0-advice\">{}</b>", esc(w)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</tbody></table>");
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
    if let Some(sa) = &v.service_account {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}account\">Service account</h2><p><b>{}</b> · {}</p>",
            esc(&sa.who),
            esc(&sa.roles_words)
        );
        match sa.has_global_administrator {
            Some(true) => out.push_str("<p class=\"good\">It is an active Global Administrator, as the source recommends for the delegated permissions.</p>"),
            Some(false) => out.push_str("<p class=\"warn\">It is not an active Global Administrator: the source recommends Global Administrator for the delegated permissions.</p>"),
            None => out.push_str("<p class=\"warn\">Its directory roles could not be read.</p>"),
        }
        let _ = write!(
            out,
            "<p class=\"why\">Delegated permissions acting through it: {}</p>",
            esc(&sa.acts_for)
        );
        if !sa.notes.is_empty() {
            out.push_str("<ul class=\"plain\">");
            for n in &sa.notes {
                let _ = write!(out, "<li>{}</li>", esc(n));
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
                let _ = write!(out, "<li>{}</li>", esc(f));
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
        out.push_str("</ul>");
    }
    if !v.notes.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"{prefix}notes\">Notes</h2><ul class=\"plain\">"
        );
        for n in &v.notes {
            let _ = write!(out, "<li>{}</li>", esc(n));
        }
        out.push_str("</ul>");
    }
}

/// One audit as a page.
pub fn audit(v: &AuditView, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
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

/// Many tenants as a page: a tenants × objects grid filterable by verdict, then each tenant.
pub fn tenants(v: &TenantsView, multi: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut page = String::with_capacity(256 * 1024);
    let worst = if v.errors > 0 {
        ("error", "ERROR")
    } else if v.failed > 0 {
        ("fail", "FAIL")
    } else {
        ("pass", "PASS")
    };
    page_start(
        &mut page,
        &format!(
            "entra-perms audit of {} tenants: {}",
            v.tenants.len(),
            worst.1
        ),
    );
    let _ = write!(
        page,
        "<header class=\"head\"><div class=\"verdict {}\" id=\"verdict\">{}</div><div><h1>Audit of {} tenants</h1>\
         <p class=\"verdict-line\">{}</p></div></header>",
        worst.0,
        worst.1,
        v.tenants.len(),
        esc(&v.summary)
    );
    let _ = write!(
        page,
        "<section class=\"tiles\"><div class=\"tile covered\"><b>{}</b>passed</div><div class=\"tile missing\"><b>{}</b>failed</div>\
         <div class=\"tile not-applicable\"><b>{}</b>could not be audited</div><div class=\"tile not-applicable\"><b>{}</b>tenants in all</div></section>",
        v.passed, v.failed, v.errors, v.tenants.len()
    );
    page.push_str("<h2>Tenants × protected objects</h2><div class=\"toolbar no-print\">");
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
    page.push_str("</div><div class=\"matrix\"><table><thead><tr><th>Tenant</th><th>Verdict</th>");
    let objects: Vec<&str> = v
        .tenants
        .iter()
        .find_map(|t| t.audit.as_ref())
        .map(|a| a.objects.iter().map(|o| o.name.as_str()).collect())
        .unwrap_or_default();
    for o in &objects {
        let _ = write!(page, "<th class=\"o\">{}</th>", esc(o));
    }
    page.push_str("</tr></thead><tbody>");
    for (i, t) in v.tenants.iter().enumerate() {
        let _ = write!(
            page,
            "<tr data-verdict=\"{}\" data-tenant=\"{}\"><td><a href=\"#tenant-{i}\" data-open=\"tenant-{i}\">{}</a></td><td><span class=\"st {}\">{}</span></td>",
            t.verdict_word,
            esc(&t.tenant),
            esc(&t.tenant),
            if t.verdict_word == "PASS" { "ok" } else { "bad" },
            t.verdict_word
        );
        match &t.audit {
            Some(a) => {
                for o in &a.objects {
                    let mark = match o.status {
                        Coverage::Covered => "✓",
                        Coverage::Partial => "◐",
                        Coverage::Missing => "✗",
                        Coverage::NotApplicable => "–",
                    };
                    let _ = write!(
                        page,
                        "<td class=\"c {}\" title=\"{}: {}\">{mark}</td>",
                        coverage_class(o.status),
                        esc(&o.name),
                        coverage_label(o.status)
                    );
                }
            }
            None => {
                let _ = write!(
                    page,
                    "<td colspan=\"{}\" class=\"why\">{}</td>",
                    objects.len().max(1),
                    esc(t.error.as_deref().unwrap_or("could not be audited"))
                );
            }
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></div>\n<h2>Each tenant</h2>");
    for (i, t) in v.tenants.iter().enumerate() {
        let _ = write!(
            page,
            "<details class=\"tenant\" id=\"tenant-{i}\" data-verdict=\"{}\"><summary>{} · {}</summary>",
            t.verdict_word,
            esc(&t.tenant),
            t.verdict_word
        );
        match &t.audit {
            Some(a) => {
                header(&mut page, a, "h3");
                body(&mut page, a, &format!("t{i}-"));
            }
            None => {
                let _ = write!(
                    page,
                    "<p class=\"warn\">Could not be audited: {}</p>",
                    esc(t.error.as_deref().unwrap_or("unknown error"))
                );
            }
        }
        page.push_str("</details>\n");
    }
    page_end(&mut page, &script_json(multi));
    out.write_all(page.as_bytes())
}

/// `plan --format html`: the plan as a page, with copy buttons.
pub fn plan(p: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    let p = &super::safe::plan(p);
    let title = p
        .app
        .display_name
        .clone()
        .or_else(|| p.app.app_id.clone())
        .unwrap_or_else(|| "the app".into());
    let mut page = String::with_capacity(32 * 1024);
    page_start(&mut page, &format!("entra-perms plan · {title}"));
    let steps = p.application.len() + usize::from(p.delegated.is_some());
    let _ = write!(
        page,
        "<header class=\"head\"><div class=\"verdict {}\" id=\"verdict\">{}</div><div><h1>Plan for {}</h1>\
         <p class=\"verdict-line\">{}</p><dl class=\"meta\">",
        if steps == 0 { "pass" } else { "fail" },
        if steps == 0 { "NOTHING TO DO" } else { "TO DO" },
        esc(&title),
        if steps == 0 {
            "Every permission in scope is granted.".to_string()
        } else {
            format!("{steps} change(s) to review and run; entra-perms itself changes nothing.")
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
    meta_row(&mut page, "Cloud", p.cloud);
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
            esc(&super::join(&s.purposes, " and ")),
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
    page_end(&mut page, &script_json(p));
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
