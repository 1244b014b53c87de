//! The kinds of Microsoft Graph permission (application, delegated) and the shape of their ids:
//! the ground floor that the matrix, the catalog, the grants and Graph all share.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a permission is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PermissionType {
    /// An app role assigned to the service principal (app-only access).
    Application,
    /// A delegated scope, used on behalf of a signed-in user.
    Delegated,
    /// The source leaves the type open: either type satisfies the requirement.
    Any,
}

impl PermissionType {
    /// Whether a grant of type `granted` (never `Any`) satisfies a requirement of this type.
    pub fn accepts(self, granted: PermissionType) -> bool {
        self == PermissionType::Any || self == granted
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PermissionType::Application => "Application",
            PermissionType::Delegated => "Delegated",
            PermissionType::Any => "Any",
        }
    }
}

impl fmt::Display for PermissionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `s` is a GUID in its canonical 8-4-4-4-12 hexadecimal form.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
