//! Reports for every reader: the HTML page opened in a real headless browser, CSV read by a CSV
//! reader, SARIF checked against the SARIF 2.1.0 schema, several reports from one Graph read,
//! and `--redact`.

use std::path::Path;

use crate::support::browser;
use crate::support::fake_graph::{
    FakeGraph, FakeTenant, Reply, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN, TENANT_ID,
};
use crate::support::{audit_against, entra_perms, example, graph_token, json, run};

/// The audit JSON embedded in an HTML report.
fn embedded_json(html: &str) -> serde_json::Value {
    let start_tag = "<script type=\"application/json\" id=\"entra-perms-report\">";
    let start = html.find(start_tag).expect("the embedded JSON") + start_tag.len();
    let end = start + html[start..].find("</script>").expect("its end");
    json(&html[start..end])
}

/// The text of the element with this id in a dumped DOM.
fn element_text<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = at + dom[at..].find('>').unwrap() + 1;
    let end = start + dom[start..].find('<').unwrap();
    &dom[start..end]
}

#[test]
fn the_html_report_shows_the_verdict_every_object_and_what_to_grant() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--from"])
        .arg(example("stale-consent.json"))
        .args(["--format", "html", "--output"])
        .arg(&page));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&page).unwrap();

    // The file is also data: the embedded JSON is the --format json report.
    let (_, json_out, _) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(example("stale-consent.json")));
    assert_eq!(embedded_json(&html), json(&json_out));
    // Self-contained: no external script, style, font or image; a CSP that allows no request.
    for needle in ["<script src", "<link", "@import", "url(", "<img", "<iframe"] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));

    let Some(chromium) = browser::require() else {
        return;
    };
    let dom = browser::dump_dom(&chromium, &page);
    assert_eq!(element_text(&dom, "verdict"), "FAIL");
    let doc = json(&json_out);
    for o in doc["objects"].as_array().unwrap() {
        let name = o["object"].as_str().unwrap();
        assert!(
            dom.contains(&format!("<span class=\"name\">{name}</span>")),
            "{name}"
        );
    }
    for g in doc["missing"].as_array().unwrap() {
        let name = format!(
            "{} ({})",
            g["permission"].as_str().unwrap(),
            g["type"].as_str().unwrap()
        );
        // Shown as code (breakable only at its dots), linked to Microsoft's reference.
        assert!(
            dom.replace("<wbr>", "")
                .contains(&format!("<code>{name}</code>")),
            "{name}"
        );
        let anchor: String = g["permission"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        assert!(dom.contains(&format!(
            "href=\"https://learn.microsoft.com/graph/permissions-reference#{anchor}\""
        )));
    }
    // A drill-down holds the requirement's reason and its fix.
    assert!(dom.contains("Lists and backs up the authentication methods of users"));
    assert!(dom.contains("az rest --method POST"));
    // The script ran: the copy buttons are shown.
    assert!(
        dom.contains("<button class=\"copy\" type=\"button\" data-copy="),
        "copy buttons stayed hidden"
    );
    assert!(!dom.contains("<button class=\"copy\" type=\"button\" hidden"));
    assert!(dom.contains("adminconsent?client_id=46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b"));
}

#[test]
fn no_request_leaves_the_page() {
    // Requests a page could make, aimed at a server of ours: the report's Content Security
    // Policy must stop every one. The same page without the policy makes them (the control),
    // so the check can fail.
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--from"])
        .arg(example("stale-consent.json"))
        .args(["--format", "html", "--output"])
        .arg(&page));
    assert_eq!(code, 1, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    let server = FakeGraph::serve(|_, _| Reply::json(200, serde_json::json!({})));
    let probes = format!(
        "<img src=\"{b}/img\"><link rel=\"stylesheet\" href=\"{b}/css\"><script src=\"{b}/js\"></script>\
         <iframe src=\"{b}/frame\"></iframe><script>fetch(\"{b}/fetch\").catch(function(){{}});</script></body>",
        b = server.base
    );
    let hostile = dir.path().join("probed.html");
    std::fs::write(&hostile, html.replace("</body>", &probes)).unwrap();
    browser::dump_dom(&chromium, &hostile);
    assert!(
        server.requests().is_empty(),
        "the page reached out: {:?}",
        server.requests()
    );
    let open = dir.path().join("control.html");
    let without_csp = html.replace(
        "http-equiv=\"Content-Security-Policy\"",
        "name=\"x-no-policy\"",
    );
    std::fs::write(&open, without_csp.replace("</body>", &probes)).unwrap();
    browser::dump_dom(&chromium, &open);
    assert!(
        !server.requests().is_empty(),
        "the control page made no request"
    );
}

