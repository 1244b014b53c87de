//! `explain`: find what a query names in the matrix (permission, GUID or object), and suggest
//! near matches when it names nothing.

use serde::Serialize;

use crate::catalog::{self, GraphPermission, PathGrant};
use crate::matrix::{Implication, Matrix, Permission, Purpose};
use crate::permission::{is_guid, PermissionType};

/// What a query resolved to.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Explanation<'m> {
    /// A permission: every row that names it, and how it relates to others.
    #[serde(rename_all = "camelCase")]
    Permission {
        permission: String,
        /// The type the GUID query selected, when the query was an id.
        #[serde(skip_serializing_if = "Option::is_none")]
        matched_id_type: Option<PermissionType>,
        rows: Vec<Row<'m>>,
        /// Broader permissions that also satisfy this one.
        implied_by: Vec<&'m Implication>,
        /// Narrower permissions this one also satisfies.
        implies: Vec<&'m Implication>,
        /// Its privilege tier as an application permission.
        #[serde(skip_serializing_if = "Option::is_none")]
        tier: Option<TierInfo>,
        /// How Microsoft Graph defines it: id, admin consent, privilege level, what it allows.
        types: Vec<&'static GraphPermission>,
        /// The API paths it opens, from Microsoft's data.
        opens: Vec<&'static PathGrant>,
    },
    /// A Microsoft Graph permission the matrix does not need, known from the embedded catalog.
    #[serde(rename_all = "camelCase")]
    CatalogPermission {
        permission: String,
        /// The type the GUID query selected, when the query was an id.
        #[serde(skip_serializing_if = "Option::is_none")]
        matched_id_type: Option<PermissionType>,
        /// Always false: the backup app does not need it.
        needed: bool,
        /// Each type Graph defines it as: id, admin consent, what it allows.
        types: Vec<&'static GraphPermission>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tier: Option<TierInfo>,
        /// Matrix permissions it also satisfies.
        implies: Vec<&'m Implication>,
        /// The API paths it opens, from Microsoft's data.
        opens: Vec<&'static PathGrant>,
    },
    /// An API path: the permissions that open it, least-privileged first.
    #[serde(rename_all = "camelCase")]
    Path {
        path: String,
        permissions: Vec<Opener>,
    },
    /// A protected object: every requirement that protects it, by purpose.
    #[serde(rename_all = "camelCase")]
    Object {
        object: String,
        backup: Vec<Row<'m>>,
        restore: Vec<Row<'m>>,
    },
}

/// A permission that opens a path, with its tier.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Opener {
    #[serde(flatten)]
    pub grant: &'static PathGrant,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<TierInfo>,
}

/// One matrix row, as shown by `explain` and `matrix --format json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row<'m> {
    pub permission: &'m str,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub api_versions: &'m [crate::matrix::ApiVersion],
    pub objects: &'m [String],
    pub purposes: &'m [Purpose],
    pub description: &'m str,
    pub ids: Ids<'m>,
    /// The vendor marks it optional.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'m str>,
    /// Where the row comes from (a vendor's page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'m str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ids<'m> {
    pub application: Option<&'m str>,
    pub delegated: Option<&'m str>,
}

impl<'m> From<&'m Permission> for Row<'m> {
    fn from(p: &'m Permission) -> Row<'m> {
        Row {
            permission: &p.name,
            ptype: p.ptype,
            api_versions: &p.api_versions,
            objects: &p.objects,
            purposes: &p.purposes,
            description: &p.description,
            ids: Ids {
                application: p.application_id.as_deref(),
                delegated: p.delegated_id.as_deref(),
            },
            optional: p.optional,
            note: p.note.as_deref(),
            source: p.source.as_deref(),
        }
    }
}

/// A tier with what it means and where it comes from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TierInfo {
    pub tier: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<catalog::Path>,
    pub meaning: &'static str,
    /// Delegated grants carry no tier of their own.
    pub delegated: &'static str,
    pub source: &'static str,
}

/// What a delegated grant's privilege depends on.
pub const DELEGATED_TIER: &str = "As a delegated permission it has no tier of its own: it acts \
     within the roles of the signed-in account (the service account), so that account's roles \
     decide how much it can do.";

/// The tier of `name` as an application permission, explained.
pub fn tier_info(name: &str) -> Option<TierInfo> {
    catalog::app_tier(name).map(|t| TierInfo {
        tier: t.tier,
        path: t.path,
        meaning: t.meaning(),
        delegated: DELEGATED_TIER,
        source: catalog::TIER_SOURCE,
    })
}

/// The query named nothing in the matrix.
#[derive(Debug, Clone, thiserror::Error)]
pub struct NoMatch {
    pub query: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for NoMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is neither a Microsoft Graph permission or permission id nor a protected object of the matrix",
            self.query
        )?;
        match self.suggestions.as_slice() {
            [] => write!(f, " (run `entra-perms matrix` to see them all)"),
            s => write!(f, "; did you mean {}?", s.join(", ")),
        }
    }
}

