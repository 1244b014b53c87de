//! Least privilege as Microsoft states it: the table of docs/auditing-identity.md of what the auditing identity reads
//! agrees with Microsoft's own permission data (`tests/fixtures/microsoft-graph-permissions/`,
//! the data behind Graph Explorer), and every request an audit makes is a row of that table.

use std::collections::{BTreeSet, HashSet};

use serde_json::{json, Value};

use crate::support::fake_graph::{
    FakeGraph, FakeTenant, OTHER_USER_ID, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN, SP_ID,
};
use crate::support::{audit_against, fixture, graph_token, json, run};

const APPLICATION: &str = "Application";
const DELEGATED: &str = "DelegatedWork";

fn microsoft() -> Value {
    let text =
        std::fs::read_to_string(fixture("microsoft-graph-permissions/permissions.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_permission_data_is_microsofts_as_shared() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/microsoft-graph-permissions/permissions.json");
    let Ok(theirs) = std::fs::read(&shared) else {
        eprintln!("skipped: {} is not here", shared.display());
        return;
    };
    let ours = std::fs::read(fixture("microsoft-graph-permissions/permissions.json")).unwrap();
    assert!(
        ours == theirs,
        "tests/fixtures' copy differs from {}",
        shared.display()
    );
}

/// A request as one shape: the path without its query, lower case, every id (a GUID, a user
/// principal name, a placeholder, an alternate key `(appId='…')`) as `{id}`.
fn canonical(request: &str) -> String {
    let path = request.split('?').next().unwrap_or("");
    let path = path
        .strip_prefix("/v1.0")
        .unwrap_or(path)
        .to_ascii_lowercase();
    let mut out = String::new();
    let mut rest = path.as_str();
    while let Some(i) = rest.find("(appid=") {
        out.push_str(&rest[..i]);
        out.push_str("/{id}");
        rest = rest[i..].split_once("')").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out.split('/')
        .map(|seg| {
            let guid = seg.len() == 36 && seg.chars().filter(|c| *c == '-').count() == 4;
            if guid || seg.contains('@') || seg.starts_with('{') || seg == "…" {
                "{id}".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The path as Microsoft's data writes it (it has no OData casts).
fn microsoft_path(canonical: &str) -> String {
    canonical
        .trim_end_matches("/microsoft.graph.directoryrole")
        .to_string()
}

/// The permissions Microsoft lists for GET on `path` in `scheme`, and those it marks least.
fn listed(data: &Value, path: &str, scheme: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut all, mut least) = (BTreeSet::new(), BTreeSet::new());
    for (name, p) in data["permissions"].as_object().unwrap() {
        for set in p["pathSets"].as_array().into_iter().flatten() {
            let get = set["methods"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == "GET");
            let has = set["schemeKeys"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == scheme);
            if !(get && has) {
                continue;
            }
            for (p, v) in set["paths"].as_object().unwrap() {
                if p.to_ascii_lowercase() == path {
                    all.insert(name.clone());
                    let v = v.as_str().unwrap_or("");
                    if v.strip_prefix("least=")
                        .is_some_and(|l| l.split(',').any(|s| s == scheme))
                    {
                        least.insert(name.clone());
                    }
                }
            }
        }
    }
    (all, least)
}

/// One row of the table of docs/auditing-identity.md: its requests, and its application and delegated cells.
struct Row {
    requests: Vec<String>,
    cells: [(&'static str, String); 2],
}

fn readme_rows() -> Vec<Row> {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/auditing-identity.md"
    ))
    .unwrap();
    let start = readme
        .find("| request (GET, Microsoft Graph v1.0) |")
        .expect("the table of docs/auditing-identity.md of what the auditing identity reads");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 4, "a row of four cells: {line}");
            let requests = cells[0]
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|r| r.starts_with('/'))
                .map(str::to_string)
                .collect();
            Row {
                requests,
                cells: [
                    (APPLICATION, cells[2].to_string()),
                    (DELEGATED, cells[3].to_string()),
                ],
            }
        })
        .collect()
}

/// The permission names of a cell: (name, bold, marked † as beyond Microsoft's data).
fn names(cell: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    let chars: Vec<char> = cell.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_uppercase() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '.') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect::<String>();
            let word = word.trim_end_matches('.').to_string();
            if word.contains('.') {
                let bold = i >= 2 && chars[i - 2..i] == ['*', '*'];
                let dagger = chars.get(j) == Some(&'†');
                out.push((word, bold, dagger));
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn the_readme_table_agrees_with_microsofts_permission_data() {
    let data = microsoft();
    let rows = readme_rows();
    assert!(rows.len() >= 10, "{} rows", rows.len());
    for row in &rows {
        let paths: BTreeSet<String> = row
            .requests
            .iter()
            .map(|r| microsoft_path(&canonical(r)))
            .collect();
        for (scheme, cell) in &row.cells {
            let names = names(cell);
            assert!(
                !names.is_empty(),
                "{:?} {scheme}: no permission",
                row.requests
            );
            let mut any_least = false;
            for path in &paths {
                let (all, least) = listed(&data, path, scheme);
                assert!(
                    !all.is_empty(),
                    "Microsoft's data has no GET {path} for {scheme}"
                );
                any_least |= !least.is_empty();
                for (name, bold, dagger) in &names {
                    if *dagger {
                        assert!(
                            !all.contains(name),
                            "{path} {scheme}: {name} is in Microsoft's data; drop its †"
                        );
                        continue;
                    }
                    assert!(
                        all.contains(name),
                        "{path} {scheme}: Microsoft's data does not list {name} (it lists {all:?}); mark it † if its API page does"
                    );
                    if *bold {
                        assert!(
                            least.contains(name),
                            "{path} {scheme}: {name} is bold, but Microsoft marks {least:?} least"
                        );
                    }
                }
            }
            let bold = names.iter().filter(|n| n.1).count();
            if any_least {
                assert!(
                    bold > 0,
                    "{:?} {scheme}: mark the least-privileged one in bold",
                    row.requests
                );
            } else {
                assert!(
                    bold == 0 && cell.contains("marks none least"),
                    "{:?} {scheme}: Microsoft marks none least; say so",
                    row.requests
                );
            }
        }
    }
}

#[test]
fn a_cell_is_read_as_written() {
    assert_eq!(
        names("**Directory.Read.All** (DelegatedPermissionGrant.Read.All†)"),
        vec![
            ("Directory.Read.All".to_string(), true, false),
            ("DelegatedPermissionGrant.Read.All".to_string(), false, true)
        ]
    );
    assert_eq!(
        canonical("/v1.0/servicePrincipals(appId='46e6adf4-a9cf-4b60-9390-0ba6fb00bf6b')/owners?$select=id"),
        "/serviceprincipals/{id}/owners"
    );
    assert_eq!(canonical("/users/{upn or id}?$select=…"), "/users/{id}");
}

/// A tenant where every optional read has something to read.
fn busy_tenant() -> FakeTenant {
    let mut t = FakeTenant::everything(&graph_token());
    t.requested = Some(Vec::new());
    t.owners = vec![(
        OTHER_USER_ID.into(),
        "alex@contoso.onmicrosoft.com".into(),
        false,
    )];
    t.owners_unnamed = true;
    t.federated = vec![
        json!({"id": "1b2c3d4e-0000-4000-8000-000000000002", "name": "prod",
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/backup:environment:production", "audiences": []}),
    ];
    t.scoped_roles.push((
        SERVICE_ACCOUNT_ID.into(),
        "fe930be7-5e62-47db-91af-98c3a49a38b1".into(),
        "User Administrator".into(),
        "/administrativeUnits/3c1f5e0b-8d7a-4a52-9b0e-5f6a7b8c9d01".into(),
    ));
    t.roles.push((
        SP_ID.into(),
        "88d8e3e3-8f55-4a1e-953a-9b9898b8876b".into(),
        "Directory Readers".into(),
        false,
    ));
    t
}

#[test]
fn every_request_an_audit_makes_is_a_row_of_the_readme_table() {
    let rows = readme_rows();
    let documented: HashSet<String> = rows
        .iter()
        .flat_map(|r| &r.requests)
        .map(|r| canonical(r))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let mut made: HashSet<String> = HashSet::new();
    for refuse_alternate_key in [false, true] {
        let mut t = busy_tenant();
        t.refuse_alternate_key = refuse_alternate_key;
        let graph = FakeGraph::start(t);
        let (_, out, err) = run(audit_against(&graph, &["--format", "json"]));
        let mut doc = json(&out);
        assert!(doc["grants"].is_array(), "{err}");
        doc["readAt"] = "2026-11-20T08:00:00Z".into();
        std::fs::write(&baseline, doc.to_string()).unwrap();
        let mut cmd = audit_against(
            &graph,
            &[
                "--format",
                "json",
                "--service-account",
                SERVICE_ACCOUNT_UPN,
                "--baseline",
            ],
        );
        cmd.arg(&baseline);
        let (_, out, err) = run(cmd);
        assert!(json(&out)["changes"].is_object(), "{err}");
        for r in graph.requests() {
            // A refused alternate key was asked for, and is in the table all the same.
            made.insert(canonical(&r.target));
        }
    }
    // `inventory`'s tenant-wide reads are in the same table; its beta read is named beside it.
    let mut t = FakeTenant::empty(&graph_token());
    t.tenant_apps = vec![crate::support::fake_graph::tenant_wide::TenantApp {
        id: "4a9f5d7b-4444-4aaa-8bbb-000000000004".into(),
        app_id: "1f6c2a4e-4444-4aaa-8bbb-000000000004".into(),
        name: Some("role-sync script".into()),
        owner_org: crate::support::fake_graph::TENANT_ID.into(),
        enabled: true,
        app_roles: vec![(
            "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8".into(),
            "2025-04-02T10:00:00Z".into(),
        )],
        sign_in: Some(None),
        registered_here: Some(1),
        ..Default::default()
    }];
    let graph = FakeGraph::start(t);
    let (code, _, err) = run(crate::support::entra_perms()
        .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
        .args(["inventory", "--graph-url", &graph.base]));
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/auditing-identity.md"
    ))
    .unwrap();
    for r in graph.requests() {
        match r
            .target
            .split('?')
            .next()
            .unwrap_or("")
            .strip_prefix("/beta")
        {
            Some(beta) => assert!(page.contains(&format!("`/beta{beta}`")), "{beta}"),
            None => {
                made.insert(canonical(&r.target));
            }
        }
    }
    let undocumented: Vec<&String> = made.iter().filter(|r| !documented.contains(*r)).collect();
    assert!(
        undocumented.is_empty(),
        "requests the table of docs/auditing-identity.md lacks: {undocumented:?}"
    );
    let unmade: Vec<&String> = documented.iter().filter(|r| !made.contains(*r)).collect();
    assert!(
        unmade.is_empty(),
        "rows of the table of docs/auditing-identity.md no audit made: {unmade:?}"
    );
}
