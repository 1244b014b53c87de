//! `diff-matrix`: what a newer matrix adds to or drops from an older one, requirement by
//! requirement (permission and type), so an upgrade's new consents are known in advance.

use serde::Serialize;

use crate::matrix::{Matrix, Permission, Purpose};
use crate::permission::PermissionType;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub objects: Vec<String>,
    pub purposes: Vec<Purpose>,
    /// The vendor marks it optional.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

impl From<&Permission> for Entry {
    fn from(p: &Permission) -> Entry {
        Entry {
            permission: p.name.clone(),
            ptype: p.ptype,
            objects: p.objects.clone(),
            purposes: p.purposes.clone(),
            optional: p.optional,
        }
    }
}

/// A matrix's product and version as the header gives them (`Veeam … 13.0.1.2067`).
fn product(m: &Matrix) -> Option<String> {
    m.info.as_ref().map(|i| match &i.version {
        Some(v) => format!("{} {v}", i.product),
        None => i.product.clone(),
    })
}

/// Each role set as a line: `restore: Global Administrator + Conditional Access Administrator`.
fn role_lines(m: &Matrix) -> Vec<String> {
    m.roles
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s.purposes
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" and "),
                s.roles
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            )
        })
        .chain(
            m.app_roles
                .iter()
                .map(|r| format!("the app: {}", r.role.name)),
        )
        .collect()
}

/// A requirement in both matrices whose objects or purposes differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub old: Entry,
    pub new: Entry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixDiff {
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_product: Option<String>,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub changed: Vec<Changed>,
    /// Roles (of a service account, per purpose, or of the app) the newer matrix adds or drops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles_added: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles_removed: Vec<String>,
}

impl MatrixDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.roles_added.is_empty()
            && self.roles_removed.is_empty()
    }
}

fn find<'m>(m: &'m Matrix, p: &Permission) -> Option<&'m Permission> {
    m.permissions
        .iter()
        .find(|q| q.ptype == p.ptype && q.name.eq_ignore_ascii_case(&p.name))
}

/// Compare two matrices.
pub fn diff(old: &Matrix, new: &Matrix) -> MatrixDiff {
    let mut changed = Vec::new();
    for p in &new.permissions {
        if let Some(o) = find(old, p) {
            let (mut oo, mut no) = (o.objects.clone(), p.objects.clone());
            let (mut op, mut np) = (o.purposes.clone(), p.purposes.clone());
            oo.sort();
            no.sort();
            op.sort();
            np.sort();
            if oo != no || op != np || o.optional != p.optional {
                changed.push(Changed {
                    old: o.into(),
                    new: p.into(),
                });
            }
        }
    }
    MatrixDiff {
        old_version: old.version.clone(),
        new_version: new.version.clone(),
        added: new
            .permissions
            .iter()
            .filter(|p| find(old, p).is_none())
            .map(Entry::from)
            .collect(),
        removed: old
            .permissions
            .iter()
            .filter(|p| find(new, p).is_none())
            .map(Entry::from)
            .collect(),
        changed,
        old_product: product(old),
        new_product: product(new),
        roles_added: role_lines(new)
            .into_iter()
            .filter(|r| !role_lines(old).contains(r))
            .collect(),
        roles_removed: role_lines(old)
            .into_iter()
            .filter(|r| !role_lines(new).contains(r))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_matrix_has_no_differences() {
        let m = Matrix::embedded().unwrap();
        assert!(diff(&m, &m).is_empty());
    }

    #[test]
    fn added_removed_and_changed_rows() {
        let old = Matrix::embedded().unwrap();
        let mut new = old.clone();
        new.permissions.retain(|p| p.name != "AuditLog.Read.All");
        let mut extra = new.permissions[0].clone();
        extra.name = "Mail.Read".into();
        new.permissions.push(extra);
        new.permissions[1].purposes = vec![Purpose::Backup];
        let d = diff(&old, &new);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].permission, "Mail.Read");
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.removed[0].permission, "AuditLog.Read.All");
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].new.purposes, vec![Purpose::Backup]);
    }

    #[test]
    fn a_type_change_is_a_removal_and_an_addition() {
        let old = Matrix::embedded().unwrap();
        let mut new = old.clone();
        let i = new
            .permissions
            .iter()
            .position(|p| p.name == "AuditLog.Read.All")
            .unwrap();
        new.permissions[i].ptype = PermissionType::Delegated;
        let d = diff(&old, &new);
        assert_eq!((d.added.len(), d.removed.len()), (1, 1));
    }
}
