//! Every backup vendor: the embedded vendor matrices held to the checked lists
//! (`tests/fixtures/vendors/vendor-permissions.tsv`), listed, chosen by name or by fit, and
//! audited against a fake tenant: a vendor's error is said and never a gap, optional rows count
//! only when asked, the roles a vendor requires are checked per purpose.

use std::collections::BTreeSet;

use crate::support::fake_graph::{
    app_role_id, FakeGraph, FakeTenant, SERVICE_ACCOUNT_ID, SERVICE_ACCOUNT_UPN,
};
use crate::support::{audit_against, entra_perms, findings, fixture, graph_token, json, run};

const NAMES: [(&str, &str); 6] = [
    (
        "veeam-vbr13",
        "veeam-backup-for-microsoft-entra-id-vbr13.md",
    ),
    (
        "veeam-data-cloud",
        "veeam-data-cloud-for-microsoft-entra-id.md",
    ),
    ("cohesity-dataprotect", "cohesity-dataprotect-entra-id.md"),
    (
        "netwrix-identity-recovery",
        "netwrix-identity-recovery-entra-id.md",
    ),
    (
        "microsoft-entra-backup",
        "microsoft-entra-backup-and-recovery.md",
    ),
    ("druva", "druva-entra-id.md"),
];

/// The checked rows of one vendor file: (permission, type, optional).
fn checked_rows(file: &str) -> BTreeSet<(String, String, bool)> {
    let text = std::fs::read_to_string(fixture("vendors/vendor-permissions.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("file\t"))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|c| {
            c[0] == file && c[1] == "Microsoft Graph" && !c[7].starts_with("NO (name unknown)")
        })
        .map(|c| (c[2].to_string(), c[3].to_string(), c[6].starts_with("yes")))
        .collect()
}

fn matrix_json(name: &str) -> serde_json::Value {
    let (code, out, err) =
        run(entra_perms().args(["matrix", "--format", "json", "--matrix", name]));
    assert_eq!(code, 0, "{name}: {err}");
    json(&out)
}

#[test]
fn each_vendor_matrix_holds_the_vendors_rows_as_checked() {
    for (name, file) in NAMES {
        let doc = matrix_json(name);
        let rows: BTreeSet<(String, String, bool)> = doc["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["permission"].as_str().unwrap().to_string(),
                    r["type"].as_str().unwrap().to_string(),
                    r["optional"] == true,
                )
            })
            .collect();
        assert_eq!(rows, checked_rows(file), "{name}");
        let info = &doc["matrix"];
        assert!(
            info["source"].as_str().unwrap().starts_with("https://"),
            "{name}"
        );
        assert_eq!(info["retrieved"], "2026-12-01", "{name}");
        assert_eq!(doc["name"], name);
        // Descriptions are ours: none is the vendor's or Microsoft's text; each row cites its source.
        for r in doc["rows"].as_array().unwrap() {
            assert_eq!(r["source"], info["source"], "{name}: {r}");
            let d = r["description"].as_str().unwrap();
            assert!(
                d.len() > 20 && !d.starts_with("Allows the app"),
                "{name}: {d}"
            );
        }
    }
    // Druva's page lost rows: the matrix says so, naming them.
    let druva = matrix_json("druva");
    assert!(druva["matrix"]["partial"].is_string());
    let unreadable = druva["matrix"]["unreadable"].to_string();
    for part in [
        "Administrative Unit",
        "Conditional Access policy",
        "GroupMember.ReadWrite.Al",
    ] {
        assert!(unreadable.contains(part), "{unreadable}");
    }
}

#[test]
fn matrix_list_names_every_embedded_matrix_with_its_source_and_date() {
    let (code, out, _) = run(entra_perms().args(["matrix", "--list"]));
    assert_eq!(code, 0);
    for (name, _) in NAMES {
        assert!(out.contains(name), "{out}");
    }
    assert!(out.contains("keepit (default)"));
    assert!(
        out.contains("https://helpcenter.veeam.com/docs/vdc/userguide/entra_id_permissions.html")
    );
    assert!(out.contains("page of 2026-03-19"));
    assert!(out.contains("PARTIAL"), "druva is marked partial");
    let (_, out, _) = run(entra_perms().args(["matrix", "--list", "--format", "json"]));
    let doc = json(&out);
    let list = doc["matrices"].as_array().unwrap();
    assert_eq!(list.len(), 7);
    for m in list {
        assert!(m["rows"].as_u64().unwrap() > 0, "{m}");
    }
}

/// The id of an application permission: the recorded tenant catalog's, else Microsoft's data.
fn app_id(name: &str) -> String {
    app_role_id(name).unwrap_or_else(|| {
        let data = include_str!("../../src/data/graph-permissions.tsv");
        data.lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|c| c.len() > 2 && c[0] == "Application" && c[1] == name)
            .map(|c| c[2].to_string())
            .unwrap_or_else(|| panic!("no id for {name}"))
    })
}

