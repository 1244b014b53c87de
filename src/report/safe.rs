//! Documents made safe for people before any renderer lays them out. [`Safe<T>`] can only be made
//! by [`Safe::new`], which rewrites **every** string of the document — each field, at any depth,
//! map keys included — through one escaping function, by walking its serialised form. A field
//! added tomorrow is escaped without anyone remembering it; the renderers for people take a
//! `&Safe<…>`, so none can be handed raw tenant text. The JSON documents keep the true values
//! (JSON escapes them itself).

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::text::escape_controls;

/// A document whose every string has passed [`escape_controls`]: no control character, no
/// bidirectional override, no line or paragraph separator is left in it.
#[derive(Debug, Clone)]
pub struct Safe<T>(T);

impl<T: Serialize + DeserializeOwned> Safe<T> {
    /// The document with every string escaped. Fails only if the document cannot be written as
    /// JSON and read back (a bug in its types, caught by the tests of each document).
    pub fn new(doc: &T) -> std::io::Result<Safe<T>> {
        let mut value = serde_json::to_value(doc).map_err(std::io::Error::other)?;
        escape_all(&mut value);
        serde_json::from_value(value)
            .map(Safe)
            .map_err(std::io::Error::other)
    }
}

impl<T> Safe<T> {
    /// A document put together from parts that are each safe: rows made safe one at a time as
    /// they come (a 10,000-tenant overview is never rewritten whole). `build` adds nothing of its
    /// own but numbers and the tool's words.
    pub fn assemble<P, Q>(
        parts: Vec<Safe<P>>,
        extra: Safe<Q>,
        build: impl FnOnce(Vec<P>, Q) -> T,
    ) -> Safe<T> {
        Safe(build(parts.into_iter().map(|p| p.0).collect(), extra.0))
    }
}

impl<T> Deref for Safe<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

fn escape_all(v: &mut Value) {
    match v {
        Value::String(s) => {
            let escaped = escape_controls(s);
            if escaped != *s {
                *s = escaped;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(escape_all),
        Value::Object(map) => {
            let unsafe_keys: Vec<String> = map
                .keys()
                .filter(|k| escape_controls(k) != **k)
                .cloned()
                .collect();
            for k in unsafe_keys {
                if let Some(value) = map.remove(&k) {
                    map.insert(escape_controls(&k), value);
                }
            }
            map.values_mut().for_each(escape_all);
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{run, Against, Options};
    use crate::grants::{AppIdentity, Grants, Source};
    use crate::matrix::Matrix;

    const HOSTILE: &str = "Backup\u{1b}]52;c;aGk=\u{7}\u{202e}\nFAKE: PASS";

    fn hostile_report() -> crate::audit::Report {
        let m = Matrix::embedded().unwrap();
        let mut g = Grants::new(
            crate::cloud::Cloud::Global,
            AppIdentity {
                display_name: Some(HOSTILE.into()),
                ..Default::default()
            },
        );
        g.notes.push(HOSTILE.into());
        g.tenant_id = Some(HOSTILE.into());
        run(
            &m,
            &g,
            Source::Snapshot,
            &Options::default(),
            Against::Nothing,
        )
        .unwrap()
    }

    fn has_unsafe(v: &Value) -> bool {
        let text = v.to_string();
        // JSON writes controls as \u escapes; the bidi override stays literal.
        text.contains("\\u001b") || text.contains("\\u0007") || text.contains('\u{202e}')
    }

    #[test]
    fn every_string_of_the_report_is_escaped_and_the_original_kept() {
        let r = hostile_report();
        assert!(has_unsafe(&serde_json::to_value(&r).unwrap()));
        let safe = Safe::new(&r).unwrap();
        assert!(!has_unsafe(&serde_json::to_value(&*safe).unwrap()));
        assert_eq!(
            safe.app.display_name.as_deref(),
            Some("Backup\\e]52;c;aGk=\\u{7}\\u{202e}\\nFAKE: PASS")
        );
        assert!(r.app.display_name.unwrap().contains('\u{1b}'));
    }

    #[test]
    fn a_clean_report_survives_the_round_trip_unchanged() {
        let m = Matrix::embedded().unwrap();
        let g = Grants::new(crate::cloud::Cloud::Global, AppIdentity::default());
        let r = run(&m, &g, Source::Graph, &Options::default(), Against::Nothing).unwrap();
        assert_eq!(*Safe::new(&r).unwrap(), r);
    }

    #[test]
    fn the_view_for_people_is_escaped_whole() {
        let r = hostile_report();
        let m = Matrix::embedded().unwrap();
        let view = Safe::new(&crate::report::view::audit(&r, &m, None)).unwrap();
        assert!(!has_unsafe(&serde_json::to_value(&*view).unwrap()));
        assert!(view.title.contains("\\e]52"));
    }
}
