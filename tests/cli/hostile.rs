//! A Graph that misbehaves, and real Graph answers: paging loops and endless pages, a Graph that
//! never answers, `{}` for a collection, other apps' items, error bodies echoing the token, names
//! that try to drive the terminal. Each ends in the right exit code, in bounded time and memory,
//! and never with a PASS for what was not seen.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::fake_graph::{
    FakeGraph, FakeTenant, Reply, APP_ID, OTHER_USER_ID, SERVICE_ACCOUNT_UPN, SP_ID, SP_KEY,
};
use crate::support::{audit_against, entra_perms, findings, fixture, graph_token, json, run};

const ASSIGNMENTS: &str = crate::support::fake_graph::ASSIGNMENTS_PATH;

/// Run the audit and sample the process's resident memory: (exit code, stdout, stderr, elapsed,
/// peak resident set in KiB as /proc reports it).
fn run_measured(graph: &FakeGraph, extra: &[&str]) -> (i32, String, String, Duration, u64) {
    #[allow(deprecated)]
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let mut std_cmd = std::process::Command::new(bin);
    std_cmd
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("HOME", std::env::temp_dir())
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .args(["audit", "--app", APP_ID, "--graph-url", &graph.base])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let started = Instant::now();
    let child = std_cmd.spawn().expect("spawns");
    let pid = child.id();
    let sampler = std::thread::spawn(move || {
        let mut peak = 0u64;
        let path = format!("/proc/{pid}/status");
        while let Ok(status) = std::fs::read_to_string(&path) {
            for line in status.lines() {
                if let Some(v) = line.strip_prefix("VmHWM:") {
                    let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak = peak.max(kb);
                }
            }
            if status.contains("State:\tZ") {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let out = child.wait_with_output().expect("runs");
    let elapsed = started.elapsed();
    let peak = sampler.join().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
        peak,
    )
}

/// A page of app role assignments of the audited app, as Graph shapes them.
fn assignment_page(n: usize, next: Option<String>) -> Value {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("_D8GAOlUXUC481YSRyjgUa1Xc1ZJ0vZCm7nYvQz{i:05}"),
                   "appRoleId": "df021288-bdef-4463-88db-98f22de89214",
                   "createdDateTime": "2025-09-11T14:25:30.0756405Z", "deletedDateTime": null,
                   "principalDisplayName": "Contoso Entra Backup", "principalId": SP_ID,
                   "principalType": "ServicePrincipal", "resourceDisplayName": "Microsoft Graph",
                   "resourceId": "a3efc889-f1b7-4532-9e01-91e32d1039f4"})
        })
        .collect();
    let mut page = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#appRoleAssignments", "value": items});
    if let Some(next) = next {
        page["@odata.nextLink"] = json!(next);
    }
    page
}

#[test]
fn a_next_link_that_points_back_is_a_loop_exit_3() {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, base| {
        req.target.starts_with(ASSIGNMENTS).then(|| {
            // The second page links back to the first.
            let next = if req.raw.contains("skiptoken") {
                format!("{base}{ASSIGNMENTS}")
            } else {
                format!("{base}{ASSIGNMENTS}?$skiptoken=RFNwdAoAAQAAAAAAAAAAFAAAANQTZ7")
            };
            Reply::json(200, assignment_page(3, Some(next)))
        })
    });
    let (code, out, err, elapsed, _) = run_measured(&graph, &["--format", "json"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("a loop"), "{err}");
    assert!(err.contains("the app role assignments"), "{err}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    assert_eq!(graph.count(ASSIGNMENTS), 2);
}

#[test]
fn endless_pages_stop_at_the_limit_in_flat_memory() {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, base| {
        req.target.starts_with(ASSIGNMENTS).then(|| {
            let n: usize = req
                .raw
                .rsplit("skiptoken=")
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let next = format!("{base}{ASSIGNMENTS}?$skiptoken={}", n + 1);
            Reply::json(200, assignment_page(999, Some(next)))
        })
    });
    let (code, out, err, elapsed, peak_kib) = run_measured(&graph, &["--format", "json"]);
    eprintln!("endless pages: {elapsed:?}, peak {} MiB", peak_kib / 1024);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("more than 20000 items"), "{err}");
    assert!(err.contains("the app role assignments"), "{err}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    assert!(
        peak_kib < 64 * 1024,
        "peak memory {} MiB: paging must not grow without bound",
        peak_kib / 1024
    );
    assert!(
        graph.count(ASSIGNMENTS) <= 21,
        "{}",
        graph.count(ASSIGNMENTS)
    );
}

