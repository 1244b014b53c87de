//! The result of auditing many tenants (`audit --tenants`): plain data — each tenant's report or
//! error and the exit code it alone would give — serialised as the multi-tenant JSON; and
//! [`TenantResults`], every result in the file's order, held in memory or spilled to disk.

mod spill;

pub use spill::Spill;

use serde::{Deserialize, Serialize};

use crate::audit::Report;
use crate::exit::Exit;

/// What happened in one tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantResult {
    /// The tenant as listed in the file (the tenant read is the report's `tenantId`).
    pub tenant: String,
    /// The exit code this tenant alone would give.
    #[serde(
        rename = "exitCode",
        serialize_with = "exit_number",
        deserialize_with = "exit_of_number"
    )]
    pub exit: Exit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Everything `--tenants` found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiReport {
    pub schema_version: u32,
    pub tenants: Vec<TenantResult>,
    pub summary: MultiSummary,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiSummary {
    pub tenants: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

impl MultiReport {
    pub fn new(tenants: Vec<TenantResult>) -> MultiReport {
        let mut summary = MultiSummary::default();
        tenants.iter().for_each(|t| summary.add(t));
        MultiReport {
            schema_version: 1,
            tenants,
            summary,
        }
    }

    /// The worst exit code of all tenants.
    pub fn exit(&self) -> Exit {
        Exit::worst(self.tenants.iter().map(|t| t.exit))
    }
}

/// Every tenant's full result in the tenants file's order, as many times as a renderer needs:
/// held in memory ([`MultiReport`]) or on disk ([`Spill`], so that a run over thousands of
/// tenants keeps none of their reports in memory).
pub trait TenantResults {
    fn summary(&self) -> &MultiSummary;

    /// Hand each tenant's result to `f`, in order; the first error stops.
    fn each(&self, f: &mut dyn FnMut(&TenantResult) -> std::io::Result<()>) -> std::io::Result<()>;
}

impl TenantResults for MultiReport {
    fn summary(&self) -> &MultiSummary {
        &self.summary
    }

    fn each(&self, f: &mut dyn FnMut(&TenantResult) -> std::io::Result<()>) -> std::io::Result<()> {
        self.tenants.iter().try_for_each(f)
    }
}

impl MultiSummary {
    /// The sums of these results, counted as each tenant finishes.
    pub fn add(&mut self, t: &TenantResult) {
        self.tenants += 1;
        match (&t.report, &t.error) {
            (Some(r), _) if r.passed => self.passed += 1,
            (Some(_), _) => self.failed += 1,
            _ => self.errors += 1,
        }
    }
}

pub(crate) fn exit_number<S: serde::Serializer>(e: &Exit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(e.code())
}

pub(crate) fn exit_of_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Exit, D::Error> {
    let code = u8::deserialize(d)?;
    Exit::from_code(code)
        .ok_or_else(|| serde::de::Error::custom(format!("{code} is not an exit code")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_is_the_worst() {
        let r = |exit| TenantResult {
            tenant: "t".into(),
            exit,
            report: None,
            error: None,
        };
        assert_eq!(
            MultiReport::new(vec![r(Exit::Success), r(Exit::Gaps)]).exit(),
            Exit::Gaps
        );
        assert_eq!(
            MultiReport::new(vec![r(Exit::Incomplete), r(Exit::Gaps), r(Exit::Success)]).exit(),
            Exit::Incomplete
        );
        let json = serde_json::to_value(r(Exit::Incomplete)).unwrap();
        assert_eq!(json["exitCode"], 3);
    }
}
