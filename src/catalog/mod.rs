//! What is known offline about every Microsoft Graph permission and Entra role: the permission
//! catalog (name, type, id, admin consent, Microsoft's privilege level and admin display name, and
//! the API paths each opens), generated from Microsoft's own permission data (`generate.rs`), and
//! the privilege tiers of application permissions and built-in roles (facts from the public
//! azure-tiering project, cited below; none of its text).

use std::sync::OnceLock;

use serde::Serialize;

use crate::permission::PermissionType;

const PERMISSIONS_TSV: &str = include_str!("../data/graph-permissions.tsv");
const PATHS_TSV: &str = include_str!("../data/graph-permission-paths.tsv");
const APP_TIERS_TSV: &str = include_str!("../data/graph-app-permission-tiers.tsv");
const ROLE_TIERS_TSV: &str = include_str!("../data/entra-role-tiers.tsv");

/// Where the tiers come from.
pub const TIER_SOURCE: &str = "azure-tiering (github.com/emiliensocchi/azure-tiering) at commit \
     5edc6755652990f08680f5a9f54b82c0b838877e, 2026-08-21";

/// One Microsoft Graph permission of one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphPermission {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    pub id: String,
    /// Whether it needs an administrator's consent (`None`: Microsoft's data does not say).
    pub admin_consent: Option<bool>,
    /// Microsoft's privilege level, 1 (least) to 5 (`None`: not given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privilege_level: Option<u8>,
    /// Microsoft's admin display name: what it allows (empty: not given).
    pub allows: String,
}

/// API paths a permission opens, as Microsoft's data lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathGrant {
    pub permission: String,
    /// The types it opens the path as.
    pub types: Vec<PermissionType>,
    /// `GET`, `POST`, `PATCH`, `PUT`, `DELETE`.
    pub methods: Vec<String>,
    /// As Microsoft writes it, lower case, ids as `{id}`.
    pub path: String,
    /// The types for which Microsoft marks it the least-privileged permission of the path.
    pub least: Vec<PermissionType>,
}

/// How privileged an application permission or a role is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tier {
    /// 0: a known path to Global Administrator; 1: write access or sensitive reads without one;
    /// 2: reads of little security impact.
    pub tier: u8,
    /// `direct` or `indirect` for Tier 0, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Path>,
}

/// How a Tier-0 permission or role leads to Global Administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Path {
    Direct,
    Indirect,
}

impl Tier {
    /// What the tier means, in our words.
    pub fn meaning(self) -> &'static str {
        match self.tier {
            0 => "Tier 0: a known path to Global Administrator (whoever holds it can take over the tenant)",
            1 => "Tier 1: write access or reads of sensitive data, with no known path to Global Administrator",
            _ => "Tier 2: reads of little security impact",
        }
    }
}

struct Data {
    permissions: Vec<GraphPermission>,
    app_tiers: Vec<(String, Tier)>,
    /// (role name, template id, tier)
    role_tiers: Vec<(String, String, Tier)>,
}

fn rows(tsv: &str) -> impl Iterator<Item = Vec<&str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').collect())
}

fn tier(t: &str, path: &str) -> Option<Tier> {
    Some(Tier {
        tier: t.trim().parse().ok()?,
        path: match path.trim() {
            "Direct" => Some(Path::Direct),
            "Indirect" => Some(Path::Indirect),
            _ => None,
        },
    })
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| Data {
        permissions: rows(PERMISSIONS_TSV)
            .filter_map(|r| {
                Some(GraphPermission {
                    ptype: match *r.first()? {
                        "Application" => PermissionType::Application,
                        _ => PermissionType::Delegated,
                    },
                    permission: r.get(1)?.to_string(),
                    id: r.get(2)?.to_string(),
                    admin_consent: match *r.get(3)? {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => None,
                    },
                    privilege_level: r.get(4).and_then(|l| l.parse().ok()),
                    allows: r.get(5).unwrap_or(&"").to_string(),
                })
            })
            .collect(),
        app_tiers: rows(APP_TIERS_TSV)
            .filter_map(|r| {
                Some((
                    r.first()?.to_string(),
                    tier(r.get(1)?, r.get(2).unwrap_or(&""))?,
                ))
            })
            .collect(),
        role_tiers: rows(ROLE_TIERS_TSV)
            .filter_map(|r| {
                Some((
                    r.first()?.to_string(),
                    r.get(1)?.to_ascii_lowercase(),
                    tier(r.get(2)?, r.get(3).unwrap_or(&""))?,
                ))
            })
            .collect(),
    })
}

/// Every recorded Graph permission of this name (any case), of either type.
pub fn permissions(name: &str) -> Vec<&'static GraphPermission> {
    data()
        .permissions
        .iter()
        .filter(|p| p.permission.eq_ignore_ascii_case(name))
        .collect()
}