#[test]
fn a_graph_that_never_answers_ends_at_the_deadline() {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, _| {
        req.target
            .starts_with(crate::support::fake_graph::GRANTS_PATH)
            .then(|| {
                let mut r = Reply::json(200, json!({"value": []}));
                r.delay = Duration::from_secs(3600);
                r
            })
    });
    let (code, out, err, elapsed, _) = run_measured(&graph, &["--timeout", "3"]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("deadline of 3 s"), "{err}");
    assert!(
        elapsed >= Duration::from_secs(3) && elapsed < Duration::from_secs(8),
        "{elapsed:?}"
    );
}

#[test]
fn a_collection_answered_without_value_is_unreadable() {
    for body in [
        json!({}),
        json!({"error": {"code": "InternalServerError", "message": "oops"}}),
        json!({"value": null}),
    ] {
        let b = body.clone();
        let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), move |req, _| {
            req.target
                .starts_with(ASSIGNMENTS)
                .then(|| Reply::json(200, b.clone()))
        });
        let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
        assert_eq!(code, 3, "{body}: {err}");
        assert!(out.is_empty(), "{body}: {out}");
        assert!(
            err.contains("could not be read for the app role assignments"),
            "{err}"
        );
    }
}

#[test]
fn other_apps_items_are_never_this_apps_grants() {
    // A Graph (or proxy) that ignores $filter, and mixes other apps' assignments into the app's:
    // the other app holds everything; the audited app holds nothing.
    let mut tenant = FakeTenant::empty(&graph_token());
    tenant.ignore_filters = true;
    let other = "a551c556-8de2-49cc-b289-ce3ab7938167";
    let everything = FakeTenant::everything("x");
    for (_, role) in &everything.app_roles {
        tenant.foreign_app_roles.push((other.into(), role.clone()));
    }
    for (consent, _, scope) in &everything.delegated {
        tenant
            .foreign_delegated
            .push((other.into(), consent.clone(), scope.clone()));
    }
    let graph = FakeGraph::start(tenant);
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["summary"]["covered"], 0, "{doc}");
    assert!(doc["excess"].as_array().unwrap().is_empty(), "{doc}");
    let ignored = |collection: &str| {
        findings(&doc, "foreign-items-ignored")
            .iter()
            .find(|f| f["data"]["collection"] == collection)
            .map(|f| f["data"]["count"].clone())
    };
    assert_eq!(ignored("app role assignments"), Some(13.into()), "{doc}");
    assert!(
        ignored("delegated permission grants") == Some(1.into()),
        "{doc}"
    );
}

