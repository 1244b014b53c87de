//! `entra-perms inventory` against a stand-in tenant: the backup app, a second backup product
//! unused for 200 days, a Microsoft first-party app and a script's app holding a Tier-0
//! permission with a client secret — ranked Tier 0 first, in every format, the HTML page sorted
//! and filtered in a real browser, and a sign-in report the auditing identity may not read.

use crate::support::browser::{self, Screen};
use crate::support::fake_graph::tenant_wide::TenantApp;
use crate::support::fake_graph::{app_role_id, FakeGraph, FakeTenant, TENANT_ID};
use crate::support::{entra_perms, graph_token, json, run};

const BACKUP: &str = "1f6c2a4e-1111-4aaa-8bbb-000000000001";
const TRIAL: &str = "1f6c2a4e-2222-4aaa-8bbb-000000000002";
const FIRST_PARTY: &str = "1f6c2a4e-3333-4aaa-8bbb-000000000003";
const SCRIPT: &str = "1f6c2a4e-4444-4aaa-8bbb-000000000004";
const VENDOR_TENANT: &str = "b2d4f6a8-0000-4c1e-9d3f-5a7b9c1d3e5f";

fn days_ago(n: i64) -> String {
    // A minute more, so that the whole days counted at the tool's (later) now are `n`.
    let t = azure_core::time::OffsetDateTime::now_utc()
        - azure_core::time::Duration::days(n)
        - azure_core::time::Duration::minutes(1);
    azure_core::time::to_rfc3339(&t)
}

/// The id of an application permission: the recorded catalog's, else Microsoft's data.
fn role(name: &str) -> String {
    app_role_id(name).unwrap_or_else(|| {
        include_str!("../../src/data/graph-permissions.tsv")
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|c| c.len() > 2 && c[0] == "Application" && c[1] == name)
            .map(|c| c[2].to_string())
            .unwrap_or_else(|| panic!("no id for {name}"))
    })
}

fn roles(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (role(n), "2025-04-02T10:00:00Z".to_string()))
        .collect()
}

fn tenant() -> FakeTenant {
    let mut t = FakeTenant::empty(&graph_token());
    t.page_size = 3;
    t.tenant_apps = vec![
        TenantApp {
            id: format!("{BACKUP}-sp")[..36].to_string(),
            app_id: BACKUP.into(),
            name: Some("Veeam Data Cloud".into()),
            owner_org: VENDOR_TENANT.into(),
            enabled: true,
            app_roles: roles(&[
                "AdministrativeUnit.ReadWrite.All",
                "Application.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All",
                "AuditLog.Read.All",
                "Directory.ReadWrite.All",
                "Group.ReadWrite.All",
                "MailboxSettings.Read",
                "RoleManagement.ReadWrite.Directory",
                "User.DeleteRestore.All",
                "User.ReadWrite.All",
                "Policy.Read.All",
                "Policy.ReadWrite.ConditionalAccess",
                "DeviceManagementConfiguration.ReadWrite.All",
                "BitlockerKey.Read.All",
            ]),
            sign_in: Some(Some(days_ago(1))),
            owners: vec![(
                "0b1c2d3e-aaaa-4bbb-8ccc-000000000001".into(),
                "it-admin@contoso.example".into(),
            )],
            ..TenantApp::default()
        },
        TenantApp {
            id: "2e7d3b5f-2222-4aaa-8bbb-0000000000sp".replace("sp", "02"),
            app_id: TRIAL.into(),
            name: Some("Cohesity DataProtect trial".into()),
            owner_org: "c3e5a7b9-0000-4d2f-8e4a-6b8c0d2f4a6b".into(),
            enabled: true,
            app_roles: roles(&[
                "Directory.ReadWrite.All",
                "Application.ReadWrite.All",
                "AdministrativeUnit.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All",
                "RoleManagement.ReadWrite.Directory",
                "Device.ReadWrite.All",
                "Group.ReadWrite.All",
                "OrgContact.Read.All",
                "User.ReadWrite.All",
                "User.DeleteRestore.All",
            ]),
            sign_in: Some(Some(days_ago(200))),
            ..TenantApp::default()
        },
        TenantApp {
            id: "3f8e4c6a-3333-4aaa-8bbb-000000000003".into(),
            app_id: FIRST_PARTY.into(),
            name: Some("Microsoft Teams Services".into()),
            owner_org: "f8cdef31-a31e-4b4a-93e4-5f571e91255a".into(),
            enabled: true,
            app_roles: roles(&["Organization.Read.All"]),
            delegated: Some("User.Read openid".into()),
            sign_in: Some(Some(days_ago(2))),
            ..TenantApp::default()
        },
        TenantApp {
            id: "4a9f5d7b-4444-4aaa-8bbb-000000000004".into(),
            app_id: SCRIPT.into(),
            name: Some("role-sync script".into()),
            owner_org: TENANT_ID.into(),
            enabled: true,
            app_roles: roles(&["RoleManagement.ReadWrite.Directory"]),
            sign_in: Some(Some(days_ago(3))),
            registered_here: Some(1),
            owners: vec![(
                "0b1c2d3e-aaaa-4bbb-8ccc-000000000002".into(),
                "dev@contoso.example".into(),
            )],
            ..TenantApp::default()
        },
    ];
    t
}

