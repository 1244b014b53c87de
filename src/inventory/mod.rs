//! The tenant-wide inventory: every service principal holding Microsoft Graph application
//! permissions or admin-consented delegated permissions, with the tier of each, who owns it,
//! when it last signed in, which backup product it looks like — and the findings, Tier 0 first.
//! Pure: [`build`] turns what was read ([`Read`]) into the [`Inventory`] document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cloud::Cloud;
use crate::grants::{AppIdentity, AppRoleGrant, Consent, DelegatedGrant, Grants};
use crate::matrix::Matrix;
use crate::permission::PermissionType;

pub mod findings;
pub mod tenants;

/// Microsoft's own tenants: an app they own is first-party.
pub const MICROSOFT_TENANTS: [&str; 2] = [
    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
];

/// The share of a vendor's matrix an app must fit to be called that product.
pub const PRODUCT_MATCH_PERCENT: u32 = 60;

/// A service principal as read.
#[derive(Debug, Clone, Default)]
pub struct Principal {
    pub id: String,
    pub app_id: String,
    pub display_name: Option<String>,
    pub owner_tenant: Option<String>,
    pub enabled: Option<bool>,
    pub kind: Option<String>,
}

/// One grant on Microsoft Graph of one service principal.
#[derive(Debug, Clone)]
pub struct RawGrant {
    pub principal_id: String,
    pub permission: String,
    pub ptype: PermissionType,
    /// `AllPrincipals` / `Principal` for a delegated grant.
    pub consent: Option<Consent>,
    pub granted_at: Option<String>,
    /// The app role assignment's or the oauth2PermissionGrant's id (to revoke it).
    pub grant_id: Option<String>,
}

/// An app registration's credentials (apps registered in this tenant).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub secrets: usize,
    pub certificates: usize,
    /// Credentials whose end date has passed.
    pub expired: usize,
    /// Credentials ending within 30 days.
    pub expiring: usize,
}

/// Everything the inventory read.
#[derive(Debug, Clone)]
pub struct Read {
    pub tenant_id: Option<String>,
    pub cloud: Cloud,
    pub graph_sp_id: Option<String>,
    pub principals: Vec<Principal>,
    pub grants: Vec<RawGrant>,
    /// Last sign-in (RFC 3339) by appId; `None`: not read (a note says why).
    pub sign_ins: Option<BTreeMap<String, Option<String>>>,
    /// Credentials by appId of the apps registered here; `None`: not read.
    pub credentials: Option<BTreeMap<String, Credentials>>,
    /// Owners (names) by service principal id, for the Tier-0 apps whose owners were read.
    pub owners: BTreeMap<String, Vec<String>>,
    /// Federated identity credentials by appId, for the Tier-0 apps registered here that have any.
    pub federated: BTreeMap<String, Vec<crate::grants::FederatedCredential>>,
    pub notes: Vec<String>,
    /// When the read happened (RFC 3339).
    pub read_at: String,
}

/// Who owns an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerKind {
    Microsoft,
    ThisTenant,
    OtherTenant,
    Unknown,
}

/// One permission of an app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldPermission {
    pub permission: String,
    #[serde(rename = "type")]
    pub ptype: PermissionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

/// The backup product an app looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductMatch {
    /// The embedded matrix (`veeam-vbr13`, …).
    pub matrix: String,
    pub product: String,
    pub percent: u32,
}

/// One app of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub service_principal_id: String,
    pub app_id: String,
    pub display_name: String,
    pub owner: OwnerKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_principal_type: Option<String>,
    /// The highest tier of its application permissions (0 is the highest); `None`: no rated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub highest_tier: Option<u8>,
    pub tier0_count: usize,
    pub permissions: Vec<HeldPermission>,
    /// Last sign-in (RFC 3339); `None` with `signInKnown`: never signed in (as far as kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sign_in: Option<String>,
    pub sign_in_known: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<String>>,
    /// Who outside the tenant can sign in as the app (its registration's federated identity
    /// credentials; read for the Tier-0 apps registered here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub federated_credentials: Vec<crate::grants::FederatedCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_product: Option<ProductMatch>,
    /// The codes of its findings.
    pub findings: Vec<String>,
}

/// One finding, about one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: String,
    pub service_principal_id: String,
    pub app: String,
    /// 0 for a finding about a Tier-0 app (they come first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<u8>,
    pub message: String,
    /// What to do: commands safe to paste.
    pub commands: Vec<String>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub apps: usize,
    pub tier0_apps: usize,
    pub backup_products: usize,
    pub dormant_tier0: usize,
    pub foreign_tier0: usize,
    /// Apps holding Tier-0 rights they did not hold at the baseline (`--baseline`).
    #[serde(default)]
    pub tier0_gained: usize,
}