#[test]
fn real_graph_answers_are_read_as_graph_means_them() {
    // The live 2026 captures: app role assignments of two apps with a real $skiptoken next link,
    // and delegated grants of three apps (leading spaces in scopes, null principalId).
    let meraki_sp = "a551c556-8de2-49cc-b289-ce3ab7938167";
    let meraki_app = "b63e4f89-f6ff-4707-b7dc-76c382e33ae2";
    let graph_sp = "62cb17e7-d25e-4356-ad51-a861585f8634";
    let read = |name: &str| -> Value {
        serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("graph/real/{name}"))).unwrap(),
        )
        .unwrap()
    };
    let assigned = read("live-2026-servicePrincipals_appRoleAssignedTo_page1.json");
    let grants = read("live-2026-oauth2PermissionGrants_list.json");
    let application = read("application-requiredResourceAccess.json")["value"][0].clone();
    let mut catalog = crate::support::fake_graph::catalog();
    catalog["id"] = json!(graph_sp);
    let graph = FakeGraph::start_with(FakeTenant::empty(&graph_token()), move |req, base| {
        let path = req.target.split('?').next().unwrap_or("");
        let body =
            if path == "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')" {
                catalog.clone()
            } else if path == format!("/v1.0/servicePrincipals(appId='{meraki_app}')") {
                json!({"id": meraki_sp, "appId": meraki_app, "displayName": "Meraki-IdP-Sync",
                   "appOwnerOrganizationId": null})
            } else if path == format!("/v1.0/servicePrincipals/{meraki_sp}/appRoleAssignments") {
                // Graph's real next link, pointed at this server.
                let text = assigned
                    .to_string()
                    .replace("https://graph.microsoft.com", base);
                serde_json::from_str(&text).unwrap()
            } else if path.starts_with(&format!(
                "/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo"
            )) {
                assert!(
                    req.target
                        .contains("$skiptoken=RFNwdAoAAQAAAAAAAAAAFAAAANQTZ7"),
                    "{}",
                    req.target
                );
                json!({"value": []})
            } else if path == "/v1.0/oauth2PermissionGrants" {
                grants.clone()
            } else if path == format!("/v1.0/applications(appId='{meraki_app}')") {
                application.clone()
            } else {
                return None;
            };
        Some(Reply::json(200, body))
    });
    let mut cmd = crate::support::entra_perms();
    cmd.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "audit",
        "--app",
        meraki_app,
        "--graph-url",
        &graph.base,
        "--format",
        "json",
    ]);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["app"]["servicePrincipalId"], meraki_sp);
    let excess: Vec<String> = doc["excess"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["permission"].as_str().unwrap(),
                e["type"].as_str().unwrap()
            )
        })
        .collect();
    // Its own: two application permissions and one delegated; nobody else's.
    assert_eq!(
        excess,
        vec![
            "Application.Read.All Application",
            "User.Read.All Application",
            "User.Read Delegated"
        ],
        "{doc}"
    );
    let ignored = |collection: &str| {
        findings(&doc, "foreign-items-ignored")
            .iter()
            .find(|f| f["data"]["collection"] == collection)
            .map(|f| f["data"]["count"].clone())
    };
    assert_eq!(ignored("app role assignments"), Some(3.into()), "{doc}");
    assert!(
        ignored("delegated permission grants") == Some(4.into()),
        "{doc}"
    );
    assert!(
        !out.contains("Domain.Read.All"),
        "another app's scope leaked in"
    );
}

#[test]
fn an_error_that_echoes_the_authorization_header_leaks_nothing() {
    let token = graph_token();
    let graph = FakeGraph::start_with(FakeTenant::everything(&token), |req, base| {
        let auth = req.authorization.clone().unwrap_or_default();
        if req
            .target
            .starts_with(crate::support::fake_graph::GRANTS_PATH)
        {
            return Some(Reply::error(
                500,
                "UnknownError",
                &format!("Request failed. Headers: Authorization={auth}"),
            ));
        }
        // A next link and a display name that carry the token too.
        req.target.starts_with(ASSIGNMENTS).then(|| {
            let bare = auth.trim_start_matches("Bearer ");
            let next = (!req.raw.contains("skiptoken"))
                .then(|| format!("{base}{ASSIGNMENTS}?$skiptoken={bare}"));
            Reply::json(200, assignment_page(1, next))
        })
    });
    for args in [
        &["--format", "json"][..],
        &["-vv"][..],
        &["--format", "markdown"][..],
    ] {
        let (code, out, err) = run(audit_against(&graph, args));
        assert_eq!(code, 3, "{err}");
        let payload = token.split('.').nth(1).unwrap();
        for text in [&out, &err] {
            assert!(!text.contains(&token), "{text}");
            assert!(!text.contains(payload), "{text}");
            assert!(!text.contains("TOKEN-MUST-NOT-LEAK"), "{text}");
        }
        assert!(err.contains("[redacted]"), "{err}");
    }
}

#[test]
fn a_display_name_cannot_drive_the_terminal() {
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.sps[0].display_name = "Backup\u{1b}[2J\u{1b}]0;owned\u{7}\r\nPASS: everything".into();
    let graph = FakeGraph::start(tenant);
    for format in ["table", "markdown", "junit"] {
        let (code, out, err) = run(audit_against(&graph, &["--format", format]));
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains('\u{1b}'), "{format}: raw ESC in {out:?}");
        assert!(!out.contains('\u{7}') && !out.contains('\r'), "{format}");
        // Shown as a visible escape (Markdown escapes the bracket as well).
        match format {
            "table" => assert!(out.contains("\\e[2J"), "{format}: {out}"),
            "markdown" => assert!(out.contains("\\e\\[2J"), "{format}: {out}"),
            _ => {}
        }
    }
    // JSON keeps the true value, escaped as JSON does.
    let (_, out, _) = run(audit_against(&graph, &["--format", "json"]));
    assert!(!out.contains('\u{1b}'));
    assert_eq!(
        json(&out)["app"]["displayName"],
        "Backup\u{1b}[2J\u{1b}]0;owned\u{7}\r\nPASS: everything"
    );
}

