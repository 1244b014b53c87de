//! The HTML page of many tenants (`audit --tenants --format html`): a tenants × objects grid
//! filterable by verdict, then each tenant's details, written a tenant at a time; or, beside
//! `--report-dir`, the grid alone with each row linked to the tenant's own page.

use std::fmt::Write as _;
use std::io::Write;

use super::html::{
    body, coverage_class, coverage_label, esc, header, page_end_with, page_start, verdict_filters,
};
use super::safe::Safe;
use super::view::TenantsView;
use crate::audit::Coverage;
use crate::matrix::Matrix;
use crate::multi::TenantResults;

/// Many tenants as a page: a tenants × objects grid filterable by verdict, then each tenant —
/// laid out from the full results one tenant at a time, or, where `--report-dir` wrote each
/// tenant's own page, linked to those pages (the overview then holds the rows alone).
pub fn tenants(
    v: &Safe<TenantsView>,
    results: Option<&dyn TenantResults>,
    pages: &str,
    matrix: &Matrix,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let linked = v.tenants.iter().any(|t| t.page.is_some());
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
    out.write_all(page.as_bytes())?;
    page.clear();
    grid(out, v, pages)?;
    match results {
        Some(results) if !linked => {
            out.write_all(b"\n<h2>Each tenant</h2>")?;
            let mut i = 0usize;
            results.each(&mut |t| {
                let row = v.tenants.get(i);
                let label = row.map_or("", |r| r.label.as_str());
                let word = row.map_or("", |r| r.verdict_word.as_str());
                let _ = write!(
                    page,
                    "<details class=\"tenant\" id=\"tenant-{i}\" data-verdict=\"{word}\"><summary>{} · {word}</summary>",
                    esc(label),
                );
                match &t.report {
                    Some(r) => {
                        let a = Safe::new(&super::view::audit(r, matrix, None))?;
                        header(&mut page, &a, "h3");
                        body(&mut page, &a, &format!("t{i}-"));
                    }
                    None => {
                        let _ = write!(
                            page,
                            "<p class=\"warn\">Could not be audited: {}</p>",
                            esc(&crate::text::escape_controls(
                                t.error.as_deref().unwrap_or("unknown error")
                            ))
                        );
                    }
                }
                page.push_str("</details>\n");
                out.write_all(page.as_bytes())?;
                page.clear();
                i += 1;
                Ok(())
            })?;
            page_end_with(out, "the audit embedded in this file (script <code>#entra-perms-report</code>, the same JSON as <code>--format json</code>)", &mut |w| {
                super::json::tenants(results, &mut ScriptSafe(w))
            })
        }
        _ => page_end_with(out, "the overview embedded in this file (script <code>#entra-perms-report</code>: a row per tenant; each tenant's own report is beside its page)", &mut |w| {
            overview_json(v, &mut ScriptSafe(w))
        }),
    }
}

/// The tenants × objects grid: a row per tenant, each linked to its details or to its own page
/// (`pages`: the folder of the pages, as seen from this one), written a row at a time.
fn grid(out: &mut dyn Write, v: &Safe<TenantsView>, pages: &str) -> std::io::Result<()> {
    let mut page = String::with_capacity(4096);
    page.push_str("<h2>Tenants × protected objects</h2><div class=\"toolbar no-print\">");
    verdict_filters(&mut page);
    page.push_str("</div><div class=\"matrix\"><table><thead><tr><th>Tenant</th><th>Verdict</th>");
    for o in &v.objects {
        let _ = write!(page, "<th class=\"o\">{}</th>", esc(o));
    }
    page.push_str("</tr></thead><tbody>");
    for (i, t) in v.tenants.iter().enumerate() {
        let link = match &t.page {
            Some(p) => format!(
                "<a href=\"{}\">{}</a>",
                esc(&href(&format!("{pages}{p}"))),
                esc(&t.label)
            ),
            None if t.counts.is_none() && v.tenants.iter().any(|t| t.page.is_some()) => {
                esc(&t.label)
            }
            None => format!(
                "<a href=\"#tenant-{i}\" data-open=\"tenant-{i}\">{}</a>",
                esc(&t.label)
            ),
        };
        let _ = write!(
            page,
            "<tr data-verdict=\"{}\" data-tenant=\"{}\"><td>{link}</td><td><span class=\"st {}\">{}</span></td>",
            t.verdict_word,
            esc(&t.tenant),
            if t.verdict_word == "PASS" { "ok" } else { "bad" },
            t.verdict_word
        );
        if t.counts.is_some() {
            for (name, status) in v.objects.iter().zip(&t.objects) {
                let mark = match status {
                    Coverage::Covered => "✓",
                    Coverage::Partial => "◐",
                    Coverage::Missing => "✗",
                    Coverage::NotApplicable => "–",
                };
                let _ = write!(
                    page,
                    "<td class=\"c {}\" title=\"{}: {}\">{mark}</td>",
                    coverage_class(*status),
                    esc(name),
                    coverage_label(*status)
                );
            }
        } else {
            let _ = write!(
                page,
                "<td colspan=\"{}\" class=\"why\">{}</td>",
                v.objects.len().max(1),
                esc(t.error.as_deref().unwrap_or("could not be audited"))
            );
        }
        page.push_str("</tr>");
        if page.len() > 64 * 1024 {
            out.write_all(page.as_bytes())?;
            page.clear();
        }
    }
    page.push_str("</tbody></table></div>\n");
    out.write_all(page.as_bytes())
}

/// The overview's own data: `{"summary", "objects", "tenants": [rows…]}`, a row at a time.
fn overview_json(v: &Safe<TenantsView>, out: &mut dyn Write) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        summary: &'a str,
        objects: &'a [String],
        tenants: &'a str,
    }
    let hole = super::json::Hole::new();
    let doc = Doc {
        summary: &v.summary,
        objects: &v.objects,
        tenants: &hole.0,
    };
    super::json::pretty_with_array(&doc, &hole, out, &mut |items| {
        v.tenants.iter().try_for_each(|t| items.item(t))
    })
}

/// A relative file path as a link: each part percent-encoded where a URL needs it.
fn href(path: &str) -> String {
    path.split('/')
        .map(|part| url::form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

/// A writer for JSON inside `<script>`: `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`
/// (in JSON they can only stand inside strings, where the escape means the same).
struct ScriptSafe<'a>(&'a mut dyn Write);

impl Write for ScriptSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut from = 0;
        for (i, b) in buf.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            self.0.write_all(&buf[from..i])?;
            self.0.write_all(escaped)?;
            from = i + 1;
        }
        self.0.write_all(&buf[from..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
