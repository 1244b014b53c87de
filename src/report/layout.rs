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

/// The width people's text is laid out in: `COLUMNS` when set, else the terminal's when standard
/// output is one, else 100 (a pipe or a file: a width that reads well anywhere); 40 to 400.
pub(crate) fn width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    columns
        .or_else(|| Table::new().width().map(usize::from))
        .unwrap_or(100)
        .clamp(40, 400)
}

/// A table as wide as [`width`].
pub(crate) fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied())
        .set_width(u16::try_from(width()).unwrap_or(100));
    table
}

/// `text` wrapped to `width` for a table cell: at spaces, and a word longer than the cell (a
/// permission name) at its `.`s, so that no name is cut inside a word while a break will do.
pub(crate) fn cell_text(text: &str, width: usize) -> String {
    text.lines()
        .map(|line| {
            let mut words: Vec<String> = Vec::new();
            for w in line.split(' ') {
                if w.chars().count() <= width {
                    words.push(w.to_string());
                    continue;
                }
                let mut part = String::new();
                for piece in w.split_inclusive('.') {
                    if !part.is_empty() && part.chars().count() + piece.chars().count() > width {
                        words.push(std::mem::take(&mut part));
                    }
                    part.push_str(piece);
                }
                words.push(part);
            }
            wrap(&words.join(" "), width, "", "")
        })
        .collect::<Vec<_>>()
        .join("\n")
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
