//! Renderers: turn the matrix, an explanation or an audit report into text for people or machines.
//! They write to any `io::Write` and hold no logic beyond layout.

pub mod audit_view;
pub mod explain_view;
pub mod matrix_view;

use std::fmt::Display;

use comfy_table::{presets, ContentArrangement, Table};

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

/// Escape a value for a Markdown table cell.
pub(crate) fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}
