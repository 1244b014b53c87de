//! The checks a matrix field goes through (an enum word, a non-empty list without repeats, a
//! GUID), each failing with the span of the value, and the line and column of a byte offset.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::permission::is_guid;

pub(super) type SpanError = (Range<usize>, String);

pub(super) fn parse_enum<T: for<'de> Deserialize<'de>>(
    v: &Spanned<String>,
    what: &str,
    allowed: &[&str],
) -> Result<T, SpanError> {
    let s = v.get_ref().trim();
    let de = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(s);
    T::deserialize(de).map_err(|_| {
        (
            v.span(),
            format!(
                "unknown {what} `{s}` (expected one of: {})",
                allowed.join(", ")
            ),
        )
    })
}

pub(super) fn non_empty_list<T>(
    list: &Spanned<Vec<Spanned<String>>>,
    key: &str,
    f: impl Fn(&Spanned<String>) -> Result<T, SpanError>,
) -> Result<Vec<T>, SpanError>
where
    T: PartialEq,
{
    if list.get_ref().is_empty() {
        return Err((list.span(), format!("`{key}` is empty")));
    }
    let mut out = Vec::new();
    for item in list.get_ref() {
        let v = f(item)?;
        if out.contains(&v) {
            return Err((
                item.span(),
                format!("`{key}` lists `{}` twice", item.get_ref().trim()),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

pub(super) fn guid_field(
    v: Option<&Spanned<String>>,
    key: &str,
) -> Result<Option<String>, SpanError> {
    match v {
        None => Ok(None),
        Some(v) => {
            let s = v.get_ref().trim();
            if is_guid(s) {
                Ok(Some(s.to_ascii_lowercase()))
            } else {
                Err((
                    v.span(),
                    format!(
                        "{key} `{s}` is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
                    ),
                ))
            }
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}
