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

/// For Markdown (a table cell, a list item, a job summary): controls escaped, and everything
/// GitHub would act on made inert — `|` (the table), backquotes (code spans), `[ ]` (links and
/// images: `(`, `)` and `!` make one only after a `]`), `* _ ~` (emphasis), `@` (mentions), `#`
/// (issue references), `<` `>` (HTML and autolinks in brackets), and
/// the `:` of `://` and the `.` of `www.` (bare-URL autolinks) — each shown as the same character.
pub fn markdown_cell(s: &str) -> String {
    let s = escape_controls(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let next = |k: usize| chars.get(i + k).copied();
        let www =
            c == '.' && i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w'));
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '`' | '[' | ']' | '*' | '_' | '~' | '@' | '#' => {
                out.push('\\');
                out.push(c);
            }
            ':' if next(1) == Some('/') && next(2) == Some('/') => out.push_str("\\:"),
            '.' if www => out.push_str("\\."),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown code span of `s`: nothing inside is a link, a mention or HTML; controls escaped,
/// `|` escaped for tables, and a fence longer than any run of backquotes in `s`, so none can end
/// the span early.
pub fn markdown_code(s: &str) -> String {
    let s = escape_controls(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Serialised JSON with every character that could drive a terminal or reorder text — C1
/// controls and DEL (which JSON may carry raw), line separators, bidi overrides, noncharacters —
/// written as a `\uXXXX` escape: the same data for every JSON reader, nothing raw on a screen.
pub fn json_safe(json: String) -> String {
    let unsafe_char = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}');
    if !json.chars().any(unsafe_char) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A line as a CI runner may read it, made inert: GitHub Actions takes a line that starts with
/// `::` (after white space) as a workflow command, and the runners take `##[` and Azure
/// Pipelines `##vso[` anywhere in a line; each is shown with a backslash (`\::`, `#\#[`), which
/// neither reads.
pub fn ci_inert(line: &str) -> String {
    let mut out = line.replace("##[", "#\\#[").replace("##vso[", "#\\#vso[");
    let indent = out.len() - out.trim_start().len();
    if out[indent..].starts_with("::") {
        out.insert(indent, '\\');
    }
    out
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
    fn json_keeps_the_data_and_shows_nothing_raw() {
        let v = serde_json::json!({"name": "a\u{9b}31m\u{202e}b"});
        let text = json_safe(serde_json::to_string(&v).unwrap());
        assert_eq!(text, r#"{"name":"a\u009b31m\u202eb"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }

    #[test]
    fn workflow_commands_are_inert_in_any_line() {
        assert_eq!(ci_inert("::error title=x::boom"), "\\::error title=x::boom");
        assert_eq!(ci_inert("    ::warning::w"), "    \\::warning::w");
        assert_eq!(
            ci_inert("a ##[stop-commands]x ##vso[task.complete]"),
            "a #\\#[stop-commands]x #\\#vso[task.complete]"
        );
        assert_eq!(ci_inert("a :: b"), "a :: b");
    }

    #[test]
    fn code_spans_cannot_be_broken_out_of() {
        assert_eq!(markdown_code("User.Read"), "`User.Read`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x``"), "``` `x`` ```");
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(markdown_cell("a|b`c<img>"), "a\\|b\\`c&lt;img&gt;");
        assert_eq!(
            markdown_cell("[ok](https://evil.example) @all #1 www.x"),
            "\\[ok\\](https\\://evil.example) \\@all \\#1 www\\.x"
        );
    }
}
