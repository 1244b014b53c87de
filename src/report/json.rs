//! The JSON documents: the audit (schemaVersion 1) and the multi-tenant audit, written as the
//! report types serialise them, and [`pretty`], which every JSON document goes through: the same
//! data, with the characters that could drive a terminal written as `\uXXXX` escapes.

use std::io::Write;

use crate::audit::Report;
use crate::multi::{MultiSummary, TenantResults};

/// Write `value` as pretty JSON (then a line end), nothing raw that could drive a terminal.
pub fn pretty(value: &impl serde::Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    out.write_all(crate::text::json_safe(text).as_bytes())?;
    writeln!(out)
}

/// The audit JSON.
pub fn audit(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    pretty(r, out)
}

/// The multi-tenant audit JSON, written a tenant at a time: the document a `MultiReport`
/// serialises as, without holding it.
pub fn tenants(m: &dyn TenantResults, out: &mut dyn Write) -> std::io::Result<()> {
    many(m.summary(), out, &mut |items| {
        m.each(&mut |t| items.item(t))
    })
}

/// `{"schemaVersion": 1, "tenants": [… as `fill` writes them …], "summary": …}`: a document of
/// many tenants (audits or inventories), a tenant at a time.
pub(super) fn many(
    summary: &MultiSummary,
    out: &mut dyn Write,
    fill: &mut dyn FnMut(&mut Items<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Doc<'a> {
        schema_version: u32,
        tenants: &'a str,
        summary: &'a MultiSummary,
    }
    let hole = Hole::new();
    let doc = Doc {
        schema_version: 1,
        tenants: &hole.0,
        summary,
    };
    pretty_with_array(&doc, &hole, out, fill)
}

/// A string that stands in a document for an array written item by item.
pub(super) struct Hole(pub String);

impl Hole {
    pub(super) fn new() -> Hole {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Hole(format!("entra-perms:array:{}:{nanos}", std::process::id()))
    }
}

/// The items of an array being written into a pretty document.
pub(super) struct Items<'a> {
    out: &'a mut dyn Write,
    indent: String,
    count: usize,
}

impl Items<'_> {
    /// One item, pretty, at the array's depth.
    pub(super) fn item(&mut self, value: &impl serde::Serialize) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
        let text = crate::text::json_safe(text);
        self.out
            .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(self.indent.as_bytes())?;
            self.out.write_all(line.as_bytes())?;
        }
        self.count += 1;
        Ok(())
    }
}

/// Write `doc` as pretty JSON (as [`pretty`] does), with the array standing where the string
/// `hole` is written by `fill`, item by item: a document of any length in the memory of one item.
pub(super) fn pretty_with_array(
    doc: &impl serde::Serialize,
    hole: &Hole,
    out: &mut dyn Write,
    fill: &mut dyn FnMut(&mut Items<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(doc).map_err(std::io::Error::other)?;
    let text = crate::text::json_safe(text);
    let quoted = format!("\"{}\"", hole.0);
    let (Some(at), 1) = (text.find(&quoted), text.matches(&quoted).count()) else {
        return Err(std::io::Error::other(
            "the document's array has no single place",
        ));
    };
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let outer: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ')
        .collect();
    out.write_all(&text.as_bytes()[..at])?;
    out.write_all(b"[")?;
    let mut items = Items {
        out: &mut *out,
        indent: format!("{outer}  "),
        count: 0,
    };
    fill(&mut items)?;
    if items.count > 0 {
        write!(out, "\n{outer}")?;
    }
    out.write_all(b"]")?;
    out.write_all(&text.as_bytes()[at + quoted.len()..])?;
    writeln!(out)
}

/// One document on one line (JSON lines), nothing raw that could drive a terminal.
pub fn line(value: &impl serde::Serialize, out: &mut dyn Write) -> std::io::Result<()> {
    let text = serde_json::to_string(value).map_err(std::io::Error::other)?;
    out.write_all(crate::text::json_safe(text).as_bytes())?;
    writeln!(out)
}

/// The last line of a JSON-lines multi-tenant audit.
pub fn summary_line(s: &MultiSummary, out: &mut dyn Write) -> std::io::Result<()> {
    line(&serde_json::json!({ "summary": s }), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;
    use crate::multi::{MultiReport, TenantResult};

    #[test]
    fn the_streamed_document_is_the_serialised_one() {
        let t = |tenant: &str, error: &str| TenantResult {
            tenant: tenant.into(),
            exit: Exit::Incomplete,
            report: None,
            error: Some(error.into()),
        };
        for tenants in [
            vec![],
            vec![t("a.example", "one\nline \u{202e} \"quoted\"")],
            vec![t("a.example", "x"), t("b.example", "y")],
        ] {
            let m = MultiReport::new(tenants);
            let mut streamed = Vec::new();
            super::tenants(&m, &mut streamed).unwrap();
            let mut whole = Vec::new();
            pretty(&m, &mut whole).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }
}