impl From<NoMatch> for crate::error::Error {
    fn from(e: NoMatch) -> crate::error::Error {
        crate::error::Error::input(e.to_string())
    }
}

/// The one protected object whose words the query's words begin, or whose initials one of them is
/// (`bitlocker` → BitLocker keys, `laps` → Windows LAPS credentials, `CA policies` → Conditional
/// access policies); `None` when none or several match.
fn object_by_words<'m>(matrix: &'m Matrix, query: &str) -> Option<&'m str> {
    let q: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if q.is_empty() || query.contains('.') {
        return None;
    }
    let fits = |object: &str| {
        let words: Vec<String> = object.split_whitespace().map(str::to_lowercase).collect();
        let initials: Vec<String> = (0..words.len())
            .flat_map(|i| {
                (i + 2..=words.len()).map({
                    let words = &words;
                    move |j| {
                        words[i..j]
                            .iter()
                            .filter_map(|w| w.chars().next())
                            .collect()
                    }
                })
            })
            .collect();
        q.iter().all(|qw| {
            words.iter().any(|w| w.starts_with(qw.as_str())) || initials.iter().any(|i| i == qw)
        })
    };
    let found: Vec<&str> = matrix.objects().into_iter().filter(|o| fits(o)).collect();
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Resolve `query` against the matrix, then against every Microsoft Graph permission.
pub fn explain<'m>(matrix: &'m Matrix, query: &str) -> Result<Explanation<'m>, NoMatch> {
    let q = query.trim();
    if is_guid(q) {
        if let Some((name, t)) = matrix.by_id(q).into_iter().next() {
            return Ok(permission(matrix, name, Some(t)));
        }
        if let Some(p) = catalog::by_id(q).first() {
            // One GUID may be both an app role and a scope: the application one first.
            return Ok(catalog_permission(matrix, &p.permission, Some(p.ptype)));
        }
    }
    if let Some(name) = matrix
        .permission_names()
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(q))
    {
        return Ok(permission(matrix, name, None));
    }
    if let Some(object) = matrix
        .objects()
        .into_iter()
        .find(|o| o.eq_ignore_ascii_case(q))
        .or_else(|| object_by_words(matrix, q))
    {
        let rows = |p: Purpose| {
            matrix
                .permissions
                .iter()
                .filter(|r| r.objects.iter().any(|o| o == object) && r.has_purpose(p))
                .map(Row::from)
                .collect()
        };
        return Ok(Explanation::Object {
            object: object.to_string(),
            backup: rows(Purpose::Backup),
            restore: rows(Purpose::Restore),
        });
    }
    if let Some(p) = catalog::permissions(q).first() {
        return Ok(catalog_permission(matrix, &p.permission, None));
    }
    Err(NoMatch {
        query: q.to_string(),
        suggestions: suggest(matrix, q),
    })
}

fn catalog_permission<'m>(
    matrix: &'m Matrix,
    name: &str,
    t: Option<PermissionType>,
) -> Explanation<'m> {
    Explanation::CatalogPermission {
        permission: name.to_string(),
        matched_id_type: t,
        needed: false,
        types: catalog::permissions(name),
        tier: tier_info(name),
        implies: matrix
            .implies
            .iter()
            .filter(|i| i.broader.eq_ignore_ascii_case(name))
            .collect(),
        opens: catalog::paths_of(name),
    }
}

/// The permissions that open `path` (e.g. `/users/{id}/authentication/methods`), least-privileged
/// first, each with its tier.
pub fn explain_path(path: &str) -> Result<Explanation<'static>, NoMatch> {
    let permissions: Vec<Opener> = catalog::opening(path)
        .into_iter()
        .map(|grant| Opener {
            grant,
            tier: tier_info(&grant.permission),
        })
        .collect();
    if permissions.is_empty() {
        return Err(NoMatch {
            query: path.to_string(),
            suggestions: Vec::new(),
        });
    }
    Ok(Explanation::Path {
        path: catalog::normal_path(path),
        permissions,
    })
}

fn permission<'m>(matrix: &'m Matrix, name: &str, t: Option<PermissionType>) -> Explanation<'m> {
    Explanation::Permission {
        permission: name.to_string(),
        matched_id_type: t,
        rows: matrix
            .permissions
            .iter()
            .filter(|p| p.name == name)
            .map(Row::from)
            .collect(),
        implied_by: matrix
            .implies
            .iter()
            .filter(|i| i.narrower == name)
            .collect(),
        implies: matrix
            .implies
            .iter()
            .filter(|i| i.broader == name)
            .collect(),
        tier: matrix
            .permissions
            .iter()
            .any(|p| p.name == name && p.ptype != PermissionType::Delegated)
            .then(|| tier_info(name))
            .flatten()
            .or_else(|| tier_info(name)),
        types: catalog::permissions(name),
        opens: catalog::paths_of(name),
    }
}

