//! `inventory --tenants`: each tenant's inventory or why it could not be read, and the compact
//! row per tenant an overview keeps (its counts and findings, Tier 0 first) while the tenant's
//! full inventory goes on to disk.

use serde::{Deserialize, Serialize};

use super::{Finding, Inventory, Summary};
use crate::exit::Exit;

/// The most findings an overview keeps of one tenant (the rest are in its own inventory).
pub const MAX_ROW_FINDINGS: usize = 50;

/// What happened in one tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInventory {
    /// The tenant as listed.
    pub tenant: String,
    /// The code this tenant alone would exit with.
    #[serde(
        rename = "exitCode",
        serialize_with = "crate::multi::exit_number",
        deserialize_with = "crate::multi::exit_of_number"
    )]
    pub exit: Exit,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Inventory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One tenant as the overview shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub tenant: String,
    /// `PASS`, `FAIL` (a finding `--fail-on` fails on) or `ERROR`.
    pub verdict_word: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Its findings, Tier 0 first, at most [`MAX_ROW_FINDINGS`].
    pub findings: Vec<Finding>,
    /// How many findings it has in all.
    pub finding_count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Many tenants' inventories, as the overview shows them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryTenants {
    pub tenants: Vec<TenantRow>,
    pub summary: crate::multi::MultiSummary,
}

impl TenantRow {
    pub fn of(t: &TenantInventory) -> TenantRow {
        let verdict_word = match (&t.inventory, t.exit) {
            (Some(_), Exit::Success) => "PASS",
            (Some(_), _) => "FAIL",
            (None, _) => "ERROR",
        };
        let findings = t.inventory.as_ref().map_or(&[][..], |i| &i.findings[..]);
        TenantRow {
            tenant: t.tenant.clone(),
            verdict_word: verdict_word.to_string(),
            summary: t.inventory.as_ref().map(|i| i.summary.clone()),
            findings: findings.iter().take(MAX_ROW_FINDINGS).cloned().collect(),
            finding_count: findings.len(),
            error: t.error.clone(),
        }
    }
}

/// The sums of the tenants' verdicts.
pub fn add(summary: &mut crate::multi::MultiSummary, t: &TenantInventory) {
    summary.tenants += 1;
    match (&t.inventory, t.exit) {
        (Some(_), Exit::Success) => summary.passed += 1,
        (Some(_), _) => summary.failed += 1,
        (None, _) => summary.errors += 1,
    }
}
