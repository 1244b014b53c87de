//! `matrix` and `explain`: every format, the suggestion path, and matrix-file errors.

use crate::support::{entra_perms, json, run};

/// One row of the source document's table: (permission, type, API versions, objects).
type SeedRow = (String, String, Vec<String>, Vec<String>);

/// The source document ("Permissions for Entra ID Backup"), as laid beside the repository.
fn seed_text() -> Option<String> {
    let path = std::env::var_os("ENTRA_PERMS_SEED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/seed/permissions-for-entra-id-backup.txt")
        });
    std::fs::read_to_string(path).ok()
}

/// Parse the source document's table. Its layout: the API version line stands *before* its
/// row, then the permission (with its type on the same line, on the next line, or not at all),
/// the protected objects as bullets, and a description.
fn parse_seed(text: &str) -> Vec<SeedRow> {
    let is_version =
        |l: &str| !l.is_empty() && l.split(',').all(|v| matches!(v.trim(), "v1.0" | "Beta"));
    // The document separates words with non-breaking spaces here and there.
    let text = text.replace('\u{a0}', " ");
    let body = &text[text
        .find("Entra ID App Permissions")
        .expect("the table's heading")..];
    let mut rows: Vec<SeedRow> = Vec::new();
    let mut version: Option<Vec<String>> = None;
    let mut current: Option<SeedRow> = None;
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if is_version(line) {
            rows.extend(current.take());
            version = Some(
                line.split(',')
                    .map(|v| v.trim().to_ascii_lowercase())
                    .collect(),
            );
            continue;
        }
        let Some(apis) = version.clone() else {
            continue;
        };
        match &mut current {
            None => {
                let mut words = line.split_whitespace();
                let name = words.next().unwrap().to_string();
                let ptype = words.next().unwrap_or("").to_string();
                current = Some((name, ptype, apis, Vec::new()));
            }
            Some(row) => {
                if let Some(object) = line.strip_prefix('•') {
                    row.3.push(object.trim().to_string());
                } else if row.3.is_empty() && matches!(line, "Application" | "Delegated") {
                    row.1 = line.to_string();
                }
            }
        }
    }
    rows.extend(current);
    for row in &mut rows {
        if row.1.is_empty() {
            // The source leaves the type blank: the matrix says either type will do.
            row.1 = "Any".to_string();
        }
    }
    rows
}

#[test]
fn the_seed_parser_reads_the_layout() {
    let text = "Entra ID App Permissions\nAPI \nPermission \nv1.0\n\nA.Read.All \n\nApplication \n\n  • Things\n\nWhy A.\nv1.0, Beta\n\nB.Read.All  Delegated\n  • More\n  • Other\n\nWhy B.\nBeta\n\nC.Read.All  \n  • Stuff\n\nWhy C.";
    let rows = parse_seed(text);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[0],
        (
            "A.Read.All".into(),
            "Application".into(),
            vec!["v1.0".into()],
            vec!["Things".into()]
        )
    );
    assert_eq!(rows[1].1, "Delegated");
    assert_eq!(rows[1].2, vec!["v1.0".to_string(), "beta".to_string()]);
    assert_eq!(rows[1].3.len(), 2);
    assert_eq!(rows[2].1, "Any");
    assert_eq!(rows[2].2, vec!["beta".to_string()]);
}

/// The facts of the source table kept in the repository (tests/fixtures/seed-rows.tsv: permission,
/// type, API versions, objects), so the matrix is checked wherever the tests run.
const SEED_ROWS: &str = include_str!("../fixtures/seed-rows.tsv");

fn seed_rows_tsv(rows: &[SeedRow]) -> String {
    let mut out = String::from(
        "# The rows of the table in ../shared/seed/permissions-for-entra-id-backup.txt, read by\n\
         # parse_seed (tests/cli/explain_and_matrix.rs): permission, type, API versions, objects.\n\
         # Regenerate: ENTRA_PERMS_UPDATE_SEED_ROWS=1 cargo test seed_rows\n",
    );
    for (name, ptype, apis, objects) in rows {
        out.push_str(&format!(
            "{name}\t{ptype}\t{}\t{}\n",
            apis.join(","),
            objects.join("; ")
        ));
    }
    out
}

