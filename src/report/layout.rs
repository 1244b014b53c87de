//! Layout helpers the renderers share: joining, word-wrapping, the terminal table, Markdown cells.

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

/// A value as a Markdown code span that nothing inside can end.
pub(crate) fn md_code(s: &str) -> String {
    crate::text::markdown_code(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wrap_breaks_at_words() {
        assert_eq!(super::wrap("aa bb cc", 7, "- ", "  "), "- aa bb\n  cc");
        assert_eq!(super::wrap("", 7, "- ", "  "), "-");
    }
}
