//! Tests of the matrix loader: the embedded matrix, and a clear error for each kind of mistake.
//!
//! Test code only (compiled under `#[cfg(test)]`): each `unwrap()`/`expect()` here fails the test
//! it is in when a fixture breaks; none is reachable from the tool.

use super::*;
use crate::permission::is_guid;

const ROW: &str = r#"
[[permission]]
name = "User.Read.All"
type = "Delegated"
api_versions = ["v1.0"]
objects = ["Users"]
purposes = ["backup"]
description = "Lists users."
delegated_id = "a154be20-db9c-4678-8ab7-66f6cc099a59"
"#;

fn err(text: &str) -> MatrixError {
    Matrix::parse(text, "m.toml").expect_err("should fail")
}

#[test]
fn embedded_matrix_has_the_sources_20_rows_and_18_objects() {
    let m = Matrix::embedded().expect("embedded matrix parses");
    assert_eq!(m.permissions.len(), 20);
    assert_eq!(m.objects().len(), 18);
    let t = |name: &str, ptype| {
        m.permissions
            .iter()
            .any(|p| p.name == name && p.ptype == ptype)
    };
    assert!(t("DeviceLocalCredential.Read.All", PermissionType::Any));
    assert!(t("Group.ReadWrite.All", PermissionType::Delegated));
    assert!(t("Group.ReadWrite.All", PermissionType::Application));
    assert!(t("Directory.AccessAsUser.All", PermissionType::Delegated));
    let apps = m
        .permissions
        .iter()
        .filter(|p| p.ptype == PermissionType::Application)
        .count();
    let dels = m
        .permissions
        .iter()
        .filter(|p| p.ptype == PermissionType::Delegated)
        .count();
    assert_eq!((apps, dels), (12, 7));
    assert!(m.version.is_some());
}

#[test]
fn embedded_matrix_never_lets_conditional_access_write_imply_policy_read() {
    let m = Matrix::embedded().unwrap();
    assert!(!m
        .implies
        .iter()
        .any(|i| i.broader == "Policy.ReadWrite.ConditionalAccess"));
    assert!(m.implies.iter().any(|i| i.broader == "User.ReadWrite.All"
        && i.narrower == "User.Read.All"
        && i.ptype == PermissionType::Delegated));
}

#[test]
fn a_minimal_row_parses() {
    let m = Matrix::parse(ROW, "m.toml").unwrap();
    assert_eq!(m.permissions[0].purposes, vec![Purpose::Backup]);
    assert_eq!(m.by_id("A154BE20-DB9C-4678-8AB7-66F6CC099A59").len(), 1);
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = err("[[permission]]\nname = \"x\nfoo");
    assert_eq!(e.origin, "m.toml");
    let (line, _) = e.position.expect("a syntax error has a position");
    assert!((2..=3).contains(&line), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("invalid matrix m.toml:{line}:")),
        "{e}"
    );
}

#[test]
fn unknown_type_is_located() {
    let e = err(&ROW.replace("\"Delegated\"", "\"Delegate\""));
    assert_eq!(e.position, Some((4, 8)));
    assert!(e.message.contains("unknown type `Delegate`"), "{e}");
}

#[test]
fn unknown_purpose_is_located() {
    let e = err(&ROW.replace("[\"backup\"]", "[\"archive\"]"));
    assert_eq!(e.position, Some((7, 13)));
    assert!(e.message.contains("unknown purpose `archive`"), "{e}");
}

#[test]
fn unknown_api_version_is_reported() {
    let e = err(&ROW.replace("[\"v1.0\"]", "[\"v2\"]"));
    assert!(e.message.contains("unknown API version `v2`"), "{e}");
}

#[test]
fn unknown_key_is_rejected() {
    let e = err(&format!("{ROW}colour = \"red\"\n"));
    assert!(e.message.contains("unknown field `colour`"), "{e}");
    assert_eq!(e.position.map(|p| p.0), Some(10));
}

#[test]
fn duplicate_row_is_rejected() {
    let e = err(&format!("{ROW}{ROW}"));
    assert!(e.message.contains("duplicate row"), "{e}");
    assert_eq!(e.position.map(|p| p.0), Some(12));
}