fn recorded_seed_rows() -> Vec<SeedRow> {
    SEED_ROWS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "tests/fixtures/seed-rows.tsv: {l}");
            let list = |s: &str, sep: &str| s.split(sep).map(str::to_string).collect();
            (
                f[0].to_string(),
                f[1].to_string(),
                list(f[2], ","),
                list(f[3], "; "),
            )
        })
        .collect()
}

#[test]
fn the_recorded_seed_rows_are_the_source_documents() {
    let Some(text) = seed_text() else {
        eprintln!(
            "skipped: the source document is not beside this checkout (set ENTRA_PERMS_SEED); \
             the matrix is still checked against tests/fixtures/seed-rows.tsv"
        );
        return;
    };
    let seed = parse_seed(&text);
    assert_eq!(seed.len(), 20, "the source table has 20 rows: {seed:?}");
    if std::env::var_os("ENTRA_PERMS_UPDATE_SEED_ROWS").is_some() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed-rows.tsv");
        std::fs::write(path, seed_rows_tsv(&seed)).unwrap();
        return;
    }
    assert_eq!(
        seed_rows_tsv(&seed),
        SEED_ROWS,
        "the source changed: regenerate the fixture and review the matrix"
    );
}

#[test]
fn matrix_json_has_exactly_the_source_rows() {
    let seed = recorded_seed_rows();
    assert_eq!(seed.len(), 20, "the source table has 20 rows: {seed:?}");
    let (code, out, _) = run(entra_perms().args(["matrix", "--format", "json"]));
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["schemaVersion"], 1);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), seed.len());
    for (row, (name, ptype, apis, objects)) in rows.iter().zip(&seed) {
        assert_eq!(row["permission"], name.as_str());
        assert_eq!(row["type"], ptype.as_str(), "{name}");
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
        20 + 5,
        "20 permission rows and 5 implies rows:\n{out}"
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
    assert_eq!(
        by,
        vec![
            "User.ReadWrite.All",
            "Directory.ReadWrite.All",
            "Directory.Read.All"
        ]
    );
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
    assert!(
        err.contains("neither a Microsoft Graph permission"),
        "{err}"
    );
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

/// `explain` answers from Microsoft's current permission data: permissions the 2022 recording
/// never knew, Microsoft's privilege level, the API paths a permission opens (least-privileged
/// marked), and the reverse — which permissions open a path.
#[test]
fn explain_shows_what_microsofts_data_says_a_permission_opens() {
    for (name, id) in [
        (
            "DelegatedPermissionGrant.Read.All",
            Some("81b4724a-58aa-41c1-8a55-84ef97466587"),
        ),
        ("AgentIdentity.Read.All", None),
    ] {
        let (code, out, err) = run(entra_perms().args(["explain", name, "--format", "json"]));
        assert_eq!(code, 0, "{name}: {err}");
        let doc = json(&out);
        let types = doc["types"].as_array().unwrap();
        assert_eq!(types.len(), 2, "{name}: {doc}");
        match id {
            Some(id) => assert!(types.iter().any(|t| t["id"] == id), "{name}"),
            None => {
                assert!(types.iter().all(|t| t["id"] == ""), "{name}");
                assert_eq!(types[0]["privilegeLevel"], 3, "{name}");
                let (_, text, _) = run(entra_perms().args(["explain", name]));
                assert!(text.contains("id not in Microsoft's data"), "{text}");
            }
        }
    }
    let (code, text, err) = run(entra_perms().args(["explain", "User.Read.All"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("API paths in Microsoft's data; * least privileged"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("GET") && l.contains(" * ")),
        "{text}"
    );
    let (_, out, _) = run(entra_perms().args(["explain", "User.Read.All", "--format", "json"]));
    let opens = json(&out)["opens"].as_array().unwrap().len();
    assert!(opens > 20, "json lists every path: {opens}");

    let (code, text, err) =
        run(entra_perms().args(["explain", "--path", "/oauth2PermissionGrants"]));
    assert_eq!(code, 0, "{err}");
    let first = text.lines().nth(1).unwrap();
    assert!(
        first.contains("Directory.Read.All") && first.contains("least privileged"),
        "{text}"
    );
    let (code, _, err) = run(entra_perms().args(["explain", "--path", "/no/such/path"]));
    assert_eq!(code, 2, "{err}");
}

/// A matrix row Microsoft Graph cannot grant as written (`User.Read` as Application) is a warning
/// naming its line — in `matrix` and in the audit — never a gap to grant; `--strict-matrix`
/// refuses it.
#[test]
fn a_matrix_row_with_a_type_graph_lacks_is_a_warning_never_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (_, toml, _) = run(entra_perms().args(["matrix", "--format", "toml"]));
    let extra = "\n[[permission]]\nname = \"User.Read\"\ntype = \"Application\"\napi_versions = [\"v1.0\"]\nobjects = [\"Users\"]\npurposes = [\"backup\"]\ndescription = \"Reads the signed-in user.\"\n";
    let line = toml.lines().count() + 3;
    let path = dir.path().join("m.toml");
    std::fs::write(&path, format!("{toml}{extra}")).unwrap();
    let m = path.to_str().unwrap();
    let (code, out, err) = run(entra_perms().args(["matrix", "--matrix", m]));
    assert_eq!(code, 0, "{err}");
    let needle =
        format!("m.toml:{line}: Microsoft Graph has no Application permission `User.Read`");
    assert!(out.contains(&needle), "{needle}\n{out}");
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--format", "json", "--matrix", m, "--from"])
        .arg(crate::support::example("all-granted.json")));
    assert_eq!(code, 0, "never a gap: {err}");
    let doc = json(&out);
    assert!(
        doc["missing"].as_array().unwrap().is_empty(),
        "{}",
        doc["missing"]
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "matrix-row-unknown")
        .unwrap_or_else(|| panic!("{}", doc["findings"]));
    assert_eq!(f["data"]["line"], line);
    assert_eq!(f["data"]["impossible"], true);
    let (code, _, err) = run(entra_perms()
        .args(["audit", "--strict-matrix", "--matrix", m, "--from"])
        .arg(crate::support::example("all-granted.json")));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("refused in strict mode"), "{err}");
}

