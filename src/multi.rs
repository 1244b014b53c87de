//! The result of auditing many tenants (`audit --tenants`): plain data — each tenant's report or
//! error and the exit code it alone would give — serialised as the multi-tenant JSON.

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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiSummary {
    pub tenants: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
}

impl MultiReport {
    pub fn new(tenants: Vec<TenantResult>) -> MultiReport {
        let count = |f: &dyn Fn(&TenantResult) -> bool| tenants.iter().filter(|t| f(t)).count();
        let summary = MultiSummary {
            tenants: tenants.len(),
            passed: count(&|t| t.report.as_ref().is_some_and(|r| r.passed)),
            failed: count(&|t| t.report.as_ref().is_some_and(|r| !r.passed)),
            errors: count(&|t| t.error.is_some()),
        };
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

fn exit_number<S: serde::Serializer>(e: &Exit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(e.code())
}

fn exit_of_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Exit, D::Error> {
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