#[test]
fn bad_guid_is_rejected() {
    let e = err(&ROW.replace("a154be20-db9c", "a154be20-db9"));
    assert!(e.message.contains("is not a GUID"), "{e}");
    assert_eq!(e.position.map(|p| p.0), Some(9));
}

#[test]
fn a_missing_id_comes_from_microsofts_data_else_is_rejected() {
    // Known to Microsoft's data: the id is filled in.
    let m = Matrix::parse(
        &ROW.replace(
            "delegated_id = \"a154be20-db9c-4678-8ab7-66f6cc099a59\"",
            "",
        ),
        "m.toml",
    )
    .unwrap();
    assert_eq!(
        m.permissions[0].delegated_id.as_deref(),
        Some("a154be20-db9c-4678-8ab7-66f6cc099a59")
    );
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    // Unknown to it: the id must be given.
    let e = err(&ROW
        .replace(
            "delegated_id = \"a154be20-db9c-4678-8ab7-66f6cc099a59\"",
            "",
        )
        .replace("User.Read.All", "User.Read.Everything"));
    assert!(e.message.contains("has no delegated_id"), "{e}");
}

#[test]
fn a_row_microsoft_does_not_know_as_written_is_a_warning_and_never_a_gap() {
    let text = ROW
        .replace("name = \"User.Read.All\"", "name = \"User.Read\"")
        .replace("type = \"Delegated\"", "type = \"Application\"")
        .replace(
            "delegated_id = \"a154be20-db9c-4678-8ab7-66f6cc099a59\"",
            "application_id = \"e1fe6dd8-ba31-4d61-89e7-88639da4683d\"",
        );
    let m = Matrix::parse(&text, "m.toml").unwrap();
    assert_eq!(m.warnings.len(), 1, "{:?}", m.warnings);
    let w = &m.warnings[0];
    assert!(w.impossible);
    assert_eq!(w.line, 3);
    assert!(
        w.message.starts_with(
            "m.toml:3: Microsoft Graph has no Application permission `User.Read` (only Delegated)"
        ),
        "{}",
        w.message
    );
    assert!(m.permissions[0].impossible);
    assert!(Matrix::embedded().unwrap().warnings.is_empty());
}

#[test]
fn implies_naming_an_unknown_permission_is_rejected() {
    let text = format!(
        "{ROW}\n[[implies]]\nbroader = \"User.ReadWrite.Everything\"\nnarrower = \"User.Read.All\"\ntype = \"Delegated\"\nsource = \"x\"\n"
    );
    let e = err(&text);
    assert!(
        e.message
            .contains("`User.ReadWrite.Everything` is neither a permission of this matrix"),
        "{e}"
    );
    assert_eq!(e.position, Some((12, 11)));
    // A broader permission outside the matrix but known to Microsoft Graph is fine.
    let text = format!(
        "{ROW}\n[[implies]]\nbroader = \"directory.read.all\"\nnarrower = \"User.Read.All\"\ntype = \"Delegated\"\nsource = \"x\"\n"
    );
    let m = Matrix::parse(&text, "m.toml").unwrap();
    assert_eq!(m.implies[0].broader, "Directory.Read.All");
}

#[test]
fn implies_of_a_type_the_matrix_does_not_require_is_rejected() {
    let m = Matrix::embedded().unwrap();
    let text = format!(
        "{}\n[[implies]]\nbroader = \"User.ReadWrite.All\"\nnarrower = \"User.Read.All\"\ntype = \"Application\"\nsource = \"x\"\n",
        EMBEDDED
    );
    let e = err(&text);
    assert!(
        e.message.contains("no Application row for `User.Read.All`"),
        "{e}"
    );
    assert_eq!(m.implies.len(), 5);
}

#[test]
fn empty_file_is_an_error() {
    assert!(err("").message.contains("no [[permission]]"));
}

#[test]
fn missing_file_names_the_path() {
    let e = Matrix::load(Some(Path::new("/nonexistent/m.toml"))).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/m.toml"), "{e}");
}

#[test]
fn line_col_counts_characters() {
    assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    assert_eq!(line_col("", 5), (1, 1));
}

#[test]
fn guid_check() {
    assert!(is_guid("62a82d76-70ea-41e2-9197-370581804d09"));
    assert!(!is_guid("62a82d76-70ea-41e2-9197-370581804d0"));
    assert!(!is_guid("62a82d76x70ea-41e2-9197-370581804d09"));
}