/// Up to three names or objects close to `query` (case-insensitive edit distance).
pub fn suggest(matrix: &Matrix, query: &str) -> Vec<String> {
    let q = query.to_lowercase();
    let limit = (q.chars().count() / 3).clamp(2, 6);
    let mut candidates: Vec<&str> = matrix.permission_names();
    candidates.extend(matrix.objects());
    for name in catalog::names() {
        candidates.push(name);
    }
    // A name's segments weigh first: `Mail.ReadWrite.All` is nearest `Mail.ReadWrite` (one
    // segment more), not a name a few letters away in another resource.
    let segments =
        |s: &str| -> Vec<String> { s.to_lowercase().split('.').map(str::to_string).collect() };
    let qs = segments(&q);
    let segment_distance = |c: &str| {
        let cs = segments(c);
        if cs.first() != qs.first() {
            return usize::MAX;
        }
        let same = qs.iter().zip(&cs).take_while(|(a, b)| a == b).count();
        qs.len().max(cs.len()) - same
    };
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            (
                segment_distance(c),
                strsim::levenshtein(&q, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, d, _)| *d <= limit || *s <= 1)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(3)
        .map(|(_, _, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> Matrix {
        Matrix::embedded().unwrap()
    }

    #[test]
    fn objects_are_found_by_word_prefix_and_initials() {
        let m = m();
        for (q, object) in [
            ("bitlocker", "BitLocker keys"),
            ("laps", "Windows LAPS credentials"),
            ("conditional access", "Conditional access policies"),
            ("CA policies", "Conditional access policies"),
        ] {
            match explain(&m, q) {
                Ok(Explanation::Object { object: o, .. }) => assert_eq!(o, object, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        // Several objects match `groups`-like prefixes: no guess.
        assert!(object_by_words(&m, "group").is_none());
    }

    #[test]
    fn suggestions_weigh_the_names_segments() {
        let s = suggest(&m(), "Mail.ReadWrite.All");
        assert_eq!(
            s.first().map(String::as_str),
            Some("Mail.ReadWrite"),
            "{s:?}"
        );
    }

    #[test]
    fn permission_name_is_case_insensitive_and_lists_both_types() {
        let m = m();
        match explain(&m, "user.readwrite.all").unwrap() {
            Explanation::Permission {
                permission,
                rows,
                implies,
                ..
            } => {
                assert_eq!(permission, "User.ReadWrite.All");
                let types: Vec<_> = rows.iter().map(|r| r.ptype).collect();
                assert_eq!(
                    types,
                    vec![PermissionType::Delegated, PermissionType::Application]
                );
                assert_eq!(implies.len(), 1);
                assert_eq!(implies[0].narrower, "User.Read.All");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn guid_finds_the_permission_and_its_type() {
        let m = m();
        match explain(&m, "62A82D76-70EA-41E2-9197-370581804D09").unwrap() {
            Explanation::Permission {
                permission,
                matched_id_type,
                ..
            } => {
                assert_eq!(permission, "Group.ReadWrite.All");
                assert_eq!(matched_id_type, Some(PermissionType::Application));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn object_is_split_by_purpose() {
        let m = m();
        match explain(&m, "bitlocker keys").unwrap() {
            Explanation::Object {
                object,
                backup,
                restore,
            } => {
                assert_eq!(object, "BitLocker keys");
                assert_eq!(backup.len(), 2);
                assert!(restore.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn any_graph_permission_is_explained_from_the_catalog() {
        let m = m();
        match explain(&m, "mail.readwrite").unwrap() {
            Explanation::CatalogPermission {
                permission,
                needed,
                types,
                tier,
                ..
            } => {
                assert_eq!(permission, "Mail.ReadWrite");
                assert!(!needed);
                assert_eq!(types.len(), 2);
                assert_eq!(tier.unwrap().tier, 1);
            }
            other => panic!("unexpected {other:?}"),
        }
        match explain(&m, "RoleManagement.ReadWrite.Directory").unwrap() {
            Explanation::Permission { tier, .. } => assert_eq!(tier.unwrap().tier, 0),
            other => panic!("unexpected {other:?}"),
        }
        // By id: Mail.ReadWrite's app role id.
        assert!(matches!(
            explain(&m, "e2a3a72e-5f79-4c64-b1b1-878b674786c9").unwrap(),
            Explanation::CatalogPermission { .. }
        ));
    }

    #[test]
    fn typo_gets_suggestions() {
        let e = explain(&m(), "Usr.Read.All").unwrap_err();
        assert_eq!(
            e.suggestions.first().map(String::as_str),
            Some("User.Read.All")
        );
        assert!(e.to_string().contains("did you mean User.Read.All"));
    }

    #[test]
    fn nonsense_gets_no_suggestions() {
        let e = explain(&m(), "zzzzzzzzzzzzzzzzzz").unwrap_err();
        assert!(e.suggestions.is_empty());
    }
}
