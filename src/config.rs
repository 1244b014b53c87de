//! The validated configuration of an audit: what the command line means, checked once before any
//! I/O (as ripgrep turns its low-level arguments into a checked high-level config), so every
//! reader of it — the Graph read, the diff, each renderer — gets the same checked values.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::audit::Options;
use crate::cloud::Cloud;
use crate::graph::auth::AuthMethod;
use crate::report::Format;

/// Where the grants come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantsSource {
    /// Microsoft Graph, for this app (`--app`).
    Graph { app: String },
    /// A snapshot file (`--from`).
    Snapshot(PathBuf),
    /// A token's own claims (`--token-claims`), from this file or the environment.
    Token(Option<PathBuf>),
    /// The same app in every tenant of a file (`--tenants`).
    Tenants {
        file: PathBuf,
        app: String,
        concurrency: usize,
    },
}

/// How to reach a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The tenant asked for (`--tenant`; AZURE_TENANT_ID is read when signing in).
    pub tenant: Option<String>,
    pub cloud: Cloud,
    pub graph_url: Option<String>,
    pub auth: AuthMethod,
    /// One tenant's whole audit (`--timeout`).
    pub timeout: Duration,
}

/// One report to write: a format, to a file or (`None`) to stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    pub format: Format,
    pub path: Option<PathBuf>,
}

/// An audit, fully decided.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    pub source: GrantsSource,
    /// `--matrix`, else the embedded matrix.
    pub matrix: Option<PathBuf>,
    pub connection: Connection,
    pub service_account: Option<String>,
    pub options: Options,
    /// Every report, all from the same read; at most one to stdout.
    pub reports: Vec<ReportTarget>,
    /// Replace users' names and ids with placeholders in every report.
    pub redact: bool,
    /// `--baseline`: an earlier audit JSON or snapshot to compare with.
    pub baseline: Option<PathBuf>,
}

impl AuditConfig {
    /// The files the audit reads, which no report may overwrite.
    pub fn inputs(&self) -> Vec<&Path> {
        let mut inputs: Vec<&Path> = self
            .matrix
            .iter()
            .chain(&self.baseline)
            .map(PathBuf::as_path)
            .collect();
        match &self.source {
            GrantsSource::Snapshot(p) => inputs.push(p),
            GrantsSource::Token(Some(p)) => inputs.push(p),
            GrantsSource::Tenants { file, .. } => inputs.push(file),
            _ => {}
        }
        inputs
    }
}

/// Check an output file name: `--output json` (the `az -o json` habit) is a format, not a file.
pub fn check_output_path(path: &Path, flag: &str) -> Result<(), String> {
    let name = path.to_string_lossy();
    if let Some(format) = Format::from_name(&name) {
        return Err(format!(
            "{flag} {name} names a file, not a format: to choose the format use --format {}, and give --output a file name (e.g. --output report.{})",
            format.as_str(),
            format.extension()
        ));
    }
    Ok(())
}

/// Check that no two reports go to the same place.
pub fn check_targets(reports: &[ReportTarget]) -> Result<(), String> {
    let stdout = reports.iter().filter(|r| r.path.is_none()).count();
    if stdout > 1 {
        return Err("only one report can go to standard output; give the others a file (--report FORMAT=PATH)".into());
    }
    for (i, a) in reports.iter().enumerate() {
        for b in &reports[i + 1..] {
            if let (Some(pa), Some(pb)) = (&a.path, &b.path) {
                if pa == pb {
                    return Err(format!(
                        "two reports are written to {}: give each its own file",
                        pa.display()
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_format_name_is_not_an_output_file() {
        let e = check_output_path(Path::new("json"), "--output").unwrap_err();
        assert!(e.contains("--format json"), "{e}");
        assert!(check_output_path(Path::new("report.json"), "--output").is_ok());
        assert!(check_output_path(Path::new("./json"), "--output").is_ok());
    }

    #[test]
    fn reports_need_distinct_places() {
        let t = |f: Format, p: Option<&str>| ReportTarget {
            format: f,
            path: p.map(PathBuf::from),
        };
        assert!(check_targets(&[t(Format::Table, None), t(Format::Html, Some("a.html"))]).is_ok());
        assert!(check_targets(&[t(Format::Table, None), t(Format::Json, None)]).is_err());
        assert!(check_targets(&[t(Format::Html, Some("a")), t(Format::Json, Some("a"))]).is_err());
    }
}
