//! `matrix` and `explain`: every format, the suggestion path, and matrix-file errors.

use crate::support::{entra_perms, json, run};

/// The source document's table, copied by hand: (permission, type, API versions, objects).
const SOURCE_ROWS: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "AdministrativeUnit.ReadWrite.All",
        "Application",
        &["v1.0"],
        &["Administrative units"],
    ),
    (
        "Application.ReadWrite.All",
        "Application",
        &["v1.0"],
        &["Applications", "Service principals"],
    ),
    (
        "AuditLog.Read.All",
        "Application",
        &["v1.0"],
        &["Activity logs"],
    ),
    (
        "BitlockerKey.Read.All",
        "Delegated",
        &["beta"],
        &["BitLocker keys"],
    ),
    (
        "BitlockerKey.ReadBasic.All",
        "Delegated",
        &["v1.0"],
        &["BitLocker keys"],
    ),
    (
        "DeviceLocalCredential.Read.All",
        "Any",
        &["beta"],
        &["Windows LAPS credentials"],
    ),
    (
        "DeviceManagementConfiguration.ReadWrite.All",
        "Application",
        &["beta"],
        &["Device management configurations"],
    ),
    (
        "Directory.AccessAsUser.All",
        "Delegated",
        &["beta"],
        &["Users", "Groups"],
    ),
    (
        "Directory.ReadWrite.All",
        "Application",
        &["v1.0"],
        &["Group policies", "Groups"],
    ),
    (
        "Group.ReadWrite.All",
        "Delegated",
        &["v1.0", "beta"],
        &["M365 groups"],
    ),
    (
        "Group.ReadWrite.All",
        "Application",
        &["v1.0", "beta"],
        &["Security groups"],
    ),
    (
        "Policy.Read.All",
        "Application",
        &["v1.0", "beta"],
        &["Policies"],
    ),
    (
        "Policy.ReadWrite.AuthenticationMethod",
        "Application",
        &["beta"],
        &["Authentication methods"],
    ),
    (
        "Policy.ReadWrite.ConditionalAccess",
        "Application",
        &["beta"],
        &["Conditional access policies"],
    ),
    (
        "RoleManagement.ReadWrite.Directory",
        "Application",
        &["v1.0", "beta"],
        &["Roles", "Role assignments"],
    ),
    ("User.Read.All", "Delegated", &["v1.0"], &["Users"]),
    ("User.ReadWrite.All", "Delegated", &["v1.0"], &["Users"]),
    ("User.ReadWrite.All", "Application", &["beta"], &["Users"]),
    (
        "UserAuthenticationMethod.ReadWrite.All",
        "Delegated",
        &["beta"],
        &["User authentication methods"],
    ),
    (
        "UserAuthenticationMethod.ReadWrite.All",
        "Application",
        &["beta"],
        &["User authentication methods"],
    ),
];

#[test]
fn matrix_json_has_exactly_the_source_rows() {
    let (code, out, _) = run(entra_perms().args(["matrix", "--format", "json"]));
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["schemaVersion"], 1);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), SOURCE_ROWS.len());
    for (row, (name, ptype, apis, objects)) in rows.iter().zip(SOURCE_ROWS) {
        assert_eq!(row["permission"], *name);
        assert_eq!(row["type"], *ptype, "{name}");
        assert_eq!(row["apiVersions"], serde_json::json!(apis), "{name}");
        assert_eq!(row["objects"], serde_json::json!(objects), "{name}");
        assert!(!row["description"].as_str().unwrap().is_empty());
    }
    let purposes = |name: &str, t: &str| {
        rows.iter()
            .find(|r| r["permission"] == name && r["type"] == t)
            .map(|r| r["purposes"].clone())
            .unwrap()
    };
    assert_eq!(
        purposes("AuditLog.Read.All", "Application"),
        serde_json::json!(["backup"])
    );
    assert_eq!(
        purposes("Policy.ReadWrite.ConditionalAccess", "Application"),
        serde_json::json!(["restore"])
    );
    assert_eq!(
        purposes("Group.ReadWrite.All", "Delegated"),
        serde_json::json!(["backup", "restore"])
    );
    assert_eq!(
        purposes("User.ReadWrite.All", "Delegated"),
        serde_json::json!(["restore"])
    );
    assert_eq!(
        rows.iter()
            .find(|r| r["permission"] == "Group.ReadWrite.All")
            .unwrap()["ids"]["application"],
        "62a82d76-70ea-41e2-9197-370581804d09"
    );
    let implies = doc["implies"].as_array().unwrap();
    assert!(implies
        .iter()
        .all(|i| i["broader"] != "Policy.ReadWrite.ConditionalAccess"));
}

#[test]
fn matrix_table_is_grouped_by_object_and_fits_100_columns() {
    let (code, out, _) = run(entra_perms().arg("matrix"));
    assert_eq!(code, 0);
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    insta::assert_snapshot!("matrix_table", out);
}

