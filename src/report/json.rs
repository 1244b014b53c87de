//! The JSON documents: the audit (schemaVersion 1) and the multi-tenant audit, written as the
//! report types serialise them, and [`pretty`], which every JSON document goes through: the same
//! data, with the characters that could drive a terminal written as `\uXXXX` escapes.

use std::io::Write;

use crate::audit::Report;
use crate::multi::MultiReport;

/// Write `value` as pretty JSON (then a line end), nothing raw that could drive a terminal.
pub fn pretty(value: &impl serde::Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    out.write_all(crate::text::json_safe(text).as_bytes())?;
    writeln!(out)
}

/// The audit JSON.
pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    pretty(r, out)
}

/// The multi-tenant audit JSON.
pub fn tenants(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    pretty(m, out)
}

/// One document on one line (JSON lines), nothing raw that could drive a terminal.
pub fn line(value: &impl serde::Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string(value).map_err(std::io::Error::other)?;
    out.write_all(crate::text::json_safe(text).as_bytes())?;
    writeln!(out)
}

/// The multi-tenant audit as JSON lines: each tenant's result, then `{"summary": …}`.
pub fn lines(m: &MultiReport, out: &mut dyn Write) -> std::io::Result<()> {
    for t in &m.tenants {
        line(t, out)?;
    }
    summary_line(&m.summary, out)
}

/// The last line of a JSON-lines multi-tenant audit.
pub fn summary_line(s: &crate::multi::MultiSummary, out: &mut dyn Write) -> std::io::Result<()> {
    line(&serde_json::json!({ "summary": s }), out)
}