fn inventory(graph: &FakeGraph, extra: &[&str]) -> (i32, String, String) {
    run(entra_perms()
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .args(["inventory", "--graph-url", &graph.base])
        .args(extra))
}

#[test]
fn the_inventory_ranks_tier0_first_and_names_the_forgotten_backup_trial() {
    let graph = FakeGraph::start(tenant());
    let (code, out, err) = inventory(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}\n{out}");
    let doc = json(&out);
    assert_eq!(doc["schemaVersion"], 1);
    let apps = doc["apps"].as_array().unwrap();
    let names: Vec<&str> = apps
        .iter()
        .map(|a| a["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(
        *names.last().unwrap(),
        "Microsoft Teams Services",
        "first-party low tier last: {names:?}"
    );
    for a in &apps[..3] {
        assert_eq!(a["highestTier"], 0, "{a}");
    }
    let by = |name: &str| apps.iter().find(|a| a["displayName"] == name).unwrap();
    let trial = by("Cohesity DataProtect trial");
    assert_eq!(
        trial["backupProduct"]["matrix"], "cohesity-dataprotect",
        "{trial}"
    );
    let trial_findings = trial["findings"].to_string();
    assert!(trial_findings.contains("tier0-dormant"), "{trial}");
    assert!(
        trial_findings.contains("several-backup-products"),
        "{trial}"
    );
    let backup = by("Veeam Data Cloud");
    assert_eq!(
        backup["backupProduct"]["matrix"], "veeam-data-cloud",
        "{backup}"
    );
    assert!(!backup["findings"].to_string().contains("dormant"));
    let script = by("role-sync script");
    assert_eq!(script["owner"], "this-tenant");
    assert!(
        script["findings"]
            .to_string()
            .contains("tier0-client-secret"),
        "{script}"
    );
    assert_eq!(by("Microsoft Teams Services")["owner"], "microsoft");
    // Findings come Tier 0 first, each with what to do; the dormant trial's revokes are commands.
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| f["tier"] == 0), "{findings:?}");
    let dormant = findings
        .iter()
        .find(|f| f["code"] == "tier0-dormant")
        .unwrap();
    assert!(
        dormant["message"].as_str().unwrap().contains("200 days"),
        "{dormant}"
    );
    let commands = dormant["commands"].as_array().unwrap();
    assert!(!commands.is_empty());
    for c in commands {
        let c = c.as_str().unwrap();
        assert!(c.starts_with("az rest --method DELETE --url 'https://graph.microsoft.com/v1.0/servicePrincipals/"), "{c}");
    }
    // The inventory only reads: GET requests.
    for r in graph.requests() {
        assert_eq!(r.method, "GET", "{}", r.target);
    }
    // The table says the same for people.
    let (code, table, _) = inventory(&graph, &[]);
    assert_eq!(code, 0);
    assert!(
        table.contains("tier0-dormant") && table.contains("cohesity-dataprotect"),
        "{table}"
    );
    // --fail-on tier0-dormant fails the run.
    let (code, _, _) = inventory(&graph, &["--fail-on", "tier0-dormant", "--format", "json"]);
    assert_eq!(code, 1);
    // CSV and Markdown read.
    let (_, csv, _) = inventory(&graph, &["--format", "csv"]);
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    assert!(reader.records().count() >= 26, "{csv}");
    let (_, md, _) = inventory(&graph, &["--format", "markdown"]);
    assert!(md.contains("| Tier 0"), "{md}");
    // --redact hides the owners.
    let (_, red, _) = inventory(&graph, &["--format", "json", "--redact"]);
    assert!(
        !red.contains("dev@contoso.example") && red.contains("owner-"),
        "{red}"
    );
}