/// The inventory document (`inventory --format json`, schemaVersion 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    pub schema_version: u32,
    pub tool: crate::audit::Tool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    pub read_at: String,
    /// Days without a sign-in after which a Tier-0 app is dormant.
    pub dormant_days: u32,
    /// `--baseline`: when the inventory compared with was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    pub apps: Vec<App>,
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    pub summary: Summary,
}

/// Whose app it is.
fn owner_kind(p: &Principal, tenant: Option<&str>) -> OwnerKind {
    match (p.owner_tenant.as_deref(), tenant) {
        (Some(o), _) if MICROSOFT_TENANTS.iter().any(|m| m.eq_ignore_ascii_case(o)) => {
            OwnerKind::Microsoft
        }
        (Some(o), Some(t)) if o.eq_ignore_ascii_case(t) => OwnerKind::ThisTenant,
        (Some(_), _) => OwnerKind::OtherTenant,
        (None, _) => OwnerKind::Unknown,
    }
}

/// The backup product `grants` fit best, when they fit it well enough.
fn product(grants: &Grants, vendors: &[Matrix]) -> Option<ProductMatch> {
    vendors
        .iter()
        .map(|m| {
            let percent = (crate::audit::vendor::fit(m, grants) * 100.0).round() as u32;
            (percent, m)
        })
        .filter(|(p, _)| *p >= PRODUCT_MATCH_PERCENT)
        .max_by_key(|(p, _)| *p)
        .map(|(percent, m)| ProductMatch {
            matrix: m.name.clone().unwrap_or_default(),
            product: m.info.as_ref().map_or_else(
                || "the source document's backup app".to_string(),
                |i| i.product.clone(),
            ),
            percent,
        })
}

/// The tier of each application permission, looked up once per name (a tenant holds a few
/// hundred names across 100,000 grants).
#[derive(Default)]
pub struct Tiers(std::collections::HashMap<String, Option<u8>>);

impl Tiers {
    pub fn of(&mut self, name: &str) -> Option<u8> {
        *self
            .0
            .entry(name.to_string())
            .or_insert_with(|| crate::catalog::app_tier(name).map(|t| t.tier))
    }
}

/// What the app holds, each permission once, riskiest first.
fn held(grants: &[&RawGrant], tiers: &mut Tiers) -> Vec<HeldPermission> {
    let mut permissions: Vec<HeldPermission> = grants
        .iter()
        .map(|g| HeldPermission {
            permission: g.permission.clone(),
            ptype: g.ptype,
            consent: g.consent,
            granted_at: g.granted_at.clone(),
            tier: if g.ptype == PermissionType::Application {
                tiers.of(&g.permission)
            } else {
                None
            },
            grant_id: g.grant_id.clone(),
        })
        .collect();
    permissions.sort_by(|a, b| {
        (a.tier.unwrap_or(9), &a.permission, a.ptype).cmp(&(
            b.tier.unwrap_or(9),
            &b.permission,
            b.ptype,
        ))
    });
    permissions.dedup_by(|a, b| {
        a.permission == b.permission && a.ptype == b.ptype && a.consent == b.consent
    });
    permissions
}

/// The app's permissions as grants, to fit them to a vendor's matrix.
fn as_grants(cloud: Cloud, p: &Principal, permissions: &[HeldPermission]) -> Grants {
    let mut g = Grants::new(
        cloud,
        AppIdentity {
            app_id: Some(p.app_id.clone()),
            service_principal_id: Some(p.id.clone()),
            display_name: p.display_name.clone(),
        },
    );
    for h in permissions {
        match h.ptype {
            PermissionType::Application => g.application.push(AppRoleGrant {
                permission: h.permission.clone(),
                app_role_id: None,
                assignment_id: None,
                created: None,
            }),
            _ => g.delegated.push(DelegatedGrant {
                permission: h.permission.clone(),
                consent: h.consent.unwrap_or(Consent::AllPrincipals),
                principal_id: None,
                grant_id: None,
            }),
        }
    }
    g
}

