//! The house rules of ARCHITECTURE.md, checked on the source itself so that they stay held: every
//! module says what it owns, no source file outgrows 700 lines, the verdict is assigned in one
//! place, `exit.rs` inspects no error types, and no module below the command line names a flag.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each source file of the library, as (path under src/, text without its test module).
fn files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (name, text)
        })
        .collect()
}

/// The text before its first inline test module (`#[cfg(test)] mod x {`); `mod tests;` stays.
fn without_tests(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]\nmod ") {
        let at = from + i;
        let line_end = text[at + 13..]
            .find('\n')
            .map_or(text.len(), |e| at + 13 + e);
        if text[at..line_end].trim_end().ends_with('{') {
            return &text[..at];
        }
        from = line_end;
    }
    text
}

#[test]
fn every_module_says_what_it_owns_and_none_outgrows_700_lines() {
    for (name, text) in files() {
        assert!(
            text.starts_with("//!"),
            "{name} does not open with a //! line"
        );
        let lines = text.lines().count();
        assert!(lines <= 700, "{name} has {lines} lines");
    }
}

#[test]
fn the_verdict_is_assigned_in_one_place_and_exit_codes_read_kinds() {
    let mut assigned = Vec::new();
    for (name, text) in files() {
        if name.ends_with("tests.rs") {
            continue;
        }
        if without_tests(&text).contains(".passed = ") {
            assigned.push(name.clone());
        }
        if name == "exit.rs" {
            assert!(
                !text.contains("downcast") && !text.contains(".is::<"),
                "exit.rs inspects error types"
            );
        }
    }
    assert_eq!(assigned, ["audit/mod.rs"]);
}

#[test]
fn no_module_below_the_command_line_names_a_flag() {
    let flags = [
        "--app",
        "--auth",
        "--baseline",
        "--cloud",
        "--graph-url",
        "--matrix",
        "--output",
        "--service-account",
        "--tenant",
        "--timeout",
        "--token-claims",
        "--token-file",
    ];
    // The command line itself, and the documents for people (which tell what to run next).
    let edge = [
        "cli/",
        "config.rs",
        "commands/",
        "report/",
        "plan/",
        "findings/",
        "inventory/findings.rs",
    ];
    for (name, text) in files() {
        if edge.iter().any(|e| name.starts_with(e)) || name.ends_with("tests.rs") {
            continue;
        }
        for (i, line) in without_tests(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for flag in flags {
                let named = code.match_indices(flag).any(|(at, _)| {
                    let next = code[at + flag.len()..].chars().next();
                    !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
                });
                assert!(!named, "src/{name}:{}: names {flag}: {line}", i + 1);
            }
        }
    }
}

/// The top-level room of a source file: `audit/diff.rs` → `audit`, `cli.rs` → `cli`.
fn room(name: &str) -> String {
    name.split('/')
        .next()
        .unwrap_or(name)
        .trim_end_matches(".rs")
        .to_string()
}

/// The rooms a file's code (tests aside) uses through `crate::…` paths.
fn uses(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let code = without_tests(text);
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let head: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !head.is_empty() {
                    out.insert(head);
                }
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(head);
        }
    }
    out
}

#[test]
fn the_rooms_import_without_a_circle() {
    use std::collections::{BTreeMap, BTreeSet};
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in files() {
        let from = room(&name);
        if matches!(from.as_str(), "lib" | "main" | "properties") || name.ends_with("tests.rs") {
            continue;
        }
        let to: BTreeSet<String> = uses(&text).into_iter().filter(|t| *t != from).collect();
        graph.entry(from).or_default().extend(to);
    }
    // Depth-first search for a path back to where it started.
    fn back(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if graph.contains_key(next) && seen.insert(next.clone()) {
                path.push(next.clone());
                if back(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    for start in graph.keys() {
        let mut path = vec![start.clone()];
        let found = back(&graph, start, start, &mut path, &mut BTreeSet::new());
        assert!(!found, "import circle: {}", path.join(" → "));
    }
}

/// The files that are test code alone (declared `#[cfg(test)] mod x;`), as paths under src/.
fn test_only_files(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, text) in files {
        let dir = match name.rsplit_once('/') {
            Some((dir, "mod.rs")) => format!("{dir}/"),
            Some((dir, file)) => format!("{dir}/{}/", file.trim_end_matches(".rs")),
            None if name == "lib.rs" || name == "main.rs" => String::new(),
            None => format!("{}/", name.trim_end_matches(".rs")),
        };
        for part in text.split("#[cfg(test)]\nmod ").skip(1) {
            if let Some(module) = part.split('\n').next().and_then(|l| l.strip_suffix(';')) {
                out.push(format!("{dir}{module}.rs"));
                out.push(format!("{dir}{module}/mod.rs"));
            }
        }
    }
    out
}

/// A panic is never the answer to bad input: no `unwrap()` or `expect(` in the tool's code, only
/// in its tests (where a panic is the test's failure). Clippy holds the same (`unwrap_used`,
/// `expect_used`, `-D warnings` in CI); this says it where the rules of the house are read.
#[test]
fn no_unwrap_or_expect_outside_tests() {
    let files = files();
    let tests = test_only_files(&files);
    assert!(
        tests.iter().any(|t| t == "graph/auth/tests.rs"),
        "{tests:?}"
    );
    for (name, text) in &files {
        if tests.contains(name) {
            continue;
        }
        for (i, line) in without_tests(text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains(".unwrap()") && !code.contains(".expect("),
                "src/{name}:{}: a panic on bad input: {line}",
                i + 1
            );
        }
    }
}
