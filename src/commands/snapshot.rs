//! `entra-perms snapshot --app APP`: what the tenant granted the app, saved to audit later offline.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::config::SnapshotConfig;
use crate::exit::Outcome;
use crate::findings::Finding;
use crate::graph::session::Read;
use crate::matrix::Matrix;
use crate::snapshot::Snapshot;

/// How far back the audit log is read: its longest retention.
const AUDIT_LOG_DAYS: i64 = 30;

pub fn run(config: &SnapshotConfig, out: &mut dyn Write) -> Result<Outcome> {
    let matrix = Matrix::load_checked(config.matrix.as_deref(), config.strict_matrix)?;
    // The audit log's last 30 days ride along, so that an offline audit against a baseline can
    // say who changed what.
    let since = azure_core::time::OffsetDateTime::now_utc()
        - azure_core::time::Duration::days(AUDIT_LOG_DAYS);
    let since = azure_core::time::to_rfc3339(&since);
    let read = Read {
        app: &config.app,
        service_account: config.service_account.as_deref(),
        matrix: &matrix,
        audit_log_since: Some(&since),
        shared_catalog: None,
    };
    let mut grants = crate::sources::graph(&config.connection, &read)?;
    // An unreadable audit log is worth a warning here, not a note in every later audit.
    grants.findings.retain(|f| {
        let unreadable = matches!(f, Finding::AuditLogUnreadable { .. });
        if unreadable {
            tracing::warn!("{} The snapshot records no change history.", f.message());
        }
        !unreadable
    });
    if config.redact {
        crate::report::anonymize::grants(&mut grants)?;
    }
    let doc = Snapshot::now(grants).to_json()?;
    let inputs: Vec<&Path> = config.matrix.as_deref().into_iter().collect();
    super::write_report(config.output.as_deref(), &inputs, out, |w| {
        w.write_all(doc.as_bytes())
    })?;
    Ok(Outcome::Passed)
}
