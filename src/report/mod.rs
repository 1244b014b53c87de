//! Renderers: turn the matrix, an explanation or an audit report into text for people or machines.
//! They write to any `io::Write` and hold no logic beyond layout.

pub mod anonymize;
pub mod csv;
pub mod explain;
pub mod html;
pub mod html_tenants;
pub mod inventory;
pub mod inventory_tenants;
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
use crate::multi::{MultiReport, TenantResults};
use crate::plan::Plan;

/// An audit and its views, computed once, rendered in as many formats as asked. The documents
/// for people are `Safe` (every string escaped); the JSON-based ones keep the true values.
pub enum Rendered {
    One {
        report: Box<Report>,
        safe: Box<Safe<Report>>,
        view: Box<Safe<view::AuditView>>,
    },
    /// Many tenants: their rows for the overviews, and their full results where a document
    /// needs them (held in memory, or spilled to disk by a streamed run).
    Many {
        results: Option<Box<dyn TenantResults>>,
        view: Box<Safe<view::TenantsView>>,
        /// `--report-dir`: the folder of the tenants' pages, as the page being written links to
        /// it (`tenants/`, `../reports/`, `` beside them).
        pages: String,
    },
}

impl Rendered {
    /// Many tenants, all held in memory.
    pub fn many(multi: MultiReport, matrix: &Matrix) -> std::io::Result<Rendered> {
        let mut names = Vec::new();
        let mut rows = Vec::new();
        for t in &multi.tenants {
            let (row, objects) = view::tenant(t, matrix, None);
            if names.is_empty() {
                names = objects;
            }
            rows.push(row);
        }
        let view = view::tenants(rows, names, &multi.summary);
        Ok(Rendered::Many {
            view: Box::new(Safe::new(&view)?),
            results: Some(Box::new(multi)),
            pages: String::new(),
        })
    }

    /// One report (with its plan where there is one).
    pub fn one(report: Report, plan: Option<&Plan>, matrix: &Matrix) -> std::io::Result<Rendered> {
        let view = view::audit(&report, matrix, plan);
        Ok(Rendered::One {
            safe: Box::new(Safe::new(&report)?),
            view: Box::new(Safe::new(&view)?),
            report: Box::new(report),
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
            Rendered::Many {
                results,
                view,
                pages,
            } => {
                let held = results.as_deref();
                let results = || {
                    held.ok_or_else(|| {
                        std::io::Error::other(format!(
                            "the {} report needs every tenant's full result, which this run did not keep",
                            format.as_str()
                        ))
                    })
                };
                match format {
                    Format::Table => {
                        let mut log = crate::output::CiInert::new(out);
                        table::tenants(view, &mut log)?;
                        log.finish()
                    }
                    Format::Json => json::tenants(results()?, out),
                    Format::Markdown => markdown::tenants(view, out),
                    Format::Junit => junit::tenants(results()?, out),
                    Format::Html => html_tenants::tenants(view, held, pages, matrix, out),
                    Format::Csv => csv::tenants(results()?, out),
                    Format::Sarif => sarif::tenants(results()?, matrix, out),
                    Format::Outputs => outputs::tenants(view, out),
                    Format::Jsonl => results()?
                        .each(&mut |t| json::line(t, out))
                        .and_then(|()| json::summary_line(results()?.summary(), out)),
                }
            }
        }
    }
}
