//! Text from the tenant or a server, made safe for the terminal and for Markdown: control
//! characters (ESC, BEL, CR, line breaks, …) are shown as escapes, never sent raw.

/// `s` with every control character written as a visible escape (`\e`, `\n`, `\u{7}`, …), so a
/// display name cannot move the cursor, recolour the screen or forge a line of the report.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Control characters, the Unicode ones that reorder or hide text (bidi overrides, line and
/// paragraph separators), and the noncharacters XML 1.0 forbids (U+FFFE, U+FFFF).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// For a Markdown table cell: controls escaped, and `|`, backquote, `<` and `>` made inert.
pub fn markdown_cell(s: &str) -> String {
    escape_controls(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(escape_controls("plain"), "plain");
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\u{7}c\r\nd"),
            "a\\e[2Jb\\u{7}c\\r\\nd"
        );
        assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape_controls("a\u{fffe}\u{ffff}"), "a\\u{fffe}\\u{ffff}");
        assert!(!escape_controls("\u{9b}31m").contains('\u{9b}'));
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(markdown_cell("a|b`c<img>"), "a\\|b\\`c&lt;img&gt;");
    }
}