/// Graph keeps the assignments of a deleted service principal, with a null name: it is still
/// listed, by id, and nothing else of it is claimed.
#[test]
fn a_deleted_principals_assignments_are_listed_by_id() {
    let mut t = tenant();
    t.tenant_apps.push(TenantApp {
        id: "5b0a6e8c-5555-4aaa-8bbb-000000000005".into(),
        app_id: "1f6c2a4e-5555-4aaa-8bbb-000000000005".into(),
        name: Some("old migration tool".into()),
        owner_org: VENDOR_TENANT.into(),
        enabled: true,
        app_roles: roles(&["Directory.ReadWrite.All"]),
        deleted: true,
        ..TenantApp::default()
    });
    let graph = FakeGraph::start(t);
    let (code, out, err) = inventory(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let gone = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["servicePrincipalId"] == "5b0a6e8c-5555-4aaa-8bbb-000000000005")
        .expect("the deleted principal's grant is listed");
    assert_eq!(
        gone["displayName"],
        "(no name: 5b0a6e8c-5555-4aaa-8bbb-000000000005)"
    );
    assert_eq!(gone["owner"], "unknown");
    assert_eq!(gone["highestTier"], 0);
    assert!(!out.contains("old migration tool"));
}

#[test]
fn an_unreadable_sign_in_report_is_a_note_and_the_inventory_completes() {
    let mut t = tenant();
    t.forbid
        .push("/beta/reports/servicePrincipalSignInActivities".into());
    let graph = FakeGraph::start(t);
    let (code, out, err) = inventory(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    assert!(
        doc["notes"].to_string().contains("AuditLog.Read.All"),
        "{}",
        doc["notes"]
    );
    assert!(
        !out.contains("tier0-dormant"),
        "nothing is called dormant unread"
    );
    assert_eq!(doc["apps"].as_array().unwrap().len(), 4);
}

#[test]
fn the_inventory_page_sorts_and_filters_in_the_browser() {
    let graph = FakeGraph::start(tenant());
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("inventory.html");
    let (code, _, err) = inventory(
        &graph,
        &["--format", "html", "--output", page.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    browser::keep(&page, "inventory.html");
    let Some(chromium) = browser::require() else {
        return;
    };
    let names = "Array.prototype.map.call(document.querySelectorAll('#apps tbody tr'), function (r) { return r.hidden ? '' : r.querySelector('b').textContent; }).filter(Boolean).join('|')";
    let got = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1200,
            dark: false,
        },
        names,
    );
    assert!(got.ends_with("Microsoft Teams Services"), "{got}");
    let sorted = format!("(function () {{ document.querySelector('th[data-sort=name]').click(); return {names}; }})()");
    let got = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1200,
            dark: false,
        },
        &sorted,
    );
    assert_eq!(
        got,
        "Cohesity DataProtect trial|Microsoft Teams Services|role-sync script|Veeam Data Cloud"
    );
    let filtered = format!(
        "(function () {{ var s = document.querySelector('select[data-filter-by=owner]'); s.value = 'this-tenant'; s.dispatchEvent(new Event('change')); return {names} + '#' + document.getElementById('shown').textContent; }})()"
    );
    let got = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1200,
            dark: false,
        },
        &filtered,
    );
    assert_eq!(got, "role-sync script#1 of 4 apps");
    let finding = format!(
        "(function () {{ var s = document.querySelector('select[data-filter-by=findings]'); s.value = 'tier0-dormant'; s.dispatchEvent(new Event('change')); return {names}; }})()"
    );
    let got = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 1200,
            dark: false,
        },
        &finding,
    );
    assert_eq!(got, "Cohesity DataProtect trial");
    // Nothing leaves the page: its policy allows no fetch, and it names no outside resource to load.
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("default-src 'none'"));
    assert!(
        !html.contains("<link") && !html.contains("src=\"http"),
        "no outside resource"
    );
}

