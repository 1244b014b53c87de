//! The validated configuration of an audit: what the command line means, checked once before any
//! I/O (as ripgrep turns its low-level arguments into a checked high-level config), so every
//! reader of it — the Graph read, the diff, each renderer — gets the same checked values.

use std::path::{Path, PathBuf};

use crate::audit::Options;
pub use crate::graph::session::Connection;
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
        /// Write each tenant's own reports (JSON and HTML) and an overview page into this folder.
        report_dir: Option<PathBuf>,
    },
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
    /// `--strict-matrix`: a row Microsoft's data does not know as written is an error.
    pub strict_matrix: bool,
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

/// A plan, fully decided.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    /// Graph (`--app`) or a snapshot (`--from`).
    pub source: GrantsSource,
    pub matrix: Option<PathBuf>,
    /// `--strict-matrix`: a row Microsoft's data does not know as written is an error.
    pub strict_matrix: bool,
    pub connection: Connection,
    pub service_account: Option<String>,
    /// What the plan closes (its `fail_on` is not used).
    pub options: Options,
    pub format: PlanFormat,
    pub output: Option<PathBuf>,
    /// Restore rights just in time: a grant and a revoke block for the restore window.
    pub just_in_time: bool,
}

impl PlanConfig {
    /// The files the plan reads, which its output may not overwrite.
    pub fn inputs(&self) -> Vec<&Path> {
        let mut inputs: Vec<&Path> = self.matrix.iter().map(PathBuf::as_path).collect();
        if let GrantsSource::Snapshot(p) = &self.source {
            inputs.push(p);
        }
        inputs
    }
}

/// How a plan is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
    Html,
}

/// A snapshot, fully decided.
#[derive(Debug, Clone)]
pub struct SnapshotConfig {
    pub app: String,
    pub matrix: Option<PathBuf>,
    /// `--strict-matrix`: a row Microsoft's data does not know as written is an error.
    pub strict_matrix: bool,
    pub connection: Connection,
    pub service_account: Option<String>,
    pub output: Option<PathBuf>,
    /// People replaced with placeholders (ids keep the shape of an id).
    pub redact: bool,
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
                if crate::input::same_place(pa, pb) {
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