#[test]
fn a_hostile_display_name_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = json(&std::fs::read_to_string(example("stale-consent.json")).unwrap());
    let name = "<img src=x onerror=alert(1)></script><script>document.title='owned'</script>";
    doc["grants"]["app"]["displayName"] = name.into();
    let snapshot = dir.path().join("s.json");
    std::fs::write(&snapshot, doc.to_string()).unwrap();
    let page = dir.path().join("r.html");
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--from"])
        .arg(&snapshot)
        .args(["--format", "html", "--output"])
        .arg(&page));
    assert_eq!(code, 1, "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<img src=x"), "raw markup in the page");
    assert_eq!(embedded_json(&html)["app"]["displayName"], name);
    let Some(chromium) = browser::require() else {
        return;
    };
    let dom = browser::dump_dom(&chromium, &page);
    assert!(!dom.contains("<img"), "an <img> element was created");
    assert!(!dom.contains("<title>owned"), "a script from the name ran");
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;"),
        "the name is not shown as text"
    );
}

#[test]
fn the_tenants_page_shows_every_tenant_and_filters_by_verdict() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tenants.txt");
    std::fs::write(&list, format!("{TENANT_ID}\nfabrikam.onmicrosoft.com\n")).unwrap();
    let page = dir.path().join("t.html");
    let mut cmd = audit_against(&graph, &["--tenants"]);
    cmd.arg(&list)
        .args(["--format", "html", "--output"])
        .arg(&page);
    let (code, _, err) = run(cmd);
    assert_eq!(code, 3, "{err}");
    browser::keep(&page, "tenants.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(embedded_json(&html)["summary"]["tenants"], 2);
    let Some(chromium) = browser::require() else {
        return;
    };
    let dom = browser::dump_dom(&chromium, &page);
    assert!(dom.contains(&format!(
        "data-verdict=\"FAIL\" data-tenant=\"{TENANT_ID}\""
    )));
    assert!(dom.contains("data-verdict=\"ERROR\" data-tenant=\"fabrikam.onmicrosoft.com\""));
    assert!(dom.contains("the tenant read is"), "the error is shown");
    assert_eq!(element_text(&dom, "verdict"), "ERROR");
    // The filter, clicked: only the tenants that could not be audited stay shown.
    let clicked = dir.path().join("clicked.html");
    std::fs::write(
        &clicked,
        html.replace(
            "</body>",
            "<script>document.querySelector('[data-filter=ERROR]').click();</script></body>",
        ),
    )
    .unwrap();
    // (The page's own policy allows inline scripts: the click runs like a person's.)
    let dom = browser::dump_dom(&chromium, &clicked);
    assert!(
        dom.contains(&format!(
            "data-verdict=\"FAIL\" data-tenant=\"{TENANT_ID}\" hidden"
        )),
        "FAIL row still shown"
    );
    assert!(dom.contains("data-verdict=\"ERROR\" data-tenant=\"fabrikam.onmicrosoft.com\">"));
}