/// A Tier-0 app registered here that trusts a GitHub workflow: its federated credentials are
/// read (for the Tier-0 apps registered here only) and called out.
#[test]
fn a_tier0_apps_federated_credentials_are_listed_and_called_out() {
    let mut t = tenant();
    t.tenant_apps[3].federated = vec![(
        "https://token.actions.githubusercontent.com".into(),
        "repo:contoso/role-sync:ref:refs/heads/main".into(),
    )];
    let graph = FakeGraph::start(t);
    let (code, out, err) = inventory(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc = json(&out);
    let script = doc["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["appId"] == SCRIPT)
        .unwrap();
    assert_eq!(
        script["federatedCredentials"][0]["subject"],
        "repo:contoso/role-sync:ref:refs/heads/main"
    );
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "tier0-federated")
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("token.actions.githubusercontent.com → repo:contoso/role-sync"));
    assert_eq!(
        finding["commands"][0],
        format!("az ad app federated-credential list --id {SCRIPT}")
    );
    // Read only for the Tier-0 app registered here: never for the vendors' apps.
    let reads: Vec<String> = graph
        .requests()
        .iter()
        .filter(|r| r.target.ends_with("/federatedIdentityCredentials"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        reads,
        [format!(
            "/v1.0/applications(appId='{SCRIPT}')/federatedIdentityCredentials"
        )]
    );
}

/// `--baseline`: an earlier inventory; the app that gained a Tier-0 permission since, and a new
/// Tier-0 app, are called out, and `--fail-on tier0-gained` fails on them.
#[test]
fn the_apps_that_gained_tier0_rights_since_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.json");
    // Before: the script held no Tier-0 right and the trial was not there.
    let mut t = tenant();
    t.tenant_apps[3].app_roles = roles(&["User.Read.All"]);
    t.tenant_apps.remove(1);
    let graph = FakeGraph::start(t);
    let (code, out, err) = inventory(&graph, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&before, &out).unwrap();

    let graph = FakeGraph::start(tenant());
    let baseline = before.display().to_string();
    let (code, out, err) = inventory(
        &graph,
        &[
            "--format",
            "json",
            "--baseline",
            &baseline,
            "--fail-on",
            "tier0-gained",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let doc = json(&out);
    assert_eq!(doc["summary"]["tier0Gained"], 2, "{}", doc["summary"]);
    assert!(doc["since"].is_string());
    let gained: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "tier0-gained")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        gained
            .iter()
            .any(|m| m.starts_with("role-sync script gained Tier-0 rights since the baseline: RoleManagement.ReadWrite.Directory")),
        "{gained:?}"
    );
    assert!(gained
        .iter()
        .any(|m| m.contains("trial gained Tier-0 rights since the baseline (a new app)")));
    // The backup app held the same: nothing said.
    assert!(!gained.iter().any(|m| m.starts_with("Veeam")), "{gained:?}");
    // In the table too.
    let (_, table, _) = inventory(&graph, &["--baseline", &baseline]);
    assert!(table.contains("tier0-gained"), "{table}");

    // Bad input: exit 2 naming the file, line and column; tier0-gained without a baseline.
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"schemaVersion\": 1,\n  \"apps\": 7\n}\n").unwrap();
    let (code, _, err) = inventory(&graph, &["--baseline", &broken.display().to_string()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.json:3:"), "{err}");
    let (code, _, err) = inventory(&graph, &["--fail-on", "tier0-gained"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--baseline"), "{err}");
}

/// `--tenants`: every tenant's inventory — an overview with each tenant's findings, the JSON of
/// every tenant's full inventory in the file's order, CSV with the tenant first, and one page
/// filterable by verdict in a real browser.
#[test]
fn the_inventory_of_every_tenant_listed() {
    let graph = FakeGraph::start(tenant());
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tenants.txt");
    std::fs::write(&list, format!("fabrikam.onmicrosoft.com\n{TENANT_ID}\n")).unwrap();
    let file = list.display().to_string();
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(entra_perms()
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .env("TMPDIR", tmp.path())
        .args(["inventory", "--graph-url", &graph.base, "--tenants", &file])
        .args(["--format", "json", "--fail-on", "tier0-dormant"]));
    assert_eq!(code, 3, "the worst tenant's code: {err}");
    let doc = json(&out);
    assert_eq!(doc["schemaVersion"], 1);
    assert_eq!(doc["tenants"][0]["tenant"], "fabrikam.onmicrosoft.com");
    assert_eq!(doc["tenants"][0]["exitCode"], 3);
    assert!(doc["tenants"][0]["error"]
        .as_str()
        .unwrap()
        .contains("the tenant read is"));
    let ours = &doc["tenants"][1];
    assert_eq!(ours["exitCode"], 1, "a dormant Tier-0 app fails it");
    assert_eq!(ours["inventory"]["apps"].as_array().unwrap().len(), 4);
    assert_eq!(
        (
            doc["summary"]["failed"].as_u64(),
            doc["summary"]["errors"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "the spill is removed"
    );
    // One tenant asked for that is not the one read: no inventory is labelled with it.
    let (code, _, err) = inventory(&graph, &["--tenant", "fabrikam.onmicrosoft.com"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("the tenant read is"), "{err}");

    let inventory_of = |format: &str| {
        run(entra_perms()
            .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
            .args(["inventory", "--graph-url", &graph.base, "--tenants", &file])
            .args(["--format", format]))
    };
    let (code, table, err) = inventory_of("table");
    assert_eq!(code, 3, "{err}");
    assert!(table.contains("fabrikam.onmicrosoft.com"), "{table}");
    assert!(
        table.contains("[tier0-dormant] Cohesity DataProtect trial"),
        "{table}"
    );
    assert!(
        table.contains("2 tenants: 1 pass, 0 fail, 1 could not be read"),
        "{table}"
    );
    let (_, csv, _) = inventory_of("csv");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert!(rows
        .iter()
        .any(|r| &r[0] == "fabrikam.onmicrosoft.com" && r[13].contains("could not be read")));
    assert!(rows
        .iter()
        .any(|r| &r[0] == TENANT_ID && &r[1] == "role-sync script"));

    let page = dir.path().join("tenants.html");
    let (_, html, _) = inventory_of("html");
    std::fs::write(
        &page,
        html.replace(
            "</body>",
            "<script>document.querySelector('[data-filter=ERROR]').click();</script></body>",
        ),
    )
    .unwrap();
    browser::keep(&page, "inventory-tenants.html");
    let Some(chromium) = browser::require() else {
        return;
    };
    let shown = browser::probe(
        &chromium,
        &page,
        Screen { width: 1200, dark: false },
        "Array.prototype.filter.call(document.querySelectorAll('tr[data-verdict]'), function (r) { return !r.hidden; }).map(function (r) { return r.getAttribute('data-tenant'); }).join(',')",
    );
    assert_eq!(shown, "fabrikam.onmicrosoft.com");
    // On a phone the tenants are cards: nothing scrolls sideways.
    let widths = browser::probe(
        &chromium,
        &page,
        Screen {
            width: 360,
            dark: false,
        },
        "document.documentElement.scrollWidth + ' ' + document.documentElement.clientWidth",
    );
    let w: Vec<u32> = widths.split(' ').map(|n| n.parse().unwrap()).collect();
    assert!(w[0] <= w[1], "scrolls sideways at 360 px: {widths}");
}
