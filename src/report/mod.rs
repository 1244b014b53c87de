//! Renderers: turn the matrix, an explanation or an audit report into text for people or machines.
//! They write to any `io::Write` and hold no logic beyond layout.

pub mod anonymize;
pub mod csv;
pub mod explain;
pub mod html;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod layout;
pub mod markdown;
pub mod matrix;
pub mod outputs;
pub mod plan;
#[cfg(test)]
mod property_tests;
pub mod safe;
pub mod sarif;
pub mod table;
pub mod view;

/// The formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for people, with a one-line verdict.
    Table,
    /// The audit JSON (schemaVersion 1).
    Json,
    /// GitHub Markdown (job summaries, pull-request comments).
    Markdown,
    /// JUnit XML: one test suite per purpose, one test case per protected object.
    Junit,
    /// One self-contained HTML page to forward.
    Html,
    /// CSV (RFC 4180): one row per object and requirement.
    Csv,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// `key=value` lines: the verdict and counts, for CI outputs (`$GITHUB_OUTPUT`).
    Outputs,
    /// JSON lines: one line per tenant, in completion order, then a summary line (streamed with
    /// `--tenants`, in constant memory); one audit is one line.
    Jsonl,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Junit,
        Format::Html,
        Format::Csv,
        Format::Sarif,
        Format::Outputs,
        Format::Jsonl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Sarif => "sarif",
            Format::Outputs => "outputs",
            Format::Jsonl => "jsonl",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Markdown => "md",
            Format::Junit => "xml",
            Format::Sarif => "sarif",
            Format::Outputs => "env",
            Format::Jsonl => "jsonl",
            other => other.as_str(),
        }
    }

    /// The format with this name (any case).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(name))
    }
}

use safe::Safe;

use crate::audit::Report;
use crate::matrix::Matrix;
use crate::multi::MultiReport;
use crate::plan::Plan;

/// What an audit produced: one report (with its plan), or one per tenant.
pub enum Audited {
    One(Box<(Report, Plan)>),
    Many(MultiReport),
}

impl Audited {
    /// `--redact`: users' names and ids become placeholders.
    pub fn redact_users(&mut self) -> std::io::Result<()> {
        let mut p = anonymize::Placeholders::default();
        match self {
            Audited::One(one) => anonymize::report(&mut one.0, &mut p),
            Audited::Many(m) => anonymize::multi(m, &mut p),
        }
    }
}

/// An audit and its views, computed once, rendered in as many formats as asked. The documents
/// for people are `Safe` (every string escaped); the JSON-based ones keep the true values.
pub enum Rendered {
    One {
        report: Box<Report>,
        safe: Box<Safe<Report>>,
        view: Box<Safe<view::AuditView>>,
    },
    Many {
        multi: MultiReport,
        safe: Box<Safe<MultiReport>>,
        view: Box<Safe<view::TenantsView>>,
    },
}

impl Rendered {
    pub fn new(audited: Audited, matrix: &Matrix) -> std::io::Result<Rendered> {
        Ok(match audited {
            Audited::One(one) => {
                let (report, plan) = *one;
                let view = view::audit(&report, matrix, Some(&plan));
                Rendered::One {
                    safe: Box::new(Safe::new(&report)?),
                    view: Box::new(Safe::new(&view)?),
                    report: Box::new(report),
                }
            }
            Audited::Many(multi) => {
                let view = view::tenants(&multi, matrix);
                Rendered::Many {
                    safe: Box::new(Safe::new(&multi)?),
                    view: Box::new(Safe::new(&view)?),
                    multi,
                }
            }
        })
    }

    /// Write the report in `format` (colour only for the table on a terminal): the one dispatch
    /// from a format to its renderer.
    pub fn render(
        &self,
        format: Format,
        matrix: &Matrix,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Rendered::One { report, safe, view } => match format {
                Format::Table => {
                    let mut log = crate::output::CiInert::new(out);
                    table::audit(view, &mut log, color)?;
                    log.finish()
                }
                Format::Json => json::audit(report, out),
                Format::Markdown => markdown::audit(view, out),
                Format::Junit => junit::audit(safe, out),
                Format::Html => html::audit(view, report, out),
                Format::Csv => csv::audit(report, matrix, out),
                Format::Sarif => sarif::audit(report, matrix, out),
                Format::Outputs => outputs::audit(report, out),
                Format::Jsonl => json::line(report, out),
            },
            Rendered::Many { multi, safe, view } => match format {
                Format::Table => {
                    let mut log = crate::output::CiInert::new(out);
                    table::tenants(view, &mut log)?;
                    log.finish()
                }
                Format::Json => json::tenants(multi, out),
                Format::Markdown => markdown::tenants(view, out),
                Format::Junit => junit::tenants(safe, out),
                Format::Html => html::tenants(view, multi, out),
                Format::Csv => csv::tenants(multi, matrix, out),
                Format::Sarif => sarif::tenants(multi, matrix, out),
                Format::Outputs => outputs::tenants(multi, out),
                Format::Jsonl => json::lines(multi, out),
            },
        }
    }
}
