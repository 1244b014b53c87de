//! The HTML pages as people see them, measured in a real headless browser: no sideways scroll on a
//! phone, dark mode, the filter box, permission links to Microsoft's reference, no literal
//! Markdown, one warning per fact, print rules, and tenants by name.

use std::path::{Path, PathBuf};

use crate::support::browser::{self, Screen};
use crate::support::fake_graph::{FakeGraph, FakeTenant, SERVICE_ACCOUNT_UPN, TENANT_ID};
use crate::support::{audit_against, entra_perms, example, graph_token, run};

const EXAMPLES: [&str; 4] = [
    "all-granted.json",
    "stale-consent.json",
    "wrong-types-and-excess.json",
    "service-account-consent.json",
];

/// The audit page of a shipped example, in `dir`.
fn audit_page(dir: &Path, name: &str) -> PathBuf {
    let page = dir.join(name.replace(".json", ".html"));
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--fail-on", "never", "--format", "html", "--from"])
        .arg(example(name))
        .arg("--output")
        .arg(&page));
    assert_eq!(code, 0, "{name}: {err}");
    page
}

/// Every page the tool writes for people: each example's audit, a plan, and many tenants (one
/// page, and the report folder's index and a tenant's own page).
fn every_page(dir: &Path, graph: &FakeGraph) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = EXAMPLES.iter().map(|e| audit_page(dir, e)).collect();
    let plan = dir.join("plan.html");
    let (code, _, err) = run(entra_perms()
        .args(["plan", "--format", "html", "--from"])
        .arg(example("wrong-types-and-excess.json"))
        .arg("--output")
        .arg(&plan));
    assert_eq!(code, 0, "{err}");
    pages.push(plan);
    let list = dir.join("tenants.txt");
    std::fs::write(&list, format!("{TENANT_ID}\nfabrikam.onmicrosoft.com\n")).unwrap();
    let tenants = dir.join("tenants.html");
    let mut cmd = audit_against(graph, &["--tenants"]);
    cmd.arg(&list)
        .args(["--format", "html", "--fail-on", "never", "--output"])
        .arg(&tenants);
    let (code, _, err) = run(cmd);
    assert!(code == 0 || code == 3, "{err}");
    pages.push(tenants);
    // The overview beside `--report-dir`: the grid, each row linked to its tenant's page.
    let folder = dir.join("reports");
    let mut cmd = audit_against(graph, &["--tenants"]);
    cmd.arg(&list)
        .args(["--format", "table", "--fail-on", "never", "--report-dir"])
        .arg(&folder);
    let (code, _, err) = run(cmd);
    assert!(code == 0 || code == 3, "{err}");
    pages.push(folder.join("index.html"));
    pages.push(folder.join(format!("{TENANT_ID}.html")));
    pages
}

/// Opens every `<details>`, then: the page's scroll width, its client width, and the first
/// element that reaches past the right edge.
const WIDTH: &str = "(function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); \
  var d = document.documentElement, worst = ''; \
  document.querySelectorAll('body *').forEach(function (e) { var r = e.getBoundingClientRect(); \
    if (!worst && r.width > 0 && r.right > d.clientWidth + 0.5) { worst = e.tagName + '.' + e.className + ' ' + Math.round(r.right) + ': ' + (e.textContent || '').slice(0, 60); } }); \
  return d.scrollWidth + ' ' + d.clientWidth + ' ' + worst; })()";

#[test]
fn no_page_scrolls_sideways_on_a_phone() {
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    for page in every_page(dir.path(), &graph) {
        for width in [360, 400, 1400] {
            let got = browser::probe(&chromium, &page, Screen { width, dark: false }, WIDTH);
            let mut parts = got.splitn(3, ' ');
            let scroll: u32 = parts.next().unwrap().parse().expect(&got);
            let client: u32 = parts.next().unwrap().parse().expect(&got);
            assert!(
                scroll <= client,
                "{} at {width} px scrolls sideways: scrollWidth {scroll} > clientWidth {client}; {}",
                page.display(),
                parts.next().unwrap_or("")
            );
            assert!(client + 40 >= width.min(1400), "{got}");
        }
    }
}

#[test]
fn dark_mode_follows_the_system_and_print_stays_light() {
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = audit_page(dir.path(), "stale-consent.json");
    let colour = "getComputedStyle(document.querySelector('main')).backgroundColor";
    let light = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1000,
            dark: false,
        },
        colour,
    );
    let dark = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1000,
            dark: true,
        },
        colour,
    );
    let brightness = |rgb: &str| -> u32 {
        rgb.trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .map(|c| c.trim().parse::<u32>().expect(rgb))
            .sum()
    };
    assert!(brightness(&light) > 600, "light page: {light}");
    assert!(brightness(&dark) < 150, "dark page: {dark}");
    // Print keeps its own light rules: headings are kept with what follows them.
    let print_rules = "(function () { var out = []; for (var s of document.styleSheets) { for (var r of s.cssRules) { \
        if (r.media && r.media.mediaText === 'print') { for (var x of r.cssRules) { out.push(x.selectorText + '{' + x.style.cssText + '}'); } } } } \
        return out.join('\\n'); })()";
    let rules = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1000,
            dark: false,
        },
        print_rules,
    );
    // Every print declaration for one selector.
    let rule = |selector: &str| {
        let all: Vec<&str> = rules
            .lines()
            .filter(|l| {
                l.split('{')
                    .next()
                    .unwrap()
                    .split(", ")
                    .any(|s| s == selector)
            })
            .collect();
        assert!(!all.is_empty(), "no print rule for {selector}:\n{rules}");
        all.join(" ")
    };
    assert!(rule("h2").contains("break-after: avoid"), "{rules}");
    assert!(rule("h3").contains("break-after: avoid"), "{rules}");
    assert!(rule("pre").contains("break-inside: avoid"), "{rules}");
    assert!(!rules.contains("break-all"), "print breaks words: {rules}");
}

