//! The README and docs/ as a reader uses them: every link lands, every concrete `entra-perms`
//! command in them runs (against the fake Graph where it needs a tenant), every flag they document
//! exists, and the README's sample output is what the binary prints.

use crate::support::fake_graph::{self, FakeGraph, FakeTenant};
use crate::support::{entra_perms, graph_token, run};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every page of docs/, with their text.
fn pages() -> Vec<(PathBuf, String)> {
    let mut paths = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    assert!(docs.len() >= 8, "the reference pages: {docs:?}");
    paths.extend(docs);
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// Lines outside fenced code blocks, and the lines of each fenced block with its info string.
fn split(text: &str) -> (Vec<&str>, Vec<(String, Vec<&str>)>) {
    let mut prose = Vec::new();
    let mut blocks: Vec<(String, Vec<&str>)> = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in text.lines() {
        if let Some(info) = line.strip_prefix("```") {
            match open.take() {
                Some(block) => blocks.push(block),
                None => open = Some((info.trim().to_string(), Vec::new())),
            }
        } else if let Some((_, lines)) = open.as_mut() {
            lines.push(line);
        } else {
            prose.push(line);
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    (prose, blocks)
}

/// GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    split(text)
        .0
        .iter()
        .filter(|l| l.starts_with('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn every_link_in_the_readme_and_docs_lands() {
    let mut checked = 0;
    for (page, text) in pages() {
        let (prose, _) = split(&text);
        for line in prose {
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let end = after.find(')').expect("a closed link");
                let target = &after[..end];
                rest = &after[end..];
                if target.starts_with("http://") || target.starts_with("https://") {
                    continue;
                }
                let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
                let file = if file.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap().join(file)
                };
                assert!(
                    file.exists(),
                    "{}: `{target}` names no file",
                    page.display()
                );
                if !anchor.is_empty() {
                    let there = std::fs::read_to_string(&file).unwrap();
                    assert!(
                        anchors(&there).iter().any(|a| a == anchor),
                        "{}: `{target}`: no such heading in {}",
                        page.display(),
                        file.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} links found");
}

/// The concrete commands of the README and docs: lines of `sh` blocks and inline code spans that
/// start with `entra-perms ` and hold no usage syntax (`[…]`, `(a | b)`, `…`).
fn commands() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (page, text) in pages() {
        let name = page.file_name().unwrap().to_string_lossy().to_string();
        let (prose, blocks) = split(&text);
        for (info, lines) in blocks {
            if info == "sh" {
                for l in lines {
                    let l = l.trim();
                    if l.starts_with("entra-perms ") {
                        out.push((name.clone(), l.split(" #").next().unwrap().trim().into()));
                    }
                }
            }
        }
        for line in prose {
            for (i, span) in line.split('`').enumerate() {
                if i % 2 == 1
                    && span.starts_with("entra-perms ")
                    && span.split_whitespace().count() > 2
                    && !span.split_whitespace().any(is_placeholder)
                    && !span.contains(['[', '…', '(', '<'])
                    && !span.contains(" | ")
                {
                    out.push((name.clone(), span.to_string()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_command_in_the_readme_and_docs_runs() {
    let commands = commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let bin = assert_cmd::cargo::cargo_bin("entra-perms");
    let graph = FakeGraph::start(FakeTenant::everything(&graph_token()));
    for (page, command) in &commands {
        let work = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(root().join("examples"), work.path().join("examples")).unwrap();
        for dir in [
            ".local/share/bash-completion/completions",
            ".local/share/man/man1",
        ] {
            std::fs::create_dir_all(work.path().join(dir)).unwrap();
        }
        // A matrix file to audit against, where a command names one.
        std::fs::write(
            work.path().join("NEW.toml"),
            run(entra_perms().args(["matrix", "--format", "toml"])).1,
        )
        .unwrap();
        // The app ids the pages use become the fake tenant's app; APP likewise.
        let mut line = command.replace(" APP ", &format!(" {} ", fake_graph::APP_ID));
        for word in command.split_whitespace() {
            if word.len() == 36 && word.matches('-').count() == 4 {
                line = line.replace(word, fake_graph::APP_ID);
            }
        }
        let script = format!(
            "set -o pipefail\n{} {}",
            shell_quote(&bin.to_string_lossy()),
            line.trim_start_matches("entra-perms ")
        );
        let mut shell = assert_cmd::Command::new("bash");
        shell
            .arg("-c")
            .arg(&script)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("HOME", work.path())
            .env("BACKUP_APP_ID", fake_graph::APP_ID)
            .env("GITHUB_STEP_SUMMARY", work.path().join("summary.md"))
            .env("ENTRA_PERMS_ACCESS_TOKEN", graph_token())
            .env("ENTRA_PERMS_GRAPH_URL", &graph.base)
            // What a pipeline sets for its sign-in (docs/ci.md).
            .env("AZURE_TENANT_ID", fake_graph::TENANT_ID)
            .env("AZURE_CLIENT_ID", "a0c1e2d3-1111-4222-8333-944455556666")
            // A GitHub runner's OIDC endpoint, here one that answers nothing.
            .env("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/token")
            .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-token")
            .current_dir(work.path());
        let (code, out, err) = run(&mut shell);
        // A sign-in the page names (`--auth github-actions`) cannot happen here: it may fail to
        // sign in (3), never to parse (2). Everything else runs for real: 0 or 1.
        let names_auth = line.contains("--auth ");
        let ok = if names_auth {
            code != 2
        } else {
            code == 0 || code == 1
        };
        assert!(ok, "{page}: `{command}` exited {code}\n{err}\n{out}");
        if !names_auth && !line.contains(" > ") {
            assert!(
                !out.trim().is_empty(),
                "{page}: `{command}` printed nothing"
            );
        }
    }
}

/// A word of usage syntax (`SHELL`, `FILE`), not a value: the pages' `APP` is given one.
fn is_placeholder(word: &str) -> bool {
    word != "APP" && word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The flags docs/commands.md documents (in its usage blocks and flag lists) exist in the
/// binary's help, and every flag of `audit --help` is documented there.
#[test]
fn the_commands_page_documents_the_flags_that_exist() {
    let text = std::fs::read_to_string(root().join("docs/commands.md")).unwrap();
    let mut help = String::new();
    for command in [
        "audit",
        "snapshot",
        "plan",
        "explain",
        "matrix",
        "diff-matrix",
        "inventory",
        "man",
        "completions",
    ] {
        let (code, out, err) = run(entra_perms().args([command, "--help"]));
        assert_eq!(code, 0, "{command}: {err}");
        help.push_str(&out);
    }
    let flags_in = |s: &str| -> Vec<String> {
        let mut all = Vec::new();
        let bytes: Vec<char> = s.chars().collect();
        let mut i = 0;
        while i + 2 < bytes.len() {
            if bytes[i] == '-'
                && bytes[i + 1] == '-'
                && bytes[i + 2].is_ascii_lowercase()
                && (i == 0 || !bytes[i - 1].is_alphanumeric() && bytes[i - 1] != '-')
            {
                let flag: String = bytes[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_lowercase() || **c == '-')
                    .collect();
                all.push(flag.trim_end_matches('-').to_string());
                i += flag.len();
            } else {
                i += 1;
            }
        }
        all
    };
    let (prose, blocks) = split(&text);
    let mut documented: Vec<String> = blocks
        .iter()
        .filter(|(info, _)| info.is_empty())
        .flat_map(|(_, lines)| lines.iter().flat_map(|l| flags_in(l)))
        .collect();
    documented.extend(
        prose
            .iter()
            .filter(|l| l.starts_with("- `--") || l.starts_with("## `entra-perms"))
            .flat_map(|l| flags_in(l)),
    );
    documented.sort();
    documented.dedup();
    assert!(documented.len() >= 25, "{documented:?}");
    for flag in &documented {
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "docs/commands.md documents {flag}, which no command has"
        );
    }
    let (_, audit_help, _) = run(entra_perms().args(["audit", "--help"]));
    for flag in flags_in(&audit_help) {
        if flag == "--help" || flag == "--version" {
            continue;
        }
        assert!(
            [" ", "`", "]"]
                .iter()
                .any(|end| text.contains(&format!("{flag}{end}"))),
            "`audit {flag}` is not in docs/commands.md"
        );
    }
}

#[test]
fn the_readme_starts_with_az_login_and_shows_the_real_output() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let first: Vec<&str> = readme.lines().take(60).collect();
    assert!(first.iter().any(|l| l.starts_with("az login")), "az login");
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("entra-perms audit --app ")),
        "entra-perms audit --app"
    );
    assert!(first.iter().any(|l| l.contains("](docs/report.png)")));
    let marker = "<!-- output of: entra-perms audit --from examples/stale-consent.json -->";
    let at = readme.find(marker).expect("the README's sample output");
    let block = &readme[at + marker.len()..];
    let block = block
        .trim_start()
        .strip_prefix("```text\n")
        .expect("a text block after the marker");
    let shown = &block[..block.find("\n```").unwrap()];
    let (code, out, err) = run(entra_perms()
        .args(["audit", "--from", "examples/stale-consent.json"])
        .current_dir(root()));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        shown,
        out.trim_end(),
        "the README's sample output is not what the binary prints"
    );
}