#[test]
fn matrix_markdown_is_a_github_table() {
    let (code, out, _) = run(entra_perms().args(["matrix", "--format", "markdown"]));
    assert_eq!(code, 0);
    let table_rows = out.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        table_rows,
        20 + 3,
        "20 permission rows and 3 implies rows:\n{out}"
    );
    assert!(out.contains("|---|---|---|---|---|---|---|---|"));
    insta::assert_snapshot!("matrix_markdown", out);
}

#[test]
fn explain_permission_name_any_case() {
    let (code, out, _) = run(entra_perms().args(["explain", "user.readwrite.all"]));
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_user_readwrite_all", out);
}

#[test]
fn explain_guid_resolves_the_app_role() {
    let (code, out, _) = run(entra_perms().args([
        "explain",
        "62a82d76-70ea-41e2-9197-370581804d09",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["kind"], "permission");
    assert_eq!(doc["permission"], "Group.ReadWrite.All");
    assert_eq!(doc["matchedIdType"], "Application");
    assert_eq!(doc["rows"].as_array().unwrap().len(), 2);
}

#[test]
fn explain_object_splits_backup_and_restore() {
    let (code, out, _) = run(entra_perms().args(["explain", "bitlocker keys"]));
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_bitlocker_keys", out);
    let (_, out, _) = run(entra_perms().args(["explain", "USERS", "--format", "json"]));
    let doc = json(&out);
    assert_eq!(doc["kind"], "object");
    let names = |k: &str| -> Vec<String> {
        doc[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["permission"], r["type"]))
            .collect()
    };
    assert_eq!(
        names("backup"),
        vec![
            "\"Directory.AccessAsUser.All\" \"Delegated\"",
            "\"User.Read.All\" \"Delegated\""
        ]
    );
    assert_eq!(names("restore").len(), 3);
}

#[test]
fn explain_narrower_permission_names_what_also_satisfies_it() {
    let (_, out, _) = run(entra_perms().args(["explain", "User.Read.All", "--format", "json"]));
    let doc = json(&out);
    let by: Vec<_> = doc["impliedBy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["broader"].clone())
        .collect();
    assert_eq!(by, vec!["User.ReadWrite.All", "Directory.ReadWrite.All"]);
}

#[test]
fn explain_typo_exits_2_with_suggestion() {
    let (code, out, err) = run(entra_perms().args(["explain", "Usr.Read.All"]));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("did you mean User.Read.All"), "{err}");
}

#[test]
fn explain_unknown_guid_exits_2() {
    let (code, _, err) =
        run(entra_perms().args(["explain", "00000000-0000-0000-0000-000000000001"]));
    assert_eq!(code, 2);
    assert!(err.contains("not a permission"), "{err}");
}

#[test]
fn malformed_matrix_file_exits_2_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[[permission]]\nname = \"User.Read.All\"\ntype = \"Delegatd\"\n",
    )
    .unwrap();
    let (code, _, err) = run(entra_perms().args(["matrix", "--matrix"]).arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:"), "{err}");
    // A missing key is reported at the table; a bad value at the value.
    std::fs::write(
        &path,
        "[[permission]]\nname = \"User.Read.All\"\ntype = \"Delegatd\"\napi_versions = [\"v1.0\"]\nobjects = [\"Users\"]\npurposes = [\"backup\"]\ndescription = \"x\"\n",
    )
    .unwrap();
    let (code, _, err) = run(entra_perms()
        .args(["explain", "users", "--matrix"])
        .arg(&path));
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:3:8: unknown type `Delegatd`"),
        "{err}"
    );
}

#[test]
fn missing_matrix_file_exits_2_with_the_path() {
    let (code, _, err) = run(entra_perms().args(["matrix", "--matrix", "/no/such/matrix.toml"]));
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/matrix.toml"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_users_own_matrix_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        "[[permission]]\nname = \"Mail.Read\"\ntype = \"Application\"\napi_versions = [\"v1.0\"]\nobjects = [\"Mailboxes\"]\npurposes = [\"backup\"]\ndescription = \"Reads mail.\"\napplication_id = \"810c84a8-4a9e-49e6-bf7d-12d183f40d01\"\n",
    )
    .unwrap();
    let (code, out, _) = run(entra_perms()
        .args(["explain", "mailboxes", "--matrix"])
        .arg(&path));
    assert_eq!(code, 0);
    assert!(out.contains("Mail.Read (Application)"), "{out}");
}

#[test]
fn bad_arguments_exit_2_and_help_exits_0() {
    let (code, _, _) = run(entra_perms().args(["matrix", "--format", "xml"]));
    assert_eq!(code, 2);
    let (code, out, _) = run(entra_perms().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("explain"));
}

#[test]
fn help_texts() {
    for (name, args) in [
        ("help_top", vec!["--help"]),
        ("help_audit", vec!["audit", "--help"]),
        ("help_plan", vec!["plan", "--help"]),
    ] {
        let (code, out, _) = run(entra_perms().args(&args));
        assert_eq!(code, 0);
        insta::assert_snapshot!(name, out);
    }
}