/// The recorded Graph permission with this id, of either type (one GUID may be both).
pub fn by_id(id: &str) -> Vec<&'static GraphPermission> {
    data()
        .permissions
        .iter()
        .filter(|p| p.id.eq_ignore_ascii_case(id))
        .collect()
}

/// Whether the catalog knows a permission of this name.
pub fn knows(name: &str) -> bool {
    !permissions(name).is_empty()
}

/// All names, for suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    data().permissions.iter().map(|p| p.permission.as_str())
}

fn types(list: &str) -> Vec<PermissionType> {
    list.split(',')
        .filter_map(|t| match t {
            "Application" => Some(PermissionType::Application),
            "Delegated" => Some(PermissionType::Delegated),
            _ => None,
        })
        .collect()
}

/// The paths table, read the first time `explain` asks (an audit never does).
fn paths() -> &'static [PathGrant] {
    static PATHS: OnceLock<Vec<PathGrant>> = OnceLock::new();
    PATHS.get_or_init(|| {
        rows(PATHS_TSV)
            .filter_map(|r| {
                Some(PathGrant {
                    permission: r.first()?.to_string(),
                    types: types(r.get(1)?),
                    methods: r.get(2)?.split(',').map(str::to_string).collect(),
                    path: r.get(3)?.to_string(),
                    least: types(r.get(4).unwrap_or(&"")),
                })
            })
            .collect()
    })
}

/// A path as Microsoft's data writes it: lower case, without the version, every `{…}` as
/// `{id}`, no trailing slash or query.
pub fn normal_path(path: &str) -> String {
    let path = path
        .split('?')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let path = path
        .strip_prefix("/v1.0")
        .or_else(|| path.strip_prefix("/beta"))
        .unwrap_or(&path)
        .trim_end_matches('/');
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "{id}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths a permission opens (any type), as Microsoft's data lists them.
pub fn paths_of(name: &str) -> Vec<&'static PathGrant> {
    paths()
        .iter()
        .filter(|p| p.permission.eq_ignore_ascii_case(name))
        .collect()
}

/// The permissions that open `path`, least-privileged first.
pub fn opening(path: &str) -> Vec<&'static PathGrant> {
    let want = normal_path(path);
    let mut found: Vec<&PathGrant> = paths()
        .iter()
        .filter(|p| normal_path(&p.path) == want)
        .collect();
    found.sort_by_key(|p| (p.least.is_empty(), p.permission.to_ascii_lowercase()));
    found
}

/// The tier of an application permission. Delegated permissions have none of their own: they act
/// within the signed-in account's roles.
pub fn app_tier(name: &str) -> Option<Tier> {
    data()
        .app_tiers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| *t)
}

/// The tier of a built-in Entra role, by template id.
pub fn role_tier(template_id: &str) -> Option<Tier> {
    data()
        .role_tiers
        .iter()
        .find(|(_, id, _)| id.eq_ignore_ascii_case(template_id))
        .map(|(_, _, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_documents_ten_tier_0_permissions_are_tier_0() {
        for p in [
            "RoleManagement.ReadWrite.Directory",
            "Application.ReadWrite.All",
            "UserAuthenticationMethod.ReadWrite.All",
            "Directory.ReadWrite.All",
            "Group.ReadWrite.All",
            "User.ReadWrite.All",
            "AdministrativeUnit.ReadWrite.All",
            "Policy.ReadWrite.AuthenticationMethod",
            "Policy.ReadWrite.ConditionalAccess",
            "DeviceManagementConfiguration.ReadWrite.All",
        ] {
            assert_eq!(app_tier(p).map(|t| t.tier), Some(0), "{p}");
        }
        assert_eq!(app_tier("Mail.ReadWrite").map(|t| t.tier), Some(1));
        assert!(app_tier("AuditLog.Read.All").is_some_and(|t| t.tier > 0));
        assert_eq!(
            role_tier("62E90394-69F5-4237-9190-012177145E10").map(|t| t.tier),
            Some(0),
            "Global Administrator"
        );
    }

    #[test]
    fn the_catalog_knows_both_types_and_shared_ids() {
        let mail = permissions("mail.readwrite");
        assert_eq!(mail.len(), 2, "{mail:?}");
        assert!(mail
            .iter()
            .all(|p| p.admin_consent == Some(true) || p.ptype == PermissionType::Delegated));
        // User.Export.All uses one GUID for its app role and its scope.
        let shared = by_id("405a51b5-8d8d-430b-9842-8be4b0e9f324");
        assert_eq!(shared.len(), 2, "{shared:?}");
    }
}

#[cfg(test)]
mod generate;
