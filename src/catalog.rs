//! What is known offline about every Microsoft Graph permission and Entra role: the permission
//! catalog (name, type, id, admin consent, what it allows) recorded from a real tenant's Graph
//! service principal, and the privilege tiers of application permissions and built-in roles
//! (facts from the public azure-tiering project, cited below; none of its text).

use std::sync::OnceLock;

use serde::Serialize;

use crate::permission::PermissionType;

const PERMISSIONS_TSV: &str = include_str!("data/graph-permissions.tsv");
const APP_TIERS_TSV: &str = include_str!("data/graph-app-permission-tiers.tsv");
const ROLE_TIERS_TSV: &str = include_str!("data/entra-role-tiers.tsv");

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
    pub admin_consent: bool,
    /// Microsoft's short label of what it allows.
    pub allows: String,
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
                    admin_consent: *r.get(3)? == "true",
                    allows: r.get(4).unwrap_or(&"").to_string(),
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
            .all(|p| p.admin_consent || p.ptype == PermissionType::Delegated));
        // User.Export.All uses one GUID for its app role and its scope.
        let shared = by_id("405a51b5-8d8d-430b-9842-8be4b0e9f324");
        assert_eq!(shared.len(), 2, "{shared:?}");
    }

    /// The embedded catalog is exactly what the recorded Graph service principal says.
    #[test]
    fn catalog_matches_the_recorded_graph_service_principal() {
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/graph/graph-service-principal.json");
        let sp: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
        let clean = |v: &serde_json::Value| {
            v.as_str()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut expected: Vec<(String, String, String, bool, String)> = Vec::new();
        for r in sp["appRoles"].as_array().unwrap() {
            if r["value"].as_str().is_some_and(|v| !v.is_empty()) {
                expected.push((
                    "Application".into(),
                    r["value"].as_str().unwrap().trim().into(),
                    r["id"].as_str().unwrap().to_ascii_lowercase(),
                    true,
                    clean(&r["displayName"]),
                ));
            }
        }
        for s in sp["oauth2PermissionScopes"].as_array().unwrap() {
            if s["value"].as_str().is_some_and(|v| !v.is_empty()) {
                expected.push((
                    "Delegated".into(),
                    s["value"].as_str().unwrap().trim().into(),
                    s["id"].as_str().unwrap().to_ascii_lowercase(),
                    s["type"] == "Admin",
                    clean(&s["adminConsentDisplayName"]),
                ));
            }
        }
        expected.sort_by(|a, b| (a.1.to_lowercase(), &a.0).cmp(&(b.1.to_lowercase(), &b.0)));
        let body: String = expected
            .iter()
            .map(|(t, n, id, admin, allows)| format!("{t}\t{n}\t{id}\t{admin}\t{allows}\n"))
            .collect();
        let header_end = PERMISSIONS_TSV.find("type\tpermission").unwrap();
        let header_line_end = header_end + PERMISSIONS_TSV[header_end..].find('\n').unwrap() + 1;
        if std::env::var_os("ENTRA_PERMS_UPDATE_CATALOG").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/data/graph-permissions.tsv");
            std::fs::write(
                path,
                format!("{}{body}", &PERMISSIONS_TSV[..header_line_end]),
            )
            .unwrap();
            return;
        }
        assert_eq!(&PERMISSIONS_TSV[header_line_end..], body);
    }
}