/// A tenant whose app holds exactly the Application rows of `matrix` that Graph can grant (and
/// its delegated rows with admin consent).
fn granted_exactly(matrix: &str, skip: &[&str]) -> FakeTenant {
    let mut t = FakeTenant::empty(&graph_token());
    let doc = matrix_json(matrix);
    let mut scopes = Vec::new();
    for r in doc["rows"].as_array().unwrap() {
        let name = r["permission"].as_str().unwrap();
        if skip.contains(&name)
            || doc["warnings"]
                .to_string()
                .contains(&format!("lists {name} as"))
        {
            continue;
        }
        match r["type"].as_str().unwrap() {
            "Application" => t.app_roles.push((name.to_string(), app_id(name))),
            _ => scopes.push(name.to_string()),
        }
    }
    if !scopes.is_empty() {
        t.delegated
            .push(("AllPrincipals".into(), None, scopes.join(" ")));
    }
    t
}

#[test]
fn a_vendors_error_is_said_and_never_a_gap() {
    let graph = FakeGraph::start(granted_exactly("veeam-data-cloud", &[]));
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--matrix", "veeam-data-cloud"],
    ));
    assert_eq!(code, 0, "{err}\n{out}");
    let doc = json(&out);
    assert_eq!(doc["passed"], true);
    assert!(
        !doc["missing"].to_string().contains("\"User.Read\""),
        "User.Read (Application) is no gap: {}",
        doc["missing"]
    );
    let said = findings(&doc, "matrix-row-unknown");
    assert!(
        said.iter().any(|f| f["message"].as_str().unwrap().contains(
            "Veeam lists User.Read as Application; Microsoft Graph offers no such permission"
        )),
        "{said:?}"
    );
    assert_eq!(doc["matrix"]["name"], "veeam-data-cloud");
    assert_eq!(doc["matrix"]["vendor"], "Veeam");
    // The permissions Veeam maps to no object are audited as the whole app.
    assert!(!findings(&doc, "vendor-maps-no-object").is_empty());
    assert!(doc["objects"].to_string().contains("(whole app)"));
    // VDC assigns two roles to its service principal; the fake app holds none.
    let roles = findings(&doc, "app-role-missing");
    assert_eq!(roles.len(), 2, "{roles:?}");
    // The table says which matrix was used.
    let (_, table, _) = run(audit_against(&graph, &["--matrix", "veeam-data-cloud"]));
    assert!(
        table.contains("Veeam lists User.Read as Application"),
        "{table}"
    );
}

#[test]
fn optional_rows_count_only_when_asked() {
    let graph = FakeGraph::start(granted_exactly("veeam-vbr13", &["Policy.Read.All"]));
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--matrix", "veeam-vbr13"],
    ));
    assert_eq!(
        code, 0,
        "an optional row not granted is no gap: {err}\n{out}"
    );
    let doc = json(&out);
    let optional = findings(&doc, "optional-permissions");
    assert_eq!(optional.len(), 1, "{optional:?}");
    assert!(optional[0]["data"]["notGranted"]
        .to_string()
        .contains("Policy.Read.All (Application)"));
    assert!(optional[0]["data"]["granted"]
        .to_string()
        .contains("Policy.ReadWrite.ConditionalAccess (Application)"));
    assert!(
        doc["excess"].as_array().unwrap().is_empty(),
        "{}",
        doc["excess"]
    );
    let (code, out, _) = run(audit_against(
        &graph,
        &[
            "--format",
            "json",
            "--matrix",
            "veeam-vbr13",
            "--include-optional",
        ],
    ));
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(
        doc["missing"][0]["permission"], "Policy.Read.All",
        "{}",
        doc["missing"]
    );
    assert!(findings(&doc, "optional-permissions").is_empty());
}