#[test]
fn csv_has_one_row_per_object_and_requirement() {
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--format", "csv", "--from"])
        .arg(example("wrong-types-and-excess.json")));
    assert_eq!(code, 1, "{err}");
    let body = out
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "tenant",
            "app",
            "object",
            "purposes",
            "permission",
            "type",
            "status",
            "via",
            "consent",
            "granted on",
            "action"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let (_, json_out, _) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(example("wrong-types-and-excess.json")));
    let doc = json(&json_out);
    let expected: usize = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["requirements"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), expected);
    for row in &rows {
        let satisfied = matches!(&row[6], "granted" | "implied");
        assert_eq!(row[10].is_empty(), satisfied, "{row:?}");
    }
    assert!(rows
        .iter()
        .any(|r| &r[6] == "wrong-type" && r[10].contains("granted only as")));
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let mut schema = json(
        &std::fs::read_to_string(crate::support::fixture("sarif/sarif-2.1.0-rtm.5.json")).unwrap(),
    );
    // The published rtm.5 schema has a stray `]` in the `language` patterns, which a strict
    // ECMA-262 check of the schema refuses; use the intended pattern (two letters, an optional
    // region). Our output carries no `language`, so this changes nothing that is checked.
    let mut fixed = 0;
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        if language == "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$" {
            *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
            fixed += 1;
        }
    }
    assert_eq!(fixed, 2, "the vendored schema changed");
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--format", "sarif", "--from"])
        .arg(example("wrong-types-and-excess.json")));
    assert_eq!(code, 1, "{err}");
    let sarif = json(&out);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run0 = &sarif["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "missing",
            "wrong-type",
            "requested-not-granted",
            "principal-consent-only",
            "excess"
        ]
    );
    let (_, json_out, _) = run(entra_perms()
        .args(["audit", "--format", "json", "--from"])
        .arg(example("wrong-types-and-excess.json")));
    let doc = json(&json_out);
    let results = run0["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        doc["missing"].as_array().unwrap().len() + doc["excess"].as_array().unwrap().len()
    );
    // The embedded matrix is in no repository: logical locations only, no artifact to open.
    assert_eq!(run0["artifacts"], serde_json::json!([]));
    for r in results {
        let loc = &r["locations"][0];
        assert!(loc.get("physicalLocation").is_none(), "{r}");
        let place = loc["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert!(
            place.contains(r["properties"]["permission"].as_str().unwrap()),
            "{r}"
        );
    }
    // With --matrix FILE of the user's repository (written as the README says, by `matrix
    // --format toml`), each unmet requirement is at its row there.
    let dir = tempfile::tempdir().unwrap();
    let (code, toml, err) = run(entra_perms().args(["matrix", "--format", "toml"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        toml,
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("permissions.toml"))
            .unwrap(),
        "the embedded matrix, as written"
    );
    std::fs::write(dir.path().join("m.toml"), &toml).unwrap();
    let mut cmd = entra_perms();
    cmd.current_dir(dir.path())
        .args(["audit", "--format", "sarif", "--matrix", "m.toml", "--from"])
        .arg(example("wrong-types-and-excess.json"));
    let (code, out, err) = run(&mut cmd);
    assert_eq!(code, 1, "{err}");
    let with_matrix = json(&out);
    assert!(validator.iter_errors(&with_matrix).next().is_none());
    let results = with_matrix["runs"][0]["results"].as_array().unwrap();
    for r in results.iter().filter(|r| r["ruleId"] != "excess") {
        let physical = &r["locations"][0]["physicalLocation"];
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        let permission = r["properties"]["permission"].as_str().unwrap();
        assert_eq!(
            toml.lines().nth(line - 1).unwrap(),
            format!("name = \"{permission}\""),
            "{r}"
        );
        assert_eq!(physical["artifactLocation"]["uri"], "m.toml");
        assert!(r["properties"]["tenant"].is_string() && r["properties"]["app"].is_string());
    }
    // A schema violation is caught: the check can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn several_reports_come_from_one_graph_read() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.revoke_app("AuditLog.Read.All");
    let graph = FakeGraph::start(tenant);
    let (code, _, _) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1);
    let one_read = graph.requests().len();
    let dir = tempfile::tempdir().unwrap();
    let (html, json_file, md) = (
        dir.path().join("a.html"),
        dir.path().join("a.json"),
        dir.path().join("a.md"),
    );
    let mut cmd = audit_against(&graph, &[]);
    cmd.arg("--report")
        .arg(format!("html={}", html.display()))
        .arg("--report")
        .arg(format!("json={}", json_file.display()))
        .arg("--report")
        .arg(format!("markdown={}", md.display()));
    let (code, out, err) = run(cmd);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        graph.requests().len(),
        2 * one_read,
        "one read for all reports"
    );
    assert!(
        out.contains("FAIL:"),
        "the table still goes to stdout: {out}"
    );
    let doc = json(&std::fs::read_to_string(&json_file).unwrap());
    assert_eq!(embedded_json(&std::fs::read_to_string(&html).unwrap()), doc);
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .starts_with("## entra-perms audit: ❌ FAIL"));

    // The `az -o json` habit: --output json is a file name, not a format.
    let (code, out, err) = run(audit_against(&graph, &["--output", "json"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("use --format json"), "{err}");
    assert!(!Path::new("json").exists());
}

#[test]
fn redact_hides_the_service_account_in_every_format() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.roles.push((
        SERVICE_ACCOUNT_ID.into(),
        "fe930be7-5e62-47db-91af-98c3a49a38b1".into(),
        "User Administrator".into(),
        false,
    ));
    let graph = FakeGraph::start(tenant);
    for format in ["table", "json", "markdown", "html", "csv", "sarif", "junit"] {
        let (code, out, err) = run(audit_against(
            &graph,
            &[
                "--service-account",
                SERVICE_ACCOUNT_UPN,
                "--redact",
                "--format",
                format,
            ],
        ));
        assert_eq!(code, 0, "{format}: {err}");
        assert!(
            !out.to_lowercase()
                .contains(&SERVICE_ACCOUNT_UPN.to_lowercase()),
            "{format}: {out}"
        );
        assert!(!out.contains(SERVICE_ACCOUNT_ID), "{format}");
        if format == "json" {
            let doc = json(&out);
            assert_eq!(doc["serviceAccount"]["id"], "user-1");
            assert_eq!(
                doc["serviceAccount"]["userPrincipalName"],
                "user-1@redacted.invalid"
            );
            assert_eq!(
                doc["serviceAccount"]["roles"][0]["displayName"],
                "User Administrator"
            );
        }
    }
    // Without --redact the account is named.
    let (_, out, _) = run(audit_against(
        &graph,
        &["--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert!(out.contains(SERVICE_ACCOUNT_UPN));
}

#[test]
fn the_plan_as_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("plan.html");
    let (code, _, err) = run(entra_perms()
        .args(["plan", "--from"])
        .arg(example("stale-consent.json"))
        .args(["--format", "html", "--output"])
        .arg(&page));
    assert_eq!(code, 0, "{err}");
    browser::keep(&page, "plan.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(embedded_json(&html)["schemaVersion"], 1);
    let Some(chromium) = browser::require() else {
        return;
    };
    let dom = browser::dump_dom(&chromium, &page);
    assert!(dom.contains("Plan for Contoso Entra Backup"));
    assert!(dom.contains("New-MgServicePrincipalAppRoleAssignment"));
    assert!(dom.contains("<button class=\"copy\" type=\"button\" data-copy="));
}

/// For every policy over every shipped example, JUnit's failures and SARIF's errors agree with the
/// exit code: the Tests tab and code scanning are red exactly when the job is.
#[test]
fn every_report_agrees_with_the_exit_code_under_every_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policies = [
        "gap",
        "backup-gap",
        "excess",
        "new-gap",
        "new-excess",
        "excess-tier0",
        "never",
    ];
    let examples = [
        "all-granted",
        "service-account-consent",
        "stale-consent",
        "wrong-types-and-excess",
    ];
    let mut exits = std::collections::BTreeSet::new();
    for example in examples {
        let path = format!("{}/examples/{example}.json", env!("CARGO_MANIFEST_DIR"));
        for policy in policies {
            for scope in ["all", "backup"] {
                let junit = dir.path().join("j.xml");
                let sarif = dir.path().join("s.sarif");
                let mut cmd = entra_perms();
                cmd.args([
                    "audit",
                    "--from",
                    &path,
                    "--fail-on",
                    policy,
                    "--scope",
                    scope,
                ])
                .arg("--report")
                .arg(format!("junit={}", junit.display()))
                .arg("--report")
                .arg(format!("sarif={}", sarif.display()));
                let (code, _, err) = run(&mut cmd);
                assert!(code == 0 || code == 1, "{example} {policy}: {err}");
                exits.insert(code);
                let xml = std::fs::read_to_string(&junit).unwrap();
                let failures: usize = xml
                    .split("<testsuites ")
                    .nth(1)
                    .and_then(|r| r.split("failures=\"").nth(1))
                    .and_then(|r| r.split('"').next())
                    .and_then(|n| n.parse().ok())
                    .expect("failures attribute");
                let doc = json(&std::fs::read_to_string(&sarif).unwrap());
                let errors = doc["runs"][0]["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["level"] == "error")
                    .count();
                let what = format!("{example} --fail-on {policy} --scope {scope}: exit {code}");
                assert_eq!(failures > 0, code == 1, "JUnit failures={failures}, {what}");
                assert_eq!(errors > 0, code == 1, "SARIF errors={errors}, {what}");
            }
        }
    }
    assert_eq!(exits.len(), 2, "the examples exercise both verdicts");
}

/// The picture of the HTML report in the README (docs/report.png) is the suite's own browser's
/// view of a shipped example's report: `ENTRA_PERMS_UPDATE_SCREENSHOT=1 cargo test --test cli
/// reports::the_readme_picture` takes it again; the README shows it.
#[test]
fn the_readme_picture_is_the_report_of_a_shipped_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let png = root.join("docs/report.png");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains("](docs/report.png)"),
        "the README shows the picture"
    );
    let bytes = std::fs::read(&png).expect("docs/report.png");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    if std::env::var_os("ENTRA_PERMS_UPDATE_SCREENSHOT").is_none() {
        return;
    }
    let Some(chromium) = browser::require() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("audit.html");
    let (_, _, err) = run(entra_perms()
        .args(["audit", "--format", "html", "--output"])
        .arg(&page)
        .arg("--from")
        .arg(example("stale-consent.json")));
    assert!(page.is_file(), "{err}");
    browser::screenshot(&chromium, &page, &png, (1200, 1500));
}