#[test]
fn the_filter_box_finds_objects_and_permissions() {
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = audit_page(dir.path(), "stale-consent.json");
    let typed = |text: &str| -> String {
        let js = format!(
            "(function () {{ var box = document.querySelector('input[data-filter-for]'); \
             if (box.hidden) {{ return 'box hidden'; }} box.value = {text:?}; \
             box.dispatchEvent(new Event('input')); \
             var shown = []; document.querySelectorAll('details.obj').forEach(function (d) {{ \
               if (!d.hidden) {{ shown.push(d.querySelector('.name').textContent.trim()); }} }}); \
             var rows = 0; document.querySelectorAll('tr[data-filter-item]').forEach(function (r) {{ if (!r.hidden) {{ rows++; }} }}); \
             return shown.join('|') + '#' + rows + '#' + document.querySelector('.filter-count').textContent; }})()"
        );
        browser::probe(
            &chromium,
            &page,
            Screen {
                width: 1000,
                dark: false,
            },
            &js,
        )
    };
    let got = typed("laps");
    // The object, and the permission to grant for it (its row names the object).
    assert_eq!(got, "Windows LAPS credentials#1#1 of 18 objects", "{got}");
    let got = typed("DeviceLocalCredential");
    assert!(got.starts_with("Windows LAPS credentials#1#"), "{got}");
    let got = typed("UserAuthenticationMethod.ReadWrite");
    let objects: Vec<&str> = got.split('#').next().unwrap().split('|').collect();
    assert_eq!(objects, ["User authentication methods"], "{got}");
    let got = typed("");
    assert_eq!(
        got.split('#').next().unwrap().split('|').count(),
        18,
        "{got}"
    );
    assert!(got.ends_with("#"), "no count without a filter: {got}");
}

/// Every permission name on the page is a link to its entry in Microsoft's permissions reference;
/// no Markdown backquote is left as text; the service account's warning is said once.
#[test]
fn permissions_link_to_microsofts_reference_and_no_markdown_is_left() {
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let js = "(function () { var bad = []; var n = 0; \
        document.querySelectorAll('tr[data-requirement] td:first-child, tr[data-filter-item] td:first-child').forEach(function (td) { \
          var a = td.querySelector('a.perm'); if (!a) { bad.push('unlinked: ' + td.textContent); return; } n++; \
          var name = a.textContent.split(' (')[0]; \
          var want = 'https://learn.microsoft.com/graph/permissions-reference#' + name.replace(/[^A-Za-z0-9]/g, '').toLowerCase(); \
          if (a.href !== want) { bad.push(a.href + ' for ' + name); } \
          if (a.rel !== 'noopener noreferrer') { bad.push('rel ' + a.rel); } }); \
        document.querySelectorAll('details').forEach(function (d) { d.open = true; }); \
        if (document.body.innerText.indexOf('`') >= 0) { bad.push('a backquote: ' + document.body.innerText.split('`')[0].slice(-80)); } \
        return n + ' ' + bad.join(' | '); })()";
    let mut linked = 0;
    for name in EXAMPLES {
        let page = audit_page(dir.path(), name);
        let got = browser::probe(
            &chromium,
            &page,
            Screen {
                width: 1200,
                dark: false,
            },
            js,
        );
        let (n, bad) = got.split_once(' ').unwrap();
        assert_eq!(bad, "", "{name}: {got}");
        linked += n.parse::<usize>().unwrap();
    }
    assert!(linked >= 80, "only {linked} permissions linked");

    // A service account that is not a Global Administrator: one warning says so.
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.roles.push((
        crate::support::fake_graph::SERVICE_ACCOUNT_ID.into(),
        "fe930be7-5e62-47db-91af-98c3a49a38b1".into(),
        "User Administrator".into(),
        false,
    ));
    let graph = FakeGraph::start(tenant);
    let page = dir.path().join("account.html");
    let mut cmd = audit_against(&graph, &["--service-account", SERVICE_ACCOUNT_UPN]);
    cmd.args(["--format", "html", "--output"]).arg(&page);
    let (code, _, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    let count = "(function () { document.querySelectorAll('details').forEach(function (d) { d.open = true; }); \
        var t = document.body.innerText; var m = t.match(/[^\\n]{0,60}not an? (active )?Global Administrator/g) || []; \
        return m.length + (m.length === 1 ? '' : ': ' + m.join(' | ')); })()";
    let got = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1200,
            dark: false,
        },
        count,
    );
    assert_eq!(got, "1", "the Global Administrator warning, once");
}

#[test]
fn many_tenants_are_named_beside_their_ids() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tenants.txt");
    std::fs::write(&list, format!("{TENANT_ID}\n")).unwrap();
    for format in ["html", "table", "markdown"] {
        let mut cmd = audit_against(&graph, &["--tenants"]);
        cmd.arg(&list)
            .args(["--format", format, "--fail-on", "never"]);
        let (code, out, err) = run(cmd);
        assert_eq!(code, 0, "{format}: {err}");
        let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("Contoso ({TENANT_ID})"))
                || flat.contains(&format!("Contoso ({}", &TENANT_ID[..8])),
            "{format}: {out}"
        );
    }
    let mut cmd = audit_against(&graph, &["--tenants"]);
    cmd.arg(&list)
        .args(["--format", "json", "--fail-on", "never"]);
    let (_, out, _) = run(cmd);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["tenants"][0]["report"]["tenantName"], "Contoso",
        "{out}"
    );
}
