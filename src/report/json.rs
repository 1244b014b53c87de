//! The JSON documents: the audit (schemaVersion 1) and the multi-tenant audit, written as the
//! report types serialise them (JSON escapes text itself; nothing is sanitised here).

use std::io::Write;

use crate::audit::Report;
use crate::multi::MultiReport;

/// The audit JSON.
pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)
}

/// The multi-tenant audit JSON.
pub fn tenants(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, m)?;
    writeln!(out)
}
