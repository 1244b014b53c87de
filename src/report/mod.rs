//! Renderers: turn the matrix, an explanation or an audit report into text for people or machines.
//! They write to any `io::Write` and hold no logic beyond layout.

pub mod anonymize;
pub mod audit_view;
pub mod csv;
pub mod explain_view;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix_view;
pub mod plan_view;
pub mod safe;
pub mod sarif;
pub mod tenants_view;
pub mod view;

use std::fmt::Display;

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
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Json,
        Format::Markdown,
        Format::Junit,
        Format::Html,
        Format::Csv,
        Format::Sarif,
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
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Markdown => "md",
            Format::Junit => "xml",
            Format::Sarif => "sarif",
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

use comfy_table::{presets, ContentArrangement, Table};

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
    pub fn redact_users(&mut self) {
        let mut p = anonymize::Placeholders::default();
        match self {
            Audited::One(one) => anonymize::report(&mut one.0, &mut p),
            Audited::Many(m) => anonymize::multi(m, &mut p),
        }
    }
}

/// An audit and its view, computed once, rendered in as many formats as asked.
pub enum Rendered {
    One {
        report: Box<Report>,
        view: Box<view::AuditView>,
    },
    Many {
        multi: MultiReport,
        view: view::TenantsView,
    },
}

impl Rendered {
    pub fn new(audited: Audited, matrix: &Matrix) -> Rendered {
        match audited {
            Audited::One(one) => {
                let (report, plan) = *one;
                let view = view::audit(&report, matrix, Some(&plan));
                Rendered::One {
                    report: Box::new(report),
                    view: Box::new(view),
                }
            }
            Audited::Many(multi) => {
                let view = view::tenants(&multi, matrix);
                Rendered::Many { multi, view }
            }
        }
    }

    /// Write the report in `format` (colour only for the table on a terminal).
    pub fn render(
        &self,
        format: Format,
        matrix: &Matrix,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Rendered::One { report, view } => match format {
                Format::Table => audit_view::table(view, out, color),
                Format::Json => audit_view::json(report, out),
                Format::Markdown => markdown::audit(view, out),
                Format::Junit => junit::audit(report, out),
                Format::Html => html::audit(view, report, out),
                Format::Csv => csv::audit(report, matrix, out),
                Format::Sarif => sarif::audit(report, matrix, out),
            },
            Rendered::Many { multi, view } => match format {
                Format::Table => tenants_view::table(view, out),
                Format::Json => tenants_view::json(multi, out),
                Format::Markdown => tenants_view::markdown(view, out),
                Format::Junit => junit::tenants(multi, out),
                Format::Html => html::tenants(view, multi, out),
                Format::Csv => csv::tenants(multi, matrix, out),
                Format::Sarif => sarif::tenants(multi, matrix, out),
            },
        }
    }
}

/// Join displayable items with `sep`.
pub(crate) fn join<T: Display>(items: impl IntoIterator<Item = T>, sep: &str) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// A table that fits a 100-column terminal (or the real terminal, if narrower).
pub(crate) fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    match table.width() {
        Some(w) if w <= 100 => {}
        _ => {
            table.set_width(100);
        }
    }
    table
}

/// Word-wrap `text` to `width` columns: `first` before the first line, `rest` before the others.
pub(crate) fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_string();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out
}

/// Escape a value for a Markdown table cell.
pub(crate) fn md_cell(s: &str) -> String {
    crate::text::markdown_cell(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_breaks_at_words() {
        assert_eq!(super::wrap("aa bb cc", 7, "- ", "  "), "- aa bb\n  cc");
        assert_eq!(super::wrap("", 7, "- ", "  "), "-");
    }
}
