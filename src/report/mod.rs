//! Renderers: turn the matrix, an explanation or an audit report into text for people or machines.
//! They write to any `io::Write` and hold no logic beyond layout.

pub mod explain_view;
pub mod matrix_view;

use std::fmt::Display;

/// Join displayable items with `sep`.
pub(crate) fn join<T: Display>(items: impl IntoIterator<Item = T>, sep: &str) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Escape a value for a Markdown table cell.
pub(crate) fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}
