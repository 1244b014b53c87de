//! The matrices shipped in the binary, by name: the source document's (`keepit`, the default) and
//! the published lists of the other Entra ID backup products (`matrices/*.toml`), each checked
//! against Microsoft's permission data when loaded.

use super::{Matrix, MatrixError, EMBEDDED};

/// Every embedded matrix: its name, its TOML, and how `matrix --list` names a matrix without a
/// `[matrix]` header.
pub const ALL: [(&str, &str); 7] = [
    ("keepit", EMBEDDED),
    (
        "veeam-vbr13",
        include_str!("../../matrices/veeam-vbr13.toml"),
    ),
    (
        "veeam-data-cloud",
        include_str!("../../matrices/veeam-data-cloud.toml"),
    ),
    (
        "cohesity-dataprotect",
        include_str!("../../matrices/cohesity-dataprotect.toml"),
    ),
    (
        "netwrix-identity-recovery",
        include_str!("../../matrices/netwrix-identity-recovery.toml"),
    ),
    (
        "microsoft-entra-backup",
        include_str!("../../matrices/microsoft-entra-backup.toml"),
    ),
    ("druva", include_str!("../../matrices/druva.toml")),
];

/// The name `--matrix` takes to choose the embedded matrix the app's grants fit best.
pub const AUTO: &str = "auto";

/// The embedded matrix called `name`, or `None` if there is none of that name.
pub fn named(name: &str) -> Option<Result<Matrix, MatrixError>> {
    ALL.iter()
        .find(|(n, _)| *n == name)
        .map(|(name, text)| parse(name, text))
}

fn parse(name: &str, text: &str) -> Result<Matrix, MatrixError> {
    Matrix::parse(text, &format!("{name} (embedded)")).map(|mut m| {
        m.name = Some(name.to_string());
        m
    })
}

/// Every embedded matrix, parsed.
pub fn all() -> Result<Vec<Matrix>, MatrixError> {
    ALL.iter().map(|(name, text)| parse(name, text)).collect()
}

/// The names, for messages.
pub fn names() -> String {
    ALL.map(|(n, _)| n).join(", ")
}