/// A manual page per command (`man audit`), all of them with `man --dir`, and the examples in
/// `--help`.
#[test]
fn man_pages_per_command_and_examples_in_help() {
    let (code, page, err) = run(entra_perms().args(["man", "audit"]));
    assert_eq!(code, 0, "{err}");
    assert!(page.contains(".TH entra-perms-audit 1"), "{page}");
    assert!(page.contains("\\-\\-app"), "documents --app");
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(entra_perms().args(["man", "--dir"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    for name in [
        "entra-perms.1",
        "entra-perms-audit.1",
        "entra-perms-plan.1",
        "entra-perms-explain.1",
    ] {
        assert!(dir.path().join(name).is_file(), "{name}");
    }
    let (code, _, err) = run(entra_perms().args(["man", "nope"]));
    assert_eq!(code, 2, "{err}");
    let (_, help, _) = run(entra_perms().args(["audit", "--help"]));
    assert!(
        help.contains("one of --app (a tenant, read from Microsoft Graph), --from"),
        "{help}"
    );
    assert!(
        help.contains("az login && entra-perms audit --app"),
        "{help}"
    );
}

/// The embedded matrix written as a file reads back to the same audit.
#[test]
fn the_matrix_as_toml_reads_back_to_the_same_audit() {
    let dir = tempfile::tempdir().unwrap();
    let (_, toml, _) = run(entra_perms().args(["matrix", "--format", "toml"]));
    let path = dir.path().join("m.toml");
    std::fs::write(&path, toml).unwrap();
    let audit = |matrix: Option<&std::path::Path>| {
        let mut cmd = entra_perms();
        cmd.args(["audit", "--format", "json", "--fail-on", "never", "--from"])
            .arg(crate::support::example("wrong-types-and-excess.json"));
        if let Some(m) = matrix {
            cmd.arg("--matrix").arg(m);
        }
        let (code, out, err) = run(cmd);
        assert_eq!(code, 0, "{err}");
        let mut doc = json(&out);
        doc.as_object_mut().unwrap().remove("matrix");
        doc
    };
    assert_eq!(audit(None), audit(Some(&path)));
}