#[test]
fn the_roles_a_vendor_requires_of_the_restore_account_are_checked_per_purpose() {
    let mut tenant = granted_exactly("veeam-vbr13", &[]);
    // Seven of the eight roles of Veeam's first set: Intune Administrator is missing.
    for (id, name) in [
        (
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
            "Application Administrator",
        ),
        (
            "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
            "Conditional Access Administrator",
        ),
        (
            "29232cdf-9323-42fd-ade2-1d097af3e4de",
            "Exchange Administrator",
        ),
        (
            "fdd7a751-b60b-444a-984c-02652fe8fa1c",
            "Groups Administrator",
        ),
        (
            "e8611ab8-c189-46e8-94e1-60213ab1f814",
            "Privileged Role Administrator",
        ),
        (
            "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
            "Privileged Authentication Administrator",
        ),
        ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    ] {
        tenant
            .roles
            .push((SERVICE_ACCOUNT_ID.into(), id.into(), name.into(), false));
    }
    let graph = FakeGraph::start(tenant);
    let audit = |extra: &[&str]| {
        let mut args = vec![
            "--format",
            "json",
            "--matrix",
            "veeam-vbr13",
            "--service-account",
            SERVICE_ACCOUNT_UPN,
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = run(audit_against(&graph, &args));
        assert!(code <= 1, "{err}");
        json(&out)
    };
    let doc = audit(&[]);
    let missing = findings(&doc, "service-account-roles-missing");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(missing[0]["data"]["purpose"], "restore");
    assert_eq!(
        missing[0]["data"]["missing"],
        serde_json::json!(["Intune Administrator"])
    );
    assert_eq!(missing[0]["data"]["alternatives"], 3);
    // Veeam's roles replace the source document's Global Administrator advice.
    assert!(findings(&doc, "not-global-administrator").is_empty());
    // Backup needs no role of the account.
    assert!(findings(
        &audit(&["--scope", "backup"]),
        "service-account-roles-missing"
    )
    .is_empty());
    // Without a service account, the audit says the roles were not checked.
    let (_, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--matrix", "veeam-vbr13"],
    ));
    assert!(!findings(&json(&out), "service-account-roles-unchecked").is_empty());
}

#[test]
fn matrix_auto_picks_the_vendor_whose_list_the_app_holds() {
    let graph = FakeGraph::start(granted_exactly("cohesity-dataprotect", &[]));
    let (code, out, err) = run(audit_against(
        &graph,
        &["--format", "json", "--matrix", "auto"],
    ));
    assert_eq!(code, 0, "{err}{out}");
    let doc = json(&out);
    assert_eq!(doc["matrix"]["name"], "cohesity-dataprotect");
    let chosen = findings(&doc, "matrix-chosen");
    assert_eq!(chosen[0]["data"]["name"], "cohesity-dataprotect");
    assert_eq!(chosen[0]["data"]["percent"], 100);
    assert!(chosen[0]["data"]["runnerUp"].is_string());
    assert!(chosen[0]["message"]
        .as_str()
        .unwrap()
        .contains("fit `cohesity-dataprotect` best"));
    // And the default matrix's tenant picks the default.
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    let (_, out, _) = run(audit_against(
        &graph,
        &["--format", "json", "--matrix", "auto"],
    ));
    assert_eq!(json(&out)["matrix"]["name"], "keepit");
    // `auto` outside an audit of one app is an input error.
    let (code, _, err) = run(entra_perms().args(["matrix", "--matrix", "auto"]));
    assert_eq!(code, 2);
    assert!(err.contains("`auto` picks the matrix"), "{err}");
}

#[test]
fn diff_matrix_shows_a_vendors_new_version_with_optional_flags_and_roles() {
    let dir = tempfile::tempdir().unwrap();
    let (_, old, _) =
        run(entra_perms().args(["matrix", "--format", "toml", "--matrix", "veeam-vbr13"]));
    let new = old
        .replace("version = \"13.0.1.2067\"", "version = \"13.1\"")
        .replacen(
            "name = \"Policy.Read.All\"\ntype = \"Application\"\nobjects = [\"Optional tenant items\"]\npurposes = [\"backup\"]\noptional = true",
            "name = \"Policy.Read.All\"\ntype = \"Application\"\nobjects = [\"Optional tenant items\"]\npurposes = [\"backup\"]",
            1,
        )
        .replace("  { name = \"Intune Administrator\", id = \"3a2c62db-5318-420d-8d74-23affee5d9d5\" },\n", "")
        + "\n[[permission]]\nname = \"BitlockerKey.Read.All\"\ntype = \"Application\"\nobjects = [\"Devices\"]\npurposes = [\"backup\"]\ndescription = \"A new row of the vendor's next version.\"\n";
    assert_ne!(old, new);
    let old_path = dir.path().join("old.toml");
    let new_path = dir.path().join("new.toml");
    std::fs::write(&old_path, &old).unwrap();
    std::fs::write(&new_path, &new).unwrap();
    let (code, out, err) = run(entra_perms()
        .arg("diff-matrix")
        .arg(&old_path)
        .arg(&new_path));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("13.0.1.2067 -> Veeam Backup for Microsoft Entra ID (Veeam Backup & Replication 13) 13.1"), "{out}");
    assert!(
        out.contains("+ BitlockerKey.Read.All (Application)"),
        "{out}"
    );
    assert!(out.contains("~ Policy.Read.All (Application) · Optional tenant items · for backup\n    was Policy.Read.All (Application) · Optional tenant items · for backup (optional)"), "{out}");
    assert!(out.contains("Roles removed:"), "{out}");
    let (_, out, _) = run(entra_perms()
        .args(["diff-matrix", "--format", "json"])
        .arg(&old_path)
        .arg(&new_path));
    let doc = json(&out);
    assert_eq!(doc["changed"][0]["old"]["optional"], true);
    assert_eq!(doc["added"][0]["permission"], "BitlockerKey.Read.All");
}