#[test]
fn a_loopback_graph_is_never_reached_through_http_proxy() {
    // HTTP_PROXY would see the bearer token in clear text on an http:// --graph-url.
    let proxy = FakeGraph::serve(|_, _| Reply::error(502, "BadGateway", "proxy"));
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let (code, _, err) = run(audit_against(&graph, &[])
        .env("HTTP_PROXY", &proxy.base)
        .env("http_proxy", &proxy.base)
        .env("ALL_PROXY", &proxy.base));
    assert_eq!(code, 0, "{err}");
    assert!(
        proxy.requests().is_empty(),
        "the proxy saw {:?}",
        proxy.requests()
    );
}

#[test]
fn graph_answering_with_another_apps_service_principal_gives_no_verdict() {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, _| {
        (req.target.split('?').next() == Some(SP_KEY)).then(|| {
            Reply::json(
                200,
                serde_json::json!({"id": "11111111-2222-4333-8444-555555555555",
                    "appId": "99999999-8888-4777-8666-555555555555", "displayName": "Another app",
                    "passwordCredentials": [], "keyCredentials": []}),
            )
        })
    });
    let (code, out, err) = run(audit_against(&graph, &["--format", "json"]));
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("appId 99999999-8888-4777-8666-555555555555"),
        "{err}"
    );
}

#[test]
fn graph_answering_with_another_user_for_the_service_account_gives_no_verdict() {
    let graph = FakeGraph::start_with(FakeTenant::everything(&graph_token()), |req, _| {
        req.target.starts_with("/v1.0/users/backup-svc@").then(|| {
            Reply::json(
                200,
                serde_json::json!({"id": "9d4b8a1c-0c5e-4e1f-9d7a-3b6f2a1e4c55",
                    "userPrincipalName": "alex@contoso.onmicrosoft.com"}),
            )
        })
    });
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--service-account", SERVICE_ACCOUNT_UPN],
    ));
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("alex@contoso.onmicrosoft.com"), "{err}");
}

/// Tenant text in Markdown (the job summary, a change ticket) renders as text: rendered as GitHub
/// does (GFM: tables, autolinks, strikethrough, tag filter), it makes no link, no image and no
/// HTML, and no code span is broken out of.
#[test]
fn tenant_text_in_markdown_makes_no_link_image_or_html() {
    let hostile = "[ok](https://evil.example) ![x](https://evil.example/i.png) <img src=x> \
                   https://evil.example www.evil.example @all #1 `code` ##[stop-commands]x";
    let mut tenant = FakeTenant::everything(&graph_token());
    tenant.sps[0].display_name = hostile.into();
    tenant.requested = Some(Vec::new());
    tenant.app_secrets = vec![
        serde_json::json!({"keyId": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "displayName": hostile, "endDateTime": "2099-01-01T00:00:00Z"}),
    ];
    tenant.owners = vec![(OTHER_USER_ID.into(), hostile.into(), false)];
    tenant.delegated[0]
        .2
        .push_str(" Evil`]\u{1b}[2J\u{202e}(https://evil.example)");
    let graph = FakeGraph::start(tenant);
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.extension.tagfilter = true;
    let mut plan = entra_perms();
    plan.env("ENTRA_PERMS_ACCESS_TOKEN", graph_token()).args([
        "plan",
        "--app",
        APP_ID,
        "--graph-url",
        &graph.base,
        "--format",
        "markdown",
    ]);
    for (what, cmd) in [
        (
            "audit",
            audit_against(&graph, &["--format", "markdown", "--fail-on", "never"]),
        ),
        ("plan", plan),
    ] {
        let (code, md, err) = run(cmd);
        assert_eq!(code, 0, "{what}: {err}");
        assert!(
            md.contains("evil.example"),
            "{what}: the text is shown: {md}"
        );
        let html = comrak::markdown_to_html(&md, &options);
        for bad in ["<a ", "<img"] {
            assert!(!html.contains(bad), "{what}: `{bad}` in\n{html}");
        }
        assert!(
            !html.contains('\u{1b}') && !html.contains('\u{202e}'),
            "{what}"
        );
    }
}