/// One app of the inventory, from its principal and its grants.
fn app(
    read: &Read,
    p: Principal,
    grants: &[&RawGrant],
    vendors: &[Matrix],
    tiers: &mut Tiers,
) -> App {
    let permissions = held(grants, tiers);
    let sign_in = read
        .sign_ins
        .as_ref()
        .map(|s| s.get(&p.app_id.to_ascii_lowercase()).cloned().flatten());
    let owner = owner_kind(&p, read.tenant_id.as_deref());
    App {
        service_principal_id: p.id.clone(),
        app_id: p.app_id.clone(),
        display_name: p
            .display_name
            .clone()
            .unwrap_or_else(|| format!("(no name: {})", p.id)),
        owner,
        owner_tenant_id: p.owner_tenant.clone(),
        enabled: p.enabled,
        service_principal_type: p.kind.clone(),
        highest_tier: permissions.iter().filter_map(|h| h.tier).min(),
        tier0_count: permissions.iter().filter(|h| h.tier == Some(0)).count(),
        backup_product: (owner != OwnerKind::Microsoft)
            .then(|| product(&as_grants(read.cloud, &p, &permissions), vendors))
            .flatten(),
        permissions,
        last_sign_in: sign_in.clone().flatten(),
        sign_in_known: sign_in.is_some(),
        credentials: read
            .credentials
            .as_ref()
            .and_then(|c| c.get(&p.app_id.to_ascii_lowercase()).cloned()),
        owners: read.owners.get(&p.id.to_ascii_lowercase()).cloned(),
        federated_credentials: read
            .federated
            .get(&p.app_id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default(),
        findings: Vec::new(),
    }
}

/// The inventory of what was read: apps ranked Tier 0 first, then by Tier-0 count and name.
/// The Tier-0 application permissions each app held at the baseline, by appId (lower case).
pub fn tier0_held(baseline: &Inventory) -> BTreeMap<String, Vec<String>> {
    baseline
        .apps
        .iter()
        .map(|a| {
            let held = a
                .permissions
                .iter()
                .filter(|p| p.tier == Some(0) && p.ptype == PermissionType::Application)
                .map(|p| p.permission.to_ascii_lowercase())
                .collect();
            (a.app_id.to_ascii_lowercase(), held)
        })
        .collect()
}

/// The inventory of what was read; with `baseline`, the apps that gained Tier-0 rights since.
pub fn build(
    read: Read,
    vendors: &[Matrix],
    dormant_days: u32,
    now: &str,
    baseline: Option<&Inventory>,
) -> Inventory {
    let mut by_principal: BTreeMap<&str, Vec<&RawGrant>> = BTreeMap::new();
    for g in &read.grants {
        by_principal
            .entry(g.principal_id.as_str())
            .or_default()
            .push(g);
    }
    let index: std::collections::HashMap<String, &Principal> = read
        .principals
        .iter()
        .map(|p| (p.id.to_ascii_lowercase(), p))
        .collect();
    let mut tiers = Tiers::default();
    let mut apps: Vec<App> = by_principal
        .iter()
        .map(|(principal_id, grants)| {
            let p = index
                .get(&principal_id.to_ascii_lowercase())
                .map(|p| (*p).clone())
                .unwrap_or_else(|| Principal {
                    id: (*principal_id).to_string(),
                    ..Principal::default()
                });
            app(&read, p, grants, vendors, &mut tiers)
        })
        .collect();
    apps.sort_by(|a, b| {
        (
            a.highest_tier.unwrap_or(9),
            std::cmp::Reverse(a.tier0_count),
            &a.display_name,
        )
            .cmp(&(
                b.highest_tier.unwrap_or(9),
                std::cmp::Reverse(b.tier0_count),
                &b.display_name,
            ))
    });
    let before = baseline.map(tier0_held);
    let found = findings::all(
        &mut apps,
        &findings::Context {
            dormant_days,
            now,
            graph_sp: read.graph_sp_id.as_deref(),
            graph: read.cloud.graph_host(),
            before: before.as_ref(),
        },
    );
    let count = |code: &str| {
        apps.iter()
            .filter(|a| a.findings.iter().any(|f| f == code))
            .count()
    };
    let summary = Summary {
        apps: apps.len(),
        tier0_apps: apps.iter().filter(|a| a.tier0_count > 0).count(),
        backup_products: apps.iter().filter(|a| a.backup_product.is_some()).count(),
        dormant_tier0: count(findings::DORMANT),
        foreign_tier0: count(findings::FOREIGN),
        tier0_gained: count(findings::GAINED),
    };
    Inventory {
        schema_version: 1,
        tool: crate::audit::Tool {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        tenant_id: read.tenant_id.clone(),
        read_at: read.read_at.clone(),
        dormant_days,
        since: baseline.map(|b| b.read_at.clone()),
        apps,
        findings: found,
        notes: read.notes.clone(),
        summary,
    }
}

/// When the inventory fails (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// A Tier-0 app unused for the dormant period.
    Tier0Dormant,
    /// A Tier-0 app of another tenant with no owner here.
    Tier0Foreign,
    /// An app holding Tier-0 rights it did not hold at the baseline.
    Tier0Gained,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Tier0Dormant => "tier0-dormant",
            FailOn::Tier0Foreign => "tier0-foreign",
            FailOn::Tier0Gained => "tier0-gained",
            FailOn::Never => "never",
        }
    }
}

/// Whether the inventory passes under `fail_on`: the one place it is decided.
pub fn passes(inv: &Inventory, fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Tier0Dormant => inv.summary.dormant_tier0 == 0,
        FailOn::Tier0Foreign => inv.summary.foreign_tier0 == 0,
        FailOn::Tier0Gained => inv.summary.tier0_gained == 0,
        FailOn::Never => true,
    }
}
